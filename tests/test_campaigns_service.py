"""CampaignService against the in-process sandbox; needs_opt_out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from support.sandbox_client import START, make_client, make_sms, make_world

from smstui.core.clicksend.campaigns import CampaignService, needs_opt_out, new_campaign
from smstui.core.clicksend.contacts import ContactsService
from smstui.core.errors import ClickSendError, ValidationError
from smstui.core.sandbox import SandboxWorld

BODY = "Hi (First Name), 20% off today. Reply STOP to opt out"


@pytest.fixture
def world() -> SandboxWorld:
    return make_world()


@pytest.fixture
async def services(world: SandboxWorld) -> AsyncIterator[tuple[CampaignService, ContactsService]]:
    async with make_client(world) as client:
        sms = make_sms(client)
        yield CampaignService(sms), ContactsService(sms)


async def _list_id(contacts: ContactsService, name: str) -> str:
    return next(x.list_id for x in await contacts.all_lists() if x.name == name)


@pytest.mark.parametrize(
    "body",
    [
        "Sale! Reply STOP to opt out",
        "Sale! Text stop to 0400000000",
        "Sale! Opt-out: reply NO",
        "Sale! unsubscribe at example.com",
        "Sale! StopMsg.me/xxxxx",
    ],
)
def test_body_with_opt_out_text_needs_none(body: str) -> None:
    assert needs_opt_out(body) is False


@pytest.mark.parametrize("body", ["Sale today only!", "Don't stopper the sink", "Bus stops here"])
def test_body_without_opt_out_text_needs_one(body: str) -> None:
    assert needs_opt_out(body) is True


def test_campaign_without_list_name_or_body_is_refused() -> None:
    with pytest.raises(ValidationError):
        new_campaign("", "x", "body")
    with pytest.raises(ValidationError):
        new_campaign("428", " ", "body")
    with pytest.raises(ValidationError):
        new_campaign("428", "x", "  \n")


async def test_price_covers_every_member_of_the_list(
    services: tuple[CampaignService, ContactsService], world: SandboxWorld
) -> None:
    campaigns, contacts = services
    vip = await _list_id(contacts, "VIP")
    price = await campaigns.price(new_campaign(vip, "Promo", BODY))
    assert price.total_count == 3
    assert price.total_price == Decimal("0.0792") * 3
    assert price.currency is not None and price.currency.code == "AUD"
    assert world.clicksend.campaigns.received == []


async def test_send_merges_fields_per_contact_into_history(
    services: tuple[CampaignService, ContactsService], world: SandboxWorld
) -> None:
    campaigns, contacts = services
    vip = await _list_id(contacts, "VIP")
    members = await contacts.members(vip)
    campaign = await campaigns.send(new_campaign(vip, "Promo", BODY))
    assert (campaign.list_id, campaign.total_count, campaign.name) == (vip, 3, "Promo")
    bodies = [m.body for m in world.clicksend.messages if m.custom_string == campaign.custom_string]
    assert bodies == [BODY.replace("(First Name)", c.first_name) for c in members]
    assert len(world.clicksend.campaigns.received) == 1


async def test_scheduled_campaign_is_listed_and_can_be_cancelled(
    services: tuple[CampaignService, ContactsService], world: SandboxWorld
) -> None:
    campaigns, contacts = services
    balance = world.balance
    later = datetime.fromtimestamp(START, UTC) + timedelta(hours=2)
    sent = await campaigns.send(
        new_campaign(await _list_id(contacts, "VIP"), "Later", BODY, schedule=later)
    )
    listed = {c.campaign_id: c.status for c in (await campaigns.list()).items}
    assert listed[sent.campaign_id] == "Scheduled"
    cancelled = await campaigns.cancel(sent.campaign_id)
    assert cancelled.status == "Cancelled"
    assert (await campaigns.get(sent.campaign_id)).status == "Cancelled"
    assert world.balance == balance  # refunded


async def test_cancelling_a_sent_campaign_is_refused(
    services: tuple[CampaignService, ContactsService],
) -> None:
    campaigns, contacts = services
    sent = await campaigns.send(new_campaign(await _list_id(contacts, "VIP"), "Now", BODY))
    with pytest.raises(ClickSendError):
        await campaigns.cancel(sent.campaign_id)


async def test_empty_list_is_refused_before_sending(
    services: tuple[CampaignService, ContactsService], world: SandboxWorld
) -> None:
    campaigns, contacts = services
    empty = await contacts.create_list("Empty")
    with pytest.raises(ValidationError):
        await campaigns.send(new_campaign(empty.list_id, "None", BODY))
    assert world.clicksend.campaigns.received == []


async def test_list_over_20000_recipients_is_refused(
    services: tuple[CampaignService, ContactsService], world: SandboxWorld
) -> None:
    campaigns, contacts = services
    big = await contacts.create_list("Huge")
    for i in range(20_001):
        world.clicksend.contacts.add_contact(
            int(big.list_id), {"phone_number": f"+61412{i:06d}"}, int(START)
        )
    with pytest.raises(ValidationError) as err:
        await campaigns.send(new_campaign(big.list_id, "Too big", BODY))
    assert "20,000" in str(err.value)
    assert world.clicksend.campaigns.received == []
