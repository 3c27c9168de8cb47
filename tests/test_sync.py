"""sync_all against a fake ClickSend service: durability, concurrency, rate limits."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.store_backends import StoreBackend

from smstui.core.delivery.sync import PauseGate, history_cursor_name, sync_all
from smstui.core.errors import NetworkError, RateLimitedError
from smstui.core.models import DeliveryReceipt, HistoryMessage, InboundMessage, Page
from smstui.core.store.contract import Store
from smstui.core.store.message_store import MessageFilter, MessageStore

T0 = 1_700_000_000


def unix(value: datetime | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return int(value.timestamp())


def paginate(items: list, page: int, limit: int) -> Page:  # type: ignore[type-arg]
    last = max(1, -(-len(items) // limit))
    chunk = items[(page - 1) * limit : page * limit]
    return Page(items=chunk, page=page, last_page=last, total=len(items), per_page=limit)


class FakeClickSend:
    """Enough of SmsService for sync: paginated lists, unread flags, scripted failures."""

    def __init__(self, n_history: int = 0, n_inbound: int = 0, n_receipts: int = 0) -> None:
        self.history_items = [
            HistoryMessage(
                message_id=f"m-{i:05d}",
                direction="out",
                to=f"+614110{i % 50:05d}",
                sender="+61400000000",
                body=f"message {i}",
                status="Sent",
                date=datetime.fromtimestamp(T0 + i // 2, UTC),  # pairs share a second
            )
            for i in range(n_history)
        ]
        self.inbound_items = [
            InboundMessage(
                f"in-{i}",
                "+61411000001",
                "+61400000000",
                f"reply {i}",
                datetime.fromtimestamp(T0 + 10 + i, UTC),
            )
            for i in range(n_inbound)
        ]
        self.receipt_items = [
            DeliveryReceipt(
                f"m-{i:05d}", "201", "Delivered", datetime.fromtimestamp(T0 + 50 + i, UTC)
            )
            for i in range(n_receipts)
        ]
        self.inbound_read: set[str] = set()
        self.receipts_read: set[str] = set()
        self.calls: list[tuple[str, int]] = []
        self.history_args: list[dict[str, object]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.fail_history_pages: set[int] = set()
        self.rate_limit_pages: dict[int, float] = {}
        self.on_mark: list[object] = []
        self.clock: FakeClock | None = None
        self.call_times: list[tuple[int, float]] = []
        #: ClickSend does not document the order of unread lists: tests try both
        self.inbound_newest_first = False
        #: called with the page number just before an inbound page is answered
        self.before_inbound_answer: list[object] = []
        #: extra scheduler turns before answering these inbound pages (reorders answers)
        self.inbound_slow_pages: dict[int, int] = {}

    async def _enter(self, kind: str, page: int) -> None:
        self.calls.append((kind, page))
        if self.clock is not None:
            self.call_times.append((page, self.clock.now))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        for _ in range(5):  # let other workers start while this request is "on the wire"
            await asyncio.sleep(0)
        self.in_flight -= 1

    async def history(
        self,
        page: int = 1,
        limit: int = 100,
        date_from=None,
        date_to=None,  # type: ignore[no-untyped-def]
        q=None,
        order_by=None,
    ) -> Page[HistoryMessage]:
        self.history_args.append({"date_from": unix(date_from), "order_by": order_by})
        if page in self.rate_limit_pages:  # answered at once, before other workers move on
            self.calls.append(("history", page))
            if self.clock is not None:
                self.call_times.append((page, self.clock.now))
            raise RateLimitedError("slow down", retry_after=self.rate_limit_pages.pop(page))
        await self._enter("history", page)
        if page in self.fail_history_pages:
            raise NetworkError("link dropped", may_have_reached_server=True)
        lo = unix(date_from)
        items = [m for m in self.history_items if lo is None or unix(m.date) >= lo]  # type: ignore[operator]
        return paginate(items, page, limit)

    async def inbound(self, page: int = 1, limit: int = 100) -> Page[InboundMessage]:
        await self._enter("inbound", page)
        for _ in range(self.inbound_slow_pages.get(page, 0)):
            await asyncio.sleep(0)
        for hook in self.before_inbound_answer:
            hook(page)  # type: ignore[operator]
        unread = [m for m in self.inbound_items if m.message_id not in self.inbound_read]
        if self.inbound_newest_first:
            unread.reverse()
        return paginate(unread, page, limit)

    def reply_arrives(self, message_id: str, at: int) -> None:
        self.inbound_items.append(
            InboundMessage(
                message_id, "+61411000002", "+61400000000", "late", datetime.fromtimestamp(at, UTC)
            )
        )

    async def receipts(self, page: int = 1, limit: int = 100) -> Page[DeliveryReceipt]:
        await self._enter("receipts", page)
        return paginate(
            [r for r in self.receipt_items if r.message_id not in self.receipts_read], page, limit
        )

    async def mark_inbound_read(self, message_id=None, date_before=None) -> int:  # type: ignore[no-untyped-def]
        for hook in self.on_mark:
            hook("inbound")  # type: ignore[operator]
        before = unix(date_before)
        hit = {m.message_id for m in self.inbound_items if before is None or unix(m.date) < before}  # type: ignore[operator]
        self.inbound_read |= hit
        return len(hit)

    async def mark_receipts_read(self, date_before=None) -> int:  # type: ignore[no-untyped-def]
        for hook in self.on_mark:
            hook("receipts")  # type: ignore[operator]
        before = unix(date_before)
        hit = {r.message_id for r in self.receipt_items if before is None or unix(r.date) < before}  # type: ignore[operator]
        self.receipts_read |= hit
        return len(hit)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def snapshot(store: Store) -> list[tuple[object, ...]]:
    rows = store.page(limit=1_000_000).rows
    return [replace(r, updated_at=datetime.fromtimestamp(0, UTC)) for r in rows]  # type: ignore[misc]


@pytest.fixture
def store(store_backend: StoreBackend) -> Store:
    """Every test taking ``store`` runs on both backends (SQLite and PostgreSQL)."""
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
    # the reference run on SQLite; the broken one on the backend under test (same rows)
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
