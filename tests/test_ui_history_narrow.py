"""At 80x24 every tab can be found and the essential keys stay on screen."""

from __future__ import annotations

from support.sandbox_app import sandbox_app
from textual.pilot import Pilot

from smstui.ui.app import SmsApp
from smstui.ui.widgets.app_footer import AppFooter
from smstui.ui.widgets.status_bar import SANDBOX_BADGE, SANDBOX_BADGE_SHORT
from smstui.ui.widgets.tab_bar import TabBar

NARROW = (80, 24)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def tabs(app: SmsApp) -> list[tuple[str, int, int]]:
    """(label, first column, end column) of each tab as drawn on the screen."""
    bar = app.query_one("#tabs", TabBar)
    x = bar.region.x
    return [(bar.label(t), start + x, end + x) for t, start, end in bar.shown_spans()]


async def test_every_tab_label_fits_in_80_columns_with_its_digit() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        shown = tabs(app)
        assert len(shown) >= 8
        assert all(start >= 0 and end <= 80 for _, start, end in shown)
        digits = [label.split(" ", 1)[0] for label, _, _ in shown]
        assert digits == [str(n) for n in range(1, len(shown) + 1)]


async def test_the_active_tab_keeps_its_full_name_when_narrow() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+pagedown", "ctrl+pagedown")
        await settle(pilot)
        labels = [label for label, _, _ in tabs(app)]
        assert "3 History" in labels
        assert "1 Comp" in labels  # inactive ones are short


async def test_wide_terminal_shows_full_tab_names() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        labels = [label for label, _, _ in tabs(app)]
        # the Inbox's title carries the unread count (the sandbox has unread replies)
        assert app.unread_count > 0
        inbox = f"2 Inbox ({app.unread_count})"
        assert labels[:4] == ["1 Compose", inbox, "3 History", "4 Templates"]


async def test_help_and_command_palette_keys_are_visible_in_history_at_80_columns() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+pagedown", "ctrl+pagedown")
        await settle(pilot)
        keys = {k.key: k for k in app.screen.query_one(AppFooter).shown_keys()}
        palette = keys["ctrl+p"]
        assert palette.palette and palette.right <= 80
        for key in ("f1", "slash", "ctrl+q"):
            assert keys[key].right <= palette.x, key


def screen_line(app: SmsApp, y: int) -> str:
    """Row ``y`` of the screen as drawn."""
    return "".join(segment.text for segment in app.screen._compositor.render_strips()[y])


async def test_sandbox_badge_is_short_when_narrow_and_full_when_wide() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        bar = app.status_bar
        assert bar.sandbox and bar.badge_text == SANDBOX_BADGE_SHORT
        assert SANDBOX_BADGE_SHORT.strip() in screen_line(app, 0)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert bar.badge_text == SANDBOX_BADGE
        assert SANDBOX_BADGE.strip() in screen_line(app, 0)
