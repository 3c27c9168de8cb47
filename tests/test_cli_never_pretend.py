"""Never pretend to send (issue 11 §12): without credentials a headless command refuses with
exit 3 and one line; on the sandbox (``--sandbox``/``SMSTUI_SANDBOX=1``) every run says so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from smstui.cli import main
from smstui.core.sandbox import SandboxWorld

NOTICE = "sandbox: nothing left this machine"


@pytest.fixture
def csv_file(tmp_path: Path) -> str:
    path = tmp_path / "people.csv"
    path.write_text("phone,name\n0412345678,Ann\n")
    return str(path)


def refused(err: str) -> bool:
    lines = err.splitlines()
    return (
        len(lines) == 1
        and "no Membrane credentials are configured" in lines[0]
        and "smstui connect" in lines[0]
        and "MEMBRANE_TOKEN" in lines[0]
        and "--sandbox" in lines[0]
    )


HEADLESS = [
    ["send", "--to", "0412345678", "--body", "hello"],
    ["price", "--to", "0412345678", "--body", "hello"],
    ["history", "--no-sync"],
    ["inbox"],
    ["receipts"],
    ["cancel", "--all"],
    ["account"],
    ["templates", "list"],
    ["export", "--csv", "-", "--no-sync"],
    ["stats", "--no-sync"],
    ["connections", "list"],
    ["connections", "use", "conn_1"],
    ["actions", "list"],
    ["request", "/v3/account"],
    ["lists", "list"],
    ["contacts", "list", "428"],
    ["voice", "langs"],
    ["bulk", "resume"],
    ["connect"],  # not on a terminal: nobody to ask for credentials
]


@pytest.mark.parametrize("argv", HEADLESS, ids=lambda a: " ".join(a[:2]))
def test_headless_command_without_credentials_refuses_with_exit_3(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    world = SandboxWorld()
    code = main(argv, world=world)
    out, err = capsys.readouterr()
    assert code == 3
    assert out == ""
    assert refused(err), err
    assert world.request_log == []  # the sandbox was not used behind the user's back


def test_bulk_send_without_credentials_refuses(
    csv_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["bulk", "send", csv_file, "--body", "Hi {name}", "--yes"])
    assert code == 3 and refused(capsys.readouterr().err)


def test_json_refusal_is_an_auth_error_object(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--json", "send", "--to", "0412345678", "--body", "hello"])
    out, err = capsys.readouterr()
    assert code == 3
    assert refused(err)  # the one line goes to stderr in --json mode too
    doc = json.loads(out)
    assert doc["error"] == "auth" and doc["exit_code"] == 3
    assert "no Membrane credentials" in doc["message"] and "--sandbox" in doc["hint"]
    assert "sandbox" not in doc  # it did not run on the sandbox


@pytest.mark.parametrize(
    "argv",
    [["config", "locate"], ["config", "show"], ["bulk", "list"], ["connections", "forget"]],
    ids=" ".join,
)
def test_local_commands_need_no_credentials(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "credentials are configured" not in err and NOTICE not in err


def test_version_and_help_need_no_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--version"], ["--help"], ["send", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0


def test_sandbox_flag_says_so_on_stderr_and_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--sandbox", "--json", "send", "--to", "0412345678", "--body", "hello"])
    out, err = capsys.readouterr()
    assert code == 0
    assert err.splitlines()[0] == NOTICE
    doc = json.loads(out)
    assert doc["sandbox"] is True and doc["messages"][0]["status"] == "SUCCESS"


def test_sandbox_env_var_counts_as_the_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMSTUI_SANDBOX", "1")
    assert main(["send", "--to", "0412345678", "--body", "hello"]) == 0
    out, err = capsys.readouterr()
    assert NOTICE in err.splitlines() and "SUCCESS" in out
    monkeypatch.setenv("SMSTUI_SANDBOX", "0")
    assert main(["send", "--to", "0412345678", "--body", "hello"]) == 3
    assert refused(capsys.readouterr().err)


def test_sandbox_list_output_marks_every_item(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sandbox", "--json", "templates", "list"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items and all(item["sandbox"] is True for item in items)


def test_sandbox_error_json_is_marked_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sandbox", "--json", "send", "--to", "12", "--body", "x"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["sandbox"] is True and NOTICE in err


def test_sandbox_notice_on_every_run_even_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):
        assert main(["--sandbox", "templates", "list"]) == 0
        assert capsys.readouterr().err.count(NOTICE) == 1


def test_config_show_says_whether_the_sandbox_is_on(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json", "config", "show"]) == 0
    assert json.loads(capsys.readouterr().out)["sandbox"] is False
    assert main(["--sandbox", "--json", "config", "show"]) == 0
    assert json.loads(capsys.readouterr().out)["sandbox"] is True


def test_a_cron_job_without_credentials_fails_as_a_real_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMBRANE_", "SMSTUI_"))}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    proc = subprocess.run(
        [sys.executable, "-m", "smstui", "send", "--to", "0412345678", "--body", "hello"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 3
    assert proc.stdout == "" and refused(proc.stderr)


def test_doctor_runs_without_credentials_and_reports_them_missing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--json", "doctor"])
    out, err = capsys.readouterr()
    assert code == 1  # a failed check, not a refusal (exit 3)
    checks = {d["check"]: d for d in json.loads(out)}
    assert checks["credentials"]["ok"] is False
    assert "credentials are configured" not in err
