"""bulk send / resume against a loopback sandbox server (state shared across CLI runs)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from smstui.cli import main
from smstui.core.sandbox import Fault, SandboxWorld, serve


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxWorld]:
    w = SandboxWorld(seed=1, history_size=0)
    w.failure_rate = 0.0
    w.balance = Decimal("100000")  # 10k messages cost more than the default balance
    with serve(w) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "test-token-abcdef")
        yield w


def sends(world: SandboxWorld) -> int:
    return sum(
        1 for method, path in world.request_log if method == "POST" and path.endswith("/sms/send")
    )


def numbers(n: int) -> list[str]:
    return [f"+614{10000000 + i:08d}" for i in range(n)]


def write_csv(path: Path, rows: list[str], extra: str = "") -> Path:
    path.write_text("phone,name\n" + "".join(f"{r},N{i}\n" for i, r in enumerate(rows)) + extra)
    return path


def test_bad_rows_send_nothing(
    world: SandboxWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = write_csv(tmp_path / "in.csv", ["0412345678"], extra="garbage,X\n")
    assert main(["bulk", "send", str(f), "--body", "Hi {name}", "--yes"]) == 2
    err = capsys.readouterr().err
    assert "line 3:" in err and "nothing was sent" in err
    assert world.clicksend.received == []


def test_duplicates_and_placeholders(
    world: SandboxWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "in.csv"
    f.write_text("Mobile,name\n0412345678,Ann\n+61412345678,Ann again\n0498765432,Bob\n")
    assert main(["--json", "bulk", "send", str(f), "--body", "Hi {name}", "--yes"]) == 0
    cap = capsys.readouterr()
    assert "line 3: +61412345678 repeats line 2" in cap.err
    assert sorted((m["to"], m["body"]) for m in world.clicksend.received) == [
        ("+61412345678", "Hi Ann"),
        ("+61498765432", "Hi Bob"),
    ]
    summary = json.loads(cap.out)
    assert summary["accepted"] == 2 and summary["send_requests"] == 1
    text = Path(summary["results_csv"]).read_text(encoding="utf-8-sig")
    results = list(csv.DictReader(text.splitlines()))
    assert [r["line"] for r in results] == ["2", "4"]
    assert all(r["message_id"] for r in results)


@pytest.mark.parametrize(("rows", "requests"), [(999, 1), (1000, 1), (1001, 2)])
def test_batches_of_at_most_1000(
    world: SandboxWorld,
    tmp_path: Path,
    rows: int,
    requests: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    f = write_csv(tmp_path / "in.csv", numbers(rows))
    assert main(["bulk", "send", str(f), "--body", "Hi {name}", "--yes"]) == 0
    assert sends(world) == requests
    assert len(world.clicksend.received) == rows


def test_without_tty_or_yes_it_refuses(
    world: SandboxWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = write_csv(tmp_path / "in.csv", ["0412345678"])
    assert main(["bulk", "send", str(f), "--body", "hi"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert world.clicksend.received == []


def test_lost_answer_is_reconciled_not_resent(
    world: SandboxWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the first send is handled but its answer is lost: the job must look it up, not resend
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/sms/send$", hang=0.2))
    f = write_csv(tmp_path / "in.csv", numbers(1500))
    code = main(["--json", "bulk", "send", str(f), "--body", "Hi {name}", "--yes", "--settle", "0"])
    out = capsys.readouterr().out
    assert code == 0, out
    counts = Counter(m["to"] for m in world.clicksend.received)
    assert len(counts) == 1500 and max(counts.values()) == 1


def test_kill_and_resume_is_exactly_once(
    world: SandboxWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world.latency = 0.3  # each request takes a while: room to kill mid-job
    rows = numbers(3000)
    f = write_csv(tmp_path / "in.csv", rows)
    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, "-m", "smstui", "bulk", "send", str(f), "--body", "Hi {name}", "--yes"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while len(world.clicksend.received) < 1000 and proc.poll() is None:
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert len(world.clicksend.received) < 3000  # really interrupted
    world.latency = 0.0
    assert main(["--json", "bulk", "resume", "--settle", "0"]) == 0
    counts = Counter(m["to"] for m in world.clicksend.received)
    assert sorted(counts) == sorted(rows)
    assert max(counts.values()) == 1
    assert main(["bulk", "resume"]) == 4  # nothing left to do
