"""What Compose shows about a send: the estimate, the confirmation, each recipient's outcome.

Turning the draft into messages and sending them is the core's (``ws.drafts``, shared with
the CLI): picked lists count as their members (fetched once per list while Compose is open,
merged with the typed numbers, de-duplicated in order) before pricing, so the estimate and
the confirmation show what will really be billed; each channel goes through the session's
outbox of that channel, exactly once, and each result carries ClickSend's price.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from smstui.core.service import Quote, RecipientResult
from smstui.core.service.drafts import MODE_TITLES, Draft, MemberCache, Mode, Outgoing
from smstui.core.sms_text import segments_for, voice_credits
from smstui.ui.safe_text import plain

__all__ = [
    "ComposeDraft",
    "MemberCache",
    "confirm_text",
    "describe_results",
    "opted_out_text",
    "quote_text",
]

#: what Compose's fields hold, checked: the core's draft
ComposeDraft = Draft

#: numbers listed in the confirmation before "and N more"
SHOWN_NUMBERS = 10


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


def opted_out_text(numbers: Sequence[str]) -> Text:
    """Why Compose asks about opted-out recipients (the numbers shown as plain text)."""
    body = Text(
        "These recipients asked not to be messaged (they replied STOP or were added to "
        "the opt-out list):\n",
        end="",
    )
    body.append_text(plain(", ".join(numbers[:SHOWN_NUMBERS]), "bold"))
    if len(numbers) > SHOWN_NUMBERS:
        body.append(f" and {len(numbers) - SHOWN_NUMBERS:,} more")
    body.append(
        "\n\nInclude them only for a transactional message they agreed to receive "
        "(an order update, a code). Otherwise they are left out."
    )
    return body
