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
    from smstui.core.store.marks import HandledMark
    from smstui.core.store.optouts import KeywordScan


class RepliesPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        #: the message table's newest row when this workspace last reported new replies
        self._watermark: int | None = None

    def unread_count(self) -> int:
        """Replies this operator has not read, in the store (the Inbox tab's title; no
        network). On the team store each operator has their own (``store.marks``)."""
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

    # ------------------------------------------------------------------ handled

    def mark_handled(self, number: str, *, handled: bool = True) -> HandledMark | None:
        """Mark the conversation with ``number`` handled by this operator (now), or not
        handled any more (``handled=False``, whoever marked it). A reply that arrives after
        the mark clears it: the customer wrote again. Returns the mark now in place.

        ``number`` as typed (read like any number, ``ValidationError`` when it is none) or
        as a message shows it (an alphanumeric sender is taken as is)."""
        return self._ws._store().mark_handled(self.conversation_number(number), handled=handled)

    def handled(self, number: str) -> HandledMark | None:
        """Who marked the conversation with ``number`` handled, and when (None: nobody, or
        a reply came since)."""
        return self._ws._store().handled_mark(self.conversation_number(number))

    def conversation_number(self, raw: str) -> str:
        """The number a conversation is kept under: ``raw`` read as a phone number (E.164),
        or as given when it is a sender the store has messages from (a name)."""
        from smstui.core.errors import ValidationError
        from smstui.core.phone import normalise_number
        from smstui.core.store.query import MessageFilter

        try:
            return normalise_number(raw, self._ws.default_region)
        except ValidationError:
            # a sender that is a name, not a number, is a conversation all the same
            if raw and self._ws._store().count(MessageFilter(number=raw)):
                return raw
            raise

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
