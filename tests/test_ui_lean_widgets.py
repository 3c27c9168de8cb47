"""History's screen stays lean: its widget count, and the widgets that were slimmed to get
there (LeanSelect; Compose's MMS/voice fields and error lines, built when first needed).

Every widget on the screen costs on each key driven by Textual's Pilot (``pilot.press`` and
``pilot.pause`` visit them all, hidden tabs included): with 120 widgets, PageDown in
``bench/history_view.py`` was ~1.8x a bare app's key; see README, Performance."""

from __future__ import annotations

from typing import Any

import pytest
from support.sandbox_app import sandbox_app
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Select, Static, TextArea

from smstui.ui.tabs.compose import ComposeTab
from smstui.ui.widgets.lean_select import LeanSelect

#: History's screen (tab bar, status bar, footer, the built Compose and History) had 68
#: widgets when this bound was set, 120 before: 3 fewer per Select (LeanSelect, 9); Compose's
#: MMS and voice fields (24), its four error lines, MMS/voice meter and picked-lists line (6)
#: built when first needed; the status bar's 4 Statics drawn by the bar; the footer's ten
#: (Footer and its nine keys, the palette key one of them) drawn by one ``AppFooter`` (9).
#: Then 45: the tab bar one widget (``TabBar``) and each tab's body on the screen itself, not
#: in a TabbedContent's switcher and pane (20 widgets and two levels less), and History's list
#: and detail in its own grid (no row container: 1 less).
#: Then 18: each tab on its own screen (``ui/tab_screen.py``), so Compose's 27 built widgets
#: are on Compose's screen, not History's.
#: One of slack; a widget more than that is a choice to make against the History bench, not
#: by accident.
HISTORY_SCREEN_BOUND = 19
#: how deep History's list sits (app, screen, tab, list): every key and every repaint of the
#: list goes through each level (8 with TabbedContent)
HISTORY_LIST_DEPTH = 4


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def count(root: Widget) -> int:
    return len(list(root.walk_children(with_self=True)))


async def test_history_screen_widget_count_stays_under_its_bound() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_show_tab("history")
        await settle(pilot)
        assert app.query_one("#history-list").region.area > 0  # History is what is shown
        compose = app.tab_widget("compose")  # built, on a screen of its own
        assert isinstance(compose, ComposeTab) and compose.is_built
        assert compose.screen is not app.screen
        assert count(app.screen) <= HISTORY_SCREEN_BOUND
        assert len(app.query_one("#history-list").ancestors_with_self) == HISTORY_LIST_DEPTH


async def test_a_lean_select_mounted_as_the_app_closes_stops_nothing() -> None:
    """Textual mounts nothing into a closing widget: a LeanSelect built then (in a tab built
    ahead as the user quits) has no overlay, and Select's own mount would raise NoMatches."""
    crashes: list[BaseException] = []

    class Closing(App[None]):
        def compose(self) -> ComposeResult:
            select = LeanSelect([("a", "a")], prompt="Pick")

            async def mount_nothing(widgets: list[Widget]) -> None:
                return None

            select.mount_composed_widgets = mount_nothing  # type: ignore[method-assign]
            yield select

    app = Closing()
    async with app.run_test() as pilot:
        app._handle_exception = crashes.append  # type: ignore[method-assign]
        await pilot.pause()
        assert not app.query_one(LeanSelect).children  # what a closing widget gets
    assert crashes == []


async def test_compose_builds_mms_and_voice_fields_meter_and_error_lines_only_when_needed() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        compose = app.query_one(ComposeTab)
        for absent in (
            "#mms-subject",
            "#voice-lang",
            "#body-error",
            "#recipients-error",
            "#channel-meter",
            "#picked-lists",
        ):
            assert not app.query(absent), absent
        await pilot.press("ctrl+s")  # nothing typed: the missing fields say so
        await settle(pilot)
        assert "empty" in str(app.query_one("#body-error", Static).render())
        assert app.query_one("#body-error").display
        app.query_one("#body", TextArea).insert("Hello")
        await settle(pilot)
        assert not app.query_one("#body-error").display  # cleared, still mounted
        assert not app.query("#mms-subject")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert compose.mode == "mms"
        assert app.query_one("#mms-subject", Input).region.area > 0
        assert "5/1500 chars" in str(app.query_one("#channel-meter", Static).render())
        assert not app.query_one("#meter").display
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.query_one("#voice-lang", Select).region.area > 0
        assert not app.query_one("#mms-fields").display


async def test_fields_can_be_filled_as_soon_as_the_mode_is_set() -> None:
    """``set_mode`` leaves every MMS field in the DOM at once (staging and prefill rely on
    it), though they are shown only once mounted."""
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one(ComposeTab).set_mode("mms")
        app.query_one("#mms-subject", Input).value = "Autumn sale"
        await settle(pilot)
        subject = app.query_one("#mms-subject", Input)
        assert subject.value == "Autumn sale" and subject.region.area > 0
        assert "11/20" in str(app.query_one("#subject-count", Static).render())


async def test_status_bar_draws_its_four_parts_on_one_line() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.status_bar
        line = "".join(s.text for s in app.screen._compositor.render_strips()[0])
        assert line.startswith(" smstui  SANDBOX  ")  # the short badge at 80 columns
        assert bar.account_text and bar.account_text in line
        assert line.rstrip().endswith(bar.connection_text)
        assert len(bar.children) == 0  # one widget, not four
        bar.show_connection("error", "x" * 200)  # longer than the line: cut at the right
        await pilot.pause()
        line = "".join(s.text for s in app.screen._compositor.render_strips()[0])
        assert len(line) == 80 and "✖ error · xxx" in line and "SANDBOX" in line


# ---------------------------------------------------------------------- LeanSelect

OPTIONS = [("SMS", "sms"), ("MMS", "mms"), ("A long option that has to wrap over lines", "long")]


class SideBySide(App[None]):
    """Textual's Select and LeanSelect, alike, in columns of the same width."""

    AUTO_FOCUS = None  # neither is focused unless the test focuses it

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self.kwargs = kwargs

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Select(OPTIONS, id="textual", **self.kwargs)
            yield LeanSelect(OPTIONS, id="lean", **self.kwargs)


def cells(app: App[Any], widget: Widget) -> list[list[tuple[str, Any, Any]]]:
    """The characters and colours drawn on the first line (its border included: the first
    three) of ``widget``'s current-value box, cell by cell."""
    strips = app.screen._compositor.render_strips()
    region = widget.region
    rows = []
    for y in range(region.y, region.y + 3):
        row: list[tuple[str, Any, Any]] = []
        x = 0
        for segment in strips[y]:
            for char in segment.text:
                if region.x <= x < region.right:
                    style = segment.style
                    row.append(
                        (char, style and style.color, style and style.bgcolor)
                        if char != " "
                        else (char, None, style and style.bgcolor)
                    )
                x += 1
        rows.append(row)
    return rows


@pytest.mark.parametrize(
    ("kwargs", "value", "focus", "open_it"),
    [
        ({}, "sms", False, False),
        ({"prompt": "Insert template"}, None, False, False),
        ({}, "mms", True, False),
        ({}, "sms", True, True),
        ({}, "long", False, False),
        ({"compact": True}, "mms", False, False),
    ],
    ids=["value", "placeholder", "focused", "open", "wrapped", "compact"],
)
async def test_lean_select_draws_what_textuals_select_draws(
    kwargs: dict[str, Any], value: str | None, focus: bool, open_it: bool
) -> None:
    app = SideBySide(**kwargs)
    async with app.run_test(size=(60, 20)) as pilot:
        for which in ("#textual", "#lean"):
            select = app.query_one(which, Select)
            if value is not None:
                select.value = value
            await pilot.pause()
            if focus:
                select.focus()
                await pilot.pause()
                if open_it:
                    await pilot.press("enter")
                    await pilot.pause()
                    assert select.expanded
                    drawn = cells(app, select)
                    await pilot.press("escape")
                    await pilot.pause()
                    key = f"open{which}"
                    setattr(app, key.replace("#", "_"), drawn)
                    continue
            setattr(app, f"drawn{which}".replace("#", "_"), cells(app, select))
        if open_it:
            assert app.open_textual == app.open_lean  # type: ignore[attr-defined]
            assert any("▲" in c for row in app.open_lean for c, _, _ in row)  # type: ignore[attr-defined]
        else:
            textual = app.drawn_textual  # type: ignore[attr-defined]
            assert textual == app.drawn_lean  # type: ignore[attr-defined]
            assert any("▼" in c for row in textual for c, _, _ in row)
