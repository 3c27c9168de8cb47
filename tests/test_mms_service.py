"""MMS: checks, price, and exactly-once sending through the outbox (sandbox)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from support.sandbox_client import make_client, make_sms, make_world

from smstui.core.clicksend.mms_voice import MmsVoiceService, check_mms
from smstui.core.delivery.outbox import Outbox
from smstui.core.delivery.outbox_channels import ChannelOutbox
from smstui.core.errors import ValidationError
from smstui.core.models import OutgoingMms
from smstui.core.sandbox import Fault, SandboxWorld
from smstui.core.store.message_store import MessageStore

PIC = "https://example.com/pic.jpg"


def mms(**kw: str) -> OutgoingMms:
    fields = {"to": "+61412345678", "body": "See attached", "subject": "Hello", "media_url": PIC}
    fields.update(kw)
    return OutgoingMms(**fields)


@pytest.fixture
def world() -> SandboxWorld:
    return make_world()


@pytest.fixture
async def service(world: SandboxWorld) -> AsyncIterator[MmsVoiceService]:
    async with make_client(world) as client:
        yield MmsVoiceService(make_sms(client))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MessageStore]:
    with MessageStore(tmp_path / "m.db", account="t") as s:
        yield s


def test_subject_over_20_characters_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        check_mms(mms(subject="x" * 21))
    assert err.value.field == "subject"


def test_subject_of_20_characters_is_fine() -> None:
    assert check_mms(mms(subject="x" * 20)).subject == "x" * 20


@pytest.mark.parametrize(("body", "ok"), [("a" * 1500, True), ("a" * 1501, False)])
def test_gsm_body_limit_is_1500(body: str, ok: bool) -> None:
    if ok:
        check_mms(mms(body=body))
    else:
        with pytest.raises(ValidationError):
            check_mms(mms(body=body))


def test_unicode_body_limit_is_500() -> None:
    check_mms(mms(body="é" * 10 + "😀" * 490))
    with pytest.raises(ValidationError):
        check_mms(mms(body="😀" * 501))


@pytest.mark.parametrize("url", ["ftp://x/pic.jpg", "pic.jpg", "https://x/pic.png"])
def test_media_must_be_an_http_jpg_or_gif(url: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_mms(mms(media_url=url))
    assert err.value.field == "media"


async def test_price_sends_nothing(service: MmsVoiceService, world: SandboxWorld) -> None:
    result = await service.price_mms([mms(), mms(to="+61498765432")])
    assert result.all_accepted and len(result.messages) == 2
    assert result.total_price > 0
    assert world.clicksend.channels.mms_received == []


async def test_media_file_travels_at_the_top_level(
    service: MmsVoiceService, world: SandboxWorld
) -> None:
    await service.send_mms([mms()])
    (received,) = world.clicksend.channels.mms_received
    assert received["media_file"] == PIC
    assert received["subject"] == "Hello"


async def test_outbox_sends_once_and_history_shows_mms(
    service: MmsVoiceService, world: SandboxWorld, store: MessageStore
) -> None:
    outbox = ChannelOutbox(store, service, "mms")
    (result,) = await outbox.send_mms([mms()])
    assert result.outcome == "accepted" and result.message_id
    assert len(world.clicksend.channels.mms_received) == 1
    stored = store.get(result.message_id)
    assert stored is not None and stored.channel == "mms"


async def test_lost_answer_is_found_in_mms_history_not_resent(
    service: MmsVoiceService, world: SandboxWorld, store: MessageStore
) -> None:
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/mms/send$"))
    outbox = ChannelOutbox(store, service, "mms", window=0.0)
    (first,) = await outbox.send_mms([mms()])
    assert first.outcome == "unknown"
    (settled,) = await outbox.reconcile()
    assert settled.outcome == "accepted"
    assert len(world.clicksend.channels.mms_received) == 1


async def test_sms_outbox_never_sees_mms_rows(world: SandboxWorld, store: MessageStore) -> None:
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/mms/send$"))
    async with make_client(world) as client:
        sms = make_sms(client)
        (lost,) = await ChannelOutbox(store, MmsVoiceService(sms), "mms").send_mms([mms()])
        assert lost.outcome == "unknown"
        # reconciling SMS must not look up (or resend as SMS) an MMS of unknown fate
        assert await Outbox(store, sms, window=0.0).reconcile() == []
    assert world.clicksend.received == []
