"""MessageStore: smstui's own durable record of messages, drafts, templates and sync cursors.

ClickSend keeps history for about four months and lists inbound messages and receipts only until
they are marked read, so this SQLite file is the source of truth for what the user has seen.
Two processes (TUI and CLI) may use it at once: WAL, ``busy_timeout``, ``BEGIN IMMEDIATE`` for
writes and a retry loop keep ``database is locked`` from ever reaching the user.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from smstui.core.errors import StoreError
from smstui.core.models import (
    DeliveryReceipt,
    HistoryMessage,
    InboundMessage,
    Template,
)
from smstui.core.store.contract import DayRow
from smstui.core.store.deliveries import (
    keep_pending,
    merge_deliveries,
    merge_delivery,
    merge_pending,
)
from smstui.core.store.errors import store_error
from smstui.core.store.marks import (
    HandledMark,
    handled_mark,
    handled_stamp,
    mark_handled,
    mark_read,
    record_senders,
)
from smstui.core.store.query import Cursor, MessageFilter, where_clause
from smstui.core.store.rows import (
    COLUMNS,
    FINAL_STATUS_CODES,
    StoredMessage,
    StorePage,
    from_unix,
    history_rows,
    page_of,
    receipt_wins,
    row_of,
    to_unix,
)
from smstui.core.store.schema import (
    INDEX_PENDING,
    connect,
    default_db_path,
    retry_locked,
)
from smstui.core.store.search import Order, in_snapshot, search_rows

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

T = TypeVar("T")
NO_FILTER = MessageFilter()

_UPSERT_HISTORY = """
INSERT INTO messages (message_id, account, direction, "to", "from", body, status, date, schedule,
    parts, price, status_code, status_text, error_code, error_text, custom_string, read, updated_at,
    channel, sent_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
    COALESCE(?, (SELECT s.operator FROM senders s WHERE s.custom_string = ?)))
ON CONFLICT (message_id) DO UPDATE SET
    direction = excluded.direction, "to" = excluded."to", "from" = excluded."from",
    body = excluded.body, status = excluded.status, date = excluded.date,
    schedule = excluded.schedule, parts = excluded.parts,
    price = COALESCE(excluded.price, messages.price),
    custom_string = COALESCE(excluded.custom_string, messages.custom_string),
    sent_by = COALESCE(messages.sent_by, excluded.sent_by),
    updated_at = excluded.updated_at
"""


_UPSERT_INBOUND = """
INSERT INTO messages (message_id, account, direction, "to", "from", body, status, date,
    custom_string, reply_to, read, updated_at)
VALUES (?, ?, 'in', ?, ?, ?, 'Received', ?, ?, ?, 0, ?)
ON CONFLICT (message_id) DO UPDATE SET
    "to" = excluded."to", "from" = excluded."from", body = excluded.body,
    date = excluded.date,
    custom_string = COALESCE(excluded.custom_string, messages.custom_string),
    reply_to = COALESCE(excluded.reply_to, messages.reply_to),
    updated_at = excluded.updated_at
"""


def _index_pending(c: sqlite3.Connection) -> None:
    for statement in INDEX_PENDING:
        c.execute(statement)


class MessageStore:
    """The local SQLite store. ``account`` scopes every row (one file may hold several).

    The SQLite implementation of ``contract.Store`` (``PostgresStore`` is the team one)."""

    backend = "sqlite"

    def __init__(self, path: Path | None = None, *, account: str = "", operator: str = "") -> None:
        self.path = path if path is not None else default_db_path()
        self.account = account
        #: who is at this store: the name outgoing messages and handled marks record
        self.operator = operator
        self._lock = threading.RLock()
        self._conn = connect(self.path)
        #: > 0 while a bulk writer (a sync) defers full-text upkeep to its end
        self._defer_index = 0

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        with self._lock:
            self._conn.close()

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

    def run_write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` in one write transaction (committed when it returns), retrying on locks."""

        def attempt() -> T:
            with self._lock:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    result = fn(self._conn)
                    if not self._defer_index:
                        _index_pending(self._conn)
                    self._conn.execute("COMMIT")
                except BaseException:
                    # a full disk or a damaged page may have rolled back already; a failing
                    # ROLLBACK must not hide the error that says what went wrong
                    if self._conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            self._conn.execute("ROLLBACK")
                    raise
                return result

        try:
            return retry_locked(attempt)
        except (sqlite3.Error, OSError) as err:
            raise store_error(err, self.path) from None

    @contextmanager
    def deferred_index(self, *, index_at_end: bool = True) -> Iterator[None]:
        """Within this block, rows written are indexed for search only when it ends (one batch
        instead of an index update per transaction). Searches meanwhile miss them.

        ``index_at_end=False``: the caller runs ``index_pending`` itself (say, off the event
        loop); rows it leaves queued are indexed by the next write transaction of any store."""
        with self._lock:
            self._defer_index += 1
        try:
            yield
        finally:
            with self._lock:
                self._defer_index -= 1
                last = not self._defer_index
            if last and index_at_end:
                self.index_pending()

    @contextmanager
    def sync_lock(self, key: str) -> Iterator[bool]:
        """Always held: one person's processes on one machine may sync side by side (the
        store de-duplicates; the team store is where syncing once for everyone matters)."""
        yield True

    def index_pending(self) -> None:
        """Add every row still waiting for the full-text index to it (also rows a crashed
        process left queued)."""
        self.run_write(_index_pending)

    def run_read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        def attempt() -> T:
            with self._lock:
                return fn(self._conn)

        try:
            return retry_locked(attempt)
        except (sqlite3.Error, OSError) as err:
            raise store_error(err, self.path) from None

    # ------------------------------------------------------------------ reading

    def get(self, message_id: str) -> StoredMessage | None:
        sql = f"SELECT {COLUMNS} FROM messages m WHERE m.message_id = ? AND m.account = ?"
        r = self.run_read(lambda c: c.execute(sql, (message_id.upper(), self.account)).fetchone())
        return None if r is None else row_of(r)

    def page(
        self,
        after: Cursor | None = None,
        limit: int = 50,
        filters: MessageFilter = NO_FILTER,
        *,
        before: Cursor | None = None,
    ) -> StorePage:
        """One page in (date DESC, message_id DESC) order, by keyset (never OFFSET).

        ``after`` gives the rows following that key (scrolling down), ``before`` the rows
        preceding it (scrolling up); the rows are always returned newest first.
        """
        if after is not None and before is not None:
            raise ValueError("page() takes after= or before=, not both")
        limit = max(1, limit)
        # text searches take their own plan (store_search): the other filters go in as SQL
        text = filters.text if filters.text is not None and filters.text.strip() else None
        conds, params = where_clause(self.account, replace(filters, text=None))
        order: Order
        if before is not None:
            conds.append("(m.date, m.message_id) > (?, ?)")
            params.extend([before.date, before.message_id])
            order = "ASC"
        else:
            if after is not None:
                conds.append("(m.date, m.message_id) < (?, ?)")
                params.extend([after.date, after.message_id])
            order = "DESC"
        sql = (
            f"SELECT {COLUMNS} FROM messages m WHERE {' AND '.join(conds)} "
            f"ORDER BY m.date {order}, m.message_id {order} LIMIT ?"
        )
        want = limit + 1  # one extra row tells whether there is more

        def read(c: sqlite3.Connection) -> list[Any]:
            if text is None:
                return c.execute(sql, [*params, want]).fetchall()
            return in_snapshot(c, lambda: search_rows(c, conds, params, order, want, text))

        raw = self.run_read(read)
        return page_of(raw, limit, after=after, before=before)

    def count(self, filters: MessageFilter = NO_FILTER) -> int:
        conds, params = where_clause(self.account, filters)
        sql = f"SELECT COUNT(*) FROM messages m WHERE {' AND '.join(conds)}"
        return int(self.run_read(lambda c: c.execute(sql, params).fetchone()[0]))

    def key_at(self, index: int, filters: MessageFilter = NO_FILTER) -> Cursor | None:
        """The key of row ``index`` (0 = newest) under ``filters``: one index-only query for a
        far jump in a virtual list (a scrollbar drag), after which paging is by key again."""
        conds, params = where_clause(self.account, filters)
        sql = (
            f"SELECT m.date, m.message_id FROM messages m WHERE {' AND '.join(conds)} "
            "ORDER BY m.date DESC, m.message_id DESC LIMIT 1 OFFSET ?"
        )
        params.append(index)
        row = self.run_read(lambda c: c.execute(sql, params).fetchone())
        return None if row is None else Cursor(int(row[0]), str(row[1]))

    def conversation(self, number: str) -> list[StoredMessage]:
        """Every message to or from ``number``, oldest first."""
        sql = (
            f"SELECT {COLUMNS} FROM messages m WHERE m.account = ? "
            'AND (m."to" = ? OR m."from" = ?) ORDER BY m.date ASC, m.message_id ASC'
        )
        raw = self.run_read(lambda c: c.execute(sql, (self.account, number, number)).fetchall())
        return [row_of(r) for r in raw]

    # ------------------------------------------------------------------ writing messages

    def upsert_history(
        self,
        messages: Iterable[HistoryMessage],
        *,
        inbound_read: bool = True,
        unread_from: int | None = None,
    ) -> int:
        """Insert or refresh history records; returns how many were given.

        Inbound records first seen through history are stored as read unless told otherwise
        (``rows.history_read_flag``): a first sync of four months must not flood the unread
        view (new replies arrive through ``upsert_inbound``, which stores them unread).
        """
        items = list(messages)
        rows = history_rows(self.account, items, inbound_read=inbound_read, unread_from=unread_from)
        delivery = [
            (row[0], m.status_code, m.status_text, m.error_code, m.error_text)
            for row, m in zip(rows, items, strict=True)
        ]

        def write(c: sqlite3.Connection) -> int:
            # one statement for the page: a sync stores 100 rows at a time, and a per-row
            # execute plus a read-then-update per delivery state cost ~20 ms a page
            c.executemany(_UPSERT_HISTORY, rows)
            # history's delivery fields go through receipt_wins like a receipt would
            merge_deliveries(c, [d for d in delivery if d[1] is not None or d[2] is not None])
            merge_pending(c)
            return len(rows)

        return self.run_write(write)

    def upsert_inbound(self, messages: Iterable[InboundMessage]) -> int:
        now = int(time.time())
        rows = [
            (
                m.message_id.upper(),
                self.account,
                m.to,
                m.sender,
                m.body,
                to_unix(m.date) or 0,
                m.custom_string or None,
                m.original_message_id.upper() if m.original_message_id else None,
                now,
            )
            for m in messages
        ]

        def write(c: sqlite3.Connection) -> int:
            c.executemany(_UPSERT_INBOUND, rows)
            return len(rows)

        return self.run_write(write)

    def apply_receipts(self, receipts: Iterable[DeliveryReceipt]) -> int:
        """Merge receipts into their messages; keep the ones whose message is not here yet.

        Returns how many were applied to a message now (the rest wait in receipts_pending).
        """
        items = list(receipts)

        def write(c: sqlite3.Connection) -> int:
            applied = 0
            for rc in items:
                mid = rc.message_id.upper()
                at = to_unix(rc.date) or to_unix(rc.sent_at)
                exists = c.execute("SELECT 1 FROM messages WHERE message_id = ?", (mid,)).fetchone()
                if exists:
                    merge_delivery(
                        c, mid, rc.status_code, rc.status_text, rc.error_code, rc.error_text, at
                    )
                    applied += 1
                else:
                    keep_pending(c, mid, rc, at)
            return applied

        return self.run_write(write)

    def mark_inbound_read(self, message_ids: Iterable[str], *, read: bool = True) -> int:
        return mark_read(self, message_ids, read=read)

    def mark_handled(
        self, number: str, *, handled: bool = True, at: int | None = None
    ) -> HandledMark | None:
        return mark_handled(self, number, handled=handled, at=at)

    def record_senders(self, custom_strings: Iterable[str]) -> None:
        record_senders(self, custom_strings)

    def handled_stamp(self) -> int:
        return handled_stamp(self)

    def handled_mark(self, number: str) -> HandledMark | None:
        return handled_mark(self, number)

    def pending_receipts(self) -> int:
        """How many receipts are waiting for their message to arrive."""
        return int(
            self.run_read(
                lambda c: c.execute("SELECT COUNT(*) FROM receipts_pending").fetchone()[0]
            )
        )

    # ------------------------------------------------------------------ drafts, templates, cursors

    def save_draft(self, key: str, text: str) -> None:
        self.run_write(
            lambda c: c.execute(
                "INSERT INTO drafts (key, text, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET text = excluded.text, "
                "updated_at = excluded.updated_at",
                (key, text, int(time.time())),
            )
        )

    def load_draft(self, key: str) -> str | None:
        r = self.run_read(
            lambda c: c.execute("SELECT text FROM drafts WHERE key = ?", (key,)).fetchone()
        )
        return None if r is None else str(r[0])

    def clear_draft(self, key: str) -> None:
        self.run_write(lambda c: c.execute("DELETE FROM drafts WHERE key = ?", (key,)))

    def replace_templates(self, templates: list[Template]) -> None:
        rows = [(t.template_id, self.account, t.name, t.body, i) for i, t in enumerate(templates)]

        def write(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM templates WHERE account = ?", (self.account,))
            c.executemany(
                "INSERT OR REPLACE INTO templates (template_id, account, name, body, position) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )

        self.run_write(write)

    def templates(self) -> list[Template]:
        raw = self.run_read(
            lambda c: c.execute(
                "SELECT template_id, name, body FROM templates WHERE account = ? ORDER BY position",
                (self.account,),
            ).fetchall()
        )
        return [Template(template_id=r[0], name=r[1], body=r[2]) for r in raw]

    def get_cursor(self, name: str) -> str | None:
        r = self.run_read(
            lambda c: c.execute("SELECT value FROM sync_cursors WHERE name = ?", (name,)).fetchone()
        )
        return None if r is None else str(r[0])

    def set_cursor(self, name: str, value: str) -> None:
        self.run_write(
            lambda c: c.execute(
                "INSERT INTO sync_cursors (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
        )
