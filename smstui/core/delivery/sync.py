"""Incremental, concurrent sync of ClickSend history, inbound replies and receipts into the store.

Order of durability: every page is written (committed) to the store as soon as it arrives;
the history cursor moves only past pages already stored; inbound messages and receipts are
marked read on ClickSend only after all of them are stored. A crash at any point therefore
loses nothing: the next sync fetches the same records again and the store de-duplicates them.

Unread lists can change while we page through them (replies arrive mid-sync). If ClickSend
lists them newest first, an arrival shifts every later page by one, so concurrent paging can
skip an item at a page boundary, and the oldest items can be pushed past the last page we
knew of; ``date_before`` would then mark them read unseen. So before marking, the listing is
*settled*: page 1 is fetched again and the tail is followed to the current last page; if page
1 shows an id we had not seen, the whole list is read again in order (an in-order pass over a
list that only grows cannot skip anything). Only a listing that settled within
``SETTLE_ROUNDS`` is marked read; otherwise marking waits for the next sync (nothing lost).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from smstui.core.clicksend.account_facts import Facts
from smstui.core.clicksend.mms_voice import MmsVoiceService
from smstui.core.clicksend.sms import SmsService
from smstui.core.delivery.sync_channels import ChannelSyncService, sync_channels
from smstui.core.delivery.sync_terms import (
    CLOCK_MARGIN,
    PauseGate,
    SyncReport,
    SyncService,
    history_cursor_name,
    unread_checked_name,
)
from smstui.core.errors import RateLimitedError
from smstui.core.models import DeliveryReceipt, HistoryMessage, InboundMessage, Page
from smstui.core.native_heap import release_free_memory
from smstui.core.store.contract import Store
from smstui.core.store.rows import to_unix

T = TypeVar("T")

PAGE_SIZE = 100  # ClickSend's maximum
#: pause when a 429 carries no Retry-After
DEFAULT_PAUSE = 5.0
#: a single page gives up after this many 429s in a row
MAX_RATE_LIMITED = 10
#: checks of an unread list for arrivals before it is marked read (see the module doc)
SETTLE_ROUNDS = 3

ProgressCallback = Callable[[int, int], None]


async def _drop(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and wait for them, their outcome unread (pages not wanted)."""
    pending = list(tasks)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


class _Sync:
    def __init__(
        self,
        service: SyncService,
        store: Store,
        concurrency: int,
        on_progress: ProgressCallback | None,
        gate: PauseGate,
    ) -> None:
        self.service = service
        self.store = store
        self.concurrency = max(1, concurrency)
        self.on_progress = on_progress
        self.gate = gate
        self.report = SyncReport()
        self.done = 0
        self.total = 0
        # store writes run on one thread of their own, in arrival order: SQLite releases the
        # GIL, so a page is written while the next answers are read and parsed (on the event
        # loop, writes of 100 rows with their FTS index held every other page up)
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smstui-sync-store")

    def cursor_name(self, channel: str) -> str:
        return history_cursor_name(self.store, channel)

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.writer, fn, *args)

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        for _ in range(MAX_RATE_LIMITED):
            await self.gate.wait()
            try:
                return await fn()
            except RateLimitedError as err:
                self.report.rate_limited += 1
                pause = err.retry_after if err.retry_after is not None else DEFAULT_PAUSE
                self.gate.pause(pause)
        await self.gate.wait()
        return await fn()  # the last try lets the error through

    def progress(self, pages: int = 1) -> None:
        self.done += pages
        if self.on_progress is not None:
            self.on_progress(self.done, self.total)

    async def all_pages(
        self,
        fetch: Callable[[int], Awaitable[Page[T]]],
        keep: Callable[[int, Page[T]], None],
        *,
        ahead: int = 0,
    ) -> int:
        """Fetch page 1 (to learn last_page), then the rest with bounded concurrency.

        ``keep`` stores one page durably; it runs as each page arrives. Returns the page count.
        ``ahead``: pages 2..1+ahead (at most concurrency - 1) are asked for alongside page 1,
        before it tells how many there are: a long listing then takes one round trip less
        (40 pages four at a time: 10 instead of 11). A page past the last is dropped unread,
        and its failure ignored: what ClickSend answers for one is unverified (a Laravel
        paginator answers an empty page), so nothing depends on it.
        """
        sem = asyncio.Semaphore(self.concurrency)

        async def guess(n: int) -> Page[T]:
            async with sem:
                return await self.call(lambda: fetch(n))

        ahead = max(0, min(ahead, self.concurrency - 1))
        guesses = {n: asyncio.create_task(guess(n)) for n in range(2, 2 + ahead)}
        try:
            first = await self.call(lambda: fetch(1))
        except BaseException:
            await _drop(guesses.values())
            raise
        last = max(1, first.last_page)
        await _drop(task for n, task in guesses.items() if n > last)
        self.total += last

        async def store_first() -> None:
            await self.write(keep, 1, first)
            self.progress()

        async def one(n: int) -> None:
            early = guesses.get(n)
            if early is not None:
                page = await early
            else:
                async with sem:
                    page = await self.call(lambda: fetch(n))
            await self.write(keep, n, page)
            self.progress()

        try:
            async with asyncio.TaskGroup() as tg:
                # page 1 is written while the rest are fetched (the writer keeps the order)
                tg.create_task(store_first())
                for n in range(2, last + 1):
                    tg.create_task(one(n))
        except BaseExceptionGroup as group:
            # callers expect the typed SmstuiError of the first failure, not a group
            raise group.exceptions[0] from None
        finally:
            await _drop(guesses.values())  # only those a failure left unawaited
        return last

    async def in_order(
        self,
        fetch: Callable[[int], Awaitable[Page[T]]],
        keep: Callable[[Page[T]], int],
        start: int,
        last: int,
    ) -> tuple[int, int]:
        """Fetch pages ``start``..``last`` one by one, following the last page the server
        reports as it goes (the list may grow meanwhile). Returns (new ids, last page)."""
        fresh, n = 0, start
        while n <= last:
            page = await self.call(partial(fetch, n))
            fresh += await self.write(keep, page)
            last = max(1, page.last_page)
            n += 1
        return fresh, last

    async def unread_list(
        self,
        fetch: Callable[[int], Awaitable[Page[T]]],
        store: Callable[[Page[T]], None],
        ids: Callable[[T], str],
    ) -> tuple[set[str], bool]:
        """Store every page of an unread list; return the ids seen and whether the listing
        settled (every item unread now was seen), which is when marking read is safe."""
        seen: set[str] = set()

        def keep(page: Page[T]) -> int:
            store(page)  # durable before it counts as seen
            got = {ids(item) for item in page.items}
            fresh = len(got - seen)
            seen.update(got)
            return fresh

        def keep_page(_n: int, page: Page[T]) -> None:
            keep(page)

        last = await self.all_pages(fetch, keep_page)
        if not seen:
            return seen, True  # nothing to mark
        for _ in range(SETTLE_ROUNDS):
            top = await self.call(lambda: fetch(1))
            now_last = max(1, top.last_page)
            if await self.write(keep, top):
                # arrivals at the top (newest-first listing): every page may have shifted
                # under the concurrent pass, so read them all again, in order
                _, last = await self.in_order(fetch, keep, 2, now_last)
                continue
            # the tail: from the last page we read to the last page there is now
            fresh, last = await self.in_order(fetch, keep, max(2, min(last, now_last)), now_last)
            if not fresh:
                return seen, True
        return seen, False

    async def history(self, overlap: int) -> None:
        pages, ids, cursor = await self.dated_history(
            history_cursor_name(self.store),
            self.history_page,
            overlap,
            ordered=True,
            guess_first=True,
        )
        self.report.history_pages = pages
        self.report.history_messages = ids
        self.report.history_cursor = cursor

    def history_page(
        self, n: int, date_from: datetime | None, date_to: int
    ) -> Awaitable[Page[HistoryMessage]]:
        return self.service.history(
            page=n, limit=PAGE_SIZE, date_from=date_from, date_to=date_to, order_by="date:asc"
        )

    async def dated_history(
        self,
        name: str,
        fetch_page: Callable[[int, datetime | None, int], Awaitable[Page[HistoryMessage]]],
        overlap: int,
        *,
        ordered: bool,
        guess_first: bool = False,
    ) -> tuple[int, int, int | None]:
        """Every history page from the cursor (minus ``overlap``) to now, stored as it comes.

        ``ordered``: the listing is oldest first, so the cursor may move past each run of
        stored pages 1..k. Otherwise (MMS and voice history document no order) the cursor
        moves only once every page is stored. ``guess_first``: with no cursor yet (the first
        sync, which lists months of history), ask for the first pages together (``all_pages``'s
        ``ahead``). Returns (pages, distinct ids, cursor).
        """
        raw = self.store.get_cursor(name)
        start = int(raw) - overlap if raw is not None else None
        # a fixed date_to keeps every page's content stable while we fetch them concurrently:
        # messages sent meanwhile fall after date_to and wait for the next sync
        date_to = int(time.time())
        date_from = datetime.fromtimestamp(max(0, start), UTC) if start is not None else None
        seen: set[str] = set()
        newest: dict[int, int] = {}
        stored: set[int] = set()
        cursor = int(raw) if raw is not None else None

        checked = self.store.get_cursor(unread_checked_name(self.store))
        unread_from = int(checked) if checked is not None else None

        def keep(n: int, page: Page[HistoryMessage]) -> None:
            fresh = {m.message_id.upper(): m for m in page.items}
            self.store.upsert_history(fresh.values(), unread_from=unread_from)
            seen.update(fresh)
            stored.add(n)
            newest[n] = max((to_unix(m.date) or 0 for m in page.items), default=0)
            if ordered:
                advance_cursor(stored_prefix())

        def stored_prefix() -> int:
            k = 0
            while k + 1 in stored:
                k += 1
            return k

        def advance_cursor(k: int) -> None:
            """Move the cursor to the newest date on pages 1..k (all stored)."""
            nonlocal cursor
            best = max((newest[i] for i in range(1, k + 1)), default=0)
            if best and (cursor is None or best > cursor):
                cursor = best
                self.store.set_cursor(name, str(cursor))

        ahead = self.concurrency - 1 if guess_first and raw is None else 0
        pages = await self.all_pages(lambda n: fetch_page(n, date_from, date_to), keep, ahead=ahead)
        if not ordered:
            await self.write(advance_cursor, pages)
        return pages, len(seen), cursor

    async def inbound(self) -> None:
        newest = 0
        started = int(time.time()) - CLOCK_MARGIN

        def store(page: Page[InboundMessage]) -> None:
            nonlocal newest
            self.store.upsert_inbound(page.items)
            newest = max([newest, *(to_unix(m.date) or 0 for m in page.items)])

        seen, settled = await self.unread_list(
            lambda n: self.service.inbound(page=n, limit=PAGE_SIZE),
            store,
            lambda m: m.message_id.upper(),
        )
        self.report.inbound = len(seen)
        if not settled:
            self.report.unsettled += ("inbound",)
            return
        # every reply unread then is stored: history may store older inbound records as read,
        # never one that arrived after this pass looked (it would never count as new)
        self.store.set_cursor(unread_checked_name(self.store), str(started))
        if newest:
            # only now that all are stored: a crash before this line just refetches them
            await self.call(lambda: self.service.mark_inbound_read(date_before=newest))

    async def receipts(self) -> None:
        newest = 0

        def store(page: Page[DeliveryReceipt]) -> None:
            nonlocal newest
            self.store.apply_receipts(page.items)
            dates = (to_unix(r.date) or to_unix(r.sent_at) or 0 for r in page.items)
            newest = max([newest, *dates])

        seen, settled = await self.unread_list(
            lambda n: self.service.receipts(page=n, limit=PAGE_SIZE),
            store,
            lambda r: r.message_id.upper(),
        )
        self.report.receipts = len(seen)
        if not settled:
            self.report.unsettled += ("receipts",)
        elif newest:
            await self.call(lambda: self.service.mark_receipts_read(date_before=newest))


async def sync_all(
    service: SyncService,
    store: Store,
    *,
    concurrency: int = 4,
    on_progress: ProgressCallback | None = None,
    overlap_seconds: int = 3600,
    gate: PauseGate | None = None,
    history: bool = True,
    inbound: bool = True,
    receipts: bool = True,
    mms: bool = True,
    voice: bool = True,
    channels: ChannelSyncService | None = None,
    facts: Facts | None = None,
) -> SyncReport:
    """Bring the store up to date with ClickSend.

    Inbound replies go first so that they are stored unread before history (which stores
    inbound records it meets as read) can see them; receipts go before history because a
    receipt for an unknown message simply waits in the store until its message arrives.
    MMS and voice (``smstui.core.delivery.sync_channels``) come last, through ``channels``; with an
    ``SmsService`` and no ``channels``, an ``MmsVoiceService`` over it. A refused or failing
    MMS/voice channel never fails the sync (see ``sync_channels``); ``facts`` remembers it.
    """
    if channels is None and isinstance(service, SmsService):
        channels = MmsVoiceService(service)
    run = _Sync(service, store, concurrency, on_progress, gate or PauseGate())
    try:
        # pages are written without their full-text index entries, which are added in one
        # batch at the end (per page, the index cost as much as the rest of the write)
        with store.deferred_index(index_at_end=False):
            if inbound:
                await run.inbound()
            if receipts:
                await run.receipts()
            if history:
                await run.history(overlap_seconds)
            if channels is not None and (mms or voice):
                await sync_channels(
                    run, channels, mms=mms, voice=voice, overlap=overlap_seconds, facts=facts
                )
    finally:
        try:
            # synced rows become searchable here (also after a failed sync, for the pages it
            # stored), on the writer thread: not the event loop
            await run.write(store.index_pending)
            # what the sync's parsing and writing freed goes back to the system, off the
            # event loop (smstui.core.native_heap: free memory glibc kept was what grew)
            await run.write(release_free_memory)
        finally:
            # a failed or cancelled sync still lets a page being written finish (it is
            # durable and consistent on its own), and nothing writes after sync_all returns
            run.writer.shutdown(wait=True)
    return run.report
