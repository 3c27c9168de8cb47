"""History's detail pane asks for a layout pass only when its height must change.

A layout pass re-arranges the whole screen (a few ms of CPU, most of it on a busy machine while
paging): a shorter text that still fits keeps the pane as tall as it was, blank below. What the
pane shows must look as a fresh layout shows it, with the scroll bar where it belongs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.style import Style
from support.sandbox_app import sandbox_app, store_of
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Static

from smstui.core.models import HistoryMessage
from smstui.ui.tabs.history import DETAIL_DELAY
from smstui.ui.widgets.virtual_list import VirtualList

BODIES = {  # newest first, as the list shows them
    "SHORT": "one line",
    "MID": "\n".join(f"middle {i}" for i in range(8)),
    "TALL": "\n".join(f"tall {i}" for i in range(80)),  # more lines than the pane has
    "SHORT2": "another line",
}


def seed(app: Any) -> None:
    store_of(app).upsert_history(
        HistoryMessage(
            f"DETAIL-{name}",
            "out",
            "+61491570998",
            "",
            body,
            "Completed",
            datetime(2030, 1, 10 - i, 12, tzinfo=UTC),  # newer than anything the sandbox has
            parts=1,
        )
        for i, (name, body) in enumerate(BODIES.items())
    )


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause(DETAIL_DELAY * 3)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def pane(pilot: Pilot[None]) -> list[list[tuple[str, Any]]]:
    """The detail pane's cells as they look: each character with its style, but a blank's
    foreground colour left out (a pane taller than its text draws its blank lines in the text's
    colour, the scroll view behind it in none: the same on screen) and the mouse's metadata
    (which widget a cell belongs to) dropped."""
    region = pilot.app.query_one("#history-detail-scroll").region
    strips = pilot.app.screen._compositor.render_strips()
    lines = []
    for strip in strips[region.y : region.bottom]:
        cells = []
        for segment in strip.crop(region.x, region.right).discard_meta():
            style = segment.style or Style()
            for char in segment.text:
                drawn = style.reverse or style.underline or style.strike or style.overline
                cells.append((char, style if char != " " or drawn else style.background_style))
        lines.append(cells)
    return lines


async def test_the_pane_shows_each_message_as_a_fresh_layout_would() -> None:
    app, _ = sandbox_app()
    seed(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+pagedown", "ctrl+pagedown")  # Compose -> Inbox -> History
        await settle(pilot)
        history = app.query_one("#history-list", VirtualList)
        assert app.focused is history
        detail = app.query_one("#history-detail", Static)
        scroll = app.query_one("#history-detail-scroll", VerticalScroll)
        layouts: list[bool] = []
        refresh = detail.refresh

        def counted(*args: Any, **kwargs: Any) -> Any:
            layouts.append(bool(kwargs.get("layout")))
            return refresh(*args, **kwargs)

        detail.refresh = counted  # type: ignore[method-assign]
        for key, shown, scrolls in (
            (None, "SHORT", False),
            ("j", "MID", False),
            ("j", "TALL", True),
            ("j", "SHORT2", False),  # shorter, and the scroll bar goes
            ("k", "TALL", True),
            ("k", "MID", False),
            ("k", "SHORT", False),  # shorter and fits: no layout pass
        ):
            layouts.clear()
            if key is not None:
                await pilot.press(key)
                await settle(pilot)
            assert history.current is not None
            assert history.current.message_id == f"DETAIL-{shown}"
            assert BODIES[shown].splitlines()[0] in str(detail.render())
            assert (scroll.max_scroll_y > 0) is scrolls
            seen = pane(pilot)
            asked_layout = any(layouts)
            # a layout pass forced now changes nothing on screen
            refresh(layout=True)
            await settle(pilot)
            assert pane(pilot) == seen, shown
            assert (scroll.max_scroll_y > 0) is scrolls
            if key == "k" and shown == "SHORT":
                assert not asked_layout
            if shown in ("MID", "TALL", "SHORT2"):
                assert asked_layout
