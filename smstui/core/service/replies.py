"""Replies: how many are unread, which arrived since the front-end last looked, and a
follower that hands each new one once (``smstui inbox --follow``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from smstui.core.service.results import Reply, reply_of

if TYPE_CHECKING:
    from smstui.core.errors import SmstuiError
    from smstui.core.service.follow import ReplyFollower
    from smstui.core.service.workspace import Workspace
    from smstui.core.store.optouts import KeywordScan


class RepliesPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        #: the message table's newest row when this workspace last reported new replies
        self._watermark: int | None = None

    def unread_count(self) -> int:
        """Unread replies in the local store (the Inbox tab's title; no network)."""
        from smstui.core.store.query import MessageFilter

        return self._ws._store().count(MessageFilter(direction="in", unread_only=True))

    def watch(self) -> None:
        """Start noticing replies from now on (the first call only; ``sync`` calls it)."""
        if self._watermark is None:
            self._watermark = self._ws._store().reply_watermark()

    def since_last_look(self) -> list[Reply]:
        """Unread replies stored (by any process) since the previous call, oldest first."""
        self.watch()
        assert self._watermark is not None
        rows, self._watermark = self._ws._store().unread_replies_after(self._watermark)
        return [reply_of(m) for m in rows]

    async def sync(self) -> KeywordScan:
        """A light sync for followers: only the inbound list (one or two requests when
        nothing is new), then the stop and start words of what arrived."""
        session = self._ws._session()
        await session.sync(history=False, receipts=False, mms=False, voice=False)
        return await asyncio.to_thread(self._ws.optouts.scan)

    def follower(
        self,
        *,
        consumer: str = "follow",
        interval: float = 10.0,
        on_error: Callable[[SmstuiError, float], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> ReplyFollower:
        """A follower handing each new reply once (remembered in the store per ``consumer``)."""
        from smstui.core.service.follow import ReplyFollower

        return ReplyFollower(
            self._ws, consumer=consumer, interval=interval, on_error=on_error, sleep=sleep
        )
