"""One copy of draft -> messages (``smstui.core.service.drafts``), for Compose and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from smstui.core.config import load_settings
from smstui.core.errors import NotFoundError, ValidationError
from smstui.core.models import (
    ContactList,
    NewContact,
    OutgoingMms,
    OutgoingSms,
    OutgoingVoice,
    Template,
    VoiceLanguage,
)
from smstui.core.sandbox import SandboxWorld
from smstui.core.service import RecipientResult, Workspace, drafts
from smstui.core.service.drafts import Draft, MemberCache, MmsFields, VoiceFields

EN_AU = VoiceLanguage(code="en-au", name="English, Australia", genders=("female", "male"))
FEMALE_ONLY = VoiceLanguage(code="fr-fr", name="French", genders=("female",))


# --------------------------------------------------------------------------- pure parts


def test_an_sms_draft_is_one_message_per_number_with_sender_and_schedule() -> None:
    at = datetime(2030, 5, 1, 9, tzinfo=UTC)
    draft = Draft("sms", ["+61411111111"], [], "Hello", sender="ACME", schedule=at)
    got = drafts.messages_for(draft, ["+61411111111", "+61422222222"])
    assert got == [
        OutgoingSms(to="+61411111111", body="Hello", sender="ACME", schedule=at),
        OutgoingSms(to="+61422222222", body="Hello", sender="ACME", schedule=at),
    ]


def test_an_mms_draft_is_checked_by_the_core() -> None:
    fields = MmsFields(" Menu ", "https://example.com/menu.jpg")
    draft = Draft("mms", [], [], "Tonight\r\nonly", mms=fields)
    [m] = drafts.messages_for(draft, ["+61411111111"])
    assert isinstance(m, OutgoingMms)
    assert (m.subject, m.body, m.media_url) == ("Menu", "Tonight\nonly", fields.media_url)
    bad = Draft("mms", [], [], "Hi", mms=MmsFields("Menu", "https://example.com/menu.png"))
    with pytest.raises(ValidationError) as info:
        drafts.messages_for(bad, ["+61411111111"])
    assert info.value.field == "media"


def test_a_voice_draft_has_no_sender_and_is_checked_against_the_languages() -> None:
    voice = VoiceFields("male", "EN-AU", True, False)
    draft = Draft("voice", [], [], "Your code is 1 2 3", sender="ACME", voice=voice)
    [m] = drafts.messages_for(draft, ["+61411111111"], [EN_AU])
    assert isinstance(m, OutgoingVoice)
    assert (m.voice, m.lang, m.require_input) == ("male", "en-au", True)
    french = Draft("voice", [], [], "Bonjour", voice=VoiceFields("male", "fr-fr", False, False))
    with pytest.raises(ValidationError, match="INVALID_VOICE"):
        drafts.messages_for(french, ["+61411111111"], [EN_AU, FEMALE_ONLY])


def test_field_problem_names_the_first_bad_field_before_recipients_are_known() -> None:
    voice = VoiceFields("female", "en-au", False, False)
    assert drafts.field_problem("sms", "hi", MmsFields("", ""), voice) is None
    problem = drafts.field_problem("mms", "hi", MmsFields("", "https://x.test/a.jpg"), voice)
    assert problem is not None and problem.field == "subject"
    assert drafts.field_problem("voice", "x" * 5000, MmsFields("", ""), voice) is not None


def test_typed_recipients_are_validated_and_unknown_ranges_warned() -> None:
    warnings: list[str] = []
    got = drafts.recipients(["0412 345 678, +61412345679"], "AU", warn=warnings.append)
    assert got == ["+61412345678", "+61412345679"] and warnings == []
    with pytest.raises(ValidationError, match="invalid recipient"):
        drafts.recipients(["12"], "AU", warn=warnings.append)
    with pytest.raises(ValidationError, match="no recipient"):
        drafts.recipients([" , "], "AU", warn=warnings.append)
    many = [f"+614123{i:05d}" for i in range(drafts.MAX_RECIPIENTS + 1)]
    with pytest.raises(ValidationError) as info:
        drafts.recipients(many, "AU", warn=warnings.append)
    assert "bulk send" in (info.value.hint or "")


def test_a_schedule_in_the_past_is_refused_and_none_means_now() -> None:
    assert drafts.schedule(None) is None and drafts.schedule("") is None
    later = drafts.schedule("2h")
    assert later is not None and later > datetime.now(UTC) + timedelta(minutes=100)
    with pytest.raises(ValidationError, match="in the past"):
        drafts.schedule("2001-01-01T09:00")


def test_a_body_over_the_part_cap_is_refused() -> None:
    drafts.check_length("short")
    with pytest.raises(ValidationError, match="parts; the limit is"):
        drafts.check_length("x" * 2000)


def test_a_template_is_found_by_id_then_by_one_name() -> None:
    templates = [Template("7", "Reminder", "a"), Template("8", "reminder", "b")]
    assert drafts.find_template(templates, " 7 ").body == "a"
    with pytest.raises(ValidationError, match="several templates"):
        drafts.find_template(templates, "REMINDER")
    with pytest.raises(NotFoundError):
        drafts.find_template(templates, "Promo")
    assert drafts.find_template([templates[1]], "REMINDER").template_id == "8"


async def test_member_cache_merges_lists_in_order_and_fetches_each_once() -> None:
    fetched: list[str] = []
    members = {"A": ["+61400000001", "+61400000002"], "B": ["+61400000002", "+61400000003"]}

    class Lists:
        async def member_numbers(self, list_id: str) -> list[str]:
            fetched.append(list_id)
            return members[list_id]

    a, b = ContactList("A", "a", 2), ContactList("B", "b", 2)
    cache = MemberCache()
    draft = Draft("sms", ["+61400000003", "+61400000009"], [a, b], "hi")
    got = await cache.recipients(draft, Lists())
    assert got == ["+61400000003", "+61400000009", "+61400000001", "+61400000002"]
    await cache.recipients(draft, Lists())
    assert fetched == ["A", "B"]
    cache.forget("A")
    await cache.recipients(draft, Lists())
    assert fetched == ["A", "B", "A"]


# --------------------------------------------------------------------------- the part


@pytest.fixture
async def ws():
    settings = load_settings(flags={"sandbox": True}, env={})
    workspace = Workspace.from_settings(settings, world=SandboxWorld(seed=5))
    try:
        yield workspace
    finally:
        await workspace.aclose()


async def test_a_draft_to_a_list_is_priced_then_sent_once_with_each_price(ws: Workspace) -> None:
    world = ws.world
    assert world is not None
    listed = await ws.contacts.create_list("Draft test")
    await ws.contacts.add_contact(listed.list_id, NewContact(phone_number="+61412345673"))
    draft = Draft("sms", ["+61412345674", "+61412345673"], [listed], "Hello from a draft")
    members = MemberCache()
    messages, quote = await ws.drafts.prepare(draft, members)
    assert [m.to for m in messages] == ["+61412345674", "+61412345673"]  # no duplicate
    assert quote.parts == 2 and quote.total > Decimal(0)
    assert (await ws.drafts.estimate(draft, members)).total == quote.total
    before = len(world.clicksend.messages)
    results = await ws.drafts.send(draft.mode, messages)
    assert len(world.clicksend.messages) == before + 2  # each exactly once
    assert all(isinstance(r, RecipientResult) and r.outcome == "accepted" for r in results)
    # the per-message price ClickSend answered with reaches the front-ends (the TUI lost it)
    assert all(r.price is not None and r.price > 0 for r in results)
    assert sum(r.price or 0 for r in results) == quote.total
    assert {r.currency for r in results} == {quote.currency}
    assert all(r.parts == 1 and r.state == "accepted" for r in results)


async def test_a_list_without_numbers_is_refused_before_pricing(ws: Workspace) -> None:
    empty = await ws.contacts.create_list("Nobody here")
    draft = Draft("sms", [], [empty], "Hello")
    with pytest.raises(ValidationError, match="no phone numbers"):
        await ws.drafts.prepare(draft, MemberCache())


async def test_mms_and_voice_drafts_go_through_their_own_outbox(ws: Workspace) -> None:
    world = ws.world
    assert world is not None
    mms = Draft(
        "mms", ["+61412345675"], [], "Tonight", mms=MmsFields("Menu", "https://x.test/a.jpg")
    )
    messages, _ = await ws.drafts.prepare(mms, MemberCache())
    [sent] = await ws.drafts.send("mms", messages)
    assert sent.outcome == "accepted" and sent.price is not None
    voice = Draft("voice", ["+61412345676"], [], "Your code is 1 2 3")
    messages, quote = await ws.drafts.prepare(voice, MemberCache())
    assert isinstance(messages[0], OutgoingVoice) and quote.total > 0
    [called] = await ws.drafts.send("voice", messages)
    assert called.outcome == "accepted"


def test_compose_shows_each_accepted_message_with_its_price() -> None:
    from smstui.ui.compose_send import describe_results

    results = [
        RecipientResult("+61412345677", "accepted", "MSG1", price=Decimal("0.0770")),
        RecipientResult("+61412345678", "rejected", reason="INVALID_RECIPIENT"),
    ]
    text = describe_results(results).plain
    assert "+61412345677  accepted  MSG1  0.0770" in text
    assert "rejected: INVALID_RECIPIENT" in text
