"""The operator's desk in the app: tab keys that work from inside a text field (alt+1..8),
the Inbox's unread count, and toasts for replies that a background sync brings in."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input, Static, TabbedContent
from textual.widgets._footer import FooterKey

from smstui.core.config import load_settings
from smstui.core.sandbox import SandboxWorld
from smstui.core.service import Workspace
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.screens.help import HelpScreen
from smstui.ui.screens.optouts import OptOutsScreen
from smstui.ui.screens.rules import RulesScreen
from smstui.ui.testing import sandbox_app


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def pause_until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Let the app run until ``condition`` holds (a worker may be waiting on a dialog, so
    waiting for every worker to finish would never end)."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the app never got there")


def _active(pilot: Pilot[None]) -> str | None:
    return pilot.app.query_one("#tabs", TabbedContent).active


async def test_alt_digits_switch_tabs_from_inside_a_text_field() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        to = app.query_one("#recipients", Input)
        to.focus()
        await pilot.press("2")  # a plain digit types into the field, as before
        assert to.value.endswith("2") and _active(pilot) == "compose"
        typed = to.value
        await pilot.press("alt+3")
        await settle(pilot)
        assert _active(pilot) == "history"
        assert to.value == typed  # nothing typed into the field
        await pilot.press("alt+1")
        await settle(pilot)
        assert _active(pilot) == "compose"
        for key, tab in (("alt+8", "stats"), ("alt+2", "inbox"), ("alt+5", "contacts")):
            await pilot.press(key)
            await settle(pilot)
            assert _active(pilot) == tab


async def test_alt_digits_are_in_f1_and_the_footer() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {row[2]: row[0] for row in app.screen._rows}
        assert "alt+2" in rows["app.tab.inbox"] and "2" in rows["app.tab.inbox"]
        await pilot.press("escape")
        await pilot.pause()
        # on screen in the footer, not cut off at 80 columns
        shown = [
            key
            for key in app.query(FooterKey)
            if key.key_display == "alt+N" and key.region.right <= 80 and key.region.width
        ]
        assert shown, [(k.key_display, k.region) for k in app.query(FooterKey)]


def _workspace(world: SandboxWorld) -> Workspace:
    return Workspace.from_settings(load_settings(flags={"sandbox": True}, env={}), world=world)


async def test_optouts_view_adds_and_removes_numbers() -> None:
    app, world = sandbox_app()
    ws = _workspace(world)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = OptOutsScreen(ws)
            app.push_screen(screen)
            await settle(pilot)
            assert screen.optout_list.cache.source.count() == 0
            screen.query_one("#optout-number", Input).value = "0412 345 681"
            await pilot.click("#optout-add")
            await settle(pilot)
            assert [e.number for e in screen.optout_list.cache.source.rows(0, 10)] == [
                "+61412345681"
            ]
            assert ws.optouts.is_opted_out("+61412345681")
            screen.optout_list.focus()
            await pilot.press("x")
            await pause_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await settle(pilot)
            assert screen.optout_list.cache.source.count() == 0
            assert not ws.optouts.is_opted_out("+61412345681")
    finally:
        await ws.aclose()


async def test_rules_view_adds_an_auto_reply_and_asks_before_the_last_poll_rule() -> None:
    app, world = sandbox_app()
    ws = _workspace(world)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            screen = RulesScreen(ws)
            app.push_screen(screen)
            await settle(pilot)
            rules = screen.rule_list.cache.source.rows(0, 10)
            assert [r.action for r in rules] == ["POLL", "POLL"]
            screen.query_one("#rule-keyword", Input).value = "INFO"
            screen.query_one("#rule-reply", Input).value = "Open 9-5"
            await pilot.click("#rule-add")
            await settle(pilot)
            actions = [(r.action, r.keyword) for r in screen.rule_list.cache.source.rows(0, 10)]
            assert ("AUTO_REPLY", "INFO") in actions
            # the inbound POLL rule is the first row: disabling it asks first, and says why
            screen.rule_list.focus()
            screen.rule_list.cursor = 0
            await pilot.press("e")
            await pause_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            body = app.screen.query_one("#confirm-body", Static).render()
            assert "replies" in str(body)
            await pilot.press("n")
            await settle(pilot)
            assert world.clicksend.automations.rules["inbound"][10]["enabled"] == 1
            await pilot.press("e")
            await pause_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await settle(pilot)
            assert world.clicksend.automations.rules["inbound"][10]["enabled"] == 0
    finally:
        await ws.aclose()
