"""The terms a sync works in: what it asks of ClickSend (``SyncService``), what it reports
(``SyncReport``), how it paces itself after a 429 (``PauseGate``) and where it keeps its
cursors in the store. Split from ``sync.py``, which does the syncing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from smstui.core.models import DeliveryReceipt, HistoryMessage, InboundMessage, Page
from smstui.core.store.contract import Store


class SyncService(Protocol):
    async def history(
        self,
        page: int = 1,
        limit: int = 100,
        date_from: datetime | int | None = None,
        date_to: datetime | int | None = None,
        q: str | None = None,
        order_by: str | None = None,
    ) -> Page[HistoryMessage]: ...

    async def inbound(self, page: int = 1, limit: int = 100) -> Page[InboundMessage]: ...

    async def receipts(self, page: int = 1, limit: int = 100) -> Page[DeliveryReceipt]: ...

    async def mark_inbound_read(
        self, message_id: str | None = None, date_before: datetime | int | None = None
    ) -> int: ...

    async def mark_receipts_read(self, date_before: datetime | int | None = None) -> int: ...


@dataclass(slots=True)
class SyncReport:
    history_pages: int = 0
    history_messages: int = 0  # distinct message ids fetched
    inbound: int = 0
    receipts: int = 0
    mms_messages: int = 0  # distinct MMS ids fetched
    voice_messages: int = 0
    voice_receipts: int = 0
    rate_limited: int = 0  # 429s met (each paused the whole sync)
    #: unread lists ("inbound", "receipts") left unmarked because they kept changing
    unsettled: tuple[str, ...] = ()
    #: secondary channels ("mms", "voice") that failed or were refused in this sync: why
    channel_failures: dict[str, str] = field(default_factory=dict)
    #: channels not asked this time: they failed recently (remembered in the account facts)
    channels_skipped: tuple[str, ...] = ()
    history_cursor: int | None = None  # unix time the next sync starts from (minus overlap)
    #: another process sharing the team store was syncing this account: this round asked
    #: ClickSend nothing and the store holds what that process stores
    skipped: bool = False


class PauseGate:
    """One shared pause for every worker: a 429 on any request slows the whole sync."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self._until = 0.0

    def pause(self, seconds: float) -> None:
        self._until = max(self._until, self.clock() + max(0.0, seconds))

    async def wait(self) -> None:
        while (left := self._until - self.clock()) > 0:
            await self.sleep(left)


def history_cursor_name(store: Store, channel: str = "sms") -> str:
    prefix = "history" if channel == "sms" else f"{channel}_history"
    return f"{prefix}:{store.account}"


def unread_checked_name(store: Store) -> str:
    """The cursor holding when the last settled pass over the unread list started."""
    return f"inbound_checked:{store.account}"


#: seconds taken off the local clock when noting an unread-list pass's start: ClickSend dates
#: replies by its own clock; a reply dated a little early by a skewed clock is still caught
CLOCK_MARGIN = 120
