"""Sync of MMS and voice history and voice receipts (the SMS part is ``smstui.core.delivery.sync``).

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

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Protocol

from smstui.core.clicksend.account_facts import Facts
from smstui.core.errors import (
    AuthError,
    ClickSendError,
    ConnectionUnusable,
    MembraneNotFound,
    SmstuiError,
)
from smstui.core.models import DeliveryReceipt, HistoryMessage, Page

if TYPE_CHECKING:
    from smstui.core.delivery.sync import _Sync

log = logging.getLogger("smstui.sync")

PAGE_SIZE = 100
#: a channel the account refuses is asked again after an hour (it rarely changes)
REFUSED_TTL = 3600.0
#: one that failed otherwise (timeouts, 5xx, answers we cannot read) after ten minutes
FAILING_TTL = 600.0


class ChannelSyncService(Protocol):
    """MMS and voice listings (``smstui.core.clicksend.mms_voice.MmsVoiceService``)."""

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


def fact_name(channel: str) -> str:
    return f"channel_unavailable:{channel}"


def is_refusal(err: SmstuiError) -> bool:
    """ClickSend saying the account cannot use the channel (as opposed to a passing fault)."""
    if not isinstance(err, ClickSendError):
        return False
    return err.http_status in (400, 401, 403, 404) or "not enabled" in err.message.lower()


async def sync_channels(
    run: _Sync,
    channels: ChannelSyncService,
    *,
    mms: bool,
    voice: bool,
    overlap: int,
    facts: Facts | None = None,
) -> None:
    """Store MMS and voice history and voice receipts; counts go to ``run.report``.

    Each channel stands alone: one the account refuses (403, 404, "not enabled") or that
    fails is recorded in ``report.channel_failures`` and remembered in ``facts`` (refused:
    ``REFUSED_TTL``, failing: ``FAILING_TTL``), during which later syncs skip it and list it
    in ``report.channels_skipped``; what was already synced stays synced. A broken
    connection or bad credentials still fail the whole sync (nothing else would work).
    """
    wanted = {"mms": (mms, _mms), "voice": (voice, _voice)}
    for channel, (on, sync_one) in wanted.items():
        if not on:
            continue
        if facts is not None and facts.recall(fact_name(channel)) is not None:
            run.report.channels_skipped += (channel,)
            continue
        try:
            await sync_one(run, channels, overlap)
        except (AuthError, ConnectionUnusable, MembraneNotFound):
            raise
        except SmstuiError as err:
            refused = is_refusal(err)
            reason = err.message or type(err).__name__
            log.info("%s sync %s: %s", channel, "refused" if refused else "failed", reason)
            run.report.channel_failures[channel] = reason
            if facts is not None:
                ttl = REFUSED_TTL if refused else FAILING_TTL
                facts.remember(fact_name(channel), {"reason": reason, "refused": refused}, ttl=ttl)


async def _voice(run: _Sync, channels: ChannelSyncService, overlap: int) -> None:
    seen: set[str] = set()

    def keep(_n: int, page: Page[DeliveryReceipt]) -> None:
        run.store.apply_receipts(page.items)
        seen.update(r.message_id.upper() for r in page.items)

    await run.all_pages(partial(channels.voice_receipts, limit=PAGE_SIZE), keep)
    run.report.voice_receipts = len(seen)
    name = run.cursor_name("voice")
    _, ids, _ = await run.dated_history(
        name, _pager(channels.voice_history), overlap, ordered=False
    )
    run.report.voice_messages = ids


async def _mms(run: _Sync, channels: ChannelSyncService, overlap: int) -> None:
    name = run.cursor_name("mms")
    _, ids, _ = await run.dated_history(name, _pager(channels.mms_history), overlap, ordered=False)
    run.report.mms_messages = ids
