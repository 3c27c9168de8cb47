"""The outbox table on PostgreSQL: ``outbox_table.OutboxTable``'s rows and claims, atomic
across processes on different machines.

Every claim is one conditional UPDATE, the compare-and-set SQLite's ``OutboxTable`` does:
the row must still hold the attempt, state and ``attempted_at`` the caller read. Under READ
COMMITTED a second process updating the same row waits for the first to commit, then
re-checks its WHERE against the committed row (and fails it), so of two operators'
apps reconciling the same unknown message exactly one wins the one automatic resend.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from smstui.core.models import OutgoingSms
from smstui.core.store.outbox_table import COLUMNS, OutboxRow, OutboxState, outbox_row
from smstui.core.store.postgres.connection import Conn
from smstui.core.store.rows import to_unix

if TYPE_CHECKING:
    from smstui.core.store.postgres.store import PostgresStore

_INSERT = (
    'INSERT INTO outbox (token, account, "to", sender, body, schedule, country, '
    "user_custom_string, state, attempts, created_at, attempted_at, updated_at, kind, extra, "
    "sent_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'pending', 1, %s, %s, %s, %s, %s, %s) "
    "RETURNING id"
)


class PostgresOutboxTable:
    """The outbox rows of one ``kind`` in a ``PostgresStore`` (``contract.OutboxStore``)."""

    def __init__(self, store: PostgresStore, kind: str = "sms") -> None:
        self.store = store
        self.kind = kind

    def add(
        self,
        items: Iterable[tuple[str, OutgoingSms]],
        *,
        now: int,
        extras: Sequence[str | None] | None = None,
    ) -> list[OutboxRow]:
        """Record (token, sms) pairs as ``pending``, committed on return (see OutboxTable)."""
        pairs = list(items)
        extra_of = list(extras) if extras is not None else [None] * len(pairs)
        account = self.store.account
        rows = [
            (token, account, sms.to, sms.sender, sms.body, to_unix(sms.schedule), sms.country,
             sms.custom_string, now, now, now, self.kind, extra, self.store.operator or None)
            for (token, sms), extra in zip(pairs, extra_of, strict=True)
        ]  # fmt: skip

        def write(c: Conn) -> list[int]:
            return [int(c.execute(_INSERT, row).fetchone()[0]) for row in rows]  # type: ignore[index]

        return self.get_many(self.store.run_write(write))

    def get_many(self, ids: list[int]) -> list[OutboxRow]:
        q = f"SELECT {COLUMNS} FROM outbox WHERE id = ANY(%s)"
        raw = self.store.run_read(lambda c: c.execute(q, (list(ids),)).fetchall())
        by_id = {int(r[0]): outbox_row(r) for r in raw}
        return [by_id[i] for i in ids if i in by_id]

    def get(self, row_id: int) -> OutboxRow | None:
        rows = self.get_many([row_id])
        return rows[0] if rows else None

    def in_states(self, states: Iterable[OutboxState]) -> list[OutboxRow]:
        q = (
            f"SELECT {COLUMNS} FROM outbox WHERE account = %s AND kind = %s "
            "AND state = ANY(%s) ORDER BY id"
        )
        wanted = sorted(set(states))
        raw = self.store.run_read(
            lambda c: c.execute(q, (self.store.account, self.kind, wanted)).fetchall()
        )
        return [outbox_row(r) for r in raw]

    def all(self) -> list[OutboxRow]:
        q = f"SELECT {COLUMNS} FROM outbox WHERE account = %s AND kind = %s ORDER BY id"
        raw = self.store.run_read(
            lambda c: c.execute(q, (self.store.account, self.kind)).fetchall()
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
        """See ``OutboxTable.set_outcome``; ``only_from`` makes it a compare-and-set."""
        q = (
            "UPDATE outbox SET state = %s, message_id = COALESCE(%s, message_id), "
            "status = COALESCE(%s, status), reason = %s, updated_at = %s WHERE id = %s"
        )
        params: list[object] = [state, message_id, status, reason, int(time.time()), row_id]
        if only_from is not None:
            q += " AND state = ANY(%s)"
            params.append(list(only_from))
        return bool(self.store.run_write(lambda c: c.execute(q, params).rowcount == 1))

    def claim_resend(self, row: OutboxRow, *, now: int) -> bool:
        """Atomically take the one automatic resend of ``row`` (see OutboxTable)."""
        q = (
            "UPDATE outbox SET attempts = attempts + 1, attempted_at = %s, state = 'pending', "
            "updated_at = %s WHERE id = %s AND attempts = %s AND state = %s "
            "AND attempted_at IS NOT DISTINCT FROM %s"
        )
        params = (now, now, row.id, row.attempts, row.state, to_unix(row.attempted_at))
        return bool(self.store.run_write(lambda c: c.execute(q, params).rowcount == 1))

    def start_attempt(self, rows: Sequence[OutboxRow], *, now: int) -> set[int]:
        """Stamp ``rows`` as leaving now; the ids whose attempt is still ours."""
        q = (
            "UPDATE outbox SET attempted_at = %s, state = 'pending', updated_at = %s "
            "WHERE id = %s AND attempts = %s AND state IN ('pending', 'unknown') RETURNING id"
        )

        def write(c: Conn) -> set[int]:
            mine: set[int] = set()
            for r in sorted(rows, key=lambda r: r.id):  # one lock order for every process
                if c.execute(q, (now, now, r.id, r.attempts)).fetchone() is not None:
                    mine.add(r.id)
            return mine

        return self.store.run_write(write)

    def give_up(self, row: OutboxRow, *, reason: str) -> bool:
        """``failed_unknown`` for ``row``, only if nobody touched its attempt since."""
        q = (
            "UPDATE outbox SET state = 'failed_unknown', reason = %s, updated_at = %s "
            "WHERE id = %s AND attempts = %s AND attempted_at IS NOT DISTINCT FROM %s "
            "AND state IN ('pending', 'unknown')"
        )
        params = (reason, int(time.time()), row.id, row.attempts, to_unix(row.attempted_at))
        return bool(self.store.run_write(lambda c: c.execute(q, params).rowcount == 1))
