"""Write an SVG screenshot of each tab on a fixed-clock sandbox (``make screenshots``, which runs
``python -m tests.support.screenshots DIR`` from the repository root).

The same staging (``stage``) drives the snapshot tests, so screenshots and snapshots agree.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.pilot import Pilot

from smstui.core.sandbox.world import SandboxWorld
from smstui.ui.app import SmsApp
from smstui.ui.tabs.registry import INITIAL, TABS

from .sandbox_app import sandbox_app

#: 2025-03-14 01:00 UTC: a fixed clock makes the sandbox's messages the same on every run
FIXED_NOW = 1_741_914_000.0
SIZES = ((80, 24), (120, 40))


def staged_app() -> SmsApp:
    world = SandboxWorld(seed=7, clock=lambda: FIXED_NOW)
    world.add_inbound("+61422222222", "Running 10 min late — see you at 3?")
    app, _ = sandbox_app(world)
    return app


async def _until(pilot: Pilot[None], done: Callable[[], bool], what: str) -> None:
    """Wait (frame by frame, not a fixed sleep) until ``done()``; a busy machine makes the
    app's lazy tab building land frames later than on a quiet one."""
    deadline = time.monotonic() + 60
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"staging the screenshot: {what} did not happen in 60 s")
        await pilot.pause(0.02)


def _built(app: SmsApp, tab: str) -> bool:
    widget = app.tab_widget(tab)
    return widget is not None and widget.is_mounted  # its on_mount has run


async def stage(pilot: Pilot[None], tab: str) -> None:
    """Connect, sync, open ``tab`` and wait until nothing is still loading."""
    app = pilot.app
    assert isinstance(app, SmsApp)
    # the first tab is built after the first frame: switching before it is mounted lets its
    # focus pull the view back to it
    await _until(pilot, lambda: _built(app, INITIAL.id), "the first tab built")
    await app.workers.wait_for_complete()
    app.action_show_tab(tab)
    await _until(pilot, lambda: app.active_tab == tab and _built(app, tab), f"the {tab} tab open")
    await app.workers.wait_for_complete()
    if tab == "stats":
        # a fixed range in UTC: "today" and the local zone differ from machine to machine
        from smstui.ui.tabs.stats import StatsTab

        last = datetime.fromtimestamp(FIXED_NOW, UTC).date()
        app.query_one(StatsTab).show_range(last - timedelta(days=13), last, utc=True)
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()
    app.clear_notifications()
    for widget in app.query("Input, TextArea"):
        widget.cursor_blink = False  # type: ignore[attr-defined]  # a blinking cursor differs per frame
    await pilot.pause()
    assert app.active_tab == tab, f"staging the screenshot: {app.active_tab} is showing, not {tab}"


async def shoot(directory: Path) -> list[Path]:
    written: list[Path] = []
    for width, height in SIZES:
        # Contacts is shot view by view below (CONTACT_SHOTS)
        for tab in (t.id for t in TABS if t.id != "contacts"):
            app = staged_app()
            async with app.run_test(size=(width, height)) as pilot:
                await stage(pilot, tab)
                # as the snapshot tests do: a tab underline still sliding differs per run
                await pilot.wait_for_scheduled_animations()
                path = directory / f"{tab}-{width}x{height}.svg"
                path.write_text(app.export_screenshot(title=f"smstui — {tab}"), encoding="utf-8")
                written.append(path)
        from .screenshots_contacts import CONTACT_SHOTS, stage_contacts

        for shot in CONTACT_SHOTS:
            app = staged_app()
            async with app.run_test(size=(width, height)) as pilot:
                await stage_contacts(pilot, shot)
                await pilot.wait_for_scheduled_animations()
                path = directory / f"{shot}-{width}x{height}.svg"
                path.write_text(app.export_screenshot(title=f"smstui — {shot}"), encoding="utf-8")
                written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0] if args else "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    # never touch the user's real store or config while staging
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(Path(tmp) / name.lower())
        for path in asyncio.run(shoot(directory)):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
