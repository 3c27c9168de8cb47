"""The message writes of ``PostgresStore``: upserts of history and replies, and the merge of
delivery receipts (``rows.receipt_wins``), as ``MessageStore`` does them on SQLite.

Rows are written in message-id order: two processes storing overlapping pages then lock the
same rows in the same order and wait for each other instead of deadlocking. A receipt's merge
reads the message ``FOR UPDATE``: another operator's process merging a receipt for the same
message waits, then reads the state this one committed (no lost update).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from smstui.core.models import DeliveryReceipt, HistoryMessage, InboundMessage
from smstui.core.store.postgres.connection import Conn
from smstui.core.store.rows import receipt_wins, to_unix

_UPSERT_HISTORY = """
INSERT INTO messages (message_id, account, direction, "to", "from", body, status, date, schedule,
    parts, price, status_code, status_text, error_code, error_text, custom_string, read,
    updated_at, channel, sent_by)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
    COALESCE(%s, (SELECT s.operator FROM senders s WHERE s.custom_string = %s)))
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
VALUES (%s, %s, 'in', %s, %s, %s, 'Received', %s, %s, %s, 0, %s)
ON CONFLICT (message_id) DO UPDATE SET
    "to" = excluded."to", "from" = excluded."from", body = excluded.body,
    date = excluded.date,
    custom_string = COALESCE(excluded.custom_string, messages.custom_string),
    reply_to = COALESCE(excluded.reply_to, messages.reply_to),
    updated_at = excluded.updated_at
"""

_SET_DELIVERY = (
    "UPDATE messages SET status_code = %s, status_text = %s, error_code = %s, "
    "error_text = %s, receipt_at = COALESCE(%s, receipt_at), updated_at = %s "
    "WHERE message_id = %s"
)

Row = tuple[Any, ...]


def write_history(c: Conn, rows: list[Row], items: list[HistoryMessage]) -> int:
    """Upsert the rows (a new row takes its delivery state as is), then merge the delivery
    states of the existing ones in order, then any receipt that waited for them."""
    if rows:
        # one row per id (the last wins, as sequential upserts would) in id order
        last = {r[0]: r for r in rows}
        c.cursor().executemany(_UPSERT_HISTORY, [last[k] for k in sorted(last)])
    for row, m in zip(rows, items, strict=True):
        if m.status_code is not None or m.status_text is not None:
            merge_delivery(
                c, row[0], m.status_code, m.status_text, m.error_code, m.error_text, None
            )
    merge_pending(c)
    return len(rows)


def inbound_rows(account: str, messages: Iterable[InboundMessage]) -> list[Row]:
    now = int(time.time())
    return [
        (
            m.message_id.upper(),
            account,
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


def write_inbound(c: Conn, rows: list[Row]) -> int:
    if rows:
        last = {r[0]: r for r in rows}
        c.cursor().executemany(_UPSERT_INBOUND, [last[k] for k in sorted(last)])
    return len(rows)


def merge_delivery(
    c: Conn,
    mid: str,
    code: str | None,
    text: str | None,
    err_code: str | None,
    err_text: str | None,
    at: int | None,
) -> bool:
    """Apply one delivery state to message ``mid`` if it wins; False if there is no such
    message."""
    old = c.execute(
        "SELECT status_code, receipt_at FROM messages WHERE message_id = %s FOR UPDATE", (mid,)
    ).fetchone()
    if old is None:
        return False
    if receipt_wins(old[0], old[1], code, at):
        c.execute(_SET_DELIVERY, (code, text, err_code, err_text, at, int(time.time()), mid))
    return True


def keep_pending(c: Conn, mid: str, rc: DeliveryReceipt, at: int | None) -> None:
    """Keep a receipt whose message is not stored yet (a newer one replaces an older one)."""
    old = c.execute(
        "SELECT status_code, receipt_at FROM receipts_pending WHERE message_id = %s FOR UPDATE",
        (mid,),
    ).fetchone()
    if old is not None and not receipt_wins(old[0], old[1], rc.status_code, at):
        return
    c.execute(
        "INSERT INTO receipts_pending (message_id, status_code, status_text, error_code, "
        "error_text, receipt_at, custom_string) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (message_id) DO UPDATE SET status_code = excluded.status_code, "
        "status_text = excluded.status_text, error_code = excluded.error_code, "
        "error_text = excluded.error_text, receipt_at = excluded.receipt_at, "
        "custom_string = excluded.custom_string",
        (mid, rc.status_code, rc.status_text, rc.error_code, rc.error_text, at, rc.custom_string),
    )


def write_receipts(c: Conn, items: list[DeliveryReceipt]) -> int:
    applied = 0
    # rows locked in id order (no deadlock with another process's receipts); a stable sort
    # keeps two receipts of one message in the order they came
    for rc in sorted(items, key=lambda r: r.message_id.upper()):
        mid = rc.message_id.upper()
        at = to_unix(rc.date) or to_unix(rc.sent_at)
        if merge_delivery(c, mid, rc.status_code, rc.status_text, rc.error_code, rc.error_text, at):
            applied += 1
        else:
            keep_pending(c, mid, rc, at)
    return applied


def merge_pending(c: Conn) -> None:
    """Receipts that waited for their message, now that it is stored."""
    waiting = c.execute(
        "DELETE FROM receipts_pending p USING messages m WHERE m.message_id = p.message_id "
        "RETURNING p.message_id, p.status_code, p.status_text, p.error_code, p.error_text, "
        "p.receipt_at"
    ).fetchall()
    for mid, code, text, err_code, err_text, at in sorted(waiting, key=lambda w: str(w[0])):
        merge_delivery(c, mid, code, text, err_code, err_text, at)
