"""Campaigns from the Contacts tab: price first, confirm, send once; list and cancel."""

from __future__ import annotations

from datetime import datetime, timedelta

from support.sandbox_app import sandbox_app
from test_ui_contacts import open_contacts, shown
from test_ui_flows import settle, type_into
from textual.pilot import Pilot

from smstui.ui.screens.campaign import CampaignScreen
from smstui.ui.screens.campaigns import CampaignsScreen
from smstui.ui.screens.confirm import ConfirmScreen


async def fill_campaign(pilot: Pilot[None], body: str, *, when: datetime | None = None) -> None:
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CampaignScreen)
    await type_into(pilot, "#campaign-name", "Spring sale")
    await type_into(pilot, "#campaign-body", body)
    if when is not None:
        await type_into(pilot, "#campaign-date", when.strftime("%Y-%m-%d"))
        await type_into(pilot, "#campaign-time", "09:30")


async def test_price_shows_the_lists_recipients_and_cost_without_sending() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contacts(pilot)
        await pilot.press("j")  # VIP, 3 contacts
        await fill_campaign(pilot, "Hi (First Name), 20% off. Reply STOP to opt out")
        await pilot.click("#campaign-price")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "for 3 recipient(s)" in shown(app, "#campaign-price-text")
        assert world.clicksend.campaigns.received == []


async def test_opt_out_warning_appears_when_the_body_has_no_stop_text() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contacts(pilot)
        await fill_campaign(pilot, "Hi (First Name), 20% off today")
        assert "opt-out" in shown(app, "#opt-out-warning")
        await type_into(pilot, "#campaign-body", "Hi, 20% off. Reply STOP to opt out")
        assert shown(app, "#opt-out-warning") == ""


async def test_an_empty_name_is_shown_under_its_field_and_nothing_is_priced() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contacts(pilot)
        await fill_campaign(pilot, "Hello. Reply STOP to opt out")
        await type_into(pilot, "#campaign-name", " ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "name" in shown(app, "#campaign-name-error")
        assert not isinstance(app.screen, ConfirmScreen)
        assert not any("campaign" in p for _, p in world.request_log)


async def test_send_confirms_recipients_parts_and_cost_then_sends_once() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contacts(pilot)
        await pilot.press("j")
        await fill_campaign(pilot, "Hi (First Name), 20% off. Reply STOP to opt out")
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        confirm = shown(app, "#confirm-body")
        assert "Recipients: 3" in confirm and "part(s) each" in confirm
        assert "Total cost" in confirm
        await pilot.click("#yes")
        await settle(pilot)
        assert len(world.clicksend.campaigns.received) == 1
        assert not isinstance(app.screen, CampaignScreen)


async def test_a_scheduled_campaign_is_listed_and_cancelled_after_confirmation() -> None:
    app, world = sandbox_app()
    when = datetime.now() + timedelta(days=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contacts(pilot)
        await pilot.press("j")
        await fill_campaign(pilot, "Sale on Friday. Reply STOP to opt out", when=when)
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CampaignsScreen)
        campaign = app.screen.records.current
        assert campaign is not None and campaign.status == "Scheduled"
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CampaignsScreen)
        assert app.screen.records.current.status == "Cancelled"
        assert len(world.clicksend.campaigns.received) == 1
