"""sync_all against a fake ClickSend service: durability, concurrency, rate limits."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.fake_clicksend import T0, FakeClickSend, FakeClock
from support.store_backends import StoreBackend

from smstui.core.delivery.sync import sync_all
from smstui.core.delivery.sync_terms import PauseGate, history_cursor_name
from smstui.core.errors import NetworkError, RateLimitedError
from smstui.core.models import HistoryMessage, Page
from smstui.core.store.contract import Store
from smstui.core.store.message_store import MessageFilter, MessageStore


def snapshot(store: Store) -> list[tuple[object, ...]]:
    rows = store.page(limit=1_000_000).rows
    return [replace(r, updated_at=datetime.fromtimestamp(0, UTC)) for r in rows]  # type: ignore[misc]


@pytest.fixture
def store(store_backend: StoreBackend) -> Store:
    """Tests taking ``store`` run on both backends (SQLite and PostgreSQL)."""
    return store_backend.open()


async def test_full_sync_stores_every_history_message_once(store: Store) -> None:
    fake = FakeClickSend(n_history=1234)
    report = await sync_all(fake, store, inbound=False, receipts=False)
    assert store.count() == 1234
    assert report.history_pages == 13
    assert report.history_messages == 1234
    assert report.history_cursor == T0 + 1233 // 2
    assert store.get_cursor(history_cursor_name(store)) == str(T0 + 1233 // 2)
    assert {a["order_by"] for a in fake.history_args} == {"date:asc"}


async def test_next_sync_starts_at_the_cursor_minus_the_overlap(store: Store) -> None:
    fake = FakeClickSend(n_history=300)
    await sync_all(fake, store, inbound=False, receipts=False)
    fake.history_args.clear()
    report = await sync_all(fake, store, inbound=False, receipts=False, overlap_seconds=10)
    assert {a["date_from"] for a in fake.history_args} == {T0 + 149 - 10}
    assert report.history_messages == 22  # 11 seconds x 2 messages, stored again harmlessly
    assert store.count() == 300


async def test_interrupted_sync_then_restart_equals_an_uninterrupted_one(
    tmp_path: Path, store_backend: StoreBackend
) -> None:
    fake = FakeClickSend(n_history=2000)
    with MessageStore(tmp_path / "whole.db") as whole:
        await sync_all(fake, whole, inbound=False, receipts=False)
        expected = snapshot(whole)
    with store_backend.open() as broken:
        fake.fail_history_pages = {11}
        with pytest.raises(NetworkError):
            await sync_all(fake, broken, inbound=False, receipts=False, concurrency=3)
        assert 0 < broken.count() < 2000
        cursor = broken.get_cursor(history_cursor_name(broken))
        # the cursor never passes a page that was not stored
        assert cursor is None or int(cursor) <= T0 + (10 * 100 - 1) // 2
        fake.fail_history_pages = set()
        await sync_all(fake, broken, inbound=False, receipts=False, concurrency=3)
        assert snapshot(broken) == expected


async def test_concurrency_bound_is_respected_and_used(store: Store) -> None:
    fake = FakeClickSend(n_history=2500)
    await sync_all(fake, store, concurrency=3, inbound=False, receipts=False)
    assert fake.max_in_flight == 3
    assert store.count() == 2500


async def test_concurrency_one_is_sequential(store: Store) -> None:
    fake = FakeClickSend(n_history=600)
    await sync_all(fake, store, concurrency=1, inbound=False, receipts=False)
    assert fake.max_in_flight == 1
    assert [p for _, p in fake.calls] == [1, 2, 3, 4, 5, 6]


async def test_rate_limit_pauses_the_whole_sync_then_completes(store: Store) -> None:
    fake = FakeClickSend(n_history=1500)
    clock = FakeClock()
    fake.clock = clock
    fake.rate_limit_pages = {4: 30.0}
    report = await sync_all(
        fake,
        store,
        concurrency=4,
        inbound=False,
        receipts=False,
        gate=PauseGate(clock=clock, sleep=clock.sleep),
    )
    assert store.count() == 1500
    assert report.rate_limited == 1
    limited_at = next(t for p, t in fake.call_times if p == 4)
    # every request issued after the 429 (any page, any worker) waited out the pause
    later = [t for p, t in fake.call_times[fake.call_times.index((4, limited_at)) + 1 :]]
    assert later and all(t >= limited_at + 30.0 for t in later)
    assert sum(clock.slept) >= 30.0


async def test_endless_rate_limiting_fails_with_the_typed_error(store: Store) -> None:
    fake = FakeClickSend(n_history=10)
    clock = FakeClock()

    async def always_limited(**_: object) -> Page[HistoryMessage]:
        raise RateLimitedError("slow down", retry_after=1.0)

    fake.history = always_limited  # type: ignore[method-assign, assignment]
    with pytest.raises(RateLimitedError):
        await sync_all(
            fake,
            store,
            inbound=False,
            receipts=False,
            gate=PauseGate(clock=clock, sleep=clock.sleep),
        )


async def test_inbound_is_marked_read_only_after_it_is_stored(store: Store) -> None:
    fake = FakeClickSend(n_inbound=250)
    seen_at_mark: list[int] = []
    fake.on_mark.append(
        lambda kind: seen_at_mark.append(store.count()) if kind == "inbound" else None
    )
    report = await sync_all(fake, store, history=False, receipts=False)
    assert seen_at_mark == [250]
    assert report.inbound == 250
    # date_before = newest stored timestamp: the newest stays unread and is simply refetched
    assert len(fake.inbound_read) == 249
    assert store.count() == 250
    assert store.count(MessageFilter(unread_only=True)) == 250


async def test_crash_before_mark_read_loses_nothing_and_duplicates_nothing(
    store: Store,
) -> None:
    fake = FakeClickSend(n_inbound=120)

    def crash(kind: object) -> None:
        raise NetworkError("gone", may_have_reached_server=True)

    fake.on_mark.append(crash)
    with pytest.raises(NetworkError):
        await sync_all(fake, store, history=False, receipts=False)
    assert store.count() == 120 and fake.inbound_read == set()
    fake.on_mark.clear()
    await sync_all(fake, store, history=False, receipts=False)
    assert store.count() == 120
    assert len(fake.inbound_read) == 119


async def test_receipts_are_applied_and_early_ones_wait_for_history(store: Store) -> None:
    fake = FakeClickSend(n_history=150, n_receipts=150)
    await sync_all(fake, store)  # receipts run before history: all 150 arrive early
    delivered = [m for m in store.page(limit=1000).rows if m.status_code == "201"]
    assert len(delivered) == 150
    assert store.pending_receipts() == 0
    assert len(fake.receipts_read) == 149


async def test_progress_reports_every_page(store: Store) -> None:
    fake = FakeClickSend(n_history=450, n_inbound=20)
    progress: list[tuple[int, int]] = []
    await sync_all(fake, store, on_progress=lambda d, t: progress.append((d, t)), receipts=False)
    assert progress[-1] == (6, 6)  # 1 inbound page + 5 history pages
    assert [d for d, _ in progress] == list(range(1, 7))


async def test_empty_account_syncs_cleanly(store: Store) -> None:
    fake = FakeClickSend()
    report = await sync_all(fake, store)
    assert (report.history_messages, report.inbound, report.receipts) == (0, 0, 0)
    assert report.history_cursor is None
    assert store.get_cursor(history_cursor_name(store)) is None


async def test_first_sync_asks_for_the_first_pages_together(store: Store) -> None:
    """With no cursor, pages 2..concurrency leave before page 1 answers (one round trip
    less); page 1 is held here until they have all been asked for."""
    fake = FakeClickSend(n_history=1000)
    asked: set[int] = set()
    all_asked = asyncio.Event()
    answer = fake.history

    async def history(**kw: Any) -> Page[HistoryMessage]:
        asked.add(kw["page"])
        if asked >= {2, 3, 4}:
            all_asked.set()
        if kw["page"] == 1:
            # fails instead of hanging if the other pages wait for page 1
            await asyncio.wait_for(all_asked.wait(), 30)
        return await answer(**kw)

    fake.history = history  # type: ignore[method-assign]
    report = await sync_all(fake, store, concurrency=4, inbound=False, receipts=False)
    assert report.history_pages == 10 and store.count() == 1000
    assert fake.max_in_flight <= 4
    assert sorted(p for _, p in fake.calls) == list(range(1, 11))  # each page asked once


async def test_first_pages_past_the_last_are_dropped_unread(store: Store, tmp_path: Path) -> None:
    fake = FakeClickSend(n_history=150)  # 2 pages
    past_end: list[int] = []
    answer = fake.history

    async def history(**kw: Any) -> Page[HistoryMessage]:
        if kw["page"] > 2:
            past_end.append(kw["page"])
            if kw["page"] == 4:  # what ClickSend answers past the end is unverified
                raise NetworkError("no such page", may_have_reached_server=True)
        return await answer(**kw)

    fake.history = history  # type: ignore[method-assign]
    progress: list[tuple[int, int]] = []
    report = await sync_all(
        fake,
        store,
        concurrency=4,
        inbound=False,
        receipts=False,
        on_progress=lambda d, t: progress.append((d, t)),
    )
    assert sorted(past_end) == [3, 4]
    assert report.history_pages == 2 and report.history_messages == 150
    assert progress[-1] == (2, 2)
    with MessageStore(tmp_path / "one.db") as alone:
        await sync_all(FakeClickSend(n_history=150), alone, concurrency=1, inbound=False)
        assert snapshot(store) == snapshot(alone)


async def test_a_failed_first_page_cancels_the_guesses(store: Store) -> None:
    fake = FakeClickSend(n_history=1000)
    fake.fail_history_pages = {1}
    with pytest.raises(NetworkError):
        await sync_all(fake, store, concurrency=4, inbound=False, receipts=False)
    assert store.count() == 0
    assert store.get_cursor(history_cursor_name(store)) is None


async def test_a_later_sync_asks_for_page_one_alone(store: Store) -> None:
    fake = FakeClickSend(n_history=150)
    await sync_all(fake, store, concurrency=4, inbound=False, receipts=False)
    fake.calls.clear()
    await sync_all(fake, store, concurrency=4, inbound=False, receipts=False, overlap_seconds=10)
    assert [p for _, p in fake.calls] == [1]  # 22 messages from the cursor on: one page
