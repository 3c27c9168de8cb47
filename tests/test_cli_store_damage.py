"""The CLI on a damaged store: one line, exit 7, no traceback; store check and store repair."""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support.store_damage import leaf_pages, overwrite_pages, read_only

from smstui.cli import main
from smstui.core import crash_log
from smstui.core.models import OutgoingSms
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import OutboxTable
from smstui.core.store.schema import default_db_path

REPO = Path(__file__).resolve().parents[1]


def without_sandbox_notice(err: str) -> str:
    """stderr less the line every sandbox run prints (``sandbox: nothing left ...``)."""
    return "".join(line for line in err.splitlines(True) if not line.startswith("sandbox: "))


def all_messages(path: Path) -> int:
    with MessageStore(path) as store:  # every account's rows (the sandbox has its own key)
        return int(
            store.run_read(lambda c: c.execute("SELECT COUNT(*) FROM messages").fetchone()[0])
        )


def synced_store(capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["--sandbox", "history", "--limit", "1"]) == 0
    capsys.readouterr()
    return default_db_path()


def test_history_on_a_garbage_store_is_one_line_and_exit_7(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = synced_store(capsys)
    overwrite_pages(path, [1])
    assert main(["--sandbox", "history", "--no-sync"]) == 7
    err = without_sandbox_notice(capsys.readouterr().err)
    assert err.count("\n") == 1
    assert err.startswith(f"smstui: error: The message store {path} is damaged")
    assert "smstui store repair" in err
    assert "Traceback" not in err


def test_json_errors_say_store_and_exit_7(capsys: pytest.CaptureFixture[str]) -> None:
    path = synced_store(capsys)
    overwrite_pages(path, [1])
    assert main(["--sandbox", "--json", "history"]) == 7
    doc = json.loads(capsys.readouterr().out)
    assert doc["error"] == "store" and doc["exit_code"] == 7
    assert str(path) in doc["message"]


def test_store_check_passes_a_whole_store(capsys: pytest.CaptureFixture[str]) -> None:
    synced_store(capsys)
    assert main(["store", "check"]) == 0
    out, err = capsys.readouterr()
    assert "integrity:      ok" in out and "the store is fine" in err


def test_store_check_json_reports_damage_with_exit_7(capsys: pytest.CaptureFixture[str]) -> None:
    path = synced_store(capsys)
    overwrite_pages(path, leaf_pages(path, "messages")[:1])
    assert main(["--json", "store", "check"]) == 7
    doc = json.loads(capsys.readouterr().out)
    assert doc["path"] == str(path)
    assert doc["state"] == "damaged" and doc["usable"] is False and doc["ok"] is False
    assert doc["schema_version"] == doc["expected_version"]
    assert doc["file_mode"] == "0o600"


def test_store_repair_then_the_next_sync_rebuilds_history(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = synced_store(capsys)
    before = all_messages(path)
    assert before > 0
    with MessageStore(path) as store:
        OutboxTable(store).add(
            [("smstui-tok-pending", OutgoingSms(to="+61411111111", body="did it go?"))], now=1
        )
    overwrite_pages(path, [1])  # SQLite reads nothing: the rows are read from the pages

    assert main(["store", "repair"]) == 0
    out = capsys.readouterr().out
    backups = list(path.parent.glob("smstui.db.damaged-*"))
    assert backups and stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    assert f"backup:         {backups[0]}" in out
    assert f"salvaged:       messages {before}," in out
    assert "smstui-tok-pending" in out  # listed for the user, never resent

    assert main(["--sandbox", "history", "--limit", "500"]) == 0
    capsys.readouterr()
    assert all_messages(path) == before


def test_store_repair_lists_open_sends_with_their_tokens(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = synced_store(capsys)
    with MessageStore(path) as store:
        OutboxTable(store).add(
            [("smstui-tok-pending", OutgoingSms(to="+61411111111", body="did it go?"))], now=1
        )
    overwrite_pages(path, leaf_pages(path, "messages")[:1])
    assert main(["--json", "store", "repair"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["repaired"] is True
    assert [s["token"] for s in doc["open_sends"]] == ["smstui-tok-pending"]


def test_store_repair_of_a_whole_store_does_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    synced_store(capsys)
    assert main(["store", "repair"]) == 0
    assert "nothing to repair" in capsys.readouterr().err


def test_an_unexpected_error_is_one_line_and_a_private_crash_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "tok_live_SHOULD_NEVER_BE_PRINTED_123"
    monkeypatch.setenv("MEMBRANE_TOKEN", secret)

    async def broken(rt: object) -> int:
        token = secret  # a local holding a secret, as a real frame might
        raise RuntimeError(f"bug while using {token[:4]}")

    from smstui.cli.commands import config

    monkeypatch.setattr(config, "locate", broken)
    assert main(["config", "locate"]) == 1
    err = capsys.readouterr().err
    log = crash_log.crash_log_path()
    assert err.strip() == (
        f"smstui: internal error (RuntimeError); details (no secrets) in {log}. Please report this."
    )
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    text = log.read_text()
    assert "RuntimeError: bug while using" in text and "broken" in text
    assert secret not in text and secret not in err
    assert os.environ["MEMBRANE_TOKEN"] == secret


def test_a_read_only_data_folder_is_one_line_and_exit_7(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = synced_store(capsys)
    with read_only(path.parent):
        assert main(["--sandbox", "history", "--no-sync"]) == 7
    err = without_sandbox_notice(capsys.readouterr().err)
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"The message store {path} is read-only" in err and "writable" in err


def test_a_full_disk_during_sync_is_one_line_and_exit_7(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = synced_store(capsys)
    before = all_messages(path)

    def small_files() -> None:  # Python itself ignores SIGXFSZ: a write past it gets EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

    done = subprocess.run(
        [sys.executable, "-m", "smstui", "--sandbox", "history", "--limit", "1"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        preexec_fn=small_files,
        timeout=120,
        check=False,
    )
    assert done.returncode == 7, done.stderr
    stderr = without_sandbox_notice(done.stderr)
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert f"Could not write to the message store {path}: the disk is full" in done.stderr
    assert all_messages(path) == before


def test_doctor_mentions_the_crash_log(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--sandbox", "--json", "doctor"])
    (before,) = [c for c in json.loads(capsys.readouterr().out) if c["check"] == "crash_log"]
    assert before["ok"] and before["detail"].startswith("no crash reports")

    crash_log.write_crash_log(RuntimeError("one"), where="a test")
    crash_log.write_crash_log(RuntimeError("two"), where="a test")
    main(["--sandbox", "--json", "doctor"])
    (after,) = [c for c in json.loads(capsys.readouterr().out) if c["check"] == "crash_log"]
    assert after["ok"]  # a past crash is worth reporting, not a broken setup
    assert "2 crash report(s)" in after["detail"]
    assert str(crash_log.crash_log_path()) in after["detail"]
