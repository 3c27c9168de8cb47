"""MessageStore.key_at: the key of the n-th row (newest first) under a filter."""

from __future__ import annotations

from pathlib import Path

from support.sandbox_app import fake_history

from smstui.core.store.message_store import MessageFilter, MessageStore


def test_key_at_matches_the_row_at_that_index_of_the_filtered_order(tmp_path: Path) -> None:
    store = MessageStore(tmp_path / "s.db")
    store.upsert_history(fake_history(300))
    failed = MessageFilter(statuses=frozenset({"Failed"}))
    rows = store.page(limit=300, filters=failed).rows
    assert store.key_at(7, failed) == rows[7].cursor
    assert store.key_at(len(rows), failed) is None
    store.close()
