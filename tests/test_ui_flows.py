"""The terminal app driven as a user would (keys and clicks) on the in-process sandbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from support.sandbox_app import sandbox_app, store_of
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from smstui.core.sandbox import Fault, SandboxWorld
from smstui.ui.app import SmsApp
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.screens.conversation import ConversationScreen
from smstui.ui.widgets.status_bar import SANDBOX_BADGE
from smstui.ui.widgets.virtual_list import VirtualList

AU_OK = "+61411111111"  # a ClickSend test number: accepted, free
DE_BLOCKED = "+4915112345678"  # valid, but Germany is not enabled on the sandbox account


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], limit: float = 10.0
) -> None:
    """Let the app run until ``condition`` holds (debounced work settles later under load)."""
    waited = 0.0
    while not condition() and waited < limit:
        await pilot.pause(0.05)
        waited += 0.05


def static_text(app: SmsApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    await pilot.click(selector)
    widget = pilot.app.screen.query_one(selector)
    if isinstance(widget, Input):
        widget.value = ""
    elif isinstance(widget, TextArea):
        widget.load_text("")
    await pilot.press(*text)


async def test_header_shows_sandbox_badge_and_account_after_connecting() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.status_bar.sandbox
        assert "SANDBOX" in SANDBOX_BADGE
        assert app.connection_state == "ready"
        assert "balance $25" in app.status_bar.account_text


async def test_send_to_two_numbers_shows_one_accepted_and_one_rejected() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_into(pilot, "#recipients", f"{AU_OK}, {DE_BLOCKED}")
        await type_into(pilot, "#body", "Hello from the test")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause(0.2)
        assert isinstance(app.screen, ConfirmScreen)
        confirm_text = str(app.screen.query_one("#confirm-body", Static).render())
        assert AU_OK in confirm_text and DE_BLOCKED in confirm_text
        assert "Total cost" in confirm_text
        await pilot.click("#yes")
        await settle(pilot)
        compose = app.query_one("#compose-tab")
        outcomes = {r.to: r.outcome for r in compose.last_results}  # type: ignore[attr-defined]
        assert outcomes == {AU_OK: "accepted", DE_BLOCKED: "rejected"}
        results = static_text(app, "#results")
        assert "COUNTRY_NOT_ENABLED" in results
        assert len(world.clicksend.received) >= 1


async def test_header_balance_goes_down_after_a_paid_send() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.account is not None
        before = app.account.balance
        await type_into(pilot, "#recipients", "+61412345678")  # a real number: it costs credit
        await type_into(pilot, "#body", "Your order is ready")
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        await pilot.click("#yes")
        await settle(pilot)
        assert world.balance < before
        assert app.account.balance == world.balance
        assert f"{world.balance:.4f}" in app.status_bar.account_text


async def test_bad_number_and_empty_body_are_shown_next_to_their_fields() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_into(pilot, "#recipients", "12ab")
        await pilot.pause()
        assert "12ab" in static_text(app, "#recipients-error")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "empty" in static_text(app, "#body-error")
        assert not isinstance(app.screen, ConfirmScreen)
        assert world.clicksend.received == []


async def test_schedule_then_cancel_from_history() -> None:
    app, _ = sandbox_app()
    when = datetime.now() + timedelta(days=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_into(pilot, "#recipients", AU_OK)
        await type_into(pilot, "#body", "Scheduled hello")
        await type_into(pilot, "#schedule-date", when.strftime("%Y-%m-%d"))
        await type_into(pilot, "#schedule-time", "09:30")
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#yes")
        await settle(pilot)
        message_id = app.query_one("#compose-tab").last_results[0].message_id  # type: ignore[attr-defined]
        app.action_sync_now()
        await settle(pilot)
        app.action_show_tab("history")
        await settle(pilot)
        await pilot.click("#status-filter")
        await pilot.pause()
        app.query_one("#status-filter").value = "Scheduled"  # type: ignore[attr-defined]
        await settle(pilot)
        history = app.query_one("#history-list", VirtualList)
        history.focus()
        assert history.current is not None and history.current.message_id == message_id
        await pilot.press("c")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        stored = store_of(app).get(message_id)
        assert stored is not None and stored.status.lower() == "cancelled"


async def test_template_create_use_and_delete() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_show_tab("templates")
        await settle(pilot)
        before = len(app.ws.templates.cached())
        await pilot.press("n")
        await pilot.pause(0.2)
        await type_into(pilot, "#template-name", "Pickup")
        await type_into(pilot, "#template-body", "Your order is ready")
        await pilot.click("#save")
        await settle(pilot)
        names = [t.name for t in app.ws.templates.cached()]
        assert "Pickup" in names and len(names) == before + 1
        tab = app.query_one("#templates-tab")
        tab.query_one("#template-list").highlighted = names.index("Pickup")  # type: ignore[attr-defined]
        tab.query_one("#template-list").focus()
        await pilot.press("u")
        await pilot.pause()
        assert app.query_one("#body", TextArea).text == "Your order is ready"
        app.action_show_tab("templates")
        await pilot.pause()
        tab.query_one("#template-list").focus()
        await pilot.press("d")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#yes")
        await settle(pilot)
        assert "Pickup" not in [t.name for t in app.ws.templates.cached()]


async def test_reply_from_a_conversation_prefills_compose() -> None:
    world = SandboxWorld(seed=1)
    world.add_inbound("+61422222222", "Can you call me?")
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_show_tab("inbox")
        await settle(pilot)
        inbox = app.query_one("#inbox-list", VirtualList)
        inbox.focus()
        while inbox.current is not None and inbox.current.sender != "+61422222222":
            await pilot.press("j")
        assert inbox.current is not None
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ConversationScreen)
        assert "Can you call me?" in " ".join(
            str(s.render()) for s in app.screen.query(".bubble").results(Static)
        )
        await pilot.press("r")
        await pilot.pause()
        assert app.query_one("#recipients", Input).value == "+61422222222"
        stored = [m for m in store_of(app).conversation("+61422222222") if m.direction == "in"]
        assert stored and all(m.read for m in stored)


async def test_search_narrows_history_to_matching_bodies() -> None:
    world = SandboxWorld(seed=1)
    world.add_inbound("+61433333333", "zebra crossing tomorrow")
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_show_tab("history")
        await settle(pilot)
        history = app.query_one("#history-list", VirtualList)
        assert history.row_count > 1
        history.focus()
        await pilot.press("slash")
        await pilot.press(*"zebr")
        # the list is re-queried once typing pauses (150 ms), in a worker
        await wait_until(pilot, lambda: history.row_count == 1)
        assert history.row_count == 1
        assert history.current is not None and "zebra" in history.current.body
        await pilot.press("escape")
        await wait_until(pilot, lambda: history.row_count > 1)
        assert history.row_count > 1


async def test_401_is_shown_as_an_error_and_the_app_stays_usable() -> None:
    world = SandboxWorld(seed=1)
    world.inject(Fault(status=401, path="", times=None))
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert any(n.severity == "error" for n in app._notifications)
        world.faults = type(world.faults)()  # the fault is gone: the user retries
        await pilot.press("ctrl+pagedown")
        await pilot.pause()
        assert app.query_one("#tabs").active == "inbox"  # type: ignore[attr-defined]


async def test_send_timeout_is_reported_as_unknown_not_a_crash() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        world.inject(Fault(kind="timeout_after", path=r"/sms/send$"))
        await type_into(pilot, "#recipients", AU_OK)
        await type_into(pilot, "#body", "Will it arrive?")
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        await pilot.click("#yes")
        await settle(pilot)
        results = app.query_one("#compose-tab").last_results  # type: ignore[attr-defined]
        assert [r.outcome for r in results] in (["unknown"], ["accepted"])
        await pilot.press("ctrl+pagedown")
        assert app.is_running


async def test_untrusted_inbound_body_is_displayed_literally() -> None:
    world = SandboxWorld(seed=1)
    nasty = "[bold]hi[/] \x1b[31mred\x1b]52;c;aGk=\x07"
    world.add_inbound("+61444444444", nasty)
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_show_tab("history")
        await settle(pilot)
        history = app.query_one("#history-list", VirtualList)
        while history.current is not None and history.current.sender != "+61444444444":
            history.action_cursor(1)
        await pilot.pause(0.3)  # the detail pane follows once the cursor rests (0.1 s)
        detail = app.query_one("#history-detail", Static).render()
        shown = str(detail)
        assert "[bold]hi[/]" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        assert "␛[31mred" in shown
        row = history._render_row(history.current, 120)  # what the list line shows
        assert "[bold]hi[/]" in row.plain and "\x1b" not in row.plain
