"""History view at scale: first paint, PageDown and `/` search keystrokes, peak RSS.

Compares smstui's virtual History list over N stored rows with a bare app (the floor: a key
that does nothing but repaint, and a switch to a tab holding one Static) and with a DataTable
holding 10,000 rows (the baseline). Each variant runs in its own process so peak RSS is its own.

Two clocks for opening a tab: ``first_paint_s`` ends at the first frame written to the
terminal that shows the tab's content (rows, for History); ``settle_s`` ends when the app is
idle again, which includes Textual's 0.3 s tab-underline animation. Search is measured per
keystroke (the keystroke's own cost) and as ``search_result_s``: from the last keystroke to
the first frame showing the results (the list waits for a 150 ms typing pause). Prints JSON.
Usage: python bench/history_view.py --rows 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

KEYS = 15


async def keystrokes(pilot: Any, key: str) -> list[float]:
    times = []
    for _ in range(KEYS):
        start = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()  # until the screen has been refreshed
        times.append(time.perf_counter() - start)
    return times


class FrameClock:
    """Times of the frames the app writes to its (headless) terminal, and what they showed."""

    def __init__(self, app: Any, shows: Any) -> None:
        self.frames: list[tuple[float, bool]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None:
                self.frames.append((time.perf_counter(), bool(shows())))

        app._display = display

    def first_showing(self, since: float) -> float | None:
        return next((t - since for t, ok in self.frames if t >= since and ok), None)


async def open_tab(pilot: Any, clock: FrameClock, tab: str) -> tuple[float | None, float]:
    start = time.perf_counter()
    show = getattr(pilot.app, "action_show_tab", None)
    if show is not None:
        show(tab)  # smstui's own way (drops focus from the old pane first)
    else:
        pilot.app.query_one("TabbedContent").active = tab
    await pilot.pause()
    await pilot.pause()
    return clock.first_showing(start), time.perf_counter() - start


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


async def run_smstui(rows: int) -> dict[str, Any]:
    from smstui.core.sandbox.world import SandboxWorld
    from smstui.ui.testing import fill_store, sandbox_app

    app, _ = sandbox_app(SandboxWorld(seed=1))
    t0 = time.perf_counter()
    fill_store(app.backend.store, rows)
    fill_s = time.perf_counter() - t0

    def history_rows_painted() -> bool:
        found = app.query("#history-list")
        return bool(found) and len(found.first()._strips) > 0

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        clock = FrameClock(app, history_rows_painted)
        first_paint, settle = await open_tab(pilot, clock, "history")
        history = app.query_one("#history-list")
        history.focus()
        await pilot.pause()
        pagedown = await keystrokes(pilot, "pagedown")
        await pilot.press("slash")
        query = "order 42"
        search = []
        for ch in query[:KEYS]:
            start = time.perf_counter()
            await pilot.press("space" if ch == " " else ch)
            await pilot.pause()
            search.append(time.perf_counter() - start)
        last_key = time.perf_counter() - search[-1]
        while history.cache.source.filters.text != query:
            await asyncio.sleep(0.005)
        filtered = time.perf_counter()
        while not any(t >= filtered for t, _ in clock.frames):
            await asyncio.sleep(0.005)
        result = min(t for t, _ in clock.frames if t >= filtered) - last_key
    return {
        "rows": rows,
        "fill_store_s": round(fill_s, 2),
        "first_paint_s": rounded(first_paint),
        "settle_s": round(settle, 4),
        "pagedown_median_s": round(statistics.median(pagedown), 4),
        "search_keystroke_median_s": round(statistics.median(search), 4),
        "search_result_s": round(result, 4),
        "search_matches": history.row_count,
    }


async def run_floor() -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import Static, TabbedContent, TabPane

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            with TabbedContent():
                yield TabPane("One", Static("floor"), id="one")
                yield TabPane("Two", Static("two"), id="two")

    app = Bare()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        clock = FrameClock(app, lambda: app.query_one("#two").display)
        first_paint, settle = await open_tab(pilot, clock, "two")
        pagedown = await keystrokes(pilot, "pagedown")
    return {
        "tab_first_paint_s": rounded(first_paint),
        "tab_settle_s": round(settle, 4),
        "pagedown_median_s": round(statistics.median(pagedown), 4),
    }


async def run_datatable(rows: int) -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Table(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    app = Table()
    async with app.run_test(size=(120, 40)) as pilot:
        start = time.perf_counter()
        table = app.query_one(DataTable)
        table.add_columns("date", "to", "status", "body")
        table.add_rows(
            (f"2025-01-01 {i % 24:02d}:00", f"+614{i:08d}", "Completed", f"Message number {i}")
            for i in range(rows)
        )
        table.focus()
        await pilot.pause()
        first_paint = time.perf_counter() - start
        pagedown = await keystrokes(pilot, "pagedown")
    return {
        "rows": rows,
        "first_paint_s": round(first_paint, 4),
        "pagedown_median_s": round(statistics.median(pagedown), 4),
    }


def child(variant: str, rows: int) -> None:
    if variant == "smstui":
        result = asyncio.run(run_smstui(rows))
    elif variant == "floor":
        result = asyncio.run(run_floor())
    else:
        result = asyncio.run(run_datatable(rows))
    # ru_maxrss is KiB on Linux
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--table-rows", type=int, default=10_000)
    parser.add_argument("--child", choices=("smstui", "floor", "datatable"))
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.table_rows if args.child == "datatable" else args.rows)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            env[name] = str(Path(tmp) / name.lower())
        for variant in ("floor", "smstui", "datatable"):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    variant,
                    "--rows",
                    str(args.rows),
                    "--table-rows",
                    str(args.table_rows),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            results[variant] = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
