"""A delivery receipt alone moves the store's change mark (``team.change_mark``), on SQLite
and PostgreSQL: another process's receipt shows in a watching app without waiting for the
next new message. The count is kept by the write itself (a trigger), read as one row."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from support.store_backends import StoreBackend

from smstui.core.models import DeliveryReceipt, HistoryMessage
from smstui.core.store import schema as sqlite_schema
from smstui.core.store.message_store import MessageStore
from smstui.core.store.postgres import PostgresStore
from smstui.core.store.postgres import schema as pg_schema

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _sent(mid: str, *, status: str = "Sent") -> HistoryMessage:
    return HistoryMessage(mid, "out", "+61411111111", "+61400000000", "hi", status, AT)


def _receipt(mid: str, code: str, minute: int = 1) -> DeliveryReceipt:
    when = datetime(2026, 3, 1, 9, minute, tzinfo=UTC)
    return DeliveryReceipt(mid, code, "Delivered" if code == "201" else "Sent", when)


def test_another_process_receipt_moves_the_stamp(store_backend: StoreBackend) -> None:
    mine, theirs = store_backend.open(account="a"), store_backend.open(account="a")
    other_account = store_backend.open(account="b")
    theirs.upsert_history([_sent("S1"), _sent("S2")])
    before = mine.delivery_stamp()

    assert theirs.apply_receipts([_receipt("S1", "201")]) == 1

    moved = mine.delivery_stamp()
    assert moved != before
    msg = mine.get("S1")
    assert msg is not None and msg.status_code == "201"
    # a receipt that changes nothing (the same one again, an older one) moves nothing
    theirs.apply_receipts([_receipt("S1", "201"), _receipt("S1", "200", minute=0)])
    assert mine.delivery_stamp() == moved
    # nor a history page synced again, nor a receipt still waiting for its message
    theirs.upsert_history([_sent("S1"), _sent("S2")])
    theirs.apply_receipts([_receipt("NOT-HERE", "201")])
    assert mine.delivery_stamp() == moved
    # history's own new status for a stored message does
    theirs.upsert_history([_sent("S2", status="Delivered")])
    assert mine.delivery_stamp() != moved
    assert other_account.delivery_stamp() == 0  # another account's view is not touched


def test_a_batch_of_receipts_moves_the_stamp_once_per_commit(store_backend: StoreBackend) -> None:
    """Every commit that changes a state moves the stamp (two processes' commits, in either
    order, are never one), and on the team store a batch moves it once, not per message."""
    store = store_backend.open()
    store.upsert_history([_sent(f"B{i}") for i in range(20)])
    before = store.delivery_stamp()
    store.apply_receipts([_receipt(f"B{i}", "201") for i in range(20)])
    after_batch = store.delivery_stamp()
    store.apply_receipts([_receipt("B0", "301", minute=5)])
    after_one = store.delivery_stamp()
    assert before < after_batch < after_one
    if store_backend.name == "postgresql":
        assert (after_batch - before, after_one - after_batch) == (1, 1)


def test_a_sqlite_store_of_the_previous_version_migrates_to_counting(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(str(path), isolation_level=None)
    previous = sqlite_schema.SCHEMA_VERSION - 1
    assert sqlite_schema.migrate(conn, target=previous) == previous
    conn.execute(
        'INSERT INTO messages (message_id, account, direction, "to", body, status, date, '
        "updated_at) VALUES ('OLD1', 'a', 'out', '+61411111111', 'kept', 'Sent', 1000, 1000)"
    )
    conn.close()

    with MessageStore(path, account="a") as store:
        version = store.run_read(lambda c: c.execute("PRAGMA user_version").fetchone()[0])
        assert version == sqlite_schema.SCHEMA_VERSION
        old = store.get("OLD1")
        assert old is not None and old.body == "kept"
        assert store.delivery_stamp() == 0
        store.apply_receipts([_receipt("OLD1", "201")])
        assert store.delivery_stamp() == 1


def test_a_team_store_of_the_previous_version_migrates_to_counting(pg_url: str) -> None:
    previous = 3  # the version before receipts were counted (V4)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert pg_schema.migrate(conn, target=previous) == previous
        conn.execute(
            'INSERT INTO messages (message_id, account, direction, "to", body, status, date, '
            "updated_at) VALUES ('OLD1', 'a', 'out', '+61411111111', 'kept', 'Sent', 1000, 1000)"
        )

    with PostgresStore(pg_url, account="a") as store:
        with psycopg.connect(pg_url) as conn:
            assert pg_schema.schema_version(conn) == pg_schema.SCHEMA_VERSION
        old = store.get("OLD1")
        assert old is not None and old.body == "kept"
        assert store.delivery_stamp() == 0
        store.apply_receipts([_receipt("OLD1", "201")])
        assert store.delivery_stamp() == 1
