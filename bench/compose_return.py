"""Back to Compose from History: from the key (alt+1) to the first frame showing Compose's
fields with what was typed in them. Prints JSON.

Compose gives back its widgets while another tab is shown (``ComposeTab.rest``) and rebuilds
them when it is shown again: this is the price of that rebuild, as a user feels it. Each
return is preceded by a switch to History and a wait for Compose to rest (or, for code
without resting, a fixed 0.5 s: both sides wait at least that long). Also reports the
widgets on History's screen. Compare code versions by running this file from each version's
worktree (it imports the ``smstui`` next to it), alternately, in the same period.

Usage: python bench/compose_return.py --returns 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for where in (ROOT / "bench", ROOT):
    if str(where) not in sys.path:
        sys.path.insert(0, str(where))

from history_view import load  # noqa: E402  (bench/ is on the path from here)

#: seconds a return may take before its frame counts as missing (None)
FRAME_WAIT = 10.0
#: at least this long on History before each return (the app rests Compose within it)
ON_HISTORY = 0.5
TYPED = "+61411111111"


def run_in_private_home(
    measure: Callable[[int], Coroutine[Any, Any, dict[str, Any]]], count: int
) -> dict[str, Any]:
    """``measure(count)`` with config, data and cache in a throw-away folder (never the
    user's), and the load average before and after; ``compose_typing`` runs through it too."""
    with tempfile.TemporaryDirectory() as home:
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(Path(home) / name.lower())
        before = load()
        result = asyncio.run(measure(count))
    result["loadavg_before"] = before
    result["loadavg_after"] = load()
    return result


async def measure(returns: int) -> dict[str, Any]:
    from history_view import FrameClock
    from textual.widgets import Input, TextArea

    from smstui.core.sandbox.world import SandboxWorld
    from tests.support.sandbox_app import sandbox_app

    app, _ = sandbox_app(SandboxWorld(seed=1))

    def compose_showing() -> bool:
        # only asked while measuring a return (both code versions alike)
        if app.query_one("#tabs").active != "compose":  # type: ignore[attr-defined]
            return False
        found = app.query("#recipients").results(Input)
        box = next(found, None)
        return box is not None and box.value == TYPED and box.region.area > 0

    times: list[float | None] = []
    widgets: list[int] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.query_one("#recipients", Input).value = TYPED
        app.query_one("#body", TextArea).load_text("Back to Compose " * 8)
        await pilot.pause()
        measuring = False
        clock = FrameClock(app, lambda: measuring and compose_showing())
        for _ in range(returns):
            await pilot.press("alt+3")
            left = time.perf_counter()
            tab = app.tab_widget("compose")
            while time.perf_counter() - left < ON_HISTORY or (
                not getattr(tab, "asleep", True) and time.perf_counter() - left < 5
            ):
                await pilot.pause(0.02)
            await pilot.pause()
            widgets.append(len(list(app.screen.walk_children(with_self=True))))
            measuring = True
            start = time.perf_counter()
            await pilot.press("alt+1")
            deadline = start + FRAME_WAIT
            while clock.first_showing(start) is None and time.perf_counter() < deadline:
                await asyncio.sleep(0.002)
            measuring = False
            times.append(clock.first_showing(start))
            await app.workers.wait_for_complete()
            await pilot.pause()
    shown = [t for t in times if t is not None]
    return {
        "return_to_compose_s": [None if t is None else round(t, 4) for t in times],
        "return_to_compose_median_s": round(statistics.median(shown), 4) if shown else None,
        "widgets_on_history_screen": widgets[-1] if widgets else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--returns", type=int, default=10)
    args = parser.parse_args()
    print(json.dumps(run_in_private_home(measure, args.returns)))


if __name__ == "__main__":
    main()
