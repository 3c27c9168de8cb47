"""Outgoing messages: price and send any SMS, MMS or voice message through the session's
outboxes (exactly once), cancel a scheduled one, mark replies read, and sync."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from smstui.core.service.results import (
    Quote,
    RecipientResult,
    SyncResult,
    quote_of,
    recipient_result,
)

if TYPE_CHECKING:
    from smstui.core.clicksend.mms_voice import MmsVoiceService
    from smstui.core.models import OutgoingMms, OutgoingSms, OutgoingVoice, VoiceLanguage
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

    async def cancel(self, message_id: str) -> bool:
        session = self._ws._session()
        await (await session.service()).cancel(message_id)
        await session.sync(inbound=False, receipts=False)
        return True

    async def mark_read(self, message_ids: Sequence[str]) -> None:
        # local first: the unread mark goes at once even if the server call then fails
        session = self._ws._session()
        session.store().mark_inbound_read(message_ids)
        service = await session.service()
        for message_id in message_ids:
            await service.mark_inbound_read(message_id=message_id)

    async def sync(self) -> SyncResult:
        """Sync the store, then revisit sends whose outcome is unknown."""
        session = self._ws._session()
        replies = self._ws.replies
        replies.watch()  # the first sync reports the replies it brings in
        report = await session.sync()
        # replies saying STOP opt their sender out before anything else can be sent to them
        # (off the event loop: the first scan of an existing store reads every reply once)
        keywords = await asyncio.to_thread(self._ws.optouts.scan)
        reconciled = [recipient_result(r) for r in await session.reconcile_all()]
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
