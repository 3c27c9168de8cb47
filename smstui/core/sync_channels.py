"""Sync of MMS and voice history and voice receipts (the SMS part is ``smstui.core.sync``).

ClickSend keeps MMS and voice apart from SMS (``/mms/history``, ``/voice/history``,
``/voice/receipts``); without these, History would show only what this app sent. Both
histories are read incrementally from their own cursor, like SMS history, but their order is
not documented, so a cursor moves only once a whole listing is stored (a crash half-way reads
the same window again; the store de-duplicates by message id). Voice receipts are merged like
SMS receipts (one arriving before its message waits in the store). They are not marked read:
the reference lists no ``receipts-read`` endpoint for voice, so each sync reads them again,
which is harmless because a receipt never overwrites a newer one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Protocol

from smstui.core.models import DeliveryReceipt, HistoryMessage, Page

if TYPE_CHECKING:
    from smstui.core.sync import _Sync

PAGE_SIZE = 100


class ChannelSyncService(Protocol):
    """MMS and voice listings (``smstui.core.mms_voice.MmsVoiceService``)."""

    async def mms_history(
        self,
        page: int = 1,
        limit: int = 100,
        date_from: datetime | int | None = None,
        date_to: datetime | int | None = None,
    ) -> Page[HistoryMessage]: ...

    async def voice_history(
        self,
        page: int = 1,
        limit: int = 100,
        date_from: datetime | int | None = None,
        date_to: datetime | int | None = None,
    ) -> Page[HistoryMessage]: ...

    async def voice_receipts(self, page: int = 1, limit: int = 100) -> Page[DeliveryReceipt]: ...


HistoryFetch = Callable[..., Awaitable[Page[HistoryMessage]]]


def _pager(
    fetch: HistoryFetch,
) -> Callable[[int, datetime | None, int], Awaitable[Page[HistoryMessage]]]:
    def page(n: int, date_from: datetime | None, date_to: int) -> Awaitable[Page[HistoryMessage]]:
        return fetch(page=n, limit=PAGE_SIZE, date_from=date_from, date_to=date_to)

    return page


async def sync_channels(
    run: _Sync,
    channels: ChannelSyncService,
    *,
    mms: bool,
    voice: bool,
    overlap: int,
) -> None:
    """Store MMS and voice history and voice receipts; counts go to ``run.report``."""
    report = run.report
    if voice:
        seen: set[str] = set()

        def keep(_n: int, page: Page[DeliveryReceipt]) -> None:
            run.store.apply_receipts(page.items)
            seen.update(r.message_id.upper() for r in page.items)

        await run.all_pages(partial(channels.voice_receipts, limit=PAGE_SIZE), keep)
        report.voice_receipts = len(seen)
    if mms:
        name = run.cursor_name("mms")
        _, ids, _ = await run.dated_history(
            name, _pager(channels.mms_history), overlap, ordered=False
        )
        report.mms_messages = ids
    if voice:
        name = run.cursor_name("voice")
        _, ids, _ = await run.dated_history(
            name, _pager(channels.voice_history), overlap, ordered=False
        )
        report.voice_messages = ids
