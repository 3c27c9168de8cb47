"""History view at scale: first paint, PageDown and `/` search keystrokes, peak RSS.

Compares smstui's virtual History list over N stored rows with a bare app (the floor: a key
that does nothing but repaint, and a switch to a tab holding one Static) and with a DataTable
holding 10,000 rows (the baseline). Each variant runs in its own process so peak RSS is its own.

Two clocks for opening a tab: ``first_paint_s`` ends at the first frame written to the
terminal that shows the tab's content (rows, for History); ``settle_s`` ends when the app is
idle again, which includes Textual's 0.3 s tab-underline animation. Search is measured per
keystroke (the keystroke's own cost) and as ``search_result_s``: from the last keystroke to
the first frame showing the results (the list waits for a 150 ms typing pause). Prints JSON.

``--runs N`` (default 10) runs the floor and smstui N times each, alternately, in fresh
processes, and reports every run (not the best) with the targets: first paint <= 0.3 s and
PageDown <= 1.5x the floor of the same round. PageDown is timed two ways: with
``pilot.pause()`` (``pagedown_median_s``; the floor presses a key bound to nothing) and from the
key to the next frame written (``pagedown_to_frame_median_s``; the floor's key repaints a line).
``unbound_key_median_s`` is the floor's own measure taken on smstui's History screen (a key
bound to nothing, with ``pilot.pause()``): the part of PageDown's figure that is the harness
visiting ``widgets_on_screen`` widgets, not the list. First paint waits up to 10 s for the
frame showing the tab (both apps alike), so a slow one is measured, not reported as None.
``--datatable-each-run`` also runs the DataTable baseline in every round and reports its
PageDown against that round's floor (``datatable_pagedown_vs_floor``): the same harness on
Textual's own table, for what any key that repaints a page costs next to one doing nothing.
PageDown is also timed paired (``pagedown_paired_vs_floor``, ``--paired-blocks``): after its
own measures each variant's process stays alive and presses PageDown in blocks of ``KEYS`` keys
that the parent interleaves (ABBA), so that the machine's load changing during a round weighs
on both sides of the ratio; the sequential figure times one process after the other.
The store of N rows is built once (~100 s at a million) and kept in ``--cache`` (default: a
folder in the system temp dir); each run copies it.
Usage: python bench/history_view.py --rows 1000000 --runs 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

#: the repository root: the app staging is shared with the tests (tests/support/)
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KEYS = 15
#: blocks of ``KEYS`` PageDowns each variant presses in the paired measure (``run_round``)
PAIRED_BLOCKS = 4
#: a key nothing in either app is bound to
UNBOUND = "f24"
#: seconds a tab may take to show before its first paint counts as missing (None)
FIRST_PAINT_WAIT = 10.0
#: where the store of N rows is kept between runs (``bench/history_paint.py`` shares it)
CACHE = Path(tempfile.gettempdir()) / "smstui-bench-history"


async def keystrokes(pilot: Any, key: str, count: int = KEYS) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()  # until the screen has been refreshed
        times.append(time.perf_counter() - start)
    return times


class Control:
    """The paired measure's channel to the parent: a pipe of commands in, one of replies out
    (not stdout: Textual captures it while the app runs). Commands: a count (press the key
    that many times and reply with the times, JSON) or ``done``."""

    def __init__(self, spec: str) -> None:
        commands, replies = (int(fd) for fd in spec.split(","))
        self.commands = os.fdopen(commands, "r")
        self.replies = os.fdopen(replies, "w")

    def say(self, line: str) -> None:
        self.replies.write(line + "\n")
        self.replies.flush()

    async def serve(self, pilot: Any, key: str) -> None:
        """Say ``ready``, then press ``key`` in the blocks the parent asks for until ``done``.
        Waiting for a command costs no CPU (a thread blocked on the pipe)."""
        self.say("ready")
        loop = asyncio.get_running_loop()
        while True:
            command = (await loop.run_in_executor(None, self.commands.readline)).strip()
            if command in ("done", ""):  # "": the parent closed the pipe
                return
            self.say(json.dumps(await keystrokes(pilot, key, int(command))))


#: set in a child started with ``--control`` (the paired measure)
CONTROL: Control | None = None


async def paired_blocks(pilot: Any, key: str) -> None:
    """In a child of the paired measure, the parent's blocks of ``key`` now (else nothing)."""
    if CONTROL is not None:
        await CONTROL.serve(pilot, key)


async def key_to_frame(pilot: Any, clock: FrameClock, key: str) -> list[float]:
    """Per keystroke, the time from the key to the first frame written after it: what the
    user waits for. Unlike ``keystrokes`` it leaves out ``pilot.pause()``, which posts a
    callback to every widget of the screen and waits for all of them (harness cost that grows
    with the widget count, hidden tabs included, and is absent from a real terminal)."""
    times = []
    for _ in range(KEYS):
        clock.written.clear()
        start = time.perf_counter()
        await pilot.press(key)
        await asyncio.wait_for(clock.written.wait(), timeout=10)
        times.append(min(t for t, _ in clock.frames if t >= start) - start)
        await pilot.pause()  # settle (untimed) before the next key
    return times


class FrameClock:
    """Times of the frames the app writes to its (headless) terminal, and what they showed."""

    def __init__(self, app: Any, shows: Any) -> None:
        self.frames: list[tuple[float, bool]] = []
        self.written = asyncio.Event()
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None:
                self.frames.append((time.perf_counter(), bool(shows())))
                self.written.set()

        app._display = display

    def first_showing(self, since: float) -> float | None:
        return next((t - since for t, ok in self.frames if t >= since and ok), None)


async def open_tab(pilot: Any, clock: FrameClock, tab: str) -> tuple[float | None, float]:
    start = time.perf_counter()
    show = getattr(pilot.app, "action_show_tab", None)
    if show is not None:
        show(tab)  # smstui's own way (drops focus from the old pane first)
    else:
        pilot.app.query_one("TabbedContent").active = tab  # the floor
    await pilot.pause()
    await pilot.pause()
    settle = time.perf_counter() - start
    # on a loaded machine the frame showing the tab can come after the two pauses: wait for
    # it (both apps alike), so a slow first paint is measured rather than reported as None
    deadline = start + FIRST_PAINT_WAIT
    while clock.first_showing(start) is None and time.perf_counter() < deadline:
        await asyncio.sleep(0.005)
    return clock.first_showing(start), settle


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def cached_store(app: Any, rows: int, cache: Path) -> float | None:
    """Put a store of ``rows`` rows where ``app`` will open it: a copy of the cached one, or
    built (and cached) now. Returns the build time, or None for a copy."""
    from smstui.core.store.schema import SCHEMA_VERSION, default_db_path
    from tests.support.sandbox_app import fill_store

    path = app.ws._session().store_path or default_db_path()
    cached = cache / f"history-{rows}-schema{SCHEMA_VERSION}.db"
    if cached.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, path)
        return None
    t0 = time.perf_counter()
    fill_store(app.ws._store(), rows)
    fill_s = time.perf_counter() - t0
    app.ws._store().run_read(lambda c: c.execute("PRAGMA wal_checkpoint(TRUNCATE)"))
    cache.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".part")
    shutil.copyfile(path, partial)
    partial.replace(cached)
    return fill_s


async def run_smstui(rows: int, cache: Path) -> dict[str, Any]:
    from smstui.core.sandbox.world import SandboxWorld
    from tests.support.sandbox_app import sandbox_app

    app, _ = sandbox_app(SandboxWorld(seed=1))
    fill_s = cached_store(app, rows, cache)

    seen: list[Any] = []

    def history_rows_painted() -> bool:
        # called on every frame: a DOM query each time (~5 ms over smstui's widgets on a
        # loaded machine) would be the harness's cost counted as the app's
        if not seen:
            found = app.query("#history-list")
            if not found:
                return False
            seen.append(found.first())
        return len(seen[0]._strips) > 0

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        clock = FrameClock(app, history_rows_painted)
        first_paint, settle = await open_tab(pilot, clock, "history")
        history = app.query_one("#history-list")
        history.focus()
        await pilot.pause()
        pagedown = await keystrokes(pilot, "pagedown")
        # the floor's own measure on smstui's screen: a key bound to nothing, so what is left
        # is the harness and the app's widget count (pilot.pause visits every widget)
        unbound = await keystrokes(pilot, UNBOUND)
        widgets = len(list(app.screen.walk_children(with_self=True)))
        pagedown_frame = await key_to_frame(pilot, clock, "pagedown")
        await paired_blocks(pilot, "pagedown")
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
        "fill_store_s": None if fill_s is None else round(fill_s, 2),
        "first_paint_s": rounded(first_paint),
        "settle_s": round(settle, 4),
        "pagedown_median_s": round(statistics.median(pagedown), 4),
        "unbound_key_median_s": round(statistics.median(unbound), 4),
        "widgets_on_screen": widgets,
        "pagedown_to_frame_median_s": round(statistics.median(pagedown_frame), 4),
        "search_keystroke_median_s": round(statistics.median(search), 4),
        "search_result_s": round(result, 4),
        "search_matches": history.row_count,
    }


async def run_floor() -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.binding import BindingType
    from textual.widgets import Static, TabbedContent, TabPane

    class Bare(App[None]):
        # "r" repaints one line and does nothing else: the floor of a key's way to the screen
        # (PageDown, the floor of ``keystrokes``, is not bound here: it repaints nothing)
        BINDINGS: ClassVar[list[BindingType]] = [("r", "repaint")]
        presses = 0

        def compose(self) -> ComposeResult:
            with TabbedContent():
                yield TabPane("One", Static("floor"), id="one")
                yield TabPane("Two", Static("two", id="two-text"), id="two")

        def action_repaint(self) -> None:
            self.presses += 1
            self.query_one("#two-text", Static).update(f"two {self.presses}")

    app = Bare()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        two = app.query_one("#two")  # looked up once, as smstui's list is
        clock = FrameClock(app, lambda: two.display)
        first_paint, settle = await open_tab(pilot, clock, "two")
        pagedown = await keystrokes(pilot, "pagedown")
        repaint = await key_to_frame(pilot, clock, "r")
        await paired_blocks(pilot, "pagedown")
        widgets = len(list(app.screen.walk_children(with_self=True)))
    return {
        "tab_first_paint_s": rounded(first_paint),
        "tab_settle_s": round(settle, 4),
        "pagedown_median_s": round(statistics.median(pagedown), 4),
        "key_to_frame_median_s": round(statistics.median(repaint), 4),
        "widgets_on_screen": widgets,
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
        await paired_blocks(pilot, "pagedown")
    return {
        "rows": rows,
        "first_paint_s": round(first_paint, 4),
        "pagedown_median_s": round(statistics.median(pagedown), 4),
    }


def child(variant: str, rows: int, cache: Path) -> None:
    if variant == "smstui":
        result = asyncio.run(run_smstui(rows, cache))
    elif variant == "floor":
        result = asyncio.run(run_floor())
    else:
        result = asyncio.run(run_datatable(rows))
    # ru_maxrss is KiB on Linux
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def child_json(script: str, argv: list[str], home: Path) -> dict[str, Any]:
    """Run ``script`` with ``argv`` in a fresh process whose XDG folders are under ``home``
    (emptied first: every run starts from the cached store); its last line of output as JSON."""
    env = child_env(home)
    out = subprocess.run(
        [sys.executable, script, *argv], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def child_env(home: Path) -> dict[str, str]:
    """The environment of a child whose XDG folders are under ``home`` (emptied first: every
    run starts from the cached store)."""
    env = dict(os.environ)
    shutil.rmtree(home, ignore_errors=True)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[name] = str(home / name.lower())
    return env


class PairedChild:
    """One variant's process, kept alive after its own measures to press PageDown in the
    blocks the parent interleaves with the other variants' (``--paired-blocks``)."""

    def __init__(self, variant: str, args: argparse.Namespace, tmp: str) -> None:
        self.variant = variant
        home = Path(tmp) / variant
        env = child_env(home)
        home.mkdir(parents=True, exist_ok=True)
        commands_r, commands_w = os.pipe()
        replies_r, replies_w = os.pipe()
        control = f"{commands_r},{replies_w}"
        self._stderr = open(home / "stderr.txt", "w+")  # noqa: SIM115 (closed in finish)
        self.proc = subprocess.Popen(
            [sys.executable, __file__, *child_argv(variant, args), "--control", control],
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            pass_fds=(commands_r, replies_w),
        )
        os.close(commands_r)
        os.close(replies_w)
        self._commands = os.fdopen(commands_w, "w")
        self._replies = os.fdopen(replies_r, "r")
        self.times: list[float] = []
        self._expect("ready")

    def _reply(self) -> str:
        line = self._replies.readline()
        if not line:  # the child died: its error, not a hang or a bare EOF
            self.proc.wait()
            self._stderr.seek(0)
            raise RuntimeError(f"{self.variant} child failed:\n{self._stderr.read()[-3000:]}")
        return line.strip()

    def _expect(self, word: str) -> None:
        reply = self._reply()
        if reply != word:
            raise RuntimeError(f"{self.variant} child said {reply!r}, not {word!r}")

    def block(self, keys: int) -> None:
        self._commands.write(f"{keys}\n")
        self._commands.flush()
        self.times.extend(json.loads(self._reply()))

    def finish(self) -> dict[str, Any]:
        """``done``: the child takes its remaining measures and prints its JSON."""
        self._commands.write("done\n")
        self._commands.close()
        out, _ = self.proc.communicate()
        self._replies.close()
        self._stderr.seek(0)
        err = self._stderr.read()
        self._stderr.close()
        if self.proc.returncode:
            raise RuntimeError(f"{self.variant} child failed:\n{err[-3000:]}")
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result


def run_round(args: argparse.Namespace, tmp: str) -> dict[str, dict[str, Any]]:
    """One round: each variant's own measures, one process after the other as before, then
    (``--paired-blocks`` > 0) PageDown in interleaved blocks of ``KEYS`` keys, the order
    reversed every other block (ABBA), so that a change in the machine's load during the
    round falls on both sides of the ratio instead of on whichever process ran at the time.
    Each variant's paired figure is the median over all its blocks' keys."""
    variants = ["floor", "smstui"] + (["datatable"] if args.datatable_each_run else [])
    if args.paired_blocks <= 0:
        return {v: run_child(v, args, tmp) for v in variants}
    children: list[PairedChild] = []
    try:
        for variant in variants:
            # started only when the one before it is waiting: each measures its own first
            # paint and keys on a machine where the others are idle
            children.append(PairedChild(variant, args, tmp))
        for block in range(args.paired_blocks):
            for child in children if block % 2 == 0 else reversed(children):
                child.block(KEYS)
        results = {}
        for child in children:
            result = child.finish()
            result["paired_pagedown_median_s"] = round(statistics.median(child.times), 4)
            result["paired_pagedown_keys"] = len(child.times)
            results[child.variant] = result
        return results
    finally:
        for child in children:
            if child.proc.poll() is None:
                child.proc.kill()
                child.proc.wait()


def child_argv(variant: str, args: argparse.Namespace) -> list[str]:
    return [
        "--child", variant, "--rows", str(args.rows), "--table-rows", str(args.table_rows),
        "--cache", str(args.cache),
    ]  # fmt: skip


def run_child(variant: str, args: argparse.Namespace, tmp: str) -> dict[str, Any]:
    return child_json(__file__, child_argv(variant, args), Path(tmp) / variant)


def load() -> str:
    with open("/proc/loadavg") as f:
        return f.read().strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--table-rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10, help="rounds of floor + smstui")
    parser.add_argument(
        "--cache",
        type=Path,
        default=CACHE,
        help="folder keeping the built store between runs",
    )
    parser.add_argument("--no-datatable", action="store_true", help="skip the DataTable baseline")
    parser.add_argument(
        "--datatable-each-run",
        action="store_true",
        help="run the DataTable baseline in every round (its PageDown against that round's floor)",
    )
    parser.add_argument(
        "--paired-blocks",
        type=int,
        default=PAIRED_BLOCKS,
        help="blocks of KEYS PageDowns per variant, interleaved (0: the sequential measure only)",
    )
    parser.add_argument("--child", choices=("smstui", "floor", "datatable"))
    parser.add_argument("--control", help=argparse.SUPPRESS)  # a child's pipes (PairedChild)
    args = parser.parse_args()
    if args.child:
        global CONTROL
        CONTROL = Control(args.control) if args.control else None
        rows = args.table_rows if args.child == "datatable" else args.rows
        return child(args.child, rows, args.cache)
    results: dict[str, Any] = {"rows": args.rows, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            before = load()
            variants = run_round(args, tmp)
            floor, smstui = variants["floor"], variants["smstui"]
            ratio = smstui["pagedown_median_s"] / floor["pagedown_median_s"]
            unbound_ratio = smstui["unbound_key_median_s"] / floor["pagedown_median_s"]
            frame_ratio = smstui["pagedown_to_frame_median_s"] / floor["key_to_frame_median_s"]
            run: dict[str, Any] = {
                "loadavg_before": before,
                "floor": floor,
                "smstui": smstui,
                "pagedown_vs_floor": round(ratio, 2),
                "unbound_key_vs_floor": round(unbound_ratio, 2),
                "pagedown_to_frame_vs_floor": round(frame_ratio, 2),
            }
            if args.paired_blocks > 0:
                run["pagedown_paired_vs_floor"] = round(
                    smstui["paired_pagedown_median_s"] / floor["paired_pagedown_median_s"], 2
                )
            if args.datatable_each_run:
                # Textual's own DataTable in a bare app, same harness: what a PageDown that
                # repaints a page costs any Textual app against the floor's key doing nothing
                table = variants["datatable"]
                run["datatable"] = table
                run["datatable_pagedown_vs_floor"] = round(
                    table["pagedown_median_s"] / floor["pagedown_median_s"], 2
                )
                if args.paired_blocks > 0:
                    run["datatable_paired_vs_floor"] = round(
                        table["paired_pagedown_median_s"] / floor["paired_pagedown_median_s"], 2
                    )
            results["runs"].append(run)
        if not args.no_datatable and not args.datatable_each_run:
            results["datatable"] = run_child("datatable", args, tmp)
    runs = results["runs"]
    paints = [r["smstui"]["first_paint_s"] for r in runs]
    results["summary"] = {
        "first_paint_s": paints,
        "first_paint_within_0.3s": sum(p is not None and p <= 0.3 for p in paints),
        "pagedown_vs_floor": [r["pagedown_vs_floor"] for r in runs],
        "pagedown_within_1.5x": sum(r["pagedown_vs_floor"] <= 1.5 for r in runs),
        "unbound_key_vs_floor": [r["unbound_key_vs_floor"] for r in runs],
        "pagedown_to_frame_vs_floor": [r["pagedown_to_frame_vs_floor"] for r in runs],
        "pagedown_to_frame_within_1.5x": sum(r["pagedown_to_frame_vs_floor"] <= 1.5 for r in runs),
        "datatable_pagedown_vs_floor": [r.get("datatable_pagedown_vs_floor") for r in runs],
        "pagedown_paired_vs_floor": [r.get("pagedown_paired_vs_floor") for r in runs],
        # None, not 0, when nothing was timed paired (--paired-blocks 0)
        "pagedown_paired_within_1.5x": sum(r["pagedown_paired_vs_floor"] <= 1.5 for r in runs)
        if args.paired_blocks > 0
        else None,
        "datatable_paired_vs_floor": [r.get("datatable_paired_vs_floor") for r in runs],
        "runs": len(runs),
        "target": "first paint <= 0.3 s and PageDown <= 1.5x floor in 9 of 10 runs",
        "loadavg_after": load(),
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
