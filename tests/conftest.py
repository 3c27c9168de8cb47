"""Test isolation: the suite pins its own environment, every test gets its own HOME and config,
data and cache directories; slow tests are scheduled first."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.store_backends import (  # noqa: F401 - fixtures
    pg_server,
    pg_url,
    store_backend,
    store_env,
)

_XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR")


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point HOME and platformdirs (XDG on Linux) at the test's own temp folder; a test that
    set a credential or an smstui variable gets it removed before the next test."""
    for name in _XDG:
        d = tmp_path / "xdg" / name.lower()
        d.mkdir(parents=True)
        monkeypatch.setenv(name, str(d))
    for name in list(os.environ):
        if name.startswith(("MEMBRANE_", "SMSTUI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    yield tmp_path / "xdg"


#: variables of the person running the suite that change what smstui or Textual do: removed
#: (credentials and smstui's own settings; Textual's driver, theme, FPS, debug and animation
#: switches; proxies httpx would route the loopback sandbox through)
_FOREIGN_PREFIXES = ("MEMBRANE_", "SMSTUI_", "CLICKSEND_", "TEXTUAL_")
_FOREIGN = (
    "PGPASSWORD",  # libpq's: the PostgreSQL tests use their own throw-away server
    "NO_COLOR",
    "FORCE_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "COLUMNS",
    "LINES",
    "TEXTUAL",
    "TERM_PROGRAM",
    "TERM_PROGRAM_VERSION",
    "JUPYTER_COLUMNS",
    "JUPYTER_LINES",
    "LANGUAGE",
    "EDITOR",
    "VISUAL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)


def _pin_the_environment() -> None:
    """The suite sets its own terminal, colour, size, zone, locale and home, so it passes the
    same whatever the person or CI running it has (NO_COLOR=1 or TERM=dumb turned every
    snapshot monochrome; COLUMNS/LINES resized Pilot apps; TZ moved local-time rendering).
    Runs at import, before any test module imports Textual, in every xdist worker (each imports
    this conftest) and so for every subprocess a test starts; tests that need another zone
    still set TZ themselves. HOME and the XDG folders point at a private folder of this
    process until ``isolated_dirs`` gives each test its own."""
    import atexit
    import shutil
    import tempfile
    import time

    for name in list(os.environ):
        upper = name.upper()
        if upper.startswith("TEXTUAL_SNAPSHOT_"):
            continue  # pytest-textual-snapshot's own, set by the controller for its workers
        if upper in _FOREIGN or upper.startswith(_FOREIGN_PREFIXES) or upper.startswith("LC_"):
            del os.environ[name]
    os.environ["TERM"] = "xterm-256color"
    os.environ["COLORTERM"] = "truecolor"
    os.environ["TZ"] = "UTC"
    os.environ["LANG"] = os.environ["LC_ALL"] = "C.UTF-8"
    time.tzset()
    home = tempfile.mkdtemp(prefix="smstui-tests-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["HOME"] = os.path.join(home, "home")
    for name in _XDG:
        os.environ[name] = os.path.join(home, name.lower())


_pin_the_environment()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first (stable otherwise): with parallel workers each starts on a long test
    while the others work through the short ones, instead of one long test running alone at
    the end of the run."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
