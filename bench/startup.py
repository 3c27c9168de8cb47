"""Process start to first frame: smstui on the sandbox (cached connection) vs a bare Textual app.

Both run headless in fresh processes in the same run; the bare app has the same skeleton
(header, four tabs, footer). Both start from compiled bytecode (a private cache the warm-up
runs fill), as an installed app does. Prints JSON with every run, the medians and their ratio
(target <= 1.3), and the load average before and after.
Usage: python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MARK = "FIRST-FRAME"


def child_bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, TabbedContent, TabPane

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            with TabbedContent():
                for name in ("Compose", "Inbox", "History", "Templates"):
                    yield TabPane(name)
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self.first_frame)

        def first_frame(self) -> None:
            print(MARK, flush=True)
            self.exit()

    Bare().run(headless=True)


def child_smstui(warm: bool) -> None:
    from smstui.core.config import load_settings
    from smstui.core.service import Workspace
    from smstui.ui.app import SmsApp

    class Probe(SmsApp):
        def on_mount(self) -> None:
            # registered before the app's own after-refresh work (building Compose, starting
            # the connect worker) so the mark is printed right after the first frame, as the
            # bare app's is
            if not warm:
                self.call_after_refresh(self.first_frame)
            super().on_mount()

        def first_frame(self) -> None:
            print(MARK, flush=True)
            self.exit()

        async def _sync(self) -> None:
            await super()._sync()
            if warm:  # the warm-up run caches the connection and fills the store, then leaves
                self.exit()

    ws = Workspace.from_settings(load_settings(flags={"sandbox": True}))
    Probe(ws, sync_interval=0).run(headless=True)


def timed(kind: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", kind], stdout=subprocess.PIPE, env=env, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == MARK:
            elapsed = time.perf_counter() - start
            break
    else:
        raise SystemExit(f"{kind} never drew a frame")
    proc.wait(timeout=30)
    return elapsed


def load() -> str:
    with open("/proc/loadavg") as f:
        return f.read().strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", choices=("bare", "smstui", "warm"))
    args = parser.parse_args()
    if args.child == "bare":
        return child_bare()
    if args.child in ("smstui", "warm"):
        return child_smstui(args.child == "warm")
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
        timed("bare", env)  # untimed: compiles what only the bare app imports
        bare, app = [], []
        for _ in range(args.runs):  # interleaved so both see the same machine load
            bare.append(timed("bare", env))
            app.append(timed("smstui", env))
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
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
