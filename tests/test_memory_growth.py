"""The app's memory stays flat: a Pilot-driven session against a chaos sandbox, measured with
``tracemalloc`` after a warm-up (bench/soak.py --tui measures RSS over half an hour).

The sandbox runs in a process of its own, so its legitimately growing records (every request
and message it received) are not in this process's numbers. What is measured is this process:
the app, the core it drives (store, outbox, sync, HTTP client) and the Pilot harness.

The work is counted in rounds, not seconds: each round sends from Compose, syncs, browses Inbox
and History with keys, opens and closes the help dialog and walks through every tab, which
rebuilds the footer ~20 times (the path of the leak this test was written for: ~650 removed
widgets a minute kept alive by Textual's footer bindings, textual#6666).
"""

from __future__ import annotations

import gc
import os
import random
import subprocess
import sys
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from textual.pilot import Pilot

from smstui.core.config import load_settings
from smstui.core.sandbox import DEFAULT_CONNECTION_ID
from smstui.ui.app import SmsApp
from smstui.ui.core_backend import CoreBackend

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import soak_tui  # noqa: E402  (bench/soak_tui.py: send, browse and settle with keys)

pytestmark = pytest.mark.slow

SEED = 5
#: rounds before the first snapshot: every tab built, caches of bounded size filled
WARMUP_ROUNDS = 6
#: rounds measured (about a minute on an idle 2-core machine; longer when it is loaded)
MEASURED_ROUNDS = 12
#: Allowed growth per measured round. A round is ~40 key presses and ~25 footer rebuilds;
#: with the footer's removed keys kept (textual#6666) a round grew by ~1.5 MB. What may
#: legitimately remain: rows the lists have not shown yet entering their bounded caches (pages
#: of 200 rows, ~2 kB a row rendered) and the store's new messages read into them, ~20 a
#: round. 100 kB a round (1.2 MB over the run) leaves room for those and fails on any leak of
#: widgets (each one several kB with its styles and lines).
GROWTH_PER_ROUND = 100 * 1024

_SERVER = """
import sys
from decimal import Decimal
from smstui.core.sandbox import SandboxWorld, serve
from smstui.core.sandbox.chaos import ChaosPlan
seed, rate = int(sys.argv[1]), float(sys.argv[2])
world = SandboxWorld(seed=seed, history_size=20)
world.balance = Decimal("1000000")
chaos = ChaosPlan(rate=rate, seed=seed, hang=1.0, drip_seconds=0.2)
with serve(world, chaos=chaos) as server:
    print(server.url, flush=True)
    sys.stdin.read()  # serve until the test closes our stdin
"""


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    """A chaos sandbox (30% faults) in its own process."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(SEED), "0.3"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


async def _round(pilot: Pilot[None], rng: random.Random, n: int) -> None:
    app = cast(SmsApp, pilot.app)
    counts = Counter()
    if app.connection_state != "ready":
        app.start_backend()  # chaos broke the start-up: connect again, as the soak does
        await soak_tui._settle(pilot, counts)
    await soak_tui._send(pilot, rng, n, lambda body: None)
    await pilot.press("ctrl+r")
    await soak_tui._settle(pilot, counts)
    for _ in range(2):
        await soak_tui._browse(pilot, rng)
    while len(app.screen_stack) > 1:  # a dialog a browse left open
        app.pop_screen()
        await pilot.pause()
    await pilot.press("f1")
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()
    for _ in range(8):  # every tab: each switch moves focus and rebuilds the footer
        await pilot.press("ctrl+pagedown")
        await pilot.pause()
    await soak_tui._settle(pilot, counts)


def _traced_now() -> int:
    gc.collect()
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    return sum(stat.size for stat in snapshot.statistics("filename"))


async def test_memory_stays_flat_over_a_long_session(
    sandbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMBRANE_", "SMSTUI_"))}
    env.update(MEMBRANE_API_URL=sandbox_url, MEMBRANE_TOKEN="memory-token")
    env["SMSTUI_CONNECTION_ID"] = DEFAULT_CONNECTION_ID
    app = SmsApp(CoreBackend.from_settings(load_settings(env=env)), sync_interval=0)
    rng = random.Random(SEED)
    tracemalloc.start()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await soak_tui._settle(pilot, Counter())
            for n in range(WARMUP_ROUNDS):
                await _round(pilot, rng, n)
            before = _traced_now()
            for n in range(WARMUP_ROUNDS, WARMUP_ROUNDS + MEASURED_ROUNDS):
                await _round(pilot, rng, n)
            after = _traced_now()
            stored = len(app.backend.store.page(limit=1000).rows)
    finally:
        tracemalloc.stop()
    grew = after - before
    print(f"traced growth: {grew} bytes over {MEASURED_ROUNDS} rounds")
    assert stored > 0  # the session did real work against the sandbox
    assert grew <= GROWTH_PER_ROUND * MEASURED_ROUNDS, (
        f"grew {grew / 1024:.0f} kB over {MEASURED_ROUNDS} rounds "
        f"({grew / MEASURED_ROUNDS / 1024:.1f} kB a round; bound {GROWTH_PER_ROUND // 1024} kB)"
    )
