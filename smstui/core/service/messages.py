"""Outgoing messages: price and send any SMS, MMS or voice message through the session's
outboxes (exactly once), cancel a scheduled one, mark replies read, and sync."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from smstui.core.service.results import (
    Quote,
    RecipientResult,
    SyncResult,
    quote_of,
    recipient_result,
)

if TYPE_CHECKING:
    from smstui.core.clicksend.mms_voice import MmsVoiceService
    from smstui.core.models import (
        DeliveryReceipt,
        OutgoingMms,
        OutgoingSms,
        OutgoingVoice,
        SendResult,
        VoiceLanguage,
    )
    from smstui.core.service.workspace import Workspace


class MessagesPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        #: the voice language list changes rarely: asked once per connection (a switched
        #: connection gets a fresh workspace)
        self._languages: list[VoiceLanguage] | None = None

    # ------------------------------------------------------------------ SMS

    async def price(self, messages: Sequence[OutgoingSms]) -> Quote:
        service = await self._ws._session().service()
        return quote_of(await service.price(messages))

    async def send(
        self, messages: Sequence[OutgoingSms], *, include_opted_out: bool = False
    ) -> list[RecipientResult]:
        """Send through the outbox: each message is recorded before it leaves and never
        resent blindly (see ``smstui.core.delivery.outbox``).

        Raises ``OptedOutError`` (nothing recorded, nothing sent) when a recipient opted out,
        unless ``include_opted_out`` (the user vouches: a transactional message)."""
        self._ws.optouts.check([m.to for m in messages], include_opted_out=include_opted_out)
        outbox = await self._ws._session().outbox()
        return [recipient_result(r) for r in await outbox.send(list(messages))]

    async def cancel(self, message_id: str, *, sync: bool = True) -> bool:
        """Cancel one scheduled SMS; ``sync`` then refreshes its row in the local history
        (``smstui cancel`` does not: a cancel that worked must not read as failed)."""
        session = self._ws._session()
        await (await session.service()).cancel(message_id)
        if sync:
            await session.sync(inbound=False, receipts=False)
        return True

    async def cancel_all(self) -> int:
        """Cancel every scheduled SMS; how many were cancelled."""
        return await (await self._ws._session().service()).cancel_all()

    async def mark_read(self, message_ids: Sequence[str]) -> None:
        # local first: the unread mark goes at once even if the server call then fails
        session = self._ws._session()
        session.store().mark_inbound_read(message_ids)
        service = await session.service()
        for message_id in message_ids:
            await service.mark_inbound_read(message_id=message_id)

    async def sync(self, *, history: bool = True, reconcile: bool = True) -> SyncResult:
        """Sync the store (``history=False``: replies and receipts only), then revisit sends
        whose outcome is unknown (unless ``reconcile=False``: the CLI's reads only read)."""
        session = self._ws._session()
        replies = self._ws.replies
        replies.watch()  # the first sync reports the replies it brings in
        report = await session.sync(history=history)
        # replies saying STOP opt their sender out before anything else can be sent to them
        # (off the event loop: the first scan of an existing store reads every reply once)
        keywords = await asyncio.to_thread(self._ws.optouts.scan)
        reconciled = (
            [recipient_result(r) for r in await session.reconcile_all()] if reconcile else []
        )
        changed = report.history_messages + report.inbound + report.receipts
        return SyncResult(
            changed=changed,
            reconciled=reconciled,
            channel_failures=dict(report.channel_failures),
            channels_unavailable=(*report.channel_failures, *report.channels_skipped),
            new_replies=tuple(replies.since_last_look()),
            opted_out=tuple(e.number for e in keywords.added),
            opted_in=tuple(keywords.removed),
        )

    # ------------------------------------------------------------------ MMS and voice

    async def _channels(self) -> MmsVoiceService:
        from smstui.core.clicksend.mms_voice import MmsVoiceService

        return MmsVoiceService(await self._ws._session().service())

    async def languages(self) -> list[VoiceLanguage]:
        if self._languages is None:
            self._languages = list(await (await self._channels()).languages())
        return self._languages

    async def price_mms(self, messages: Sequence[OutgoingMms]) -> Quote:
        return quote_of(await (await self._channels()).price_mms(messages))

    async def send_mms(
        self, messages: Sequence[OutgoingMms], *, include_opted_out: bool = False
    ) -> list[RecipientResult]:
        """Like ``send`` (opt-outs refused the same way), through the MMS outbox."""
        self._ws.optouts.check([m.to for m in messages], include_opted_out=include_opted_out)
        # the session's own outbox: the sync worker reconciles this same instance, which
        # knows which rows it is sending right now
        outbox = await self._ws._session().channel_outbox("mms")
        return [recipient_result(r) for r in await outbox.send_mms(messages)]

    async def price_voice(self, messages: Sequence[OutgoingVoice]) -> Quote:
        return quote_of(await (await self._channels()).price_voice(messages))

    async def send_voice(
        self, messages: Sequence[OutgoingVoice], *, include_opted_out: bool = False
    ) -> list[RecipientResult]:
        """Like ``send`` (opt-outs refused the same way: a call is a message), by voice."""
        self._ws.optouts.check([m.to for m in messages], include_opted_out=include_opted_out)
        outbox = await self._ws._session().channel_outbox("voice")
        return [recipient_result(r) for r in await outbox.send_voice(messages)]

    async def cancel_voice(self, message_id: str) -> None:
        await (await self._channels()).cancel_voice(message_id)

    async def cancel_all_voice(self) -> int:
        return await (await self._channels()).cancel_all_voice()

    # ------------------------------------------------------------------ details

    async def price_each(
        self, messages: Sequence[OutgoingSms] | Sequence[OutgoingMms] | Sequence[OutgoingVoice]
    ) -> SendResult:
        """ClickSend's full price answer, message by message (the CLI prints each line);
        the channel is the messages' own (SMS when the list is empty). Sends nothing."""
        from smstui.core.models import OutgoingMms, OutgoingVoice

        first = messages[0] if messages else None
        if isinstance(first, OutgoingMms):
            return await (await self._channels()).price_mms(cast("list[OutgoingMms]", messages))
        if isinstance(first, OutgoingVoice):
            channels = await self._channels()
            return await channels.price_voice(cast("list[OutgoingVoice]", messages))
        service = await self._ws._session().service()
        return await service.price(cast("list[OutgoingSms]", messages))

    async def receipts(self, limit: int) -> list[DeliveryReceipt]:
        """The latest delivery receipts ClickSend lists (at most ``limit``, one page)."""
        service = await self._ws._session().service()
        page = await service.receipts(limit=max(1, min(limit, 100)))
        return page.items[:limit]
