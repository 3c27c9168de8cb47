"""PostgresStore: the team's shared store, the PostgreSQL implementation of ``contract.Store``.

Same rows and the same rules as ``MessageStore`` (SQLite); several operators' processes on
several machines use one database at once. Every write is one transaction; rows a write
touches are locked in a fixed order (sorted ids) so that two syncs storing the same page
cannot deadlock, and the rare conflict the server still reports is retried
(``connection.run_in_transaction``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeVar

from smstui.core.database_url import mask_url
from smstui.core.models import DeliveryReceipt, HistoryMessage, InboundMessage, Template
from smstui.core.store.contract import NO_FILTER, DayRow
from smstui.core.store.deliveries import delivery_stamp
from smstui.core.store.dialect import POSTGRES
from smstui.core.store.handed import HandedReplies, top_position, unread_after
from smstui.core.store.marks import (
    HandledMark,
    handled_mark,
    handled_stamp,
    mark_handled,
    mark_read,
    record_senders,
)
from smstui.core.store.optouts import OptOutTable
from smstui.core.store.postgres import messages_sql as sql
from smstui.core.store.postgres.connection import (
    Conn,
    application_name,
    lock_connection,
    open_pool,
    run_in_transaction,
    try_lock,
    unlock,
    wait_briefly_on,
)
from smstui.core.store.postgres.listen import Watch
from smstui.core.store.postgres.outbox import PostgresOutboxTable
from smstui.core.store.postgres.query import matches_soon, text_condition, where_clause
from smstui.core.store.postgres.stats import day_rows, rebuild_rollup
from smstui.core.store.postgres.status import read_status
from smstui.core.store.query import Cursor, MessageFilter
from smstui.core.store.rows import StoredMessage, StorePage, history_rows, page_of, row_of
from smstui.core.store.team_status import TeamStatus

T = TypeVar("T")

#: the columns of a message row, read state for this connection's operator
COLUMNS = POSTGRES.columns

_SEEN = (
    "INSERT INTO operators (name, first_seen, last_seen) VALUES (%s, "
    "extract(epoch FROM now())::bigint, extract(epoch FROM now())::bigint) "
    "ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen"
)

#: the Inbox's title and summary: this operator's unread replies, counted as the replies that
#: came in as new (flag 0), less the ones this operator read, plus the ones read for everyone
#: that this operator made unread again. ``reads`` only ever holds replies whose flag is 0 and
#: ``unreads`` replies whose flag is 2 (``marks``: a read is recorded for a flag-0 reply, an
#: unread-again for a flag-2 one, set from 1 in the same transaction; nothing turns a flag
#: back to 1, or a 2 to 0; V3's unread-again turned a 1 to 0 in the transaction that recorded
#: the others' reads), so the sum is exact, and three index-only counts instead of an
#: anti-join of every reply ever received with every read (66 ms at 300,000 messages, growing)
_UNREAD_REPLIES = (
    MessageFilter(direction="in", unread_only=True),
    MessageFilter(unread_only=True),
)
_UNREAD_COUNT = (
    "SELECT (SELECT COUNT(*) FROM messages m WHERE m.account = %s AND m.read = 0 "
    "AND m.direction = 'in') - (SELECT COUNT(*) FROM reads r WHERE r.account = %s "
    "AND r.operator = current_setting('smstui.operator', true)) + (SELECT COUNT(*) "
    "FROM unreads u WHERE u.account = %s "
    "AND u.operator = current_setting('smstui.operator', true))"
)

#: advisory lock names: "smstui-sync:<account>:<connection id>"
SYNC_LOCK_PREFIX = "smstui-sync:"


class PostgresStore:
    """The shared store in the PostgreSQL database at ``url``; ``account`` scopes the rows."""

    backend = "postgresql"

    def __init__(
        self, url: str, *, account: str = "", operator: str = "", screen_thread: int | None = None
    ) -> None:
        self.url = url
        self.account = account
        self.operator = operator
        self._pool = open_pool(url, operator)
        if screen_thread is not None:
            wait_briefly_on(self._pool, screen_thread)
        if operator:
            self.run_write(lambda c: c.execute(_SEEN, (operator,)))

    # ------------------------------------------------------------------ plumbing

    def describe(self) -> str:
        return f"PostgreSQL {mask_url(self.url)}"

    def __repr__(self) -> str:
        return f"PostgresStore({mask_url(self.url)!r}, account={self.account!r})"

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run_write(self, fn: Callable[[Conn], T]) -> T:
        """Run ``fn`` in one transaction, committed when it returns."""
        return run_in_transaction(self._pool, self.url, fn)

    run_read = run_write

    @contextmanager
    def deferred_index(self, *, index_at_end: bool = True) -> Iterator[None]:
        """Nothing to defer: the search vector is a generated column and GIN's ``fastupdate``
        list already batches index upkeep, so rows are searchable as soon as committed."""
        yield

    def index_pending(self) -> None:
        """Nothing is ever pending (see ``deferred_index``)."""

    @contextmanager
    def sync_lock(self, key: str) -> Iterator[bool]:
        """A session-level advisory lock on a pooled connection kept for the block: the
        server releases it if this process dies, so a crashed sync never blocks the team."""
        with lock_connection(self._pool, self.url) as conn:
            held = try_lock(conn, self.url, SYNC_LOCK_PREFIX + key)
            try:
                yield held
            finally:
                if held:
                    unlock(conn, SYNC_LOCK_PREFIX + key)

    def outbox_table(self, kind: str = "sms") -> PostgresOutboxTable:
        return PostgresOutboxTable(self, kind)

    def optout_table(self) -> OptOutTable:
        return OptOutTable(self, POSTGRES)

    def handed_replies(self, consumer: str) -> HandedReplies:
        return HandedReplies(self, consumer, POSTGRES)

    def reply_watermark(self) -> int:
        return top_position(self, POSTGRES)

    def unread_replies_after(self, mark: int) -> tuple[list[StoredMessage], int]:
        return unread_after(self, mark, POSTGRES)

    def watch(self, on_change: Callable[[str], None]) -> Watch:
        """``LISTEN`` for the team's changes (see ``listen.Watch``); close it when done."""
        return Watch(self.url, on_change, application_name=application_name(self.operator))

    # ------------------------------------------------------------------ reading

    def get(self, message_id: str) -> StoredMessage | None:
        q = f"SELECT {COLUMNS} FROM messages m WHERE m.message_id = %s AND m.account = %s"
        r = self.run_read(lambda c: c.execute(q, (message_id.upper(), self.account)).fetchone())
        return None if r is None else row_of(r)

    def page(
        self,
        after: Cursor | None = None,
        limit: int = 50,
        filters: MessageFilter = NO_FILTER,
        *,
        before: Cursor | None = None,
    ) -> StorePage:
        """One page in (date DESC, message_id DESC) order by keyset; see ``MessageStore.page``."""
        if after is not None and before is not None:
            raise ValueError("page() takes after= or before=, not both")
        limit = max(1, limit)
        text = filters.text if filters.text is not None and filters.text.strip() else None
        # a search's condition apart from the others: the plan is chosen between them below
        conds, params = where_clause(self.account, replace(filters, text=None))
        if before is not None:
            conds.append("(m.date, m.message_id) > (%s, %s)")
            params.extend([before.date, before.message_id])
            order = "ASC"
        else:
            if after is not None:
                conds.append("(m.date, m.message_id) < (%s, %s)")
                params.extend([after.date, after.message_id])
            order = "DESC"
        base, base_params = " AND ".join(conds), list(params)
        if text is not None:
            cond, more_params = text_condition(text)
            conds.append(cond)
            params.extend(more_params)
        q = (
            f"SELECT {COLUMNS} FROM messages m WHERE {' AND '.join(conds)} "
            f"ORDER BY m.date {order}, m.message_id {order} LIMIT %s"
        )

        def read(c: Conn) -> list[tuple[Any, ...]]:
            if text is not None:
                # PostgreSQL cannot tell how many rows a prefix search matches (its GIN cost
                # for a partial match is a guess), so smstui looks: if the newest rows hold a
                # page of matches, walk the date index; otherwise take the (few, or old)
                # matches from the GIN index and sort them. Either way one plan, not a walk
                # over every row for a word that is nowhere ("zzzz": 0.5 s at 1M rows)
                soon = matches_soon(c, base, base_params, cond, more_params, order, limit + 1)
                c.execute(f"SET LOCAL {'enable_bitmapscan' if soon else 'enable_indexscan'} = off")
            return c.execute(q, [*params, limit + 1]).fetchall()

        raw = self.run_read(read)
        return page_of(raw, limit, after=after, before=before)

    def count(self, filters: MessageFilter = NO_FILTER) -> int:
        if filters in _UNREAD_REPLIES:
            return int(
                self.run_read(
                    lambda c: _one(c.execute(_UNREAD_COUNT, (self.account,) * 3).fetchone())
                )
            )
        conds, params = where_clause(self.account, filters)
        q = f"SELECT COUNT(*) FROM messages m WHERE {' AND '.join(conds)}"
        return int(self.run_read(lambda c: _one(c.execute(q, params).fetchone())))

    def key_at(self, index: int, filters: MessageFilter = NO_FILTER) -> Cursor | None:
        conds, params = where_clause(self.account, filters)
        q = (
            f"SELECT m.date, m.message_id FROM messages m WHERE {' AND '.join(conds)} "
            "ORDER BY m.date DESC, m.message_id DESC LIMIT 1 OFFSET %s"
        )
        row = self.run_read(lambda c: c.execute(q, [*params, max(0, index)]).fetchone())
        return None if row is None else Cursor(int(row[0]), str(row[1]))

    def conversation(self, number: str) -> list[StoredMessage]:
        q = (
            f"SELECT {COLUMNS} FROM messages m WHERE m.account = %s "
            'AND (m."to" = %s OR m."from" = %s) ORDER BY m.date ASC, m.message_id ASC'
        )
        raw = self.run_read(lambda c: c.execute(q, (self.account, number, number)).fetchall())
        return [row_of(r) for r in raw]

    # ------------------------------------------------------------------ writing messages

    def upsert_history(
        self,
        messages: Iterable[HistoryMessage],
        *,
        inbound_read: bool = True,
        unread_from: int | None = None,
    ) -> int:
        """See ``MessageStore.upsert_history`` (same rows, same merge of delivery states)."""
        items = list(messages)
        rows = history_rows(self.account, items, inbound_read=inbound_read, unread_from=unread_from)
        return self.run_write(lambda c: sql.write_history(c, rows, items))

    def upsert_inbound(self, messages: Iterable[InboundMessage]) -> int:
        rows = sql.inbound_rows(self.account, messages)
        return self.run_write(lambda c: sql.write_inbound(c, rows))

    def apply_receipts(self, receipts: Iterable[DeliveryReceipt]) -> int:
        """Merge receipts into their messages; keep the ones whose message is not here yet."""
        items = list(receipts)
        return self.run_write(lambda c: sql.write_receipts(c, items))

    def mark_inbound_read(self, message_ids: Iterable[str], *, read: bool = True) -> int:
        """For this operator only: the others' unread replies stay unread (``marks``)."""
        return mark_read(self, message_ids, read=read, dialect=POSTGRES)

    def mark_handled(
        self, number: str, *, handled: bool = True, at: int | None = None
    ) -> HandledMark | None:
        return mark_handled(self, number, handled=handled, at=at, dialect=POSTGRES)

    def record_senders(self, custom_strings: Iterable[str]) -> None:
        record_senders(self, custom_strings, dialect=POSTGRES)

    def handled_stamp(self) -> int:
        return handled_stamp(self, dialect=POSTGRES)

    def handled_mark(self, number: str) -> HandledMark | None:
        return handled_mark(self, number, dialect=POSTGRES)

    def delivery_stamp(self) -> int:
        return delivery_stamp(self, dialect=POSTGRES)

    def pending_receipts(self) -> int:
        q = "SELECT COUNT(*) FROM receipts_pending"
        return int(self.run_read(lambda c: _one(c.execute(q).fetchone())))

    # ------------------------------------------------------------------ drafts, templates, cursors

    # drafts are this operator's own (see the schema); templates and cursors are the team's

    def save_draft(self, key: str, text: str) -> None:
        self.run_write(
            lambda c: c.execute(
                "INSERT INTO drafts (operator, key, text, updated_at) VALUES (%s, %s, %s, "
                "extract(epoch FROM now())::bigint) ON CONFLICT (operator, key) DO UPDATE SET "
                "text = excluded.text, updated_at = excluded.updated_at",
                (self.operator, key, text),
            )
        )

    def load_draft(self, key: str) -> str | None:
        q = "SELECT text FROM drafts WHERE operator = %s AND key = %s"
        r = self.run_read(lambda c: c.execute(q, (self.operator, key)).fetchone())
        return None if r is None else str(r[0])

    def clear_draft(self, key: str) -> None:
        q = "DELETE FROM drafts WHERE operator = %s AND key = %s"
        self.run_write(lambda c: c.execute(q, (self.operator, key)))

    def replace_templates(self, templates: list[Template]) -> None:
        rows = [(t.template_id, self.account, t.name, t.body, i) for i, t in enumerate(templates)]

        def write(c: Conn) -> None:
            c.execute("DELETE FROM templates WHERE account = %s", (self.account,))
            if rows:
                c.cursor().executemany(
                    "INSERT INTO templates (template_id, account, name, body, position) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (template_id) DO UPDATE SET "
                    "account = excluded.account, name = excluded.name, body = excluded.body, "
                    "position = excluded.position",
                    rows,
                )

        self.run_write(write)

    def templates(self) -> list[Template]:
        q = "SELECT template_id, name, body FROM templates WHERE account = %s ORDER BY position"
        raw = self.run_read(lambda c: c.execute(q, (self.account,)).fetchall())
        return [Template(template_id=r[0], name=r[1], body=r[2]) for r in raw]

    def get_cursor(self, name: str) -> str | None:
        q = "SELECT value FROM sync_cursors WHERE name = %s"
        r = self.run_read(lambda c: c.execute(q, (name,)).fetchone())
        return None if r is None else str(r[0])

    def set_cursor(self, name: str, value: str) -> None:
        self.run_write(
            lambda c: c.execute(
                "INSERT INTO sync_cursors (name, value) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
        )

    # ------------------------------------------------------------------ the team

    def team_status(self) -> TeamStatus:
        return self.run_read(lambda c: read_status(c, self.describe()))

    # ------------------------------------------------------------------ stats

    def day_rows(
        self, start: int, end: int, segments: list[tuple[int, int]], *, direct: bool
    ) -> list[DayRow]:
        return self.run_read(lambda c: day_rows(c, self.account, start, end, segments, direct))

    def rebuild_rollup(self) -> int:
        return self.run_write(rebuild_rollup)


def _one(row: tuple[Any, ...] | None) -> Any:
    """The value of a one-value row that always exists (COUNT(*))."""
    assert row is not None
    return row[0]


__all__ = ["PostgresStore"]
