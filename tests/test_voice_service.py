"""Voice (text to speech): languages, checks, price, outbox sending, receipts, cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.sandbox_client import START, make_client, make_sms, make_world

from smstui.core.clicksend.mms_voice import MmsVoiceService, check_voice
from smstui.core.delivery.outbox_channels import ChannelOutbox
from smstui.core.errors import ValidationError
from smstui.core.models import OutgoingVoice, VoiceLanguage
from smstui.core.sandbox import SandboxWorld
from smstui.core.store.message_store import MessageStore

LANGS = [
    VoiceLanguage("en-au", "English, Australia", ("female", "male")),
    VoiceLanguage("pt-pt", "Portuguese, Portugal", ("male",)),
]


@pytest.fixture
def world() -> SandboxWorld:
    return make_world()


@pytest.fixture
async def service(world: SandboxWorld) -> AsyncIterator[MmsVoiceService]:
    async with make_client(world) as client:
        yield MmsVoiceService(make_sms(client))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MessageStore]:
    with MessageStore(tmp_path / "v.db", account="t") as s:
        yield s


def test_language_without_the_gender_is_invalid_voice() -> None:
    message = OutgoingVoice(to="+61412345678", body="Hello", voice="female", lang="pt-pt")
    with pytest.raises(ValidationError) as err:
        check_voice(message, LANGS)
    assert "INVALID_VOICE" in str(err.value) and err.value.field == "voice"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        check_voice(OutgoingVoice(to="+61412345678", body="Hi", lang="xx-yy"), LANGS)
    assert err.value.field == "lang"


@pytest.mark.parametrize(("body", "ok"), [("a" * 1200, True), ("a" * 1201, False)])
def test_gsm_voice_limit_is_1200(body: str, ok: bool) -> None:
    message = OutgoingVoice(to="+61412345678", body=body)
    if ok:
        check_voice(message)
    else:
        with pytest.raises(ValidationError):
            check_voice(message)


def test_unicode_voice_limit_is_600() -> None:
    check_voice(OutgoingVoice(to="+61412345678", body="ж" * 600))
    with pytest.raises(ValidationError):
        check_voice(OutgoingVoice(to="+61412345678", body="ж" * 601))


async def test_languages_parse_the_sandbox_list(service: MmsVoiceService) -> None:
    langs = {lg.code: lg.genders for lg in await service.languages()}
    assert langs["en-au"] == ("female", "male")
    assert langs["pt-pt"] == ("male",)


async def test_price_counts_credits_per_300_gsm_characters(service: MmsVoiceService) -> None:
    short = await service.price_voice([OutgoingVoice(to="+61412345678", body="a" * 300)])
    long = await service.price_voice([OutgoingVoice(to="+61412345678", body="a" * 301)])
    assert (short.messages[0].parts, long.messages[0].parts) == (1, 2)
    assert long.total_price == 2 * short.total_price


async def test_server_answers_invalid_voice_inside_a_200(
    service: MmsVoiceService, world: SandboxWorld
) -> None:
    bad = OutgoingVoice(to="+61412345678", body="Olá", voice="female", lang="pt-pt")
    result = await service.send_voice([bad])
    assert [m.status for m in result.messages] == ["INVALID_VOICE"]
    assert world.clicksend.channels.voice == []


async def test_options_travel_as_zero_or_one(service: MmsVoiceService, world: SandboxWorld) -> None:
    message = OutgoingVoice(
        to="+61412345678", body="Press 1", voice="male", require_input=True, machine_detection=True
    )
    await service.send_voice([message])
    (received,) = world.clicksend.channels.voice_received
    assert (received["require_input"], received["machine_detection"], received["voice"]) == (
        1,
        1,
        "male",
    )


async def test_outbox_sends_voice_once_and_history_shows_it(
    service: MmsVoiceService, world: SandboxWorld, store: MessageStore
) -> None:
    outbox = ChannelOutbox(store, service, "voice")
    (result,) = await outbox.send_voice([OutgoingVoice(to="+61412345678", body="Hello")])
    assert result.outcome == "accepted"
    assert len(world.clicksend.channels.voice_received) == 1
    assert result.message_id is not None
    stored = store.get(result.message_id)
    assert stored is not None and stored.channel == "voice"
    history = await service.voice_history()
    assert [m.custom_string for m in history.items] == [result.token]
    assert history.items[0].channel == "voice"


async def test_receipt_arrives_with_digits_when_input_was_asked(
    service: MmsVoiceService, world: SandboxWorld
) -> None:
    await service.send_voice(
        [OutgoingVoice(to="+61412345678", body="Press a key", require_input=True)]
    )
    assert (await service.voice_receipts()).items == []
    world.advance(60)
    (receipt,) = (await service.voice_receipts()).items
    assert receipt.message_type == "voice" and receipt.delivered


async def test_scheduled_voice_can_be_cancelled(
    service: MmsVoiceService, world: SandboxWorld
) -> None:
    later = datetime.fromtimestamp(START, UTC) + timedelta(hours=1)
    result = await service.send_voice(
        [OutgoingVoice(to="+61412345678", body="Later", schedule=later)]
    )
    message_id = result.messages[0].message_id
    assert message_id is not None
    await service.cancel_voice(message_id)
    (record,) = (await service.voice_history()).items
    assert record.status == "Cancelled"
