"""What ``MessageStore`` (SQLite) reads of messages: one message, keyset pages, counts, a
far jump's key, a conversation. ``postgres/store.py`` is the team store's twin."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any

from smstui.core.store.contract import NO_FILTER
from smstui.core.store.query import Cursor, MessageFilter, where_clause
from smstui.core.store.rows import COLUMNS, StoredMessage, StorePage, page_of, row_of
from smstui.core.store.search import Order, in_snapshot, search_rows
from smstui.core.store.transactions import SqliteTransactions


class MessageReads(SqliteTransactions):
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
