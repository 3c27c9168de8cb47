"""Search after a sync whose full-text index upkeep is deferred to the end of the sync."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.fake_clicksend import FakeClickSend

from smstui.core.delivery.sync import sync_all
from smstui.core.errors import NetworkError
from smstui.core.models import HistoryMessage
from smstui.core.store.message_store import MessageFilter, MessageStore


def queued(store: MessageStore) -> int:
    return int(
        store.run_read(lambda c: c.execute("SELECT COUNT(*) FROM fts_pending").fetchone()[0])
    )


def found(store: MessageStore, text: str) -> set[str]:
    return {r.message_id for r in store.page(limit=10_000, filters=MessageFilter(text=text)).rows}


def index_is_consistent(store: MessageStore) -> None:
    """FTS5's own check of an external-content index against the messages table (raises)."""
    store.run_write(
        lambda c: c.execute(
            "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)"
        )
    )


@pytest.fixture
def store(tmp_path: Path) -> MessageStore:
    s = MessageStore(tmp_path / "a.db")
    yield s  # type: ignore[misc]
    s.close()


async def test_synced_rows_are_searchable_when_the_sync_ends(store: MessageStore) -> None:
    fake = FakeClickSend(n_history=450)
    queued_during: list[int] = []
    await sync_all(
        fake,
        store,
        inbound=False,
        receipts=False,
        on_progress=lambda done, total: queued_during.append(queued(store)),
    )
    # pages were stored without their index entries (queued), then indexed in one batch
    assert max(queued_during) > 0
    assert queued(store) == 0
    assert found(store, "message 123") == {"M-00123"}
    assert found(store, "message") == {m.message_id.upper() for m in fake.history_items}
    index_is_consistent(store)


async def test_a_failed_sync_still_indexes_the_pages_it_stored(store: MessageStore) -> None:
    fake = FakeClickSend(n_history=450)
    fake.fail_history_pages = {4}
    with pytest.raises(NetworkError):
        await sync_all(fake, store, inbound=False, receipts=False, concurrency=1)
    stored = {r.message_id for r in store.page(limit=10_000).rows}
    assert "M-00005" in stored  # page 1 at least was stored before the failure
    assert queued(store) == 0
    assert found(store, "message") == stored
    index_is_consistent(store)


def message(mid: str, body: str, to: str = "+61411111111") -> HistoryMessage:
    return HistoryMessage(
        mid, "out", to, "+61400000000", body, "Sent", datetime(2025, 1, 1, tzinfo=UTC)
    )


def test_rows_a_crashed_sync_left_queued_are_indexed_by_the_next_write(tmp_path: Path) -> None:
    first = MessageStore(tmp_path / "a.db")
    with first.deferred_index(index_at_end=False):
        first.upsert_history([message("A1", "quarterly invoice")])
    first.close()  # the process died before the end of its sync
    again = MessageStore(tmp_path / "a.db")
    assert found(again, "invoice") == set()
    again.save_draft("k", "any write")
    assert found(again, "invoice") == {"A1"}
    again.close()


def test_rewording_or_deleting_a_row_still_queued_keeps_the_index_exact(
    store: MessageStore,
) -> None:
    store.upsert_history([message("KEEP", "stays put")])  # indexed at once (no deferral)
    with store.deferred_index():
        store.upsert_history([message("A1", "alpha words"), message("D1", "doomed text")])
        store.upsert_history([message("A1", "beta words", to="+61422222222")])
        store.upsert_history([replace(message("KEEP", "stays moved"))])
        store.run_write(lambda c: c.execute("DELETE FROM messages WHERE message_id = 'D1'"))
        assert found(store, "beta") == set()  # not indexed until the block ends
    assert found(store, "alpha") == set()
    assert found(store, "beta") == {"A1"}
    assert found(store, "doomed") == set()
    assert found(store, "moved") == {"KEEP"}
    assert found(store, "put") == set()
    index_is_consistent(store)
