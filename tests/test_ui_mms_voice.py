"""Compose in MMS and voice modes, and recipients picked from lists (Pilot, sandbox)."""

from __future__ import annotations

from collections.abc import Callable

from support.sandbox_app import sandbox_app, store_of
from test_ui_flows import AU_OK, settle, type_into
from textual.pilot import Pilot
from textual.widgets import Static

from smstui.core.store.message_store import MessageFilter
from smstui.ui.app import SmsApp
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.screens.recipient_picker import RecipientPicker
from smstui.ui.tabs.compose import ComposeTab

MEDIA = "https://example.com/promo.jpg"


def shown(app: SmsApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Let debounce timers and workers run until ``condition`` holds (at most ~10 s)."""
    for _ in range(100):
        if condition():
            return
        await pilot.pause(0.1)


async def ready(pilot: Pilot[None]) -> ComposeTab:
    await settle(pilot)
    return pilot.app.query_one(ComposeTab)


async def confirm_and_send(pilot: Pilot[None]) -> str:
    await pilot.press("ctrl+s")
    await pilot.pause(0.3)
    await pilot.pause()
    assert isinstance(pilot.app.screen, ConfirmScreen)
    text = str(pilot.app.screen.query_one("#confirm-body", Static).render())
    await pilot.click("#yes")
    await settle(pilot)
    return text


async def test_ctrl_o_cycles_sms_mms_voice_and_shows_each_modes_fields() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        compose = await ready(pilot)
        assert not app.query_one("#channel-fields").display
        await pilot.press("ctrl+o")
        assert compose.mode == "mms"
        assert app.query_one("#mms-fields").display
        assert not app.query_one("#voice-fields").display
        await pilot.press("ctrl+o")
        assert compose.mode == "voice"
        assert app.query_one("#voice-fields").display
        await pilot.press("ctrl+o")
        assert compose.mode == "sms"


async def test_mms_meter_counts_against_1500_gsm_and_500_unicode() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+o")
        await type_into(pilot, "#body", "Hello")
        assert "5/1500 chars" in shown(app, "#channel-meter")
        app.query_one("#body").load_text("Hello 😀")  # type: ignore[attr-defined]
        await pilot.pause()
        assert "Unicode · 7/500 chars" in shown(app, "#channel-meter")


async def test_voice_meter_shows_credits_per_300_characters() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        compose = await ready(pilot)
        await pilot.press("ctrl+o", "ctrl+o")
        compose.query_one("#body").load_text("a" * 301)  # type: ignore[attr-defined]
        await pilot.pause()
        meter = shown(app, "#channel-meter")
        assert "301/1200 chars" in meter and "2 credits (300 chars each)" in meter


async def test_mms_with_a_png_url_is_refused_next_to_the_field_and_nothing_is_sent() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+o")
        await type_into(pilot, "#recipients", AU_OK)
        await type_into(pilot, "#mms-subject", "Promo")
        await type_into(pilot, "#mms-media", "https://example.com/promo.png")
        await type_into(pilot, "#body", "See the picture")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert ".jpg" in shown(app, "#channel-error")
        assert not isinstance(app.screen, ConfirmScreen)
        assert world.clicksend.channels.mms_received == []


async def test_mms_is_sent_once_through_the_outbox_and_shows_in_history_as_mms() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        compose = await ready(pilot)
        await pilot.press("ctrl+o")
        await type_into(pilot, "#recipients", AU_OK)
        await type_into(pilot, "#mms-subject", "Promo")
        await type_into(pilot, "#mms-media", MEDIA)
        await type_into(pilot, "#body", "See the picture")
        confirm = await confirm_and_send(pilot)
        assert "Subject: Promo" in confirm and "Total cost" in confirm
        assert [r.outcome for r in compose.last_results] == ["accepted"]
        assert len(world.clicksend.channels.mms_received) == 1
        assert world.clicksend.received == []  # not also sent as an SMS
        rows = store_of(app).page(limit=50, filters=MessageFilter()).rows
        assert [m.channel for m in rows if m.message_id == compose.last_results[0].message_id] == [
            "mms"
        ]


async def test_voice_is_sent_once_with_the_chosen_options_and_shows_in_history() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        compose = await ready(pilot)
        await pilot.press("ctrl+o", "ctrl+o")
        await settle(pilot)  # the language list arrives
        await type_into(pilot, "#recipients", AU_OK)
        await type_into(pilot, "#body", "Your appointment is at ten")
        await pilot.click("#voice-machine")
        confirm = await confirm_and_send(pilot)
        assert "credit(s) each, female voice, en-au" in confirm
        assert len(world.clicksend.channels.voice_received) == 1
        sent = world.clicksend.channels.voice_received[0]
        assert sent["machine_detection"] == 1 and sent["voice"] == "female"
        rows = store_of(app).page(limit=50, filters=MessageFilter()).rows
        assert [m.channel for m in rows if m.message_id == compose.last_results[0].message_id] == [
            "voice"
        ]


async def test_picking_a_list_prices_its_members() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        compose = await ready(pilot)
        await type_into(pilot, "#body", "Hello VIPs")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, RecipientPicker)
        await pilot.press(*"vip")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert [x.name for x in compose.picked_lists.values()] == ["VIP"]
        assert "VIP (3)" in shown(app, "#picked-lists")
        await until(pilot, lambda: "Estimate" in shown(app, "#price"))
        assert "for 3 part(s)" in shown(app, "#price")
        assert world.clicksend.received == []


async def test_a_picked_list_is_sent_to_every_member_once() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        compose = await ready(pilot)
        compose.picked_lists.clear()
        await type_into(pilot, "#body", "Hello VIPs")
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*"vip")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        confirm = await confirm_and_send(pilot)
        assert "List VIP (3 contacts)" in confirm
        sent = [m["to"] for r in world.clicksend.received for m in r.get("messages", [r])]
        assert sorted(sent) == ["+61412500025", "+61412500026", "+61412500027"]
        assert len(compose.last_results) == 3


async def test_picking_a_contact_adds_its_number_to_the_recipients() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_into(pilot, "#recipients", AU_OK)
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*"Oscar Kelly")
        picker = app.screen
        assert isinstance(picker, RecipientPicker)
        await until(pilot, lambda: bool(picker.hits))
        await pilot.press("enter")
        await pilot.pause()
        value = app.query_one("#recipients").value  # type: ignore[attr-defined]
        assert value == f"{AU_OK}, +61412500007"


async def test_history_rows_name_the_mms_channel() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        compose = await ready(pilot)
        await pilot.press("ctrl+o")
        await type_into(pilot, "#recipients", AU_OK)
        await type_into(pilot, "#mms-subject", "Promo")
        await type_into(pilot, "#mms-media", MEDIA)
        await type_into(pilot, "#body", "Picture day")
        await confirm_and_send(pilot)
        message_id = compose.last_results[0].message_id
        app.action_show_tab("history")
        await settle(pilot)
        history = app.query_one("#history-list")
        painted = [
            "".join(s.text for s in history.render_line(y))  # type: ignore[attr-defined]
            for y in range(10)
        ]
        assert any("MMS Picture day" in line for line in painted), painted
        assert message_id is not None
