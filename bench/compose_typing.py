"""Typing in Compose: from each key to the first frame written after it, in the recipients
box (each key re-checks the numbers and their error line) and in the body (each key updates
the meter and its error line). Prints JSON.

Timed like ``history_view.key_to_frame`` (what a terminal user waits for, without
``pilot.pause()``'s visit to every widget of the screen, which would favour a screen with fewer
widgets); each key is followed by an untimed settle. Compare code versions by running this
file from each version's worktree (it imports the ``smstui`` next to it), alternately, in the
same period.

Usage: python bench/compose_typing.py --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for where in (ROOT / "bench", ROOT):
    if str(where) not in sys.path:
        sys.path.insert(0, str(where))

from compose_return import run_in_private_home  # noqa: E402  (bench/ is on the path from here)

RECIPIENTS = "+61411111111, 0412 345 67x"  # ends invalid: the error line shows, then goes
BODY = "Hello, your order is ready for pickup"


async def type_timed(pilot: Any, clock: Any, text: str) -> list[float]:
    times = []
    for ch in text:
        clock.written.clear()
        start = time.perf_counter()
        await pilot.press("space" if ch == " " else ("comma" if ch == "," else ch))
        await asyncio.wait_for(clock.written.wait(), timeout=10)
        times.append(min(t for t, _ in clock.frames if t >= start) - start)
        await pilot.pause()
    return times


async def measure(rounds: int) -> dict[str, Any]:
    from history_view import FrameClock
    from textual.widgets import Input, TextArea

    from smstui.core.sandbox.world import SandboxWorld
    from tests.support.sandbox_app import sandbox_app

    app, _ = sandbox_app(SandboxWorld(seed=1))
    recipients: list[float] = []
    body: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        clock = FrameClock(app, lambda: True)
        for _ in range(rounds):
            box = app.query_one("#recipients", Input)
            box.value = ""
            box.focus()
            await pilot.pause()
            recipients += await type_timed(pilot, clock, RECIPIENTS)
            area = app.query_one("#body", TextArea)
            area.load_text("")
            area.focus()
            await pilot.pause()
            body += await type_timed(pilot, clock, BODY)
    return {
        "recipients_key_to_frame_median_s": round(statistics.median(recipients), 4),
        "recipients_key_to_frame_p90_s": round(statistics.quantiles(recipients, n=10)[-1], 4),
        "body_key_to_frame_median_s": round(statistics.median(body), 4),
        "body_key_to_frame_p90_s": round(statistics.quantiles(body, n=10)[-1], 4),
        "keys": len(recipients) + len(body),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run_in_private_home(measure, args.rounds)))


if __name__ == "__main__":
    main()
