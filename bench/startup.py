"""Process start to first frame: ``smstui --sandbox`` (cached connection) vs a bare Textual app.

smstui starts as a user starts it, through its command line (``smstui.cli.main``: arguments,
settings, then the app). Both run headless in fresh processes in the same run; the bare app has
the same skeleton (header, tabs, footer). "First frame" is the first frame the app displays
that shows its whole skeleton: the top bar, every tab's label and the footer's keys. Each child
rebuilds the text of the screen from the updates it hands to its driver (both apps alike) and
stops at the first display that shows all of it, so a frame drawn before the footer has its
keys (Textual fills the footer a refresh after mount) is not counted. The time is taken when
that display ends, on the system-wide monotonic clock the parent started from, so the check
itself is not timed. Both start from compiled bytecode (a private cache the warm-up runs fill),
as an installed app does. Prints JSON with every run, the medians and their ratio (target <=
1.3), the frame each app was timed at (last run), the time to each app's first display of all,
and the load average before and after.
Usage: python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

# The children import only this module's top (json, os, sys, time, typing: Textual imports
# them anyway), not the parent's argparse, statistics, subprocess or tempfile (10-30 ms a
# start, which would pad both sides alike and so pull the ratio towards 1).

MARK = "FIRST-FRAME"
#: printed at the end of the first display of all, whatever it shows
FIRST = "FIRST-DISPLAY"
#: a child that has not shown its skeleton by then has failed
GIVE_UP_S = 30.0


def watching(app_class: Any, skeleton: Callable[[list[str]], bool]) -> Any:
    """``app_class`` printing the mark at the end of its first display showing its skeleton."""
    from rich.cells import cell_len
    from rich.segment import ControlType

    class Watched(app_class):  # type: ignore[misc, valid-type]
        _rows: list[list[str]]
        _frame_shown = False

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if self._frame_shown or renderable is None or self._batch_count:
                return  # nothing displayed (Textual skips these too)
            at = time.monotonic()
            if not hasattr(self, "_rows"):
                print(FIRST, at, flush=True)
            lines = self._apply(renderable)
            if skeleton(lines):
                self._frame_shown = True
                print(MARK, at, json.dumps(lines), flush=True)
                self.exit()

        def _apply(self, update: Any) -> list[str]:
            """The screen's text after ``update`` (what a terminal would show, without style)."""
            width, height = self.size
            rows = getattr(self, "_rows", [])
            rows = [(row + [" "] * width)[:width] for row in rows[:height]]
            rows += [[" "] * width for _ in range(height - len(rows))]
            x = y = 0
            for segment in update.__rich_console__(self.console, self.console.options):
                if segment.control:
                    for code in segment.control:
                        if code[0] == ControlType.CURSOR_MOVE_TO:
                            x, y = code[1], code[2]
                    continue
                if segment.text == "\n":  # every line of an update starts with a move
                    continue
                for char in segment.text:
                    cells = cell_len(char)
                    if 0 <= y < height and 0 <= x < width:
                        rows[y][x] = char
                        for i in range(1, cells):
                            if x + i < width:
                                rows[y][x + i] = ""
                    x += cells
            self._rows = rows
            return ["".join(row).rstrip() for row in rows]

        def on_mount(self) -> None:
            self.set_timer(GIVE_UP_S, self._give_up)

        def _give_up(self) -> None:
            print(
                "no skeleton; last frame:",
                *("".join(row) for row in getattr(self, "_rows", [])),
                sep="\n",
                file=sys.stderr,
            )
            self.exit(return_code=1)

    return Watched


def shows(top: str, tabs: list[str], footer: list[str]) -> Callable[[list[str]], bool]:
    """The skeleton: ``top`` on the first row, every tab label on one row, the footer's keys
    on the last row."""

    def check(lines: list[str]) -> bool:
        return (
            len(lines) > 2
            and top in lines[0]
            and any(all(tab in line for tab in tabs) for line in lines[1:-1])
            and all(key in lines[-1] for key in footer)
        )

    return check


def child_bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, TabbedContent, TabPane

    names = ("Compose", "Inbox", "History", "Templates")

    class Bare(App[None]):
        TITLE = "Bare"  # not the name of the subclass the watch makes

        def compose(self) -> ComposeResult:
            yield Header()
            with TabbedContent():
                for name in names:
                    yield TabPane(name)
            yield Footer()

    app = watching(Bare, shows("Bare", list(names), ["palette"]))()
    app.run(headless=True)
    sys.exit(app.return_code or 0)


def child_warm() -> None:
    """Caches the connection and fills the store, then leaves (untimed)."""
    from smstui.core.config import load_settings
    from smstui.core.service import Workspace
    from smstui.ui.app import SmsApp

    class Warm(SmsApp):
        async def _sync(self) -> None:
            await super()._sync()
            self.exit()

    Warm(Workspace.from_settings(load_settings(flags={"sandbox": True})), sync_interval=0).run(
        headless=True
    )


def child_smstui() -> None:
    """``smstui --sandbox`` as a user starts it: the command line, its settings, the app."""
    from smstui import cli
    from smstui.ui import app as ui_app
    from smstui.ui.tabs.registry import TABS

    # the tab labels fit the headless terminal's 80 columns: each tab's key and short title
    tabs = [f"{t.key} {t.short_title}" for t in TABS]
    watched = watching(ui_app.SmsApp, shows("smstui", tabs, ["Help", "Quit", "Commands"]))

    class Headless(watched):  # type: ignore[misc, valid-type]
        def run(self, *args: Any, **kwargs: Any) -> Any:
            kwargs["headless"] = True  # the one difference from a terminal: no driver output
            return super().run(*args, **kwargs)

    ui_app.SmsApp = Headless  # what run_app builds
    sys.exit(cli.main(["--sandbox"]))


def timed(kind: str, env: dict[str, str], frames: dict[str, list[str]]) -> tuple[float, float]:
    """Seconds from starting the child to the end of its first display showing its skeleton,
    and to the end of its first display of all (``time.monotonic`` is the system-wide
    CLOCK_MONOTONIC, the same in both processes)."""
    import subprocess

    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", kind], stdout=subprocess.PIPE, env=env, text=True
    )
    assert proc.stdout is not None
    first = None
    for line in proc.stdout:
        mark, _, rest = line.partition(" ")
        if mark == FIRST:
            first = float(rest) - start
        elif mark == MARK:
            at, _, frame = rest.partition(" ")
            elapsed = float(at) - start
            frames[kind] = json.loads(frame)
            break
    else:
        raise SystemExit(f"{kind} never showed its skeleton (status bar, tabs, footer keys)")
    proc.wait(timeout=GIVE_UP_S)
    assert first is not None
    return elapsed, first


def load() -> str:
    with open("/proc/loadavg") as f:
        return f.read().strip()


def main() -> None:
    import argparse
    import statistics
    import subprocess
    import tempfile
    from pathlib import Path

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    before = load()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            env[name] = str(Path(tmp) / name.lower())
        # both apps start from compiled bytecode, as an installed app does (pip compiles it):
        # with PYTHONDONTWRITEBYTECODE set (as in this repo's shells) smstui's own modules
        # were compiled from source on every start while Textual's came compiled from its
        # install. The warm-up runs fill a private cache for both.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        subprocess.run(
            [sys.executable, __file__, "--child", "warm"], env=env, check=True, timeout=60
        )
        frames: dict[str, list[str]] = {}
        timed("bare", env, frames)  # untimed: compiles what only the bare app imports
        bare, app, bare_first, app_first = [], [], [], []
        for _ in range(args.runs):  # interleaved so both see the same machine load
            for times, firsts, kind in ((bare, bare_first, "bare"), (app, app_first, "smstui")):
                frame, first = timed(kind, env, frames)
                times.append(frame)
                firsts.append(first)
    result = {
        "runs": args.runs,
        "loadavg_before": before,
        "loadavg_after": load(),
        "bare_s": [round(t, 4) for t in bare],
        "smstui_s": [round(t, 4) for t in app],
        "bare_first_frame_s": round(statistics.median(bare), 4),
        "smstui_first_frame_s": round(statistics.median(app), 4),
        "ratio": round(statistics.median(app) / statistics.median(bare), 3),
        "target_ratio": 1.3,
        # the first display of all (before the skeleton is complete: Textual's footer gets
        # its keys a refresh after mount), for the breakdown
        "bare_first_display_s": [round(t, 4) for t in bare_first],
        "smstui_first_display_s": [round(t, 4) for t in app_first],
        "first_display_ratio": round(
            statistics.median(app_first) / statistics.median(bare_first), 3
        ),
        # the text of the frame each app was timed at (last run): what "first frame" means
        "first_frame": frames,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    CHILDREN = {"bare": child_bare, "smstui": child_smstui, "warm": child_warm}
    if sys.argv[1:2] == ["--child"]:
        CHILDREN[sys.argv[2]]()
    else:
        main()
