"""How smstui starts: the TUI with no command, --version, python -m, and `sandbox serve` as a
real process that other programs talk to."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from smstui import __version__
from smstui.cli import main
from smstui.cli.parser import _only_global_options, build_parser, parse_args
from smstui.core.config import Settings
from smstui.core.errors import UsageError
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def history_ids(client: httpx.Client) -> list[str]:
    r = client.get(
        f"/connections/{DEFAULT_CONNECTION_ID}/proxy/v3/sms/history", params={"limit": 15}
    )
    r.raise_for_status()
    return [m["message_id"] for m in r.json()["data"]["data"]]


# ------------------------------------------------------------------ no command: the TUI


def test_no_command_without_credentials_opens_the_tui_on_the_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[Settings] = []

    def fake_run_app(settings: Settings) -> int:
        opened.append(settings)
        return 0

    monkeypatch.setattr("smstui.ui.app.run_app", fake_run_app)
    assert main([]) == 0
    (settings,) = opened
    assert settings.use_sandbox and not settings.has_credentials


def test_no_command_with_credentials_opens_the_tui_on_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[Settings] = []
    monkeypatch.setattr("smstui.ui.app.run_app", lambda s: opened.append(s) or 0)
    monkeypatch.setenv("MEMBRANE_TOKEN", "tok-for-the-tui-123")
    assert main([]) == 0
    assert not opened[0].use_sandbox


def test_no_command_with_sandbox_flag_forces_the_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[Settings] = []
    monkeypatch.setattr("smstui.ui.app.run_app", lambda s: opened.append(s) or 0)
    monkeypatch.setenv("MEMBRANE_TOKEN", "tok-for-the-tui-123")
    assert main(["--sandbox"]) == 0
    assert opened[0].use_sandbox


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--sandbox"],
        ["--json"],
        ["--sandbox", "--json", "--sandbox"],
        ["--connection", "conn-1"],
        ["--connection=conn-2", "--sandbox"],
        ["--connection", "send"],  # a command's name as the option's value
        ["--connection", ""],
        ["--connection=-x"],
    ],
)
def test_opening_the_app_parses_its_options_as_the_whole_tree_does(argv: list[str]) -> None:
    # the full-screen app skips building every command's parser: same namespace either way
    assert vars(parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["--sand"],  # an abbreviation: only the whole tree resolves it
        ["--sandbox", "history"],
        ["--connection"],
        ["--connection", "--sandbox"],
        ["--bogus"],
        ["send", "--sandbox"],
    ],
)
def test_anything_but_global_options_goes_through_the_whole_tree(argv: list[str]) -> None:
    def outcome(parse: Callable[[list[str]], argparse.Namespace]) -> object:
        try:
            return vars(parse(argv))
        except UsageError as err:
            return str(err)

    assert not _only_global_options(argv)
    assert outcome(parse_args) == outcome(lambda a: build_parser().parse_args(a))


def test_opening_the_app_imports_no_command_module(isolated_dirs: Path) -> None:
    code = (
        "import sys; from smstui.cli.parser import parse_args; parse_args(['--sandbox']); "
        "print(sorted(m for m in sys.modules if m.startswith('smstui.cli.commands.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# ------------------------------------------------------------------ --version, python -m


def test_python_dash_m_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "smstui", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"smstui {__version__}"


def test_console_script_version() -> None:
    script = VENV_BIN / "smstui"
    if not script.exists():
        pytest.skip("the smstui console script is not installed in this environment")
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"smstui {__version__}"


def test_python_dash_m_runs_a_command_and_passes_its_exit_code(isolated_dirs: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "smstui", "--json", "config", "locate"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["data_dir"].startswith(str(isolated_dirs))
    done = subprocess.run(
        [sys.executable, "-m", "smstui", "send", "--nope"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr


# ------------------------------------------------------------------ sandbox serve


def test_sandbox_serve_is_a_server_other_programs_can_use_then_stops_cleanly() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "smstui",
            "--json",
            "sandbox",
            "serve",
            "--port",
            str(port),
            "--latency",
            "20",
            "--seed",
            "3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert proc.stdout is not None
        started = json.loads("".join(iter(proc.stdout.readline, "}\n")) + "}")
        assert started == {
            "url": f"http://127.0.0.1:{port}",
            "seed": 3,
            "latency_ms": 20,
            "fresh_account": False,
            "refused_channels": {},
        }
        headers = {"Authorization": "Bearer anything"}
        with httpx.Client(base_url=started["url"], headers=headers, timeout=10) as client:
            connections = client.get("/connections").json()["items"]
            assert [c["id"] for c in connections] == [DEFAULT_CONNECTION_ID]
            served = history_ids(client)
        # the seed decides the simulated data: the same seed in-process gives the same ids
        with httpx.Client(
            base_url="http://sandbox.invalid", headers=headers, transport=_sync(SandboxWorld(3))
        ) as same:
            assert history_ids(same) == served
        with httpx.Client(
            base_url="http://sandbox.invalid", headers=headers, transport=_sync(SandboxWorld(4))
        ) as other:
            assert history_ids(other) != served
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "seed 3, latency 20 ms" in err and "sandbox stopped" in err
    assert "Traceback" not in err
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/connections", timeout=2)


def test_sandbox_serve_fresh_account_has_no_poll_rules_and_no_voice() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "smstui", "--json", "sandbox", "serve"),
            *("--port", str(port), "--fresh-account"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert proc.stdout is not None
        started = json.loads("".join(iter(proc.stdout.readline, "}\n")) + "}")
        assert started["fresh_account"] is True
        assert started["refused_channels"] == {"voice": "not_enabled"}
        proxy = f"{started['url']}/connections/{DEFAULT_CONNECTION_ID}/proxy/v3"
        headers = {"Authorization": "Bearer anything"}
        with httpx.Client(base_url=proxy, headers=headers, timeout=10) as client:
            for kind in ("inbound", "receipts"):
                rules = client.get(f"/automations/sms/{kind}").json()["data"]
                assert rules["total"] == 0
            voice = client.get("/voice/history")
            assert voice.status_code == 400 and "not enabled" in voice.json()["response_msg"]
            assert client.get("/mms/history").status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0 and "fresh account" in err


@pytest.mark.parametrize("bad", ["fax=403", "voice=418", "voice"])
def test_sandbox_serve_refuse_needs_a_channel_and_a_shape(
    capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    assert main(["sandbox", "serve", "--port", "0", "--refuse", bad]) == 2
    assert "--refuse" in capsys.readouterr().err


def test_sandbox_serve_refuses_a_public_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "loopback" in capsys.readouterr().err


def test_sandbox_serve_port_in_use_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["sandbox", "serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err


def _sync(world: SandboxWorld) -> httpx.BaseTransport:
    """The world's answers for a synchronous httpx client (the in-process transport is async)."""

    def handle(request: httpx.Request) -> httpx.Response:
        answer = world.handle(
            request.method,
            request.url.path,
            list(request.url.params.multi_items()),
            dict(request.headers),
            request.content,
        )
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)

    return httpx.MockTransport(handle)
