"""What Compose sends: a checked draft -> recipients (lists expanded) -> messages -> price/send.

A picked list counts as its members: their numbers are fetched (once per list while Compose
is open) and merged with the typed numbers, de-duplicated in order, before pricing, so the
estimate and the confirmation show what will really be billed. SMS goes through the app's
``Backend`` (its ``Outbox``); MMS and voice through ``BeyondBackend`` (``ChannelOutbox``), so
every channel is sent exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from rich.text import Text

from smstui.core.models import ContactList, OutgoingMms, OutgoingSms, OutgoingVoice, VoiceLanguage
from smstui.core.service import Quote, RecipientResult
from smstui.core.service.contacts import ContactsPart
from smstui.core.service.messages import MessagesPart
from smstui.core.sms_text import segments_for, voice_credits
from smstui.ui.compose_channels import (
    MODE_TITLES,
    MmsFields,
    Mode,
    Outgoing,
    VoiceFields,
    build_outgoing,
)
from smstui.ui.safe_text import plain

#: numbers listed in the confirmation before "and N more"
SHOWN_NUMBERS = 10


@dataclass(frozen=True, slots=True)
class ComposeDraft:
    mode: Mode
    numbers: list[str]  # typed, already E.164
    lists: list[ContactList]
    body: str
    sender: str | None = None
    schedule: datetime | None = None
    mms: MmsFields = field(default_factory=lambda: MmsFields("", ""))
    voice: VoiceFields = field(default_factory=lambda: VoiceFields("female", "en-au", False, False))
    #: typed numbers (E.164, also in ``numbers``) in ranges the phone library does not know:
    #: sent only after the user confirmed them (ClickSend decides)
    unknown_ranges: list[str] = field(default_factory=list)


class MemberCache:
    """Member numbers of the lists picked in Compose, fetched once each.

    Bounded by the draft: only lists picked in the draft being sent are kept (a list unpicked
    is dropped at the next price or send)."""

    def __init__(self) -> None:
        self._numbers: dict[str, list[str]] = {}

    def forget(self, list_id: str | None = None) -> None:
        if list_id is None:
            self._numbers.clear()
        else:
            self._numbers.pop(list_id, None)

    async def recipients(self, draft: ComposeDraft, beyond: ContactsPart) -> list[str]:
        seen: dict[str, None] = dict.fromkeys(draft.numbers)
        for stale in self._numbers.keys() - {item.list_id for item in draft.lists}:
            del self._numbers[stale]
        for item in draft.lists:
            if item.list_id not in self._numbers:
                self._numbers[item.list_id] = await beyond.member_numbers(item.list_id)
            for number in self._numbers[item.list_id]:
                seen.setdefault(number, None)
        return list(seen)


def messages_for(
    draft: ComposeDraft, numbers: Sequence[str], languages: Sequence[VoiceLanguage] | None
) -> list[Outgoing]:
    return build_outgoing(
        draft.mode,
        numbers,
        draft.body,
        sender=draft.sender,
        schedule=draft.schedule,
        mms=draft.mms,
        voice=draft.voice,
        languages=languages,
    )


async def price(
    mode: Mode, messages: list[Outgoing], backend: MessagesPart, beyond: MessagesPart
) -> Quote:
    if mode == "mms":
        return await beyond.price_mms(cast("list[OutgoingMms]", messages))
    if mode == "voice":
        return await beyond.price_voice(cast("list[OutgoingVoice]", messages))
    return await backend.price(cast("list[OutgoingSms]", messages))


async def send(
    mode: Mode, messages: list[Outgoing], backend: MessagesPart, beyond: MessagesPart
) -> list[RecipientResult]:
    if mode == "mms":
        return await beyond.send_mms(cast("list[OutgoingMms]", messages))
    if mode == "voice":
        return await beyond.send_voice(cast("list[OutgoingVoice]", messages))
    return await backend.send(cast("list[OutgoingSms]", messages))


def quote_text(quote: Quote, mode: Mode = "sms") -> str:
    unit = "credit(s)" if mode == "voice" else "part(s)" if mode == "sms" else "message(s)"
    return f"Estimate: {quote.total:.4f} {quote.currency} for {quote.parts} {unit}"


def confirm_text(draft: ComposeDraft, messages: Sequence[Outgoing], quote: Quote, cap: int) -> Text:
    body = Text(end="")
    body.append(f"{MODE_TITLES[draft.mode]} to: ", style="bold")
    numbers = [m.to for m in messages]
    body.append_text(plain(", ".join(numbers[:SHOWN_NUMBERS])))
    if len(numbers) > SHOWN_NUMBERS:
        body.append(f" and {len(numbers) - SHOWN_NUMBERS:,} more")
    for item in draft.lists:
        body.append("\nList ")
        body.append_text(plain(item.name, "bold"))
        body.append(f" ({item.contacts_count:,} contacts)")
    text = messages[0].body if messages else draft.body
    if draft.mode == "sms":
        info = segments_for(text, part_cap=cap)
        body.append(f"\n{info.parts} part(s) each, {info.encoding}")
    elif draft.mode == "mms":
        body.append("\nSubject: ")
        body.append_text(plain(draft.mms.subject))
        body.append("\nMedia: ")
        body.append_text(plain(draft.mms.media_url))
    else:
        body.append(f"\n{voice_credits(text)} credit(s) each, {draft.voice.voice} voice, ")
        body.append_text(plain(draft.voice.lang))
    if draft.schedule:
        body.append(f"\nScheduled for {draft.schedule.astimezone():%Y-%m-%d %H:%M %Z}")
    body.append(f"\nTotal cost: {quote.total:.4f} {quote.currency}")
    if draft.mode == "sms":
        body.append(f" ({quote.parts} part(s))")
    return body


def describe_results(results: Sequence[RecipientResult]) -> Text:
    text = Text(end="")
    for r in results:
        mark, style = {
            "accepted": ("✔", "green"),
            "rejected": ("✖", "red"),
            "unknown": ("?", "yellow"),
        }[r.outcome]
        text.append(f"{mark} ", style=style)
        text.append_text(plain(r.to))
        if r.outcome == "accepted":
            text.append(f"  accepted  {r.message_id or ''}")
        elif r.outcome == "rejected":
            text.append("  rejected: ")
            text.append_text(plain(r.reason))
        else:
            text.append("  outcome unknown, being reconciled: ")
            text.append_text(plain(r.reason))
        text.append("\n")
    text.rstrip()
    return text
