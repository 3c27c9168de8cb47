"""How ``MessageStore`` (SQLite) merges delivery states into messages: receipts, history's
delivery fields, and receipts that arrived before their message (``receipts_pending``).
Every merge goes through ``rows.receipt_wins``; ``postgres/messages_sql.py`` is the team
store's twin. Each function runs inside the caller's write transaction.

``delivery_stamp`` serves both stores: what a watching app reads to see that a delivery
state changed (the schemas' ``delivery_changes``, kept by a trigger on the message table)."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from smstui.core.models import DeliveryReceipt
from smstui.core.store.dialect import SQLITE, Dialect, SqlStore
from smstui.core.store.rows import receipt_wins


def merge_delivery(
    c: sqlite3.Connection,
    mid: str,
    code: str | None,
    text: str | None,
    err_code: str | None,
    err_text: str | None,
    at: int | None,
) -> None:
    old = c.execute(
        "SELECT status_code, receipt_at FROM messages WHERE message_id = ?", (mid,)
    ).fetchone()
    if old is None or not receipt_wins(old[0], old[1], code, at):
        return
    c.execute(
        "UPDATE messages SET status_code = ?, status_text = ?, error_code = ?, "
        "error_text = ?, receipt_at = COALESCE(?, receipt_at), updated_at = ? "
        "WHERE message_id = ?",
        (code, text, err_code, err_text, at, int(time.time()), mid),
    )


def merge_deliveries(
    c: sqlite3.Connection,
    states: list[tuple[str, str | None, str | None, str | None, str | None]],
) -> None:
    """``merge_delivery`` (receipt time unknown) for many messages in two statements;
    in order, so a message listed twice ends as if merged one by one. A state the message
    already holds is not written again: a history page's new rows were just inserted with
    theirs, and a page synced again mostly repeats what is stored (each such no-op update
    rewrote the row and its index entries: a third of a synced page's write)."""
    if not states:
        return
    current: dict[str, tuple[str | None, int | None, str | None, str | None, str | None]] = {}
    ids = list({s[0] for s in states})
    for start in range(0, len(ids), 500):  # under SQLite's bound-parameter limit
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = (
            "SELECT message_id, status_code, receipt_at, status_text, error_code, error_text "
            f"FROM messages WHERE message_id IN ({marks})"
        )
        current.update((r[0], r[1:]) for r in c.execute(sql, chunk))
    now = int(time.time())
    updates: dict[str, tuple[Any, ...]] = {}
    for mid, code, text, err_code, err_text in states:
        old = current.get(mid)
        if old is None or not receipt_wins(old[0], old[1], code, None):
            continue
        if (old[0], old[2], old[3], old[4]) == (code, text, err_code, err_text):
            continue  # nothing would change but updated_at
        current[mid] = (code, old[1], text, err_code, err_text)
        updates[mid] = (code, text, err_code, err_text, now, mid)
    c.executemany(
        "UPDATE messages SET status_code = ?, status_text = ?, error_code = ?, "
        "error_text = ?, updated_at = ? WHERE message_id = ?",
        list(updates.values()),
    )


def keep_pending(c: sqlite3.Connection, mid: str, rc: DeliveryReceipt, at: int | None) -> None:
    old = c.execute(
        "SELECT status_code, receipt_at FROM receipts_pending WHERE message_id = ?", (mid,)
    ).fetchone()
    if old is not None and not receipt_wins(old[0], old[1], rc.status_code, at):
        return
    c.execute(
        "INSERT OR REPLACE INTO receipts_pending (message_id, status_code, status_text, "
        "error_code, error_text, receipt_at, custom_string) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            mid,
            rc.status_code,
            rc.status_text,
            rc.error_code,
            rc.error_text,
            at,
            rc.custom_string,
        ),
    )


def merge_pending(c: sqlite3.Connection) -> None:
    waiting = c.execute(
        "SELECT p.message_id, p.status_code, p.status_text, p.error_code, p.error_text, "
        "p.receipt_at FROM receipts_pending p JOIN messages m USING (message_id)"
    ).fetchall()
    for mid, code, text, err_code, err_text, at in waiting:
        merge_delivery(c, mid, code, text, err_code, err_text, at)
        c.execute("DELETE FROM receipts_pending WHERE message_id = ?", (mid,))


def delivery_stamp(store: SqlStore, *, dialect: Dialect = SQLITE) -> int:
    """A number that moves whenever a message of the account changes its delivery state (a
    receipt merged, history listing a new status): one row read by its key."""
    q = dialect.sql("SELECT changes FROM delivery_changes WHERE account = ?")
    row = store.run_read(lambda c: c.execute(q, (store.account,)).fetchone())
    return 0 if row is None else int(row[0])
