"""What ``MessageStore`` (SQLite) writes of messages: history and inbound records, delivery
receipts (merged by ``deliveries``), and an operator's marks (``marks``).
``postgres/messages_sql.py`` is the team store's twin."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable

from smstui.core.models import DeliveryReceipt, HistoryMessage, InboundMessage
from smstui.core.store.deliveries import (
    delivery_stamp,
    keep_pending,
    merge_deliveries,
    merge_delivery,
    merge_pending,
)
from smstui.core.store.marks import (
    HandledMark,
    handled_mark,
    handled_stamp,
    mark_handled,
    mark_read,
    record_senders,
)
from smstui.core.store.rows import history_rows, to_unix
from smstui.core.store.transactions import SqliteTransactions

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


class MessageWrites(SqliteTransactions):
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

    def pending_receipts(self) -> int:
        """How many receipts are waiting for their message to arrive."""
        return int(
            self.run_read(
                lambda c: c.execute("SELECT COUNT(*) FROM receipts_pending").fetchone()[0]
            )
        )

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

    def delivery_stamp(self) -> int:
        return delivery_stamp(self)
