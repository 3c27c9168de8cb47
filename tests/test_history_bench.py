"""bench/history_view.py, small: the paired PageDown measure's protocol end to end.

Each variant (the floor, smstui, Textual's DataTable) runs in its own process, takes its own
measures, then stays alive and presses PageDown in the blocks the parent interleaves. Checked
here on a 300-row store: every variant pressed every block's keys, the paired ratios are the
medians' ratios, and the sequential figures are still reported beside them. How fast anything
is belongs to the bench, not to a test: nothing here is timed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("history-bench")]

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = 2
ROWS = 300


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("history-bench")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMBRANE_", "SMSTUI_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    cmd = [
        sys.executable, str(ROOT / "bench" / "history_view.py"),
        "--rows", str(ROWS), "--table-rows", "200", "--runs", "1",
        "--paired-blocks", str(BLOCKS), "--datatable-each-run", "--cache", str(tmp / "cache"),
    ]  # fmt: skip
    done = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=300, check=False, cwd=tmp
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_every_variant_pressed_pagedown_in_every_block(report: dict[str, Any]) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from history_view import KEYS

    [run] = report["runs"]
    for variant in ("floor", "smstui", "datatable"):
        assert run[variant]["paired_pagedown_keys"] == BLOCKS * KEYS, variant
        assert run[variant]["paired_pagedown_median_s"] > 0


def test_the_paired_ratios_are_the_ratios_of_the_paired_medians(report: dict[str, Any]) -> None:
    [run] = report["runs"]
    floor = run["floor"]["paired_pagedown_median_s"]
    assert run["pagedown_paired_vs_floor"] == round(
        run["smstui"]["paired_pagedown_median_s"] / floor, 2
    )
    assert run["datatable_paired_vs_floor"] == round(
        run["datatable"]["paired_pagedown_median_s"] / floor, 2
    )
    summary = report["summary"]
    assert summary["pagedown_paired_vs_floor"] == [run["pagedown_paired_vs_floor"]]
    assert summary["pagedown_paired_within_1.5x"] == int(run["pagedown_paired_vs_floor"] <= 1.5)


def test_the_sequential_figures_and_the_rest_of_smstuis_run_are_still_reported(
    report: dict[str, Any],
) -> None:
    [run] = report["runs"]
    smstui = run["smstui"]
    # the measures taken after the paired blocks (the search) ran on the same process
    assert smstui["search_matches"] > 0
    assert smstui["first_paint_s"] is not None
    assert run["pagedown_vs_floor"] == round(
        smstui["pagedown_median_s"] / run["floor"]["pagedown_median_s"], 2
    )
    assert report["summary"]["pagedown_vs_floor"] == [run["pagedown_vs_floor"]]
