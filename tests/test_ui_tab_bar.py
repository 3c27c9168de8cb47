"""The tab bar (``ui/widgets/tab_bar.py``): one widget for every tab's label."""

from __future__ import annotations

from support.sandbox_app import sandbox_app
from textual.app import App, ComposeResult
from textual.pilot import Pilot

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
            assert widget is not None and widget.display
            assert app.focused is not None and widget in app.focused.ancestors
            # every other built tab is hidden: one body on screen at a time
            assert [t for t, w in app.built_tabs.items() if w.display] == [tab]


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


async def test_focus_inside_a_hidden_tab_brings_that_tab_forward() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.prebuild(spec("history"))
        await settle(pilot)
        history = app.tab_widget("history")
        assert history is not None and not history.display
        app.query_one("#history-list").focus()
        await settle(pilot)
        assert app.active_tab == "history" and history.display


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


async def test_tabs_open_and_build_under_a_dialog_on_the_main_screen() -> None:
    """History built ahead, or a tab opened by a palette command, while a dialog is on top
    (the first-run connection dialog, F1) goes onto the main screen (the app's own queries see
    only the top screen), and the dialog keeps its focus."""
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        built = app.tab_widget("history")
        assert built is not None
        await built.remove()  # as if not built yet: History is built ahead after the first tab
        del app.built_tabs["history"]
        app.action_help()
        await settle(pilot)
        dialog = app.screen
        focused = dialog.focused
        assert len(app.screen_stack) == 2 and app.active_tab == "compose"
        await app.prebuild(spec("history"))
        app.action_show_tab("contacts")
        await settle(pilot)
        assert app.screen is dialog and dialog.focused is focused
        main = app.screen_stack[0]
        for tab in ("history", "contacts"):
            widget = app.tab_widget(tab)
            assert widget is not None and widget.screen is main and widget.is_built
        assert app.active_tab == "contacts"
        app.pop_screen()
        await settle(pilot)
        assert app.active_tab == "contacts"
        contacts = app.tab_widget("contacts")
        assert contacts is not None and contacts.display and contacts.region.area > 0
        assert app.focused is not None and contacts in app.focused.ancestors
