"""Secrets audit: every CLI command runs with recognisable fake credentials against a loopback
sandbox; the secrets must appear nowhere (stdout, stderr, log records, any file under the XDG
dirs, the store) except the one 0600 credentials file, and ClickSend's account api_key must
never leave the service layer."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from smstui.cli import main
from smstui.core import config
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, Fault, SandboxWorld, serve

TOKEN = "tok_SECRET_d41d8cd98f00b204e980"
WS_SECRET = "wss_SECRET_9e107d9d372bb6826bd8a1b2c3d4"

COMMANDS: list[list[str]] = [
    ["account"],
    ["history", "--limit", "5"],
    ["inbox", "--limit", "5"],
    ["receipts", "--limit", "5"],
    ["send", "--to", "+61412345678", "--body", "audit"],
    ["send", "--to", "+61412345678", "--body", "later", "--schedule", "2h"],
    ["price", "--to", "+61412345678", "--body", "audit"],
    ["cancel", "--all"],
    ["templates", "list"],
    ["templates", "create", "--name", "audit", "--body", "x"],
    ["export", "--csv", "-"],
    ["connections", "list"],
    ["connections", "use", DEFAULT_CONNECTION_ID],
    ["actions", "list"],
    ["actions", "run", "get-account", "--input", "{}"],
    ["request", "/v3/account"],
    ["request", "/v3/sms/history", "--query", "limit=5"],
    ["config", "locate"],
    ["config", "show"],
    ["bulk", "list"],
    ["connections", "forget"],
    ["connect"],
]


@pytest.fixture
def world() -> SandboxWorld:
    return SandboxWorld(seed=6, history_size=3)


@pytest.fixture
def url(world: SandboxWorld) -> Iterator[str]:
    with serve(world) as server:
        yield server.url


def use_token(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("MEMBRANE_API_URL", url)
    monkeypatch.setenv("MEMBRANE_TOKEN", TOKEN)
    monkeypatch.setenv("SMSTUI_CONNECTION_ID", DEFAULT_CONNECTION_ID)


def use_workspace(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("MEMBRANE_API_URL", url)
    monkeypatch.setenv("MEMBRANE_WORKSPACE_KEY", "wsk_public_key")
    monkeypatch.setenv("MEMBRANE_WORKSPACE_SECRET", WS_SECRET)
    monkeypatch.setenv("MEMBRANE_TENANT_KEY", "tenant-1")
    monkeypatch.setenv("SMSTUI_CONNECTION_ID", DEFAULT_CONNECTION_ID)


def run_everything(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> str:
    """Every command in human and --json mode; all they printed and logged, as one text."""
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    for argv in COMMANDS:
        for flags in ([], ["--json"]):
            main([*flags, *argv])
            cap = capsys.readouterr()
            seen += [cap.out, cap.err]
    main(["export", "--csv", str(tmp_path / "export.csv")])
    bulk = tmp_path / "list.csv"
    bulk.write_text("phone,name\n+61412345678,Ann\n", encoding="utf-8")
    main(["bulk", "send", str(bulk), "--body", "Hi {name}", "--yes"])
    cap = capsys.readouterr()
    seen += [cap.out, cap.err]
    seen += [r.getMessage() + repr(r.args) + (r.exc_text or "") for r in caplog.records]
    return "\n".join(seen)


def files_holding(secret: str, roots: list[Path]) -> list[Path]:
    hits = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and secret.encode() in path.read_bytes():
                hits.append(path)
    return hits


#: each way of giving credentials, with the secret it must never show
CREDENTIALS = {"token": (use_token, TOKEN), "workspace secret": (use_workspace, WS_SECRET)}


@pytest.mark.parametrize("kind", CREDENTIALS)
def test_a_credential_appears_in_no_output_log_or_file(
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    isolated_dirs: Path,
    tmp_path: Path,
) -> None:
    use, secret = CREDENTIALS[kind]
    use(monkeypatch, url)
    text = run_everything(capsys, caplog, tmp_path)
    assert "audit" in text  # the commands really ran
    assert secret not in text
    assert files_holding(secret, [tmp_path]) == []


def test_the_clicksend_api_key_never_leaves_the_service_layer(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    world: SandboxWorld,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    isolated_dirs: Path,
    tmp_path: Path,
) -> None:
    use_token(monkeypatch, url)
    text = run_everything(capsys, caplog, tmp_path)
    assert world.clicksend.api_key not in text
    assert files_holding(world.clicksend.api_key, [tmp_path]) == []


def test_saved_credentials_live_only_in_one_0600_file(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    isolated_dirs: Path,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("MEMBRANE_API_URL", url)
    monkeypatch.setenv("SMSTUI_CONNECTION_ID", DEFAULT_CONNECTION_ID)
    config.save_credentials(token=TOKEN)
    text = run_everything(capsys, caplog, tmp_path)
    assert "audit" in text and TOKEN not in text
    creds = config.credentials_path()
    assert files_holding(TOKEN, [tmp_path]) == [creds]
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600


@pytest.mark.parametrize("json_mode", [False, True])
def test_config_show_masks_the_token_and_the_workspace_secret(
    monkeypatch: pytest.MonkeyPatch, url: str, capsys: pytest.CaptureFixture[str], json_mode: bool
) -> None:
    use_workspace(monkeypatch, url)
    monkeypatch.setenv("MEMBRANE_TOKEN", TOKEN)
    assert main([*(["--json"] if json_mode else []), "config", "show"]) == 0
    out = capsys.readouterr().out
    assert "wsk_public_key" in out  # not a secret: shown, so the user can tell which one
    assert TOKEN not in out and WS_SECRET not in out
    assert "SECRET" not in out


def test_an_error_echoing_the_token_is_scrubbed(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    world: SandboxWorld,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    use_token(monkeypatch, url)
    caplog.set_level(logging.DEBUG)
    world.inject(
        Fault(
            path="",
            status=401,
            times=None,
            body={"type": "bad_request", "key": "not_authenticated", "message": f"bad {TOKEN}"},
        )
    )
    for flags in ([], ["--json"]):
        assert main([*flags, "account"]) == 3
        cap = capsys.readouterr()
        assert "bad" in cap.out + cap.err
        assert TOKEN not in cap.out + cap.err
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
