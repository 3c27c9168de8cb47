"""The tab bar (``ui/widgets/tab_bar.py``): one widget for every tab's label."""

from __future__ import annotations

from support.sandbox_app import sandbox_app
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from smstui.ui.tabs.registry import spec
from smstui.ui.widgets.tab_bar import TabBar


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def bar_text(app: App[None], bar: TabBar) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return ["".join(s.text for s in strips[bar.region.y + i]) for i in range(2)]


async def test_a_click_on_a_label_opens_its_tab_and_focus_lands_inside_it() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bar = app.query_one("#tabs", TabBar)
        for tab in ("history", "templates", "compose"):
            await pilot.click("#tabs", offset=bar.offset_of(tab))
            await settle(pilot)
            assert app.active_tab == tab
            widget = app.tab_widget(tab)
            assert widget is not None and widget.screen is app.screen
            assert app.focused is not None and widget in app.focused.ancestors
            # each tab on its own screen: one body on the screen shown
            assert [t for t, w in app.built_tabs.items() if w.screen is app.screen] == [tab]
            assert len(app.built_tabs) > 1 or tab == "compose"


async def test_a_click_between_or_after_the_labels_changes_nothing() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bar = app.query_one("#tabs", TabBar)
        end = bar.shown_spans()[-1][2]
        await pilot.click("#tabs", offset=(end + 5, 0))
        await settle(pilot)
        assert app.active_tab == "compose"


async def test_the_underline_marks_the_active_tab_only() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_show_tab("history")
        await settle(pilot)
        bar = app.query_one("#tabs", TabBar)
        labels, underline = bar_text(app, bar)
        start, end = next((s, e) for t, s, e in bar.shown_spans() if t == "history")
        assert labels[start:end] == " 3 History "
        # half bars at the ends of the active label's stretch, whole bars everywhere else
        assert underline[start] == "╸" and underline[end - 1] == "╺"
        assert underline.count("╸") == 1 and underline.count("╺") == 1
        assert set(underline[start + 1 : end - 1]) == {"━"}


async def test_focus_taken_in_a_tab_not_on_show_never_takes_the_keys() -> None:
    """A tab's own code (or a test) focusing a widget of a tab built ahead: that focus is
    its screen's, so the keys still go to the tab the user sees."""
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.prebuild(spec("history"))
        await settle(pilot)
        history = app.tab_widget("history")
        assert history is not None and history.is_built and history.screen is not app.screen
        listing = history.query_one("#history-list")
        listing.focus()
        await settle(pilot)
        assert app.active_tab == "compose"
        assert app.focused is not None and app.focused.id == "recipients"
        await pilot.press("4")
        assert app.query_one("#recipients", Input).value == "4"
        # and the tab, once shown, starts from its own default
        app.action_show_tab("history")
        await settle(pilot)
        assert app.focused is listing


class Bar(App[None]):
    def __init__(self, labels: list[tuple[str, str]], active: str) -> None:
        super().__init__()
        self.labels = labels
        self.active = active
        self.clicked: list[str] = []

    def compose(self) -> ComposeResult:
        yield TabBar(self.labels, active=self.active, id="tabs")

    def on_tab_bar_clicked(self, event: TabBar.Clicked) -> None:
        self.clicked.append(event.tab)


async def test_a_label_is_plain_text_markup_and_escapes_included() -> None:
    hostile = "[bold red]x[/] \x1b[31m"
    app = Bar([("a", hostile), ("b", "B")], "a")
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        bar = app.query_one(TabBar)
        labels, _ = bar_text(app, bar)
        assert "[bold red]x[/]" in labels
        assert "\x1b" not in labels


async def test_on_a_narrow_bar_the_active_label_is_moved_into_view() -> None:
    labels = [(str(i), f"{i} Label number {i}") for i in range(1, 7)]
    app = Bar(labels, "6")
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        bar = app.query_one(TabBar)
        start, end = next((s, e) for t, s, e in bar.shown_spans() if t == "6")
        assert start >= 0 and end <= 40
        assert bar_text(app, bar)[0][start:end] == " 6 Label number 6 "
        # and a click where it is drawn is a click on it
        await pilot.click(TabBar, offset=bar.offset_of("6"))
        await pilot.click(TabBar, offset=bar.offset_of("5"))
        assert app.clicked == ["6", "5"]


async def test_tabs_build_ahead_under_a_dialog_and_a_tab_key_waits_for_the_dialog() -> None:
    """History built ahead while a dialog is on top (the first-run connection dialog, F1)
    goes onto its own screen and the dialog keeps its focus; a tab key under a dialog does
    nothing (it is modal: answered or closed first), then works once the dialog is gone."""
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.tab_widget("history") is not None  # built ahead after the first tab
        history_screen = app.tab_screens.pop("history")
        app.uninstall_screen(history_screen)
        await history_screen.remove()  # as if not built yet
        del app.built_tabs["history"]
        app.action_help()
        await settle(pilot)
        dialog = app.screen
        focused = dialog.focused
        assert len(app.screen_stack) == 2 and app.active_tab == "compose"
        await app.prebuild(spec("history"))
        await settle(pilot)
        history = app.tab_widget("history")
        assert history is not None and history.is_built and history.screen is not dialog
        await pilot.press("alt+5")
        await settle(pilot)
        assert app.screen is dialog and dialog.focused is focused
        assert app.active_tab == "compose" and app.tab_widget("contacts") is None
        app.pop_screen()
        await settle(pilot)
        await pilot.press("alt+5")
        await settle(pilot)
        assert app.active_tab == "contacts"
        contacts = app.tab_widget("contacts")
        assert contacts is not None and contacts.screen is app.screen and contacts.is_built
        assert app.focused is not None and contacts in app.focused.ancestors
