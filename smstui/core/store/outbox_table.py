"""The outbox table: every SMS smstui sends is recorded here, and committed, before it goes out.

Row states:
``pending``        written, request about to go (or in flight; after a crash: unknown fate)
``accepted``       ClickSend took it (``message_id`` set)
``rejected``       ClickSend refused it (``status``/``reason`` say why)
``failed``         the request certainly never reached ClickSend (safe for the user to retry)
``unknown``        the request may have reached ClickSend; reconciliation will find out
``failed_unknown`` still unknown after the one automatic resend: the user decides
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from smstui.core.models import OutgoingSms
from smstui.core.store.message_store import MessageStore, from_unix, to_unix

OutboxState = Literal["pending", "accepted", "rejected", "failed", "unknown", "failed_unknown"]
FINAL_STATES: frozenset[OutboxState] = frozenset(
    {"accepted", "rejected", "failed", "failed_unknown"}
)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    token: str  # our custom_string: how reconciliation finds the message in ClickSend history
    to: str
    sender: str | None
    body: str
    schedule: datetime | None
    country: str | None
    user_custom_string: str | None
    state: OutboxState
    attempts: int
    created_at: datetime
    attempted_at: datetime | None
    message_id: str | None
    status: str | None
    reason: str | None
    kind: str = "sms"  # "sms" | "mms" | "voice": which API sends it and whose history finds it
    extra: str | None = None  # JSON of the channel's own fields (MMS subject, voice lang...)
    #: the operator whose smstui recorded it (None: recorded before operators were)
    sent_by: str | None = None

    def outgoing(self) -> OutgoingSms:
        """The SMS as it goes on the wire: our token travels as ClickSend's custom_string."""
        return OutgoingSms(
            to=self.to,
            body=self.body,
            sender=self.sender,
            schedule=self.schedule,
            custom_string=self.token,
            country=self.country,
        )


COLUMNS = (
    'id, token, "to", sender, body, schedule, country, user_custom_string, state, attempts, '
    "created_at, attempted_at, message_id, status, reason, kind, extra, sent_by"
)


def outbox_row(r: tuple[Any, ...]) -> OutboxRow:
    created = from_unix(r[10])
    assert created is not None
    return OutboxRow(
        id=r[0],
        token=r[1],
        to=r[2],
        sender=r[3],
        body=r[4],
        schedule=from_unix(r[5]),
        country=r[6],
        user_custom_string=r[7],
        state=r[8],
        attempts=r[9],
        created_at=created,
        attempted_at=from_unix(r[11]),
        message_id=r[12],
        status=r[13],
        reason=r[14],
        kind=r[15],
        extra=r[16],
        sent_by=r[17],
    )


class OutboxTable:
    """Typed access to the ``outbox`` table of a ``MessageStore``, for one ``kind`` of message
    (an SMS outbox never reconciles or resends an MMS row, and the other way round)."""

    def __init__(self, store: MessageStore, kind: str = "sms") -> None:
        self.store = store
        self.kind = kind

    def add(
        self,
        items: Iterable[tuple[str, OutgoingSms]],
        *,
        now: int,
        extras: Sequence[str | None] | None = None,
    ) -> list[OutboxRow]:
        """Record (token, sms) pairs as ``pending`` with one attempt at ``now``; committed on
        return, so a crash from here on leaves a row that reconciliation will look up.
        ``extras[i]`` is the channel's own JSON for the i-th item."""
        pairs = list(items)
        extra_of = list(extras) if extras is not None else [None] * len(pairs)
        rows = [
            (
                token,
                self.store.account,
                sms.to,
                sms.sender,
                sms.body,
                to_unix(sms.schedule),
                sms.country,
                sms.custom_string,
                now,
                now,
                now,
                self.kind,
                extra,
                self.store.operator or None,
            )
            for (token, sms), extra in zip(pairs, extra_of, strict=True)
        ]

        def write(c: sqlite3.Connection) -> list[int]:
            ids = []
            for row in rows:
                cur = c.execute(
                    'INSERT INTO outbox (token, account, "to", sender, body, schedule, country, '
                    "user_custom_string, state, attempts, created_at, attempted_at, updated_at, "
                    "kind, extra, sent_by) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                assert cur.lastrowid is not None
                ids.append(cur.lastrowid)
            return ids

        ids = self.store.run_write(write)
        return self.get_many(ids)

    def get_many(self, ids: list[int]) -> list[OutboxRow]:
        def read(c: sqlite3.Connection) -> list[OutboxRow]:
            out = []
            for i in ids:
                r = c.execute(f"SELECT {COLUMNS} FROM outbox WHERE id = ?", (i,)).fetchone()
                if r is not None:
                    out.append(outbox_row(r))
            return out

        return self.store.run_read(read)

    def get(self, row_id: int) -> OutboxRow | None:
        rows = self.get_many([row_id])
        return rows[0] if rows else None

    def in_states(self, states: Iterable[OutboxState]) -> list[OutboxRow]:
        wanted = sorted(set(states))
        sql = (
            f"SELECT {COLUMNS} FROM outbox WHERE account = ? AND kind = ? "
            f"AND state IN ({','.join('?' * len(wanted))}) ORDER BY id"
        )
        raw = self.store.run_read(
            lambda c: c.execute(sql, [self.store.account, self.kind, *wanted]).fetchall()
        )
        return [outbox_row(r) for r in raw]

    def all(self) -> list[OutboxRow]:
        raw = self.store.run_read(
            lambda c: c.execute(
                f"SELECT {COLUMNS} FROM outbox WHERE account = ? AND kind = ? ORDER BY id",
                (self.store.account, self.kind),
            ).fetchall()
        )
        return [outbox_row(r) for r in raw]

    def set_outcome(
        self,
        row_id: int,
        state: OutboxState,
        *,
        message_id: str | None = None,
        status: str | None = None,
        reason: str | None = None,
        only_from: Sequence[OutboxState] | None = None,
    ) -> bool:
        """Set a row's outcome; with ``only_from``, only while the row is in one of those states.

        Reconciliation passes ``only_from=("pending", "unknown")``: another process (the TUI and
        a CLI command share the outbox) may settle the row while we wait for ClickSend's history,
        and a final state must never go back to unknown. Returns whether the row changed.
        """
        sql = (
            "UPDATE outbox SET state = ?, message_id = COALESCE(?, message_id), "
            "status = COALESCE(?, status), reason = ?, updated_at = ? WHERE id = ?"
        )
        params: list[object] = [state, message_id, status, reason, int(time.time()), row_id]
        if only_from is not None:
            sql += f" AND state IN ({', '.join('?' for _ in only_from)})"
            params.extend(only_from)
        return bool(self.store.run_write(lambda c: c.execute(sql, params).rowcount == 1))

    def claim_resend(self, row: OutboxRow, *, now: int) -> bool:
        """Atomically take the one automatic resend of ``row`` (compare-and-set).

        The row must still be exactly as ``row`` saw it: same attempt, same state, same
        ``attempted_at``. Two processes reconciling the same outbox cannot both win, and a
        sender that stamped the row just before its request left (``start_attempt``) makes
        a claim based on the older stamp fail, so a message is never resent twice
        automatically nor resent while its first request is still on its way.
        """

        def write(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "UPDATE outbox SET attempts = attempts + 1, attempted_at = ?, state = 'pending', "
                "updated_at = ? WHERE id = ? AND attempts = ? AND state = ? AND attempted_at IS ?",
                (now, now, row.id, row.attempts, row.state, to_unix(row.attempted_at)),
            )
            return cur.rowcount == 1

        return self.store.run_write(write)

    def start_attempt(self, rows: Sequence[OutboxRow], *, now: int) -> set[int]:
        """Stamp ``rows`` as leaving now; the ids whose attempt is still ours.

        Called immediately before the request goes out, after everything that may wait
        (prefix confirmation, token minting). A row is ours while its attempt number is the
        one we hold and it is not settled; otherwise another process took the resend or
        settled it in the meantime, and this process must not send it. The new
        ``attempted_at`` is when the request really left: the settle window counts from it,
        not from a commit that a busy machine may have made long before.
        """

        def write(c: sqlite3.Connection) -> set[int]:
            mine: set[int] = set()
            for r in rows:
                cur = c.execute(
                    "UPDATE outbox SET attempted_at = ?, state = 'pending', updated_at = ? "
                    "WHERE id = ? AND attempts = ? AND state IN ('pending', 'unknown')",
                    (now, now, r.id, r.attempts),
                )
                if cur.rowcount == 1:
                    mine.add(r.id)
            return mine

        return self.store.run_write(write)

    def give_up(self, row: OutboxRow, *, reason: str) -> bool:
        """``failed_unknown`` for ``row``, only if nobody touched its attempt since we read it."""

        def write(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "UPDATE outbox SET state = 'failed_unknown', reason = ?, updated_at = ? "
                "WHERE id = ? AND attempts = ? AND attempted_at IS ? "
                "AND state IN ('pending', 'unknown')",
                (reason, int(time.time()), row.id, row.attempts, to_unix(row.attempted_at)),
            )
            return cur.rowcount == 1

        return self.store.run_write(write)
