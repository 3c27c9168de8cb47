"""The operator's desk in the app: tab keys that work from inside a text field (alt+1..8),
the Inbox's unread count, and toasts for replies that a background sync brings in."""

from __future__ import annotations

from collections.abc import Callable

from support.sandbox_app import sandbox_app, toasts_of
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from smstui.core.config import load_settings
from smstui.core.sandbox import SandboxWorld
from smstui.core.service import Workspace
from smstui.ui.app import SmsApp
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.screens.help import HelpScreen
from smstui.ui.screens.optouts import OptOutsScreen
from smstui.ui.screens.rules import RulesScreen
from smstui.ui.widgets.app_footer import AppFooter
from smstui.ui.widgets.tab_bar import TabBar


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
    return pilot.app.query_one("#tabs", TabBar).active


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
        keys = app.screen.query_one(AppFooter).shown_keys()
        shown = [
            k for k in keys if k.info.key_display == "alt+N" and k.right <= 80 and k.right > k.x
        ]
        assert shown, [(k.info.key_display, k.x, k.right) for k in keys]


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
            assert screen.records.cache.source.count() == 0
            screen.query_one("#optout-number", Input).value = "0412 345 681"
            await pilot.click("#optout-add")
            await settle(pilot)
            assert [e.number for e in screen.records.cache.source.rows(0, 10)] == ["+61412345681"]
            assert ws.optouts.is_opted_out("+61412345681")
            screen.records.focus()
            await pilot.press("x")
            await pause_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await settle(pilot)
            assert screen.records.cache.source.count() == 0
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
            rules = screen.records.cache.source.rows(0, 10)
            assert [r.action for r in rules] == ["POLL", "POLL"]
            screen.query_one("#rule-keyword", Input).value = "INFO"
            screen.query_one("#rule-reply", Input).value = "Open 9-5"
            await pilot.click("#rule-add")
            await settle(pilot)
            actions = [(r.action, r.keyword) for r in screen.records.cache.source.rows(0, 10)]
            assert ("AUTO_REPLY", "INFO") in actions
            # the inbound POLL rule is the first row: disabling it asks first, and says why
            screen.records.focus()
            screen.records.cursor = 0
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


def _inbox_label(app: object) -> str:
    tabs = app.query_one("#tabs", TabBar)  # type: ignore[attr-defined]
    return tabs.label("inbox")


def _reply_toasts(app: SmsApp) -> list[tuple[str, str]]:
    return toasts_of(app).replies()


async def test_a_reply_from_a_background_sync_shows_in_the_title_and_a_toast() -> None:
    world = SandboxWorld(seed=1)
    world.reply_rate = 0.0
    app, _ = sandbox_app(world)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        before = app.ws.replies.unread_count()
        assert _reply_toasts(app) == []  # the first sync's backlog is not announced one by one
        world.add_inbound(
            "+61412345699", "Are you open on Sunday? [b]I need[/b] a quote\x1b[31m for two"
        )
        app.action_sync_now()  # what the sync timer does
        await settle(pilot)
        assert app.unread_count == before + 1
        # short form at 80 columns (the Inbox is not the active tab) and the count
        assert _inbox_label(app) == f"2 Inbox ({before + 1})"
        [(title, message)] = _reply_toasts(app)
        assert title == "Reply from +61412345699"
        # plain text: the markup stays literal, the escape sequence inert, first words only
        assert message.startswith("Are you open on Sunday? [b]I need[/b] a")
        assert "\x1b" not in message and message.endswith("…")
        # reading it brings the count down
        app.action_show_tab("inbox")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert app.unread_count == before
        assert _inbox_label(app).startswith("2 Inbox")


async def test_no_toast_for_the_conversation_open_on_screen(monkeypatch: object) -> None:
    from smstui.ui.screens.conversation import ConversationScreen

    world = SandboxWorld(seed=1)
    world.reply_rate = 0.0
    app, _ = sandbox_app(world)
    rings: list[bool] = []
    app.bell = lambda: rings.append(True)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.ws.settings.bell = True
        app.push_screen(ConversationScreen("+61412345698"))
        await settle(pilot)
        world.add_inbound("+61412345698", "thanks, see you then")
        app.action_sync_now()
        await settle(pilot)
        assert _reply_toasts(app) == [] and rings == []  # shown in the open conversation
        world.add_inbound("+61412345697", "who is this?")
        app.action_sync_now()
        await settle(pilot)
        assert _reply_toasts(app) == [("Reply from +61412345697", "who is this?")]
        assert rings == [True]  # bell = true in config.toml


async def _compose_to(pilot: Pilot[None], recipients: str, body: str) -> None:
    app = pilot.app
    app.query_one("#recipients", Input).value = recipients
    app.query_one("#body", TextArea).load_text(body)
    await pilot.pause()
    await pilot.press("ctrl+s")
    await pause_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))


async def test_compose_asks_about_opted_out_recipients_and_leaves_them_out() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.ws.optouts.add("+61412345681")
        before = len(world.clicksend.received)
        await _compose_to(pilot, "+61412345681, +61412345682", "Weekend sale")
        asked = str(app.screen.query_one("#confirm-body", Static).render())
        assert "+61412345681" in asked and "+61412345682" not in asked
        await pilot.click("#no")  # leave them out
        await pause_until(
            pilot,
            lambda: isinstance(app.screen, ConfirmScreen)
            and "+61412345682" in str(app.screen.query_one("#confirm-body", Static).render()),
        )
        assert "+61412345681" not in str(app.screen.query_one("#confirm-body", Static).render())
        await pilot.click("#yes")
        await settle(pilot)
        assert [m["to"] for m in world.clicksend.received[before:]] == ["+61412345682"]


async def test_compose_can_include_opted_out_recipients_when_told_to() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.ws.optouts.add("+61412345681")
        before = len(world.clicksend.received)
        await _compose_to(pilot, "+61412345681", "Your order shipped")
        await pilot.click("#yes")  # include them (transactional)
        await pause_until(
            pilot,
            lambda: isinstance(app.screen, ConfirmScreen)
            and "Send" in str(app.screen.query_one("#yes").label),  # type: ignore[attr-defined]
        )
        await pilot.click("#yes")
        await settle(pilot)
        assert [m["to"] for m in world.clicksend.received[before:]] == ["+61412345681"]


async def test_rules_and_optouts_open_from_their_tabs() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_show_tab("inbox")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        await pilot.press("escape")
        app.action_show_tab("contacts")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OptOutsScreen)


async def test_compose_marks_opted_out_numbers_as_they_are_typed() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.ws.optouts.add("+61412345681")
        app.query_one("#recipients", Input).value = "+61412345682, 0412 345 681"
        await pilot.pause()
        marked = str(app.query_one("#recipients-error", Static).render())
        assert "+61412345681: opted out" in marked and "+61412345682" not in marked
        app.query_one("#recipients", Input).value = "+61412345682"
        await pilot.pause()
        assert str(app.query_one("#recipients-error", Static).render()) == ""
