"""At 80x24: Compose shows all it needs in every mode, and the footer's keys never run under
the command palette key (issue 14's rule for the narrow terminal)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest
from support.sandbox_app import sandbox_app
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from smstui.ui.app import SmsApp
from smstui.ui.tabs.compose import ComposeTab
from smstui.ui.tabs.registry import TABS
from smstui.ui.widgets.app_footer import AppFooter, ShownKey, keys_to_hide

NARROW = (80, 24)
FOOTER_ROW = 23


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def pause_until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Let the app paint until ``condition`` holds (the footer fits its keys after a paint)."""
    for _ in range(200):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("the app never got there")


def on_screen(widget: Widget, width: int = NARROW[0]) -> bool:
    region = widget.region
    return (
        widget.display
        and region.height > 0
        and region.y >= 0
        and region.bottom <= FOOTER_ROW
        and region.right <= width
    )


# ------------------------------------------------------------------ compose


@pytest.mark.parametrize("mode", ["sms", "mms", "voice"])
async def test_compose_at_80x24_shows_recipients_body_meter_schedule_and_send(mode: str) -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        compose = app.query_one(ComposeTab)
        compose.set_mode(mode)  # type: ignore[arg-type]
        await settle(pilot)
        meter = "#meter" if mode == "sms" else "#channel-meter"
        for field in ("#recipients", "#body", meter, "#schedule-date", "#schedule-time"):
            assert on_screen(app.query_one(field)), (mode, field, app.query_one(field).region)
        send = app.query_one("#send")
        assert on_screen(send) and send.region.height == 1, (mode, send.region)
        extra = {"mms": ("#mms-subject", "#mms-media"), "voice": ("#voice-lang",)}
        for field in extra.get(mode, ()):
            assert on_screen(app.query_one(field)), (mode, field)


async def test_a_field_error_takes_a_line_only_while_it_says_something() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        send = app.query_one("#send")
        # no error line yet (it is mounted when it first has something to say)
        assert not any(line.display for line in app.query("#body-error"))
        send_row = send.region.y
        await pilot.press("ctrl+s")  # nothing typed: every missing field says so
        await settle(pilot)
        error = app.query_one("#body-error", Static)
        assert error.display and "empty" in str(error.render())
        assert app.query_one("#schedule-date").region.y > send_row
        app.query_one(ComposeTab).query_one("#body").load_text("Hello")  # type: ignore[attr-defined]
        await settle(pilot)
        assert not error.display


# ------------------------------------------------------------------ footer


def footer_keys(app: SmsApp) -> tuple[list[ShownKey], ShownKey]:
    keys = app.screen.query_one(AppFooter).shown_keys()
    palette = next(k for k in keys if k.palette)
    return [k for k in keys if k is not palette], palette


def keys_clear_of_each_other_and_the_palette(app: SmsApp) -> bool:
    shown, palette = footer_keys(app)
    ordered = sorted(shown, key=lambda k: k.x)
    apart = all(a.right <= b.x for a, b in pairwise(ordered))
    # a blank column between the last key and the palette key's border
    return apart and all(k.right < palette.x for k in shown)


@pytest.mark.parametrize("tab", [t.id for t in TABS])
async def test_footer_keys_do_not_run_under_the_palette_key_at_80_columns(tab: str) -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        app.action_show_tab(tab)
        await settle(pilot)
        await pause_until(pilot, lambda: keys_clear_of_each_other_and_the_palette(app))
        shown, palette = footer_keys(app)
        assert palette.right <= NARROW[0]
        assert "f1" in {k.key for k in shown}  # help, which lists every key, stays


async def test_footer_shows_every_key_again_when_the_terminal_widens() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pause_until(pilot, lambda: keys_clear_of_each_other_and_the_palette(app))
        assert "ctrl+r" not in {k.key for k in footer_keys(app)[0]}  # no room at 80 in Compose
        await pilot.resize_terminal(120, 40)
        await pause_until(pilot, lambda: "ctrl+r" in {k.key for k in footer_keys(app)[0]})
        assert keys_clear_of_each_other_and_the_palette(app)
        assert {"ctrl+s", "ctrl+q", "f1", "ctrl+r"} <= {k.key for k in footer_keys(app)[0]}


def test_keys_are_hidden_from_the_end_and_help_last() -> None:
    widths = [8, 8, 8, 8]  # each with its gap
    assert keys_to_hide(widths, [False] * 4, 32) == set()
    assert keys_to_hide(widths, [False] * 4, 31) == {3}
    assert keys_to_hide(widths, [False, False, False, True], 20) == {1, 2}
    assert keys_to_hide(widths, [False, False, False, True], 7) == {0, 1, 2, 3}
