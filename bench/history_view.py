"""History view at scale: first paint, PageDown and `/` search keystrokes, peak RSS.

Compares smstui's virtual History list over N stored rows with a bare app (the floor: a key
that does nothing but repaint) and with a DataTable holding 10,000 rows (the baseline).
Each variant runs in its own process so peak RSS is its own. Prints JSON.
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


async def run_smstui(rows: int) -> dict[str, Any]:
    from smstui.core.sandbox.world import SandboxWorld
    from smstui.ui.testing import fill_store, sandbox_app

    app, _ = sandbox_app(SandboxWorld(seed=1))
    t0 = time.perf_counter()
    fill_store(app.backend.store, rows)
    fill_s = time.perf_counter() - t0
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        start = time.perf_counter()
        app.action_show_tab("history")
        await pilot.pause()
        await pilot.pause()
        first_paint = time.perf_counter() - start
        pagedown = await keystrokes(pilot, "pagedown")
        await pilot.press("slash")
        search = []
        for ch in "order 42"[:KEYS]:
            start = time.perf_counter()
            await pilot.press("space" if ch == " " else ch)
            await pilot.pause()
            search.append(time.perf_counter() - start)
    return {
        "rows": rows,
        "fill_store_s": round(fill_s, 2),
        "first_paint_s": round(first_paint, 4),
        "pagedown_median_s": round(statistics.median(pagedown), 4),
        "search_keystroke_median_s": round(statistics.median(search), 4),
    }


async def run_floor() -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("floor")

    async with Bare().run_test(size=(120, 40)) as pilot:
        pagedown = await keystrokes(pilot, "pagedown")
    return {"pagedown_median_s": round(statistics.median(pagedown), 4)}


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
