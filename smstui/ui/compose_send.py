"""What Compose shows about a send: the estimate, the confirmation, each recipient's outcome.

Turning the draft into messages (lists expanded to their members, de-duplicated in order,
checked per channel) is the core's: ``smstui.core.service.drafts``, shared with the CLI. A
picked list counts as its members before pricing, so the estimate and the confirmation show
what will really be billed. SMS goes through the app's ``Backend`` (its ``Outbox``); MMS and
voice through ``BeyondBackend`` (``ChannelOutbox``), so every channel is sent exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from rich.text import Text

from smstui.core.models import OutgoingMms, OutgoingSms, OutgoingVoice
from smstui.core.service.drafts import MODE_TITLES, Draft, MemberCache, Mode, Outgoing, messages_for
from smstui.core.sms_text import segments_for, voice_credits
from smstui.ui.backend import Backend, Quote, RecipientResult
from smstui.ui.beyond_backend import BeyondBackend
from smstui.ui.safe_text import plain

__all__ = [
    "ComposeDraft",
    "MemberCache",
    "confirm_text",
    "describe_results",
    "messages_for",
    "price",
    "quote_text",
    "send",
]

#: what Compose's fields hold, checked: the core's draft (``ws.drafts`` turns it into messages)
ComposeDraft = Draft

#: numbers listed in the confirmation before "and N more"
SHOWN_NUMBERS = 10


async def price(
    mode: Mode, messages: list[Outgoing], backend: Backend, beyond: BeyondBackend
) -> Quote:
    if mode == "mms":
        return await beyond.price_mms(cast("list[OutgoingMms]", messages))
    if mode == "voice":
        return await beyond.price_voice(cast("list[OutgoingVoice]", messages))
    return await backend.price(cast("list[OutgoingSms]", messages))


async def send(
    mode: Mode, messages: list[Outgoing], backend: Backend, beyond: BeyondBackend
) -> list[RecipientResult]:
    if mode == "mms":
        return await beyond.send_mms(cast("list[OutgoingMms]", messages))
    if mode == "voice":
        return await beyond.send_voice(cast("list[OutgoingVoice]", messages))
    return await backend.send(cast("list[OutgoingSms]", messages))


def quote_text(quote: Quote, mode: Mode = "sms") -> str:
    unit = "credit(s)" if mode == "voice" else "part(s)" if mode == "sms" else "message(s)"
    return f"Estimate: {quote.total:.4f} {quote.currency} for {quote.parts} {unit}"


def confirm_text(draft: Draft, messages: Sequence[Outgoing], quote: Quote, cap: int) -> Text:
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
            if r.price is not None:  # ClickSend's own price for this message
                text.append(f"  {r.price}")
        elif r.outcome == "rejected":
            text.append("  rejected: ")
            text.append_text(plain(r.reason))
        else:
            text.append("  outcome unknown, being reconciled: ")
            text.append_text(plain(r.reason))
        text.append("\n")
    text.rstrip()
    return text
