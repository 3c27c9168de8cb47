"""Test isolation: every test gets its own config, data and cache directories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.store_backends import pg_server, pg_url, store_backend  # noqa: F401 - fixtures

_ENV_TO_CLEAR = (
    "MEMBRANE_API_URL",
    "MEMBRANE_TOKEN",
    "MEMBRANE_WORKSPACE_KEY",
    "MEMBRANE_WORKSPACE_SECRET",
    "MEMBRANE_TENANT_KEY",
    "SMSTUI_CONNECTION_ID",
    "SMSTUI_DEFAULT_REGION",
    "SMSTUI_SANDBOX",
    "SMSTUI_DATABASE_URL",
    "PGPASSWORD",
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


def _pin_the_environment() -> None:
    """The suite sets its own terminal, colour, size, zone and locale, so it passes the same
    whatever the person or CI running it has (NO_COLOR=1 or TERM=dumb turned every snapshot
    monochrome; COLUMNS/LINES resized Pilot apps; TZ moved local-time rendering).
    Runs at import, before any test module imports Textual; tests that need another zone
    still set TZ themselves."""
    import os
    import time

    for name in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "TEXTUAL", "TEXTUAL_DRIVER"):
        os.environ.pop(name, None)
    os.environ["TERM"] = "xterm-256color"
    os.environ["COLORTERM"] = "truecolor"
    os.environ["TZ"] = "UTC"
    os.environ["LANG"] = os.environ["LC_ALL"] = "C.UTF-8"
    time.tzset()


_pin_the_environment()
