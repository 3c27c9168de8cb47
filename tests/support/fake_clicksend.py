"""Enough of ClickSend's SMS service for sync: paginated lists, unread flags, scripted
failures (shared by the sync tests)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from smstui.core.errors import NetworkError, RateLimitedError
from smstui.core.models import DeliveryReceipt, HistoryMessage, InboundMessage, Page

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
