"""Test isolation: every test gets its own config, data and cache directories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

_ENV_TO_CLEAR = (
    "MEMBRANE_API_URL",
    "MEMBRANE_TOKEN",
    "MEMBRANE_WORKSPACE_KEY",
    "MEMBRANE_WORKSPACE_SECRET",
    "MEMBRANE_TENANT_KEY",
    "SMSTUI_CONNECTION_ID",
    "SMSTUI_DEFAULT_REGION",
)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point platformdirs (XDG on Linux) at a private temp folder; clear credentials."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        d = tmp_path / "xdg" / name.lower()
        d.mkdir(parents=True)
        monkeypatch.setenv(name, str(d))
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    yield tmp_path / "xdg"
