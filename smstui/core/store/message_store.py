"""MessageStore: smstui's own durable record of messages, drafts, templates and sync cursors.

ClickSend keeps history for about four months and lists inbound messages and receipts only until
they are marked read, so this SQLite file is the source of truth for what the user has seen.
The class is put together from what it does: ``transactions`` (the connection, write and read
transactions, deferred search indexing), ``message_reads``, ``message_writes`` and ``drafts``
(drafts, templates, sync cursors); the tables beside them hang off it here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from smstui.core.errors import StoreError
from smstui.core.store.contract import NO_FILTER, DayRow
from smstui.core.store.drafts import DraftsTemplatesCursors
from smstui.core.store.message_reads import MessageReads
from smstui.core.store.message_writes import MessageWrites
from smstui.core.store.query import Cursor, MessageFilter
from smstui.core.store.rows import (
    FINAL_STATUS_CODES,
    StoredMessage,
    StorePage,
    from_unix,
    receipt_wins,
    to_unix,
)
from smstui.core.store.schema import default_db_path

__all__ = [
    "FINAL_STATUS_CODES",
    "NO_FILTER",
    "Cursor",
    "MessageFilter",
    "MessageStore",
    "StoreError",
    "StorePage",
    "StoredMessage",
    "default_db_path",
    "from_unix",
    "receipt_wins",
    "to_unix",
]

if TYPE_CHECKING:
    from smstui.core.store.handed import HandedReplies
    from smstui.core.store.optouts import OptOutTable
    from smstui.core.store.outbox_table import OutboxTable
    from smstui.core.store.watch import FileWatch


class MessageStore(MessageReads, MessageWrites, DraftsTemplatesCursors):
    """The local SQLite store. ``account`` scopes every row (one file may hold several).

    The SQLite implementation of ``contract.Store`` (``PostgresStore`` is the team one)."""

    backend = "sqlite"

    def __enter__(self) -> MessageStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MessageStore({str(self.path)!r}, account={self.account!r})"

    def describe(self) -> str:
        return f"SQLite {self.path}"

    def outbox_table(self, kind: str = "sms") -> OutboxTable:
        from smstui.core.store.outbox_table import OutboxTable

        return OutboxTable(self, kind)

    def optout_table(self) -> OptOutTable:
        from smstui.core.store.optouts import OptOutTable

        return OptOutTable(self)

    def handed_replies(self, consumer: str) -> HandedReplies:
        from smstui.core.store.handed import HandedReplies

        return HandedReplies(self, consumer)

    def reply_watermark(self) -> int:
        from smstui.core.store.handed import top_position

        return top_position(self)

    def unread_replies_after(self, mark: int) -> tuple[list[StoredMessage], int]:
        from smstui.core.store.handed import unread_after

        return unread_after(self, mark)

    def watch(self, on_change: Callable[[str], None]) -> FileWatch:
        """Other processes' commits to this file (``watch.FileWatch``); close it when done."""
        from smstui.core.store.watch import FileWatch

        return FileWatch(self.path, on_change)

    def day_rows(
        self, start: int, end: int, segments: list[tuple[int, int]], *, direct: bool
    ) -> list[DayRow]:
        from smstui.core.store.stats import sqlite_day_rows

        return sqlite_day_rows(self, start, end, segments, direct=direct)

    def rebuild_rollup(self) -> int:
        from smstui.core.store.stats import sqlite_rebuild_rollup

        return sqlite_rebuild_rollup(self)
