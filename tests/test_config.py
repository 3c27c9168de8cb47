"""Settings: file locations, precedence, 0600 credentials, masking, malformed files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from smstui.core import config
from smstui.core.config import (
    Settings,
    config_dir,
    load_settings,
    save_credentials,
    save_setting,
    write_private,
)
from smstui.core.errors import ConfigError

TOKEN = "tok-secret-abcdef123456"
WS_SECRET = "ws-secret-9876543210"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_dirs_follow_xdg(isolated_dirs: Path) -> None:
    assert config_dir() == isolated_dirs / "xdg_config_home" / "smstui"
    assert config.data_dir() == isolated_dirs / "xdg_data_home" / "smstui"
    assert config.cache_dir() == isolated_dirs / "xdg_cache_home" / "smstui"


def test_defaults_without_anything() -> None:
    s = load_settings(env={})
    assert s.api_url == "https://api.getmembrane.com"
    assert s.default_region == "AU"
    assert s.sync_interval == 30
    assert s.token is None and s.workspace_key is None
    assert s.use_sandbox is True


def test_precedence_flag_over_env_over_file_over_default() -> None:
    save_setting("default_region", "NZ")
    save_setting("api_url", "https://file.example")
    assert load_settings(env={}).default_region == "NZ"
    env = {"SMSTUI_DEFAULT_REGION": "gb", "MEMBRANE_API_URL": "https://env.example/"}
    s = load_settings(env=env)
    assert s.default_region == "GB"
    assert s.api_url == "https://env.example"
    s = load_settings(flags={"default_region": "US", "api_url": None}, env=env)
    assert s.default_region == "US"
    assert s.api_url == "https://env.example"


def test_env_credentials_and_default_tenant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEMBRANE_WORKSPACE_KEY", "wk")
    monkeypatch.setenv("MEMBRANE_WORKSPACE_SECRET", WS_SECRET)
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    s = load_settings()
    assert s.workspace_key == "wk"
    assert s.tenant_key == "smstui-alice"
    assert s.use_sandbox is False
    monkeypatch.setenv("MEMBRANE_TENANT_KEY", "acme")
    assert load_settings().tenant_key == "acme"


def test_sandbox_forced_even_with_credentials() -> None:
    s = load_settings(flags={"sandbox": True}, env={"MEMBRANE_TOKEN": TOKEN})
    assert s.token == TOKEN
    assert s.use_sandbox is True
    assert load_settings(env={"MEMBRANE_TOKEN": TOKEN}).use_sandbox is False


def test_credentials_file_is_0600_and_read_back() -> None:
    path = save_credentials(token=TOKEN)
    assert _mode(path) == 0o600
    assert load_settings(env={}).token == TOKEN
    # env still beats the file
    assert load_settings(env={"MEMBRANE_TOKEN": "tok-from-env"}).token == "tok-from-env"


def test_save_credentials_replaces_previous_kind() -> None:
    save_credentials(token=TOKEN)
    save_credentials(workspace_key="wk", workspace_secret=WS_SECRET, tenant_key="t1")
    s = load_settings(env={})
    assert s.token is None
    assert (s.workspace_key, s.workspace_secret, s.tenant_key) == ("wk", WS_SECRET, "t1")


def test_save_credentials_requires_something() -> None:
    with pytest.raises(ConfigError):
        save_credentials(workspace_key="wk")


def test_loose_credentials_mode_is_tightened_on_load() -> None:
    path = save_credentials(token=TOKEN)
    os.chmod(path, 0o644)
    load_settings(env={})
    assert _mode(path) == 0o600


def test_write_private_is_atomic_and_private(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "secret.txt"
    write_private(target, "one")
    write_private(target, "two")
    assert target.read_text() == "two"
    assert _mode(target) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["secret.txt"]


def test_repr_and_masked_hide_secrets() -> None:
    s = Settings(token=TOKEN, workspace_key="wk", workspace_secret=WS_SECRET)
    for text in (repr(s), str(s), str(s.masked())):
        assert TOKEN not in text
        assert WS_SECRET not in text
    assert s.masked()["token"] == "********"
    assert s.masked()["workspace_key"] == "wk"
    assert Settings().masked()["token"] is None


def test_identity_is_stable_one_way_and_distinguishes() -> None:
    a = Settings(token=TOKEN)
    assert a.identity() == Settings(token=TOKEN).identity()
    assert TOKEN not in a.identity()
    assert len(a.identity()) == 64
    assert a.identity() != Settings(token=TOKEN, api_url="https://other").identity()
    assert a.identity() != Settings(token="tok-other-123456").identity()
    w1 = Settings(workspace_key="wk", workspace_secret="s1", tenant_key="t1")
    w2 = Settings(workspace_key="wk", workspace_secret="s2", tenant_key="t1")
    w3 = Settings(workspace_key="wk", workspace_secret="s1", tenant_key="t2")
    assert w1.identity() == w2.identity()  # the secret is not part of who you are
    assert w1.identity() != w3.identity()


def test_malformed_config_names_file_and_line() -> None:
    path = config_dir() / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('theme = "x"\nsync_interval = = 3\n')
    with pytest.raises(ConfigError) as info:
        load_settings(env={})
    assert str(path) in str(info.value)
    assert "line 2" in str(info.value)


def test_malformed_credentials_do_not_echo_secret() -> None:
    path = config_dir() / "credentials.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'token = "{TOKEN}\n')
    with pytest.raises(ConfigError) as info:
        load_settings(env={})
    assert str(path) in str(info.value)
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize("bad", ['sync_interval = "soon"', "sync_interval = 0", "theme = 3"])
def test_wrong_typed_values_are_config_errors(bad: str) -> None:
    path = config_dir() / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(bad + "\n")
    with pytest.raises(ConfigError) as info:
        load_settings(env={})
    assert str(path) in str(info.value)


def test_keymap_and_settings_round_trip() -> None:
    save_setting("keymap.send", "ctrl+s")
    save_setting("keymap.quit", "q")
    save_setting("sync_interval", 45)
    save_setting("theme", "ansi-dark")
    save_setting("connection_id", "conn_1")
    s = load_settings(env={})
    assert s.keymap == {"send": "ctrl+s", "quit": "q"}
    assert s.sync_interval == 45
    assert s.theme == "ansi-dark"
    assert s.connection_id == "conn_1"
    save_setting("connection_id", None)
    assert load_settings(env={}).connection_id is None
    assert load_settings(env={"SMSTUI_CONNECTION_ID": "conn_env"}).connection_id == "conn_env"


def test_unknown_setting_rejected() -> None:
    with pytest.raises(ConfigError):
        save_setting("token", "nope")  # secrets never go to config.toml
    with pytest.raises(ConfigError):
        load_settings(flags={"colour": "red"}, env={})


def test_flag_sync_interval_validated() -> None:
    assert load_settings(flags={"sync_interval": "12"}, env={}).sync_interval == 12
    with pytest.raises(ConfigError):
        load_settings(flags={"sync_interval": "-1"}, env={})
