"""The tab contract: one registry the app is built from, and tabs that talk in messages."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.sandbox_app import sandbox_app, sandbox_workspace
from textual import on
from textual._compositor import LayoutUpdate
from textual.binding import Binding
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, OptionList, TextArea

from smstui.core.errors import StoreError
from smstui.core.sandbox import SandboxWorld
from smstui.ui.app import SmsApp
from smstui.ui.commands import palette_entries
from smstui.ui.messages import (
    AccountChanged,
    OpenInCompose,
    SendsReconciled,
    StoreChanged,
    TemplatesChanged,
)
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.tabs.base import SmsTab
from smstui.ui.tabs.registry import TABS, spec
from smstui.ui.widgets.app_footer import AppFooter
from smstui.ui.widgets.virtual_list import VirtualList

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "smstui" / "ui"
AU_OK = "+61411111111"  # a ClickSend test number: accepted, free


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], limit: float = 10.0
) -> None:
    waited = 0.0
    while not condition() and waited < limit:
        await pilot.pause(0.05)
        waited += 0.05


class RecordingApp(SmsApp):
    """The real app, also keeping every ``StoreChanged`` request that reached it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.store_changes: list[StoreChanged] = []

    @on(StoreChanged)
    def _record(self, message: StoreChanged) -> None:
        self.store_changes.append(message)


# ---------------------------------------------------------------- the registry


def test_registry_has_eight_tabs_with_unique_ids_keys_and_titles() -> None:
    assert [t.id for t in TABS] == [
        "compose",
        "inbox",
        "history",
        "templates",
        "contacts",
        "actions",
        "console",
        "stats",
    ]
    assert [t.key for t in TABS] == [str(n) for n in range(1, 9)]
    assert len({t.title for t in TABS}) == len({t.short_title for t in TABS}) == 8
    # narrow labels really are shorter (or the same when already short)
    assert all(len(t.short_title) <= len(t.title) for t in TABS)


def test_every_registered_tab_loads_a_tab_that_says_where_focus_goes() -> None:
    for t in TABS:
        cls = t.load()
        assert issubclass(cls, SmsTab), t.id
        assert cls.focus_default is not SmsTab.focus_default, t.id
        for request in t.takes:
            assert cls.take is not SmsTab.take, (t.id, request)


def test_app_keys_are_built_from_the_registry() -> None:
    bindings: dict[str | None, list[Binding]] = {}
    for b in SmsApp.BINDINGS:
        if isinstance(b, Binding):
            bindings.setdefault(b.id, []).append(b)
    for t in TABS:
        # the digit, and alt+digit (which works from inside a text field): one id, one F1 line
        found = bindings[f"app.tab.{t.id}"]
        assert sorted(b.key for b in found) == sorted([t.key, f"alt+{t.key}"])
        assert {b.action for b in found} == {f"show_tab('{t.id}')"}


async def test_palette_lists_every_tab_and_every_tab_command() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)):
        names = [name for name, _, _ in palette_entries(app)]
    for t in TABS:
        assert t.title in names, t.id
        for command in t.commands:
            assert command.name in names
    assert len(names) == len(set(names))


async def test_a_palette_entry_opens_its_tab_once_the_palette_has_closed() -> None:
    """The palette is a dialog, and a tab key under a dialog waits for it: the palette's
    entries run after it has closed, so they still open their tab."""
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Templates")

        def first_hit() -> str:
            hits = app.screen.query_one(OptionList)
            return str(hits.get_option_at_index(0).prompt) if hits.option_count else ""

        await wait_until(pilot, lambda: "Templates" in first_hit())
        assert "Templates" in first_hit()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.active_tab == "templates")
        assert app.active_tab == "templates" and len(app.screen_stack) == 1
        templates = app.tab_widget("templates")
        assert templates is not None and templates.screen is app.screen


@pytest.mark.parametrize("tab_id", ["compose", "history"])
async def test_a_tab_built_while_the_app_quits_sets_nothing_up(tab_id: str) -> None:
    # The app builds Compose right after the first frame and History ahead of time: a quit
    # then (a test leaving at once, ctrl+q at start-up) closes the tab while it composes, and
    # Textual mounts nothing into a closing widget (Widget.mount). Its on_mount found no
    # children: an internal-error crash report on the way out.
    app, _ = sandbox_app()
    crashes: list[BaseException] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app._handle_exception = crashes.append  # type: ignore[method-assign]
        built = app.tab_widget(tab_id)
        assert built is not None
        await built.remove()
        tab = spec(tab_id).load()()

        async def mount_nothing(widgets: list[Widget]) -> None:
            # what a closing widget does with what compose() gave (Widget.mount returns an
            # empty AwaitMount once _closing is set)
            return None

        tab.mount_composed_widgets = mount_nothing  # type: ignore[method-assign]
        await app.screen.mount(tab, before=app.query_one(AppFooter))
        await settle(pilot)
        # notices queued before it closed still reach it; the store may change meanwhile
        app.built_tabs[tab_id] = tab
        await wait_until(pilot, lambda: app.account is not None)
        account = app.account
        assert account is not None
        app.tell_tabs(lambda: AccountChanged(account))
        app.tell_tabs(lambda: SendsReconciled([]))
        app.reload_tabs(StoreChanged)
        app.reload_tabs(TemplatesChanged)
        await settle(pilot)
    assert crashes == []


async def test_each_number_key_opens_its_tab_and_focus_lands_inside_it() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for t in reversed(TABS):  # from the last, so every key is a switch
            app.screen.set_focus(None)  # a focused Input would take the digit as text
            await pilot.press(t.key)
            await wait_until(
                pilot,
                lambda t=t: (  # type: ignore[misc]
                    app.focused is not None
                    and app.tab_widget(t.id) is not None
                    and app.tab_widget(t.id) in app.focused.ancestors_with_self
                ),
            )
            assert app.active_tab == t.id
            tab = app.tab_widget(t.id)
            assert tab is not None and app.focused is not None
            assert tab in app.focused.ancestors_with_self, t.id


async def test_store_changed_reloads_exactly_the_tabs_that_ask_for_it() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for t in TABS:
            app.action_show_tab(t.id)
            await settle(pilot)
        reloaded: list[str] = []
        for tab_id, tab in app.built_tabs.items():
            tab.reload = lambda tab_id=tab_id: reloaded.append(tab_id)  # type: ignore[method-assign]
        app.post_message(StoreChanged())
        await pilot.pause()
        assert sorted(reloaded) == sorted(
            t.id for t in TABS if StoreChanged in spec(t.id).load().RELOADS_ON
        )
        assert {"inbox", "history", "templates", "stats"} <= set(reloaded)
        assert "compose" not in reloaded  # Compose re-reads on TemplatesChanged only


# ---------------------------------------------------------------- messages between tabs


async def test_sending_in_compose_refreshes_history_through_store_changed() -> None:
    app = RecordingApp(sandbox_workspace(SandboxWorld(seed=1)), sync_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_show_tab("history")
        await settle(pilot)
        history = app.query_one("#history-list", VirtualList)
        await wait_until(pilot, lambda: history.row_count > 0)
        before = history.row_count
        app.action_show_tab("compose")
        await settle(pilot)
        app.query_one("#recipients", Input).value = AU_OK
        app.query_one("#body", TextArea).load_text("Refresh the other tabs")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await settle(pilot)
        assert app.store_changes, "Compose told the app the store changed"
        await wait_until(pilot, lambda: history.row_count == before + 1)
        assert history.row_count == before + 1


async def test_open_in_compose_from_any_tab_fills_compose_and_switches_to_it() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_show_tab("templates")
        await settle(pilot)
        templates = app.tab_widget("templates")
        assert templates is not None
        templates.post_message(OpenInCompose(to=AU_OK, body="From a message"))
        compose = app.tab_widget("compose")
        assert compose is not None
        await wait_until(
            pilot, lambda: compose.query_one("#body", TextArea).text == "From a message"
        )
        assert app.active_tab == "compose"
        assert app.query_one("#recipients", Input).value == AU_OK


async def test_a_tab_opened_later_shows_what_every_other_tabs_chrome_shows() -> None:
    """Each tab is its own screen with its own status bar, banner and tab bar: one built
    after the account was read and a store problem reported shows both, and what happens
    after that reaches every tab's screen."""
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = app.status_bar
        assert "balance" in first.account_text and "connected" in first.connection_text
        app.store_failed(StoreError("The disk is full.", path="/x/smstui.db", problem="full"))
        app.action_show_tab("stats")  # its screen is built now, after both
        await settle(pilot)
        later = app.status_bar
        assert later is not first and app.active_tab == "stats"
        assert (later.account_text, later.connection_text) == (
            first.account_text,
            first.connection_text,
        )
        banners = app.store_banners()
        assert len(banners) == 3  # Compose, History (built ahead) and Stats
        assert all(b.error is not None and b.error.problem == "full" for b in banners)
        app.set_connection_state("error", "Membrane answered 401")
        assert first.connection_text == later.connection_text == "✖ error · Membrane answered 401"
        app.store_worked()  # a write went through: the full disk has room again
        assert all(b.error is None for b in banners)
        labels = [bar.label("inbox") for bar in app.tab_bars()]
        assert len(labels) == 3 and len(set(labels)) == 1


async def test_opening_a_tab_reparses_no_css_and_a_theme_change_reaches_every_tab() -> None:
    """Textual restyles a mode's screen from scratch (the whole stylesheet parsed again: 0.3-0.6
    s at load) when its CSS count is behind the app's; a tab's screen is styled as it mounts,
    so opening one (History built ahead, or a tab built as it opens) reparses nothing. A
    theme change does, and a tab not on show then takes the new theme when it shows."""
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reparsed: list[int] = []
        own = app.stylesheet.reparse
        app.stylesheet.reparse = lambda: (reparsed.append(1), own())[1]  # type: ignore[method-assign]
        for tab in ("history", "stats", "compose", "history"):
            app.action_show_tab(tab)
            await settle(pilot)
            assert app.active_tab == tab
        assert reparsed == []
        before = app.status_bar.styles.background
        app.action_toggle_theme()
        await settle(pilot)
        assert reparsed, "the theme change restyles"
        after = app.status_bar.styles.background
        assert after != before
        app.action_show_tab("stats")  # not on show when the theme changed
        await settle(pilot)
        assert app.status_bar.styles.background == after


# ---------------------------------------------------------------- the shape of the package


def test_no_ui_module_but_the_entry_point_imports_the_app_module() -> None:
    """Tabs, screens and widgets reach the app through ``getters.app(SmsShell)``: importing
    ``ui/app.py`` (which imports them) would be a cycle."""
    allowed = {"app.py", "testing.py", "screenshots.py", "screenshots_contacts.py"}
    offenders = []
    for path in UI.rglob("*.py"):
        if path.name in allowed and path.parent == UI:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "smstui.ui.app":
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_app_module_names_no_tab_and_dispatches_on_no_attribute_check() -> None:
    source = (UI / "app.py").read_text(encoding="utf-8")
    assert "hasattr" not in source and "getattr" not in source
    for t in TABS:
        assert f'"{t.id}"' not in source and f"'{t.id}'" not in source, t.id


async def test_the_first_frame_shows_the_footer_keys() -> None:
    # Textual's footer fills itself a refresh after the screen publishes its bindings: in the
    # app that came after Compose was built, so the first frame had an empty footer
    seen: list[list[str]] = []
    texts: list[str] = []

    class Watched(SmsApp):
        def _display(self, screen: Screen[object], renderable: object) -> None:
            if renderable is not None and not seen:  # the first frame handed to the driver
                visible = screen._compositor.visible_widgets
                footer = self.query_one(AppFooter)
                shown = footer.shown_keys() if footer in visible else []
                seen.append([key.info.description for key in shown])
            if isinstance(renderable, LayoutUpdate) and len(texts) < 5:
                texts.append(
                    "".join(seg.text for line in renderable.strips for s in line for seg in s)
                )
            super()._display(screen, renderable)  # type: ignore[arg-type]

    app = Watched(sandbox_workspace(SandboxWorld(seed=1)), sync_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
    assert seen and {"Quit", "Help", "Commands"} <= set(seen[0])
    assert app.tab_widget("compose") is not None  # built after it, as before
    # where a tab not built yet goes is blank: no Textual stand-in text for an empty widget
    # (its class and id, "TabPane#compose" when the tabs were Textual's panes)
    assert texts and not any(re.search(r"[A-Za-z]+#[a-z-]+", text) for text in texts)


def test_importing_the_app_loads_no_tab_module() -> None:
    """A tab that is not shown costs nothing before the first frame."""
    code = (
        "import sys, smstui.ui.app; "
        "print(sorted(m for m in sys.modules if m.startswith('smstui.ui.tabs.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "['smstui.ui.tabs.base', 'smstui.ui.tabs.registry']"
