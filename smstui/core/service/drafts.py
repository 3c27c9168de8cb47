"""From a draft to the messages it sends: the one copy the TUI's Compose and the CLI share.

A draft is what the user gave: the mode (SMS, MMS or voice), typed numbers, picked contact
lists (counted as their members), the body, the sender, the schedule and the MMS/voice fields.
``messages_for`` turns a draft and its final recipients into checked outgoing messages (the
core's own checks: ``check_mms``, ``check_voice``), so both front-ends refuse the same things.
The helpers below it read typed text (recipients, sender, schedule, a template by id or name)
with the errors a user acts on; ``MemberCache`` expands picked lists once each.

``DraftsPart`` (``ws.drafts``) keeps the Compose draft in the local store so nothing typed is
lost, and prices and sends a draft's messages through the messages part: one dispatcher by
mode, over the session's outbox of each channel (exactly once).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from smstui.core.clicksend.mms_voice import MAX_SUBJECT, check_mms, check_voice
from smstui.core.errors import NotFoundError, ValidationError
from smstui.core.models import (
    ContactList,
    OutgoingMms,
    OutgoingSms,
    OutgoingVoice,
    Template,
    VoiceLanguage,
)
from smstui.core.phone import parse_recipients, validate_sender_id
from smstui.core.safe_text import printable
from smstui.core.sms_text import segments_for
from smstui.core.when import parse_when

if TYPE_CHECKING:
    from smstui.core.service.results import Quote, RecipientResult
    from smstui.core.service.workspace import Workspace

__all__ = [
    "DEFAULT_LANG",
    "MAX_RECIPIENTS",
    "MAX_SUBJECT",
    "MODES",
    "MODE_TITLES",
    "Draft",
    "DraftsPart",
    "MemberCache",
    "MemberSource",
    "MmsFields",
    "Mode",
    "Outgoing",
    "VoiceFields",
    "build_outgoing",
    "check_length",
    "field_problem",
    "find_template",
    "messages_for",
    "recipients",
    "schedule",
    "sender",
]

Mode = Literal["sms", "mms", "voice"]
MODES: tuple[Mode, ...] = ("sms", "mms", "voice")
MODE_TITLES = {"sms": "SMS", "mms": "MMS", "voice": "Voice"}
DEFAULT_LANG = "en-au"
#: a stand-in recipient while checking the fields before the recipients are known
_ANY_NUMBER = "+61411111111"
#: one ``smstui send`` takes this many numbers; more belong in ``bulk send`` (batched, resumable)
MAX_RECIPIENTS = 1000
#: "now" typed a moment ago is not in the past
PAST_SLACK = timedelta(minutes=1)

Outgoing = OutgoingSms | OutgoingMms | OutgoingVoice


@dataclass(frozen=True, slots=True)
class MmsFields:
    subject: str
    media_url: str


@dataclass(frozen=True, slots=True)
class VoiceFields:
    voice: Literal["female", "male"]
    lang: str
    require_input: bool
    machine_detection: bool


@dataclass(frozen=True, slots=True)
class Draft:
    mode: Mode
    numbers: list[str]  # typed, already E.164
    lists: list[ContactList]
    body: str
    sender: str | None = None
    schedule: datetime | None = None
    mms: MmsFields = field(default_factory=lambda: MmsFields("", ""))
    voice: VoiceFields = field(
        default_factory=lambda: VoiceFields("female", DEFAULT_LANG, False, False)
    )
    #: typed numbers (E.164, also in ``numbers``) in ranges the phone library does not know:
    #: sent only after the user confirmed them (ClickSend decides)
    unknown_ranges: list[str] = field(default_factory=list)


def build_outgoing(
    mode: Mode,
    numbers: Sequence[str],
    body: str,
    *,
    sender: str | None,
    schedule: datetime | None,
    mms: MmsFields | None = None,
    voice: VoiceFields | None = None,
    languages: Sequence[VoiceLanguage] | None = None,
) -> list[Outgoing]:
    """One message per number, checked by the core (``ValidationError`` names the field).

    A voice call has no sender: ClickSend calls from its own numbers."""
    if mode == "mms":
        if mms is None:
            raise ValidationError("An MMS needs a subject.", field="subject")
        return [
            check_mms(
                OutgoingMms(
                    to=n,
                    body=body,
                    subject=mms.subject,
                    media_url=mms.media_url,
                    sender=sender,
                    schedule=schedule,
                )
            )
            for n in numbers
        ]
    if mode == "voice":
        v = voice or VoiceFields("female", DEFAULT_LANG, False, False)
        return [
            check_voice(
                OutgoingVoice(
                    to=n,
                    body=body,
                    voice=v.voice,
                    lang=v.lang,
                    require_input=v.require_input,
                    machine_detection=v.machine_detection,
                    schedule=schedule,
                ),
                languages,
            )
            for n in numbers
        ]
    return [OutgoingSms(to=n, body=body, sender=sender, schedule=schedule) for n in numbers]


def messages_for(
    draft: Draft, numbers: Sequence[str], languages: Sequence[VoiceLanguage] | None = None
) -> list[Outgoing]:
    """The draft's messages to ``numbers`` (its typed numbers and its lists' members)."""
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


def field_problem(
    mode: Mode,
    body: str,
    mms: MmsFields,
    voice: VoiceFields,
    languages: Sequence[VoiceLanguage] | None = None,
) -> ValidationError | None:
    """The first problem of ``mode``'s fields and ``body``, before recipients are known."""
    try:
        build_outgoing(
            mode,
            [_ANY_NUMBER],
            body,
            sender=None,
            schedule=None,
            mms=mms,
            voice=voice,
            languages=languages,
        )
    except ValidationError as err:
        return err
    return None


class MemberSource(Protocol):
    """Whatever can list a contact list's phone numbers (``ws.contacts``)."""

    async def member_numbers(self, list_id: str) -> list[str]: ...


class MemberCache:
    """Member numbers of the lists picked in a draft, fetched once each.

    Bounded by the draft: only lists picked in the draft being priced or sent are kept (a
    list unpicked is dropped at the next price or send)."""

    def __init__(self) -> None:
        self._numbers: dict[str, list[str]] = {}

    def forget(self, list_id: str | None = None) -> None:
        if list_id is None:
            self._numbers.clear()
        else:
            self._numbers.pop(list_id, None)

    async def recipients(self, draft: Draft, source: MemberSource) -> list[str]:
        """The typed numbers then every list's members, de-duplicated in order."""
        seen: dict[str, None] = dict.fromkeys(draft.numbers)
        for stale in self._numbers.keys() - {item.list_id for item in draft.lists}:
            del self._numbers[stale]
        for item in draft.lists:
            if item.list_id not in self._numbers:
                self._numbers[item.list_id] = await source.member_numbers(item.list_id)
            for number in self._numbers[item.list_id]:
                seen.setdefault(number, None)
        return list(seen)


# --------------------------------------------------------------------------- typed text


def recipients(raw: Sequence[str], region: str, *, warn: Callable[[str], None]) -> list[str]:
    """Validated E.164 numbers from typed text (each item may hold several, comma-separated).

    Numbers in a range the phone library does not know are kept and each one is reported
    through ``warn`` (the user sees it; ClickSend decides)."""
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


def sender(raw: str | None, region: str) -> str | None:
    return validate_sender_id(raw, region) if raw else None


def schedule(raw: str | None) -> datetime | None:
    """A typed send time (``2h``, ``2024-05-01T09:00`` ...), refused when in the past."""
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


def find_template(templates: Sequence[Template], wanted: str) -> Template:
    """By id, else by name (case-insensitive); a name matching several is an error."""
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


# --------------------------------------------------------------------------- the part


class DraftsPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    def load(self, key: str) -> dict[str, str]:
        """The draft saved under ``key`` ({} when none, or when it cannot be read)."""
        raw = self._ws._store().load_draft(key)
        if not raw:
            return {}
        try:
            data: Any = json.loads(raw)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def save(self, key: str, draft: dict[str, str]) -> None:
        self._ws._store().save_draft(key, json.dumps(draft))

    async def messages(
        self, draft: Draft, members: MemberCache, *, need_recipients: bool = False
    ) -> list[Outgoing]:
        """The draft's checked messages: typed numbers and the picked lists' members (voice:
        checked against ClickSend's language list). ``need_recipients``: none is an error."""
        numbers = await members.recipients(draft, self._ws.contacts)
        if need_recipients and not numbers:
            raise ValidationError("The picked lists have no phone numbers.", field="to")
        languages = await self._ws.messages.languages() if draft.mode == "voice" else None
        return messages_for(draft, numbers, languages)

    async def estimate(self, draft: Draft, members: MemberCache) -> Quote:
        """The running price estimate while the draft is typed."""
        return await self.price(draft.mode, await self.messages(draft, members))

    async def prepare(self, draft: Draft, members: MemberCache) -> tuple[list[Outgoing], Quote]:
        """What will be sent and what it costs, for the confirmation (refused when the picked
        lists hold no number at all)."""
        messages = await self.messages(draft, members, need_recipients=True)
        return messages, await self.price(draft.mode, messages)

    async def price(self, mode: Mode, messages: Sequence[Outgoing]) -> Quote:
        """ClickSend's price for ``messages`` (sends nothing)."""
        part = self._ws.messages
        if mode == "mms":
            return await part.price_mms(cast("list[OutgoingMms]", messages))
        if mode == "voice":
            return await part.price_voice(cast("list[OutgoingVoice]", messages))
        return await part.price(cast("list[OutgoingSms]", messages))

    async def send(
        self, mode: Mode, messages: Sequence[Outgoing], *, include_opted_out: bool = False
    ) -> list[RecipientResult]:
        """Send through the session's outbox of the channel: each message exactly once, with
        ClickSend's per-message price in its result. Opted-out recipients are refused
        (``OptedOutError``, nothing sent) unless ``include_opted_out``."""
        part = self._ws.messages
        include = include_opted_out
        if mode == "mms":
            return await part.send_mms(
                cast("list[OutgoingMms]", messages), include_opted_out=include
            )
        if mode == "voice":
            voice = cast("list[OutgoingVoice]", messages)
            return await part.send_voice(voice, include_opted_out=include)
        return await part.send(cast("list[OutgoingSms]", messages), include_opted_out=include)
