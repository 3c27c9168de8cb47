"""MMS and voice (text-to-speech) messages: checks, price, send, history, languages.

Sending for real goes through ``ChannelOutbox`` (``smstui.core.delivery.outbox_channels``) so MMS and
voice are exactly-once like SMS; this service is the wire layer it calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from smstui.core.clicksend import parse as cs
from smstui.core.clicksend.api import ClickSendApi
from smstui.core.clicksend.history_lookup import find_in_history
from smstui.core.clicksend.sms import MAX_PER_REQUEST, SOURCE
from smstui.core.clicksend.voice_parse import parse_channel_history, parse_languages
from smstui.core.clicksend.wire import clamp_limit, segment, unix
from smstui.core.errors import ValidationError
from smstui.core.models import (
    DeliveryReceipt,
    HistoryMessage,
    OutgoingMms,
    OutgoingVoice,
    Page,
    SendResult,
    VoiceLanguage,
)
from smstui.core.sms_text import mms_limit, normalise_newlines, voice_limit

MAX_SUBJECT = 20
#: ClickSend takes jpg/gif as they are; other images must be converted through /uploads first
DIRECT_MEDIA = (".jpg", ".gif")
MAX_SEARCH_PAGES = 50


# --------------------------------------------------------------------------- checks


def check_mms(message: OutgoingMms) -> OutgoingMms:
    """The message with its newlines normalised, or ``ValidationError`` naming the field."""
    body = normalise_newlines(message.body)
    if not body.strip():
        raise ValidationError("The MMS text is empty.", field="body")
    if len(body) > mms_limit(body):
        raise ValidationError(
            f"The MMS text has {len(body)} characters; at most {mms_limit(body)} fit "
            "(ClickSend would cut the rest).",
            field="body",
        )
    subject = message.subject.strip()
    if not subject:
        raise ValidationError("An MMS needs a subject.", field="subject")
    if len(subject) > MAX_SUBJECT:
        raise ValidationError(
            f"The subject has {len(subject)} characters; at most {MAX_SUBJECT}.", field="subject"
        )
    url = urlsplit(message.media_url.strip())
    if url.scheme not in ("http", "https") or not url.netloc:
        raise ValidationError("The media file must be an http(s) URL.", field="media")
    if not url.path.lower().endswith(DIRECT_MEDIA):
        raise ValidationError(
            "ClickSend sends .jpg and .gif files directly; convert other images first.",
            field="media",
        )
    return OutgoingMms(
        to=message.to,
        body=body,
        subject=subject,
        media_url=message.media_url.strip(),
        sender=message.sender,
        schedule=message.schedule,
        custom_string=message.custom_string,
        country=message.country,
    )


def check_voice(
    message: OutgoingVoice, languages: Sequence[VoiceLanguage] | None = None
) -> OutgoingVoice:
    """Checks a voice message; with ``languages`` also that the language has that voice."""
    body = normalise_newlines(message.body)
    if not body.strip():
        raise ValidationError("The voice message is empty.", field="body")
    if len(body) > voice_limit(body):
        raise ValidationError(
            f"The voice message has {len(body)} characters; at most {voice_limit(body)} "
            "are read out (ClickSend would cut the rest).",
            field="body",
        )
    if message.voice not in ("female", "male"):
        raise ValidationError("The voice must be female or male.", field="voice")
    lang = message.lang.strip().lower()
    if languages is not None:
        found = next((lg for lg in languages if lg.code == lang), None)
        if found is None:
            raise ValidationError(f"ClickSend has no voice language {lang!r}.", field="lang")
        if message.voice not in found.genders:
            raise ValidationError(
                f"INVALID_VOICE: {found.name or lang} has only a "
                f"{' or '.join(found.genders)} voice.",
                field="voice",
            )
    return OutgoingVoice(
        to=message.to,
        body=body,
        voice=message.voice,
        lang=lang,
        require_input=message.require_input,
        machine_detection=message.machine_detection,
        schedule=message.schedule,
        custom_string=message.custom_string,
        country=message.country,
    )


# --------------------------------------------------------------------------- wire JSON


def _common(item: dict[str, Any], m: OutgoingMms | OutgoingVoice) -> dict[str, Any]:
    if m.schedule is not None:
        item["schedule"] = unix(m.schedule)
    if m.custom_string is not None:
        item["custom_string"] = m.custom_string
    if m.country:
        item["country"] = m.country
    item["source"] = SOURCE
    return item


def mms_json(m: OutgoingMms) -> dict[str, Any]:
    item: dict[str, Any] = {"to": m.to, "subject": m.subject, "body": m.body}
    if m.sender:
        item["from"] = m.sender
    return _common(item, m)


def voice_json(m: OutgoingVoice) -> dict[str, Any]:
    item: dict[str, Any] = {
        "to": m.to,
        "body": m.body,
        "voice": m.voice,
        "lang": m.lang,
        "require_input": 1 if m.require_input else 0,
        "machine_detection": 1 if m.machine_detection else 0,
    }
    return _common(item, m)


def _history_params(
    page: int, limit: int, date_from: datetime | int | None, date_to: datetime | int | None
) -> dict[str, Any]:
    # the SDKs' mms_history_get/voice_history_get take date_from/date_to (Unix time)
    params: dict[str, Any] = {"page": max(1, page), "limit": clamp_limit(limit)}
    if date_from is not None:
        params["date_from"] = unix(date_from)
    if date_to is not None:
        params["date_to"] = unix(date_to)
    return params


# --------------------------------------------------------------------------- service


class MmsVoiceService:
    def __init__(self, api: ClickSendApi) -> None:
        self._api = api

    # ------------------------------------------------------------------ MMS

    async def ready_to_write(self) -> None:
        await self._api.ready_to_write()

    async def price_mms(self, messages: Sequence[OutgoingMms]) -> SendResult:
        return await self._mms("/mms/price", messages, is_send=False)

    async def send_mms(self, messages: Sequence[OutgoingMms]) -> SendResult:
        """One request per media file (``media_file`` is top level) and per 1,000."""
        return await self._mms("/mms/send", messages, is_send=True)

    async def _mms(
        self, path: str, messages: Sequence[OutgoingMms], *, is_send: bool
    ) -> SendResult:
        if not messages:
            raise ValidationError("There is no message to send.", field="to")
        by_media: dict[str, list[OutgoingMms]] = {}
        for m in messages:
            by_media.setdefault(m.media_url, []).append(m)
        bodies = (
            {
                "media_file": media,
                "messages": [mms_json(m) for m in group[start : start + MAX_PER_REQUEST]],
            }
            for media, group in by_media.items()
            for start in range(0, len(group), MAX_PER_REQUEST)
        )
        return await self._api.post_batches(path, bodies, is_send=is_send)

    async def mms_history(
        self,
        page: int = 1,
        limit: int = 100,
        date_from: datetime | int | None = None,
        date_to: datetime | int | None = None,
    ) -> Page[HistoryMessage]:
        params = _history_params(page, limit, date_from, date_to)
        return parse_channel_history((await self._api.read("/mms/history", params)).data, "mms")

    # ------------------------------------------------------------------ voice

    async def languages(self) -> list[VoiceLanguage]:
        return parse_languages((await self._api.read("/voice/lang")).data)

    async def price_voice(self, messages: Sequence[OutgoingVoice]) -> SendResult:
        return await self._voice("/voice/price", messages, is_send=False)

    async def send_voice(self, messages: Sequence[OutgoingVoice]) -> SendResult:
        return await self._voice("/voice/send", messages, is_send=True)

    async def _voice(
        self, path: str, messages: Sequence[OutgoingVoice], *, is_send: bool
    ) -> SendResult:
        if not messages:
            raise ValidationError("There is no message to send.", field="to")
        bodies = (
            {"messages": [voice_json(m) for m in messages[start : start + MAX_PER_REQUEST]]}
            for start in range(0, len(messages), MAX_PER_REQUEST)
        )
        return await self._api.post_batches(path, bodies, is_send=is_send)

    async def voice_history(
        self,
        page: int = 1,
        limit: int = 100,
        date_from: datetime | int | None = None,
        date_to: datetime | int | None = None,
    ) -> Page[HistoryMessage]:
        params = _history_params(page, limit, date_from, date_to)
        data = (await self._api.read("/voice/history", params)).data
        return parse_channel_history(data, "voice")

    async def voice_receipts(self, page: int = 1, limit: int = 100) -> Page[DeliveryReceipt]:
        params = {"page": max(1, page), "limit": clamp_limit(limit)}
        return cs.parse_receipts_page((await self._api.read("/voice/receipts", params)).data)

    async def cancel_voice(self, message_id: str) -> None:
        await self._api.write("PUT", f"/voice/{segment(message_id)}/cancel")

    async def cancel_all_voice(self) -> int:
        """Cancel every scheduled voice call; returns how many were cancelled."""
        return cs.parse_count(await self._api.write("PUT", "/voice/cancel-all"))

    # ------------------------------------------------------------------ shared

    async def find_by_custom_string(
        self, channel: str, custom_string: str, since: datetime | None
    ) -> list[HistoryMessage]:
        """Reconciliation: history records of ``channel`` carrying ``custom_string``.

        The MMS and voice history endpoints document no search, sort or date filter, so
        every page is read (up to ``MAX_SEARCH_PAGES``): stopping early on a guessed order
        could miss a sent message and resend it. ``since`` is accepted for the outbox's
        protocol and not used.
        """
        path = "/mms/history" if channel == "mms" else "/voice/history"

        async def fetch(page_no: int) -> Any:
            return (await self._api.read(path, {"page": page_no, "limit": 100})).data

        def parse(raw: dict[str, Any]) -> HistoryMessage | None:
            found = cs.parse_history_record(raw)
            return None if found is None else replace(found, channel=channel)

        # strict: an unreadable or partial listing raises instead of meaning "not sent"
        return await find_in_history(
            fetch,
            parse,
            lambda m: m.custom_string == custom_string,
            limit=100,
            max_pages=MAX_SEARCH_PAGES,
        )
