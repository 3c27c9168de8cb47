"""Which replies were handed to a consumer (``smstui inbox --follow``, its ``--exec`` command).

A follower hands each new reply once, across restarts: a reply is *claimed* in the store
(``replies_handed``, committed) before it is handed, so a follower killed and started again
skips it, and two followers with the same consumer name never both hand it. Handing is
therefore at most once: a follower killed while its command runs does not run it again
for that reply (the issue's rule: "a reply is not handed to the command again after a restart").

What counts as new: an inbound row stored after the consumer first started (a rowid cursor
in ``sync_cursors`` over SQLite's rowid, PostgreSQL's ``seq``) and sent at or after that first start. Replies that came while the
follower was stopped are new (their date is after the first start); the backlog of older
replies (unread ones included, and whatever a first history sync brings in) is not: a
script started for the first time must not answer last month's messages. The dates are
ClickSend's; a reply sent within the clock difference between ClickSend and this machine
of the very first start may fall on either side.
"""

from __future__ import annotations

import time
from typing import Any

from smstui.core.store.dialect import SQLITE, Dialect, SqlStore
from smstui.core.store.rows import StoredMessage, row_of


class HandedReplies:
    """The new-reply queue of one consumer of one account (``contract.HandedStore``)."""

    def __init__(self, store: SqlStore, consumer: str, dialect: Dialect = SQLITE) -> None:
        self.store = store
        self.consumer = consumer
        self.dialect = dialect

    @property
    def _cursor(self) -> str:
        return f"follow:{self.store.account}:{self.consumer}"

    def _sql(self, query: str) -> str:
        return self.dialect.sql(query)

    def start(self, *, now: int | None = None) -> None:
        """Remember where this consumer starts the first time it runs (later runs resume)."""
        stamp = int(time.time()) if now is None else now

        def write(c: Any) -> None:
            top = c.execute(f"SELECT MAX({self.dialect.position}) FROM messages").fetchone()[0]
            c.execute(
                self._sql(
                    "INSERT INTO sync_cursors (name, value) VALUES (?, ?) "
                    "ON CONFLICT (name) DO NOTHING"
                ),
                (self._cursor, f"{top or 0} {stamp}"),
            )

        self.store.run_write(write)

    def _position(self, c: Any) -> tuple[int, int, str | None]:
        raw = c.execute(
            self._sql("SELECT value FROM sync_cursors WHERE name = ?"), (self._cursor,)
        ).fetchone()
        if raw is None:
            return 0, 0, None
        position, _, since = str(raw[0]).partition(" ")
        return int(position), int(since or 0), str(raw[0])

    def pending(self) -> list[StoredMessage]:
        """The new replies not handed yet, oldest first (call ``start`` once before)."""
        account = self.store.account
        pos = self.dialect.position

        def read(c: Any) -> list[StoredMessage]:
            after, since, _ = self._position(c)
            raw = c.execute(
                self._sql(
                    f"SELECT {self.dialect.columns} FROM messages m WHERE m.{pos} > ? "
                    "AND m.account = ? AND m.direction = 'in' AND m.date >= ? "
                    "AND NOT EXISTS (SELECT 1 FROM replies_handed h WHERE h.account = m.account "
                    "AND h.consumer = ? AND h.message_id = m.message_id) "
                    f"ORDER BY m.date, m.{pos}"
                ),
                (after, account, since, self.consumer),
            ).fetchall()
            return [row_of(r) for r in raw]

        return self.store.run_read(read)

    def claim(self, message_id: str) -> bool:
        """Record ``message_id`` as handed (committed); False when it was handed already.
        One statement on the primary key: of two followers, on any machines, one wins."""

        def write(c: Any) -> bool:
            cur = c.execute(
                self._sql(
                    "INSERT INTO replies_handed (account, consumer, message_id, handed_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (account, consumer, message_id) DO NOTHING"
                ),
                (self.store.account, self.consumer, message_id.upper(), int(time.time())),
            )
            return bool(cur.rowcount == 1)

        return self.store.run_write(write)

    def was_handed(self, message_id: str) -> bool:
        r = self.store.run_read(
            lambda c: c.execute(
                self._sql(
                    "SELECT 1 FROM replies_handed WHERE account = ? AND consumer = ? "
                    "AND message_id = ?"
                ),
                (self.store.account, self.consumer, message_id.upper()),
            ).fetchone()
        )
        return r is not None

    def settle(self) -> None:
        """Move the cursor past every reply handed so far (keeps ``pending`` a short scan).

        Only past the rows before the oldest one still pending, so nothing is skipped; and
        only if the cursor is still what this process read (another follower of the same
        consumer may have moved it on meanwhile: never back)."""
        pos = self.dialect.position

        def write(c: Any) -> None:
            after, since, old = self._position(c)
            oldest_waiting = c.execute(
                self._sql(
                    f"SELECT MIN(m.{pos}) FROM messages m WHERE m.{pos} > ? AND m.account = ? "
                    "AND m.direction = 'in' AND m.date >= ? "
                    "AND NOT EXISTS (SELECT 1 FROM replies_handed h WHERE h.account = m.account "
                    "AND h.consumer = ? AND h.message_id = m.message_id)"
                ),
                (after, self.store.account, since, self.consumer),
            ).fetchone()[0]
            top = c.execute(f"SELECT MAX({pos}) FROM messages").fetchone()[0] or 0
            new = (oldest_waiting - 1) if oldest_waiting is not None else top
            if new > after and old is not None:
                c.execute(
                    self._sql("UPDATE sync_cursors SET value = ? WHERE name = ? AND value = ?"),
                    (f"{new} {since}", self._cursor, old),
                )

        self.store.run_write(write)


def top_position(store: SqlStore, dialect: Dialect = SQLITE) -> int:
    """The newest row's position in the message table (a watermark for ``unread_after``)."""
    q = f"SELECT MAX({dialect.position}) FROM messages"
    return int(store.run_read(lambda c: c.execute(q).fetchone()[0]) or 0)


def unread_after(
    store: SqlStore, mark: int, dialect: Dialect = SQLITE
) -> tuple[list[StoredMessage], int]:
    """Unread replies (for the store's operator) stored after the watermark ``mark``
    (oldest first), and the new watermark. What a front-end announces as "new reply" since
    it last looked."""
    pos = dialect.position

    def read(c: Any) -> tuple[list[StoredMessage], int]:
        top = int(c.execute(f"SELECT MAX({pos}) FROM messages").fetchone()[0] or 0)
        raw = c.execute(
            dialect.sql(
                f"SELECT {dialect.columns} FROM messages m WHERE m.{pos} > ? "
                f"AND m.{pos} <= ? AND m.account = ? AND {dialect.unread} "
                f"ORDER BY m.date, m.{pos}"
            ),
            (mark, top, store.account),
        ).fetchall()
        return [row_of(r) for r in raw], max(top, mark)

    return store.run_read(read)
