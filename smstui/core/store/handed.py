"""Which replies were handed to a consumer (``smstui inbox --follow``, its ``--exec`` command).

A follower hands each new reply once, across restarts: a reply is *claimed* in the store
(``replies_handed``, committed) before it is handed, so a follower killed and started again
skips it, and two followers with the same consumer name never both hand it. Handing is
therefore at most once: a follower killed while its command runs does not run it again
for that reply (the issue's rule: "a reply is not handed to the command again after a restart").

What counts as new: an inbound row stored after the consumer first started (a rowid cursor
in ``sync_cursors``) and sent at or after that first start. Replies that came while the
follower was stopped are new (their date is after the first start); the backlog of older
replies (unread ones included, and whatever a first history sync brings in) is not: a
script started for the first time must not answer last month's messages. The dates are
ClickSend's; a reply sent within the clock difference between ClickSend and this machine
of the very first start may fall on either side.
"""

from __future__ import annotations

import sqlite3
import time

from smstui.core.store.message_store import MessageStore
from smstui.core.store.rows import COLUMNS, StoredMessage, row_of


class HandedReplies:
    """The new-reply queue of one consumer of one account."""

    def __init__(self, store: MessageStore, consumer: str) -> None:
        self.store = store
        self.consumer = consumer

    @property
    def _cursor(self) -> str:
        return f"follow:{self.store.account}:{self.consumer}"

    def start(self, *, now: int | None = None) -> None:
        """Remember where this consumer starts the first time it runs (later runs resume)."""
        stamp = int(time.time()) if now is None else now

        def write(c: sqlite3.Connection) -> None:
            top = c.execute("SELECT MAX(rowid) FROM messages").fetchone()[0] or 0
            c.execute(
                "INSERT INTO sync_cursors (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (self._cursor, f"{top} {stamp}"),
            )

        self.store.run_write(write)

    def _position(self, c: sqlite3.Connection) -> tuple[int, int]:
        raw = c.execute("SELECT value FROM sync_cursors WHERE name = ?", (self._cursor,)).fetchone()
        if raw is None:
            return 0, 0
        rowid, _, since = str(raw[0]).partition(" ")
        return int(rowid), int(since or 0)

    def pending(self) -> list[StoredMessage]:
        """The new replies not handed yet, oldest first (call ``start`` once before)."""
        account = self.store.account

        def read(c: sqlite3.Connection) -> list[StoredMessage]:
            after, since = self._position(c)
            raw = c.execute(
                f"SELECT {COLUMNS} FROM messages m WHERE m.rowid > ? AND m.account = ? "
                "AND m.direction = 'in' AND m.date >= ? "
                "AND NOT EXISTS (SELECT 1 FROM replies_handed h WHERE h.account = m.account "
                "AND h.consumer = ? AND h.message_id = m.message_id) "
                "ORDER BY m.date, m.rowid",
                (after, account, since, self.consumer),
            ).fetchall()
            return [row_of(r) for r in raw]

        return self.store.run_read(read)

    def claim(self, message_id: str) -> bool:
        """Record ``message_id`` as handed (committed); False when it was handed already."""

        def write(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "INSERT OR IGNORE INTO replies_handed (account, consumer, message_id, handed_at) "
                "VALUES (?, ?, ?, ?)",
                (self.store.account, self.consumer, message_id.upper(), int(time.time())),
            )
            return cur.rowcount == 1

        return self.store.run_write(write)

    def was_handed(self, message_id: str) -> bool:
        r = self.store.run_read(
            lambda c: c.execute(
                "SELECT 1 FROM replies_handed WHERE account = ? AND consumer = ? "
                "AND message_id = ?",
                (self.store.account, self.consumer, message_id.upper()),
            ).fetchone()
        )
        return r is not None

    def settle(self) -> None:
        """Move the cursor past every reply handed so far (keeps ``pending`` a short scan).

        Only past the rows before the oldest one still pending, so nothing is skipped."""

        def write(c: sqlite3.Connection) -> None:
            after, since = self._position(c)
            oldest_waiting = c.execute(
                "SELECT MIN(m.rowid) FROM messages m WHERE m.rowid > ? AND m.account = ? "
                "AND m.direction = 'in' AND m.date >= ? "
                "AND NOT EXISTS (SELECT 1 FROM replies_handed h WHERE h.account = m.account "
                "AND h.consumer = ? AND h.message_id = m.message_id)",
                (after, self.store.account, since, self.consumer),
            ).fetchone()[0]
            top = c.execute("SELECT MAX(rowid) FROM messages").fetchone()[0] or 0
            new = (oldest_waiting - 1) if oldest_waiting is not None else top
            if new > after:
                c.execute(
                    "UPDATE sync_cursors SET value = ? WHERE name = ?",
                    (f"{new} {since}", self._cursor),
                )

        self.store.run_write(write)


def top_rowid(store: MessageStore) -> int:
    """The newest row's position in the message table (a watermark for ``unread_after``)."""
    return int(
        store.run_read(lambda c: c.execute("SELECT MAX(rowid) FROM messages").fetchone()[0]) or 0
    )


def unread_after(store: MessageStore, rowid: int) -> tuple[list[StoredMessage], int]:
    """Unread replies stored after the watermark ``rowid`` (oldest first), and the new
    watermark. What a front-end announces as "new reply" since it last looked."""

    def read(c: sqlite3.Connection) -> tuple[list[StoredMessage], int]:
        top = int(c.execute("SELECT MAX(rowid) FROM messages").fetchone()[0] or 0)
        raw = c.execute(
            f"SELECT {COLUMNS} FROM messages m WHERE m.rowid > ? AND m.rowid <= ? "
            "AND m.account = ? AND m.direction = 'in' AND m.read = 0 ORDER BY m.date, m.rowid",
            (rowid, top, store.account),
        ).fetchall()
        return [row_of(r) for r in raw], max(top, rowid)

    return store.run_read(read)
