"""Turn send/price/bulk arguments into validated parts: recipients, body, sender, schedule."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from smstui.core.clicksend.sms import SmsService
from smstui.core.errors import NotFoundError, ValidationError
from smstui.core.models import OutgoingSms, Template
from smstui.core.phone import parse_recipients, validate_sender_id
from smstui.core.safe_text import printable
from smstui.core.sms_text import segments_for
from smstui.core.when import parse_when

#: one ``send`` takes this many numbers; more belong in ``bulk send`` (batched, resumable)
MAX_RECIPIENTS = 1000
#: "now" typed a moment ago is not in the past
PAST_SLACK = timedelta(minutes=1)


def recipients(raw: list[str], region: str, *, warn: Callable[[str], None]) -> list[str]:
    """Validated E.164 numbers; numbers in a range the phone library does not know are kept
    and each one is reported through ``warn`` (stderr: the user sees it, ClickSend decides)."""
    parsed = parse_recipients("\n".join(raw), region)
    if parsed.invalid:
        bad = "; ".join(f"{printable(r)}: {printable(why)}" for r, why in parsed.invalid)
        raise ValidationError(f"invalid recipient(s): {bad}", field="to")
    if not parsed.valid:
        raise ValidationError("no recipient given", field="to")
    if len(parsed.valid) > MAX_RECIPIENTS:
        raise ValidationError(
            f"{len(parsed.valid):,} recipients: one send takes at most {MAX_RECIPIENTS:,}",
            field="to",
            hint="Use 'smstui bulk send FILE.csv': it validates, batches and resumes safely.",
        )
    for number, why in parsed.warnings:
        warn(f"smstui: warning: {number}: {why}")
    return parsed.valid


def read_text(value: str) -> str:
    """``-`` means standard input (so a body can be piped in)."""
    text = sys.stdin.read() if value == "-" else value
    if value == "-":
        text = text.removesuffix("\n")
    if not text.strip():
        raise ValidationError("the message is empty", field="body")
    return text


async def find_template(service: SmsService, wanted: str) -> Template:
    """By id, else by name (case-insensitive); a name matching several is an error."""
    templates: list[Template] = []
    page_no = 1
    while True:
        page = await service.list_templates(page=page_no, limit=100)
        templates.extend(page.items)
        if not page.has_next or not page.items:
            break
        page_no = page.page + 1
    for t in templates:
        if t.template_id == wanted.strip():
            return t
    named = [t for t in templates if t.name.casefold() == wanted.strip().casefold()]
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(t.template_id for t in named)
        raise ValidationError(
            f"several templates are named {printable(wanted)!r} (ids {ids})", field="template"
        )
    raise NotFoundError(
        f"no template {printable(wanted)!r}", hint="List them with 'smstui templates list'."
    )


def sender(raw: str | None, region: str) -> str | None:
    return validate_sender_id(raw, region) if raw else None


def schedule(raw: str | None) -> datetime | None:
    if not raw:
        return None
    at = parse_when(raw, future=True)
    if at < datetime.now(UTC) - PAST_SLACK:
        raise ValidationError(
            f"the schedule {printable(raw)!r} is in the past",
            field="when",
            hint="Give a future time (e.g. 2h or 2024-05-01T09:00), or leave --schedule out.",
        )
    return at


def check_length(text: str) -> None:
    """Refuse a body longer than ClickSend's part cap before anything is recorded or sent."""
    info = segments_for(text)
    if info.over_cap:
        raise ValidationError(
            f"the message needs {info.parts} {info.encoding} parts; the limit is "
            f"{info.part_cap} ({info.units} of {info.part_cap * info.per_part} characters)",
            field="body",
            hint="Shorten it"
            + (" or avoid the characters that force UCS-2." if info.unicode_chars else "."),
        )


async def build_messages(
    service: Callable[[], Awaitable[SmsService]],
    *,
    to: list[str],
    body: str | None,
    template: str | None,
    from_: str | None,
    when: str | None,
    region: str,
    warn: Callable[[str], None],
) -> list[OutgoingSms]:
    numbers = recipients(to, region, warn=warn)
    who = sender(from_, region)
    at = schedule(when)
    if body is not None:
        text = read_text(body)
    else:
        text = (await find_template(await service(), template or "")).body
    check_length(text)
    return [OutgoingSms(to=n, body=text, sender=who, schedule=at) for n in numbers]
