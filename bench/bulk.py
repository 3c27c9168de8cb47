"""Bulk-send benchmark: 10,000 rows to a loopback sandbox server.

Run 1 sends everything and counts the /sms/send requests (must be 10). Run 2 is killed about
half way (SIGKILL, as a crash would) and resumed with ``smstui bulk resume``; the sandbox must
then have received exactly 10,000 messages, each number once. Prints one JSON document.

    .venv/bin/python bench/bulk.py
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

from smstui.core.sandbox import SandboxWorld, serve

ROWS = 10_000


def _sends(world: SandboxWorld) -> int:
    return sum(1 for m, p in world.request_log if m == "POST" and p.endswith("/sms/send"))


def _world() -> SandboxWorld:
    world = SandboxWorld(seed=7, history_size=0)
    world.failure_rate = 0.0
    world.balance = Decimal("1000000")
    return world


def _env(base: Path, url: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(base / name.lower())
    env.update(MEMBRANE_API_URL=url, MEMBRANE_TOKEN="bench-token")
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "smstui", *args]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        csv_path = base / "rows.csv"
        csv_path.write_text(
            "phone,name\n" + "".join(f"+614{10000000 + i:08d},N{i}\n" for i in range(ROWS))
        )

        world = _world()
        with serve(world) as server:
            env = _env(base / "run1", server.url)
            start = time.perf_counter()
            subprocess.run(
                _cli("bulk", "send", str(csv_path), "--body", "Hi {name}", "--yes"),
                env=env,
                check=True,
                capture_output=True,
            )
            wall = time.perf_counter() - start
            requests = _sends(world)
            first_received = len(world.clicksend.received)

        world = _world()
        world.latency = 0.2  # leaves time to kill the sender between batches or mid-request
        with serve(world) as server:
            env = _env(base / "run2", server.url)
            proc = subprocess.Popen(
                _cli("bulk", "send", str(csv_path), "--body", "Hi {name}", "--yes"),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            while len(world.clicksend.received) < ROWS // 2 and proc.poll() is None:
                time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            at_kill = len(world.clicksend.received)
            world.latency = 0.0
            # --settle 0: the sandbox's history never lags, so there is nothing to wait for
            subprocess.run(
                _cli("bulk", "resume", "--settle", "0"), env=env, check=True, capture_output=True
            )
            counts = Counter(m["to"] for m in world.clicksend.received)

    report = {
        "rows": ROWS,
        "send_requests": requests,
        "received_first_run": first_received,
        "wall_seconds": round(wall, 3),
        "received_at_kill": at_kill,
        "received_after_resume": sum(counts.values()),
        "distinct_numbers_after_resume": len(counts),
        "ok": requests == 10 and sum(counts.values()) == ROWS and len(counts) == ROWS,
    }
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
