"""Exactly-once MMS and voice: the SMS ``Outbox`` with another wire call and history.

Rows go into the same ``outbox`` table with ``kind = 'mms' | 'voice'`` and the channel's
own fields as JSON in ``extra``; tokens, commit-before-send, reconciliation and the single
automatic resend are the ``Outbox``'s, unchanged. Each ``ChannelOutbox`` only sees rows of
its own kind, so an SMS outbox never resends an MMS as an SMS.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal, Protocol

from smstui.core.delivery.outbox import Outbox, OutboxResult
from smstui.core.models import (
    HistoryMessage,
    OutgoingMms,
    OutgoingSms,
    OutgoingVoice,
    SendResult,
    SentMessage,
)
from smstui.core.store.contract import Store
from smstui.core.store.outbox_table import OutboxRow

ChannelKind = Literal["mms", "voice"]


class ChannelApi(Protocol):
    """The part of ``MmsVoiceService`` the outbox uses."""

    async def send_mms(self, messages: Sequence[OutgoingMms]) -> SendResult: ...

    async def send_voice(self, messages: Sequence[OutgoingVoice]) -> SendResult: ...

    async def price_mms(self, messages: Sequence[OutgoingMms]) -> SendResult: ...

    async def price_voice(self, messages: Sequence[OutgoingVoice]) -> SendResult: ...

    async def ready_to_write(self) -> None: ...

    async def find_by_custom_string(
        self, channel: str, custom_string: str, since: datetime | None
    ) -> list[HistoryMessage]: ...


class _ChannelLookup:
    """Adapts ``ChannelApi`` to the ``SendService`` shape ``Outbox`` expects."""

    def __init__(self, api: ChannelApi, kind: ChannelKind) -> None:
        self.api = api
        self.kind = kind

    async def send(self, messages: Sequence[OutgoingSms]) -> SendResult:
        raise TypeError("a channel outbox sends through ChannelOutbox._send_batch")

    async def price(self, messages: Sequence[OutgoingSms]) -> SendResult:
        raise TypeError("a channel outbox prices through ChannelOutbox._price_batch")

    async def ready_to_write(self) -> None:
        await self.api.ready_to_write()

    async def find_by_custom_string(
        self, custom_string: str, since: datetime | None
    ) -> list[HistoryMessage]:
        return await self.api.find_by_custom_string(self.kind, custom_string, since)


def _plain(m: OutgoingMms | OutgoingVoice, sender: str | None) -> OutgoingSms:
    return OutgoingSms(
        to=m.to,
        body=m.body,
        sender=sender,
        schedule=m.schedule,
        custom_string=m.custom_string,
        country=m.country,
    )


def mms_row(m: OutgoingMms) -> tuple[OutgoingSms, str]:
    return _plain(m, m.sender), json.dumps({"subject": m.subject, "media_url": m.media_url})


def voice_row(m: OutgoingVoice) -> tuple[OutgoingSms, str]:
    extra = {
        "voice": m.voice,
        "lang": m.lang,
        "require_input": m.require_input,
        "machine_detection": m.machine_detection,
    }
    return _plain(m, None), json.dumps(extra)


def _extra(row: OutboxRow) -> dict[str, Any]:
    try:
        value = json.loads(row.extra or "{}")
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}


def mms_of(row: OutboxRow) -> OutgoingMms:
    """The MMS as it goes on the wire: our token travels as ClickSend's custom_string."""
    extra = _extra(row)
    return OutgoingMms(
        to=row.to,
        body=row.body,
        subject=str(extra.get("subject", "")),
        media_url=str(extra.get("media_url", "")),
        sender=row.sender,
        schedule=row.schedule,
        custom_string=row.token,
        country=row.country,
    )


def voice_of(row: OutboxRow) -> OutgoingVoice:
    extra = _extra(row)
    return OutgoingVoice(
        to=row.to,
        body=row.body,
        voice="male" if extra.get("voice") == "male" else "female",
        lang=str(extra.get("lang", "en-au")),
        require_input=bool(extra.get("require_input")),
        machine_detection=bool(extra.get("machine_detection")),
        schedule=row.schedule,
        custom_string=row.token,
        country=row.country,
    )


class ChannelOutbox(Outbox):
    def __init__(
        self,
        store: Store,
        api: ChannelApi,
        kind: ChannelKind,
        **kwargs: Any,
    ) -> None:
        super().__init__(store, _ChannelLookup(api, kind), **kwargs)
        self.api = api
        self.kind: ChannelKind = kind
        self.table = store.outbox_table(kind)

    async def send_mms(self, messages: Sequence[OutgoingMms]) -> list[OutboxResult]:
        if self.kind != "mms":
            raise TypeError("this outbox sends voice messages")
        return await self._add_and_send([mms_row(m) for m in messages])

    async def send_voice(self, messages: Sequence[OutgoingVoice]) -> list[OutboxResult]:
        if self.kind != "voice":
            raise TypeError("this outbox sends MMS")
        return await self._add_and_send([voice_row(m) for m in messages])

    async def send(self, messages: list[OutgoingSms]) -> list[OutboxResult]:
        raise TypeError("use send_mms or send_voice")

    async def _add_and_send(self, items: list[tuple[OutgoingSms, str]]) -> list[OutboxResult]:
        if not items:
            return []
        now = int(self.clock())
        rows = self.table.add(
            ((self.token_factory(), sms) for sms, _ in items),
            now=now,
            extras=[extra for _, extra in items],
        )
        return await self._send_rows(rows)

    async def _send_batch(self, batch: list[OutboxRow]) -> SendResult:
        if self.kind == "mms":
            return await self.api.send_mms([mms_of(r) for r in batch])
        return await self.api.send_voice([voice_of(r) for r in batch])

    async def _price_batch(self, batch: list[OutboxRow]) -> SendResult:
        if self.kind == "mms":
            return await self.api.price_mms([mms_of(r) for r in batch])
        return await self.api.price_voice([voice_of(r) for r in batch])

    def _history_of(self, row: OutboxRow, sent: SentMessage) -> HistoryMessage:
        return replace(super()._history_of(row, sent), channel=self.kind)
