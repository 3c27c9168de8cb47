"""The Console tab (raw requests through Membrane) driven as a user would on the sandbox."""

from __future__ import annotations

from support.sandbox_app import sandbox_app
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static, TextArea

from smstui.core.explorer.request_console import MASK, RequestHistory
from smstui.core.sandbox import SandboxWorld
from smstui.ui.tabs.console import NOT_SENT, ConsoleTab
from smstui.ui.widgets.tab_bar import TabBar


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_console(pilot: Pilot[None]) -> ConsoleTab:
    await settle(pilot)
    await pilot.click("#tabs", offset=pilot.app.query_one("#tabs", TabBar).offset_of("console"))
    await settle(pilot)
    return pilot.app.query_one(ConsoleTab)


async def set_path(pilot: Pilot[None], path: str) -> None:
    box = pilot.app.query_one("#console-path", Input)
    await pilot.click(box)
    box.value = ""
    await pilot.press(*path)


def shown(pilot: Pilot[None], selector: str) -> str:
    return str(pilot.app.query_one(selector, Static).render())


async def test_get_account_shows_status_200_and_the_body_with_the_api_key_masked() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_console(pilot)
        await set_path(pilot, "/v3/account")
        await pilot.press("f5")
        await settle(pilot)
        assert shown(pilot, "#console-status").startswith("HTTP 200")
        body = shown(pilot, "#console-body-view")
        assert '"username"' in body
        assert f'"api_key": "{MASK}"' in body
        assert world.clicksend.api_key not in body


async def test_query_lines_reach_clickSend_and_the_request_lands_in_the_history() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_console(pilot)
        await set_path(pilot, "/v3/sms/history")
        await pilot.click("#console-query")
        await pilot.press(*"page=1", "enter", *"limit=15")
        await pilot.click("#console-send")
        await settle(pilot)
        assert shown(pilot, "#console-status").startswith("HTTP 200")
        assert '"per_page": 15' in shown(pilot, "#console-body-view")
        [entry] = RequestHistory().entries()
        assert (entry.spec.path, entry.spec.query, entry.status) == (
            "/v3/sms/history",
            {"page": "1", "limit": "15"},
            200,
        )
        assert len(tab.entries) == 1


async def test_choosing_a_history_entry_refills_the_form() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_console(pilot)
        await set_path(pilot, "/v3/sms/templates")
        await pilot.click("#console-query")
        await pilot.press(*"page=2")
        await pilot.press("f5")
        await settle(pilot)
        await set_path(pilot, "/v3/account")
        app.query_one("#console-query", TextArea).load_text("")
        history = app.query_one("#console-history", OptionList)
        history.focus()
        history.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#console-path", Input).value == "/v3/sms/templates"
        assert app.query_one("#console-query", TextArea).text == "page=2"
        assert app.query_one("#console-method", Select).value == "GET"


async def test_a_path_without_a_slash_is_reported_inline_and_nothing_is_requested() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_console(pilot)
        before = world.clicksend.requests
        await set_path(pilot, "v3/account")
        await pilot.press("f5")
        await settle(pilot)
        assert "path must start with /" in shown(pilot, "#console-error")
        assert world.clicksend.requests == before
        assert shown(pilot, "#console-status") == NOT_SENT


async def test_a_bad_header_line_is_reported_inline() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_console(pilot)
        before = world.clicksend.requests
        await pilot.click("#console-headers")
        await pilot.press(*"no colon here")
        await pilot.press("f5")
        await settle(pilot)
        assert "header 'no colon here' must look like KEY:VALUE" in shown(pilot, "#console-error")
        assert world.clicksend.requests == before


async def test_a_not_found_answer_shows_its_status_as_a_failure() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_console(pilot)
        await set_path(pilot, "/v3/no/such/thing")
        await pilot.press("f5")
        await settle(pilot)
        assert shown(pilot, "#console-status").startswith("HTTP 404")
        assert app.query_one("#console-status").has_class("-bad")


async def test_hostile_text_in_a_response_body_is_shown_literally() -> None:
    world = SandboxWorld(seed=1)
    world.add_inbound(
        "+61422222222", "[bold]boss[/bold] \x1b[2J\x1b]0;owned\x07 \u202eevil \x9b31m"
    )
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_console(pilot)
        await set_path(pilot, "/v3/sms/inbound")
        await pilot.press("f5")
        await settle(pilot)
        body = shown(pilot, "#console-body-view")
        assert "[bold]boss[/bold]" in body
        for unsafe in ("\x1b", "\x07", "\u202e", "\x9b"):
            assert unsafe not in body
