"""From ``--to/--body/--template/--from/--schedule`` flags to checked outgoing messages.

The checks are the core's (``smstui.core.service.drafts``, shared with the TUI's Compose);
what is the CLI's own is where the text comes from (``-`` reads standard input) and that
warnings go to stderr.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, cast

from smstui.core.errors import ValidationError
from smstui.core.when import parse_when

if TYPE_CHECKING:
    from smstui.cli.runtime import Runtime
    from smstui.core.models import OutgoingMms, OutgoingSms, OutgoingVoice
    from smstui.core.service.drafts import Draft, Mode


def read_text(value: str) -> str:
    """``-`` means standard input (so a body can be piped in)."""
    text = sys.stdin.read() if value == "-" else value
    if value == "-":
        text = text.removesuffix("\n")
    if not text.strip():
        raise ValidationError("the message is empty", field="body")
    return text


# ``smstui.core.service.drafts`` is imported where it is used: ``--help`` never loads it


def numbers(rt: Runtime, raw: list[str]) -> list[str]:
    from smstui.core.service import drafts

    return drafts.recipients(raw, rt.settings.default_region, warn=rt.out.note)


async def template_body(rt: Runtime, wanted: str) -> str:
    """The text of a saved template, by id or name."""
    from smstui.core.service import drafts

    return drafts.find_template(await rt.ws.templates.fetch_all(), wanted).body


async def sms_messages(rt: Runtime) -> list[OutgoingSms]:
    """``send`` and ``price``: one SMS per recipient (the template is fetched last, so a bad
    number or time is refused before any request)."""
    from smstui.core.service import drafts

    a = rt.args
    region = rt.settings.default_region
    to = numbers(rt, a.to)
    sender = drafts.sender(a.sender, region)
    when = drafts.schedule(a.schedule)
    text = read_text(a.body) if a.body is not None else await template_body(rt, a.template or "")
    drafts.check_length(text)
    draft = drafts.Draft(mode="sms", numbers=to, lists=[], body=text, sender=sender, schedule=when)
    return cast("list[OutgoingSms]", drafts.messages_for(draft, to))


def _draft(rt: Runtime, mode: Mode) -> Draft:
    from smstui.core.service import drafts

    a = rt.args
    to = numbers(rt, a.to)
    when = parse_when(a.schedule, future=True) if a.schedule else None
    body = read_text(a.body)
    if mode == "mms":
        return drafts.Draft(
            mode="mms",
            numbers=to,
            lists=[],
            body=body,
            sender=drafts.sender(a.sender, rt.settings.default_region),
            schedule=when,
            mms=drafts.MmsFields(a.subject, a.media),
        )
    voice = drafts.VoiceFields(a.voice, a.lang, a.require_input, a.machine_detection)
    return drafts.Draft(mode="voice", numbers=to, lists=[], body=body, schedule=when, voice=voice)


def mms_messages(rt: Runtime) -> list[OutgoingMms]:
    from smstui.core.service import drafts

    draft = _draft(rt, "mms")
    return cast("list[OutgoingMms]", drafts.messages_for(draft, draft.numbers))


async def voice_messages(rt: Runtime) -> list[OutgoingVoice]:
    from smstui.core.service import drafts

    draft = _draft(rt, "voice")
    languages = await rt.ws.messages.languages()
    return cast("list[OutgoingVoice]", drafts.messages_for(draft, draft.numbers, languages))
