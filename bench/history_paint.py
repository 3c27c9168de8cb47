"""What a History PageDown costs to paint at N stored rows, with and without ``ui/cells.py``.

Times, per PageDown on a store of ``--rows`` messages, the screen's compositor update (Textual's
``Screen._compositor_refresh``: every line it repaints, the list's new rows included) and, inside
it, the list's ``_row_strip`` (making a new row's segments). Wall clock around each, median over
``--keys`` PageDowns after ten untimed ones, in a fresh process per run.

The baseline, in the same run: the same app with rows measured Rich's way (``rich.cells.cell_len``
and one segment per styled run), which is what the list did before ``ui/cells.py``: any "→" or
"…" in a row sent the whole row, and every compositor cut of it, through Rich's lookup of each
character. ``--runs N`` alternates the two, N each, and reports every run. Prints JSON.
Usage: python bench/history_paint.py --rows 1000000 --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


from history_view import (  # noqa: E402 (after the path above)
    CACHE,
    FIRST_PAINT_WAIT,
    cached_store,
    child_json,
)


def rich_way() -> None:
    """Measure and cut rows as before ``ui/cells.py`` (the baseline)."""
    from rich.cells import cell_len

    import smstui.ui.cells as rows
    import smstui.ui.message_view as message_view

    def whole(text: str) -> Iterator[str]:
        yield text

    rows.cells = cell_len
    rows.pieces = whole
    message_view.cells = cell_len


def timed(cls: type, name: str, into: list[float]) -> None:
    original: Callable[..., Any] = getattr(cls, name)

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            into.append(time.perf_counter() - start)

    setattr(cls, name, wrapper)


async def measure(rows: int, keys: int, cache: Path) -> dict[str, Any]:
    from textual.screen import Screen

    from smstui.core.sandbox.world import SandboxWorld
    from smstui.ui.widgets.virtual_list import VirtualList
    from tests.support.sandbox_app import sandbox_app

    compositor: list[float] = []
    row_strips: list[float] = []
    timed(Screen, "_compositor_refresh", compositor)
    timed(VirtualList, "_row_strip", row_strips)
    app, _ = sandbox_app(SandboxWorld(seed=1))
    cached_store(app, rows, cache)
    per_key: list[tuple[float, float]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.action_show_tab("history")
        for _ in range(5):
            await pilot.pause()
        history = app.query_one("#history-list")
        deadline = time.perf_counter() + FIRST_PAINT_WAIT
        while not history.row_count:  # the first page of rows
            if time.perf_counter() > deadline:
                raise SystemExit(f"History showed no rows within {FIRST_PAINT_WAIT:.0f} s")
            await asyncio.sleep(0.01)
        history.focus()
        await pilot.pause()
        for _ in range(10):  # untimed: caches and the first pages
            await pilot.press("pagedown")
            await pilot.pause()
        for _ in range(keys):
            compositor.clear()
            row_strips.clear()
            await pilot.press("pagedown")
            await pilot.pause()
            per_key.append((sum(compositor), sum(row_strips)))
    return {
        "compositor_ms_median": round(statistics.median(k[0] for k in per_key) * 1000, 2),
        "row_strips_ms_median": round(statistics.median(k[1] for k in per_key) * 1000, 2),
        "keys": keys,
    }


def run_child(variant: str, args: argparse.Namespace, tmp: str) -> dict[str, Any]:
    argv = ["--child", variant, "--rows", str(args.rows), "--keys", str(args.keys)]
    return child_json(__file__, [*argv, "--cache", str(args.cache)], Path(tmp) / variant)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=60, help="timed PageDowns per run")
    parser.add_argument("--runs", type=int, default=5, help="runs of each, alternating")
    parser.add_argument("--cache", type=Path, default=CACHE, help="history_view.py's store cache")
    parser.add_argument("--child", choices=("cells", "rich"))
    args = parser.parse_args()
    if args.child:
        if args.child == "rich":
            rich_way()
        print(json.dumps(asyncio.run(measure(args.rows, args.keys, args.cache))))
        return
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            load = Path("/proc/loadavg").read_text().split()[0]
            baseline = run_child("rich", args, tmp)
            cells = run_child("cells", args, tmp)
            runs.append(
                {
                    "loadavg_before": load,
                    "rich_way": baseline,
                    "cells": cells,
                    "compositor_ratio": round(
                        cells["compositor_ms_median"] / baseline["compositor_ms_median"], 2
                    ),
                }
            )
    print(
        json.dumps(
            {
                "rows": args.rows,
                "runs": runs,
                "compositor_ratio": [r["compositor_ratio"] for r in runs],
                "loadavg_after": Path("/proc/loadavg").read_text().split()[0],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
