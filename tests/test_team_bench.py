"""Team mode under fire, small: bench/team.py with three operators (a CLI sender, a sender
through the workspace and the Pilot-driven app) of 20 messages each on one PostgreSQL
database, against the chaos sandbox (faults 0.2), each operator SIGKILLed once and started
again. No message may reach ClickSend twice or be lost, and every outbox row ends final.
The full size (3 x 1,000) and the fan-out latency are the bench's to measure, not a test's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.store_backends import PgServer

#: its own worker: beside another chaos run on two cores each starves the other
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("team-bench")]

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = 20


@pytest.fixture(scope="module")
def bench(pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pg_server.admin("CREATE DATABASE team_bench")
    xdg = tmp_path_factory.mktemp("team-bench")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMBRANE_", "SMSTUI_"))}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(xdg / name.lower())
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    cmd = [
        sys.executable, str(ROOT / "bench" / "team.py"),
        "--messages", str(MESSAGES), "--operators", "cli,core,app",
        "--faults", "0.2", "--seed", "5", "--database-url", pg_server.url("team_bench"),
    ]  # fmt: skip
    try:
        done = subprocess.run(
            cmd,
            env=env,
            capture_output=True,
            text=True,
            timeout=400,
            check=False,
            cwd=ROOT,
        )
    finally:
        pg_server.admin("DROP DATABASE team_bench WITH (FORCE)")
    assert done.stdout, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout)
    report["exit_status"] = done.returncode
    return report


def test_every_operator_was_killed_once_and_asked_for_every_message(
    bench: dict[str, Any],
) -> None:
    [run] = bench["runs"]
    assert run["kills"] == {"cli0": 1, "core1": 1, "app2": 1}
    assert run["crashes"] == {}, run["crash_example"]
    for op in run["operators"]:
        assert op["asked"] == MESSAGES and op["never_asked"] == 0, op
    assert run["faults_injected"] >= 10


def test_no_message_reached_clicksend_twice(bench: dict[str, Any]) -> None:
    [run] = bench["runs"]
    assert run["duplicates"] == 0, run["duplicate_examples"]
    assert all(op["rows_per_message_max"] == 1 for op in run["operators"])


def test_no_message_was_lost_and_every_row_is_final(bench: dict[str, Any]) -> None:
    [run] = bench["runs"]
    assert run["lost"] == 0, run["lost_examples"]
    assert run["non_final"] == 0
    assert run["outbox_rows"] == 3 * MESSAGES
    assert set(run["by_state"]) <= {"accepted", "rejected", "failed", "failed_unknown"}


def test_replies_reached_the_other_operators(bench: dict[str, Any]) -> None:
    fan_out = bench["runs"][0]["fan_out"]
    assert fan_out["replies_committed"] >= 1
    assert fan_out["from_commit"]["n"] >= 1  # some other process read one after a notice


def test_the_bench_reports_success(bench: dict[str, Any]) -> None:
    assert bench["exit_status"] == 0
