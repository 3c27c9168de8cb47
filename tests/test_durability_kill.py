"""SIGKILL at seeded random moments during send, sync and bulk (real CLI processes against the
loopback sandbox): the store passes ``PRAGMA integrity_check``, nothing is sent twice, and the
next run settles whatever was left half-done."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from smstui.cli import main
from smstui.core.clicksend.sms import SmsService
from smstui.core.config import load_settings
from smstui.core.delivery.outbox import Outbox
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld, serve
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import FINAL_STATES, OutboxTable

pytestmark = pytest.mark.slow

SEEDS = [1, 2, 3, 4]
NUMBERS = [f"+6141200{i:04d}" for i in range(6)]


@pytest.fixture
def world() -> SandboxWorld:
    w = SandboxWorld(seed=21, history_size=30)
    w.latency = 0.15  # every request takes a while: a kill can land mid-request
    w.balance = Decimal("100000")  # bulk sends must not run out of simulated credit
    return w


@pytest.fixture
def url(world: SandboxWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with serve(world) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "durability-token")
        monkeypatch.setenv("SMSTUI_CONNECTION_ID", DEFAULT_CONNECTION_ID)
        yield server.url


def kill_after(argv: list[str], seed: int, low: float = 0.3, high: float = 2.5) -> None:
    """Start ``python -m smstui argv`` and SIGKILL it after a seeded random delay."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "smstui", *argv],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        proc.wait(timeout=random.Random(seed).uniform(low, high))
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def store_path() -> Path:
    with MessageStore() as s:
        return s.path


def integrity() -> str:
    path = store_path()
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


async def restart_and_settle(url: str) -> list[str]:
    """The next start of the app, well past the reconciliation window."""
    later = time.time() + 600
    settings = load_settings()
    async with MembraneClient(url, StaticToken("durability-token")) as client:
        service = SmsService(client, DEFAULT_CONNECTION_ID)
        with MessageStore(account=settings.identity()) as store:
            outbox = Outbox(store, service, clock=lambda: later)
            for _ in range(2):  # a resend in the first pass is confirmed by the second
                await outbox.reconcile()
            return [r.state for r in OutboxTable(store).all()]


@pytest.mark.parametrize("seed", SEEDS)
async def test_send_killed_at_a_random_moment_settles_exactly_once(
    seed: int, url: str, world: SandboxWorld
) -> None:
    to = [arg for n in NUMBERS for arg in ("--to", n)]
    kill_after(["send", *to, "--body", f"durable {seed}"], seed)
    assert integrity() == "ok"
    states = await restart_and_settle(url)
    assert all(s in FINAL_STATES for s in states)
    received = Counter(m["custom_string"] for m in world.clicksend.received)
    assert all(c == 1 for c in received.values())
    assert len(received) == states.count("accepted")


@pytest.mark.parametrize("seed", SEEDS)
def test_sync_killed_at_a_random_moment_leaves_a_store_the_next_sync_completes(
    seed: int, url: str, world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    kill_after(["history", "--limit", "5"], seed, high=2.0)
    assert integrity() == "ok"
    world.latency = 0.0
    assert main(["--json", "history", "--limit", "1000"]) == 0
    assert integrity() == "ok"
    with MessageStore(account=load_settings().identity()) as store:
        assert store.count() >= 30  # the whole simulated history arrived


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_bulk_killed_at_a_random_moment_resumes_exactly_once(
    seed: int, url: str, world: SandboxWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [f"+614130{i:05d}" for i in range(2500)]  # three batches
    f = tmp_path / "list.csv"
    f.write_text("phone\n" + "\n".join(rows) + "\n", encoding="utf-8")
    kill_after(["bulk", "send", str(f), "--body", "Hi", "--yes"], seed, low=1.5, high=4.0)
    assert integrity() == "ok"
    world.latency = 0.0
    code = main(["--json", "bulk", "resume", "--settle", "0"])
    if code == 4 and not world.clicksend.received:  # killed before the job was recorded
        code = main(["--json", "bulk", "send", str(f), "--body", "Hi", "--yes"])
    elif code == 4:  # the job had finished before the kill: nothing left to resume
        code = 0
    assert code == 0, capsys.readouterr().err
    counts = Counter(m["to"] for m in world.clicksend.received)
    assert sorted(counts) == sorted(rows)
    assert max(counts.values()) == 1
