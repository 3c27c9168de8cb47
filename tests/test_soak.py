"""A short soak: CLI processes and in-process sends/syncs against the chaos sandbox at a high
fault rate (bench/soak.py runs the long one). One run, audited from several angles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

#: one worker runs the whole module (its tests audit one shared, module-scoped run), and the
#: chaos runs (the soaks and the memory test) one after another: side by side on two cores,
#: each starved the other of the steps its audit counts
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("soak")]

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def soak(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    xdg = tmp_path_factory.mktemp("soak-xdg")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMBRANE_", "SMSTUI_"))}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(xdg / name.lower())
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "soak.py"), "--minutes", "0.4", "--rate", "0.5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
        cwd=ROOT,
    )
    assert done.stdout, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    result["exit_status"] = done.returncode
    return result


def test_faults_were_really_injected(soak: dict[str, Any]) -> None:
    assert soak["faults_injected"] >= 10
    assert len(soak["faults_by_kind"]) >= 5


def test_cli_and_core_both_sent_messages(soak: dict[str, Any]) -> None:
    assert soak["cli_runs"].get("send", 0) >= 1
    assert soak["core"].get("outbox_sends", 0) >= 1
    assert soak["messages_sent"] >= 5


def test_the_cli_launcher_process_reported_every_body_it_asked_for(soak: dict[str, Any]) -> None:
    # the CLI runs are launched from a process of their own (bench/soak_cli.py): what they
    # asked for must come back to the audit, or "lost" could not see a CLI message go missing
    assert soak["cli_launcher"] == "process"
    assert soak["cli_bodies"] == soak["cli_runs"].get("send", 0) > 0


def test_every_outbox_message_ends_in_exactly_one_final_state(soak: dict[str, Any]) -> None:
    assert soak["non_final"] == 0
    assert soak["rows_per_request_max"] == 1
    assert set(soak["by_state"]) <= {"accepted", "rejected", "failed", "failed_unknown"}


def test_no_message_reached_the_sandbox_twice(soak: dict[str, Any]) -> None:
    assert soak["duplicates"] == 0


def test_no_message_was_lost(soak: dict[str, Any]) -> None:
    assert soak["lost"] == 0, soak["lost_examples"]


def test_the_store_survives_intact(soak: dict[str, Any]) -> None:
    assert soak["integrity_check"] == "ok"


def test_no_cli_process_printed_a_traceback(soak: dict[str, Any]) -> None:
    assert soak["cli_tracebacks"] == 0, soak.get("traceback_example")


def test_memory_stays_bounded(soak: dict[str, Any]) -> None:
    # 10 MB fault bodies pass through; growth well beyond that would be a leak
    assert soak["rss_mb_end"] - soak["rss_mb_start"] < 150


def test_the_soak_script_reports_success(soak: dict[str, Any]) -> None:
    assert soak["exit_status"] == 0
