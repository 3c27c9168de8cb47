"""Tenants (issue 11 §5): ``smstui connect`` settles the tenant a workspace key + secret mints
tokens for, saves it in config.toml, ``config show`` shows it, and switching tenant resolves
the connection again (the cache is keyed by it)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from smstui.cli import main
from smstui.core.config import config_path, credentials_path, default_tenant_key, load_settings
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld, serve

SECRET = "workspace-secret-0123456789abcdef0123"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxWorld]:
    """A loopback sandbox reached with workspace credentials from the environment."""
    w = SandboxWorld(seed=2)
    with serve(w) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_WORKSPACE_KEY", "wk-tenant-test")
        monkeypatch.setenv("MEMBRANE_WORKSPACE_SECRET", SECRET)
        yield w


def resolutions(world: SandboxWorld) -> int:
    with world.lock:
        return sum(1 for _, p in world.request_log if p == "/connections/ensure")


def test_connect_tenant_flag_is_saved_and_shown(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["connect", "--tenant", "acme"]) == 0
    out, err = capsys.readouterr()
    assert f"connected: {DEFAULT_CONNECTION_ID}" in out and "tenant: acme" in err
    assert 'tenant_key = "acme"' in config_path().read_text()
    assert not credentials_path().exists()  # the credentials came from the environment
    assert main(["--json", "config", "show"]) == 0
    assert json.loads(capsys.readouterr().out)["tenant_key"] == "acme"
    assert main(["config", "show"]) == 0
    assert "tenant_key:     acme" in capsys.readouterr().out


def test_tokens_are_minted_for_the_chosen_tenant(
    world: SandboxWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[str] = []
    original = world.handle

    def spy(method: str, path: str, query: Any, headers: dict[str, str], body: bytes = b"") -> Any:
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        seen.append(auth.removeprefix("Bearer "))
        return original(method, path, query, headers, body)

    monkeypatch.setattr(world, "handle", spy)
    assert main(["connect", "--tenant", "acme"]) == 0
    claims = jwt.decode(seen[0], SECRET, algorithms=["HS256"])
    assert claims["tenantKey"] == "acme" and claims["id"] == "acme"


def test_switching_tenant_resolves_the_connection_again(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["connect", "--tenant", "first"]) == 0
    assert resolutions(world) == 1
    assert main(["account"]) == 0  # same tenant: the cached connection, no resolution
    assert resolutions(world) == 1
    assert main(["connect", "--tenant", "second"]) == 0
    assert resolutions(world) == 2  # another tenant's connections are its own
    assert main(["account"]) == 0
    assert resolutions(world) == 2


def test_connect_asks_for_the_tenant_on_a_terminal_with_the_default_shown(
    world: SandboxWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("team-blue\n"))
    assert main(["connect"]) == 0
    err = capsys.readouterr().err
    assert f"Membrane tenant key [{default_tenant_key()}]: " in err
    assert load_settings().tenant_key == "team-blue"


def test_pressing_enter_keeps_the_default_tenant(
    world: SandboxWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("\n"))
    assert main(["connect"]) == 0
    assert load_settings().tenant_key == default_tenant_key()
    assert f"tenant: {default_tenant_key()}" in capsys.readouterr().err


def test_env_tenant_is_used_without_asking(
    world: SandboxWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MEMBRANE_TENANT_KEY", "from-env")
    monkeypatch.setattr("sys.stdin", Terminal(""))
    assert main(["connect"]) == 0
    err = capsys.readouterr().err
    assert "tenant key [" not in err and "tenant: from-env" in err
    assert not config_path().exists() or "from-env" not in config_path().read_text()


def test_a_token_carries_its_own_tenant(
    world: SandboxWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MEMBRANE_TOKEN", "a-static-token")
    assert main(["connect", "--tenant", "ignored"]) == 0
    assert "--tenant is ignored" in capsys.readouterr().err
    assert not config_path().exists() or "ignored" not in config_path().read_text()


def test_connect_without_credentials_asks_for_them_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    w = SandboxWorld(seed=2)
    with serve(w) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        secrets = iter(["", SECRET])  # no token: a workspace key and secret instead
        monkeypatch.setattr("getpass.getpass", lambda prompt, stream=None: next(secrets))
        monkeypatch.setattr("sys.stdin", Terminal("wk-typed\nshop-7\n"))
        assert main(["connect"]) == 0
    out, err = capsys.readouterr()
    assert "No Membrane credentials are configured yet." in err
    assert SECRET not in out + err
    settings = load_settings()
    assert (settings.workspace_key, settings.workspace_secret) == ("wk-typed", SECRET)
    assert settings.tenant_key == "shop-7"
    assert f"connected: {DEFAULT_CONNECTION_ID}" in out


def test_tenant_in_config_beats_one_an_older_credentials_file_holds() -> None:
    from smstui.core.config import save_setting, write_private

    write_private(
        credentials_path(),
        f'workspace_key = "wk"\nworkspace_secret = "{SECRET}"\ntenant_key = "old"\n',
    )
    assert load_settings(env={}).tenant_key == "old"
    save_setting("tenant_key", "new")
    assert load_settings(env={}).tenant_key == "new"
