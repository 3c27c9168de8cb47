"""Settings: where smstui keeps its files, and how flags, env and files combine.

``config.toml`` holds non-secret settings; ``credentials.toml`` holds the Membrane token or
the workspace key/secret and is only ever written with mode 0600. Precedence is
flag > environment > file > default.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import socket
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from smstui.core.database_url import backend_of, check_url, mask_url
from smstui.core.errors import ConfigError
from smstui.core.privacy import ensure_private, make_private_dirs
from smstui.core.stop_words import DEFAULT_START_WORDS, DEFAULT_STOP_WORDS

APP_NAME = "smstui"
DEFAULT_API_URL = "https://api.getmembrane.com"
DEFAULT_REGION = "AU"
DEFAULT_THEME = "textual-dark"
DEFAULT_SYNC_INTERVAL = 30
CONFIG_FILE = "config.toml"
CREDENTIALS_FILE = "credentials.toml"

_MASK = "********"
_SECRET_FIELDS = ("token", "workspace_secret")
#: keys ``config.toml`` may hold (``keymap`` is a table of action -> key)
SETTING_KEYS = frozenset(
    {
        "api_url",
        "default_region",
        "theme",
        "sync_interval",
        "keymap",
        "connection_id",
        "tenant_key",
        "database_url",
        "operator",
        "stop_words",
        "start_words",
        "bell",
    }
)
#: ``tenant_key`` is not secret and lives in config.toml; older credentials files may hold it
CREDENTIAL_KEYS = frozenset({"token", "workspace_key", "workspace_secret", "tenant_key"})


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def state_dir() -> Path:
    """Where the crash log lives (follows XDG_STATE_HOME)."""
    return Path(platformdirs.user_state_dir(APP_NAME))


def app_dirs() -> list[Path]:
    """smstui's own folders: everything in them is private (0700 folders, 0600 files)."""
    return [config_dir(), data_dir(), cache_dir(), state_dir()]


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def credentials_path() -> Path:
    return config_dir() / CREDENTIALS_FILE


def _atomic_write(path: Path, text: str, mode: int) -> None:
    make_private_dirs(path.parent)
    # mkstemp creates the file 0600, so the secret is never readable by others, not even
    # for the instant between creating and renaming it.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600."""
    _atomic_write(path, text, 0o600)


def default_tenant_key() -> str:
    """The tenant a workspace key + secret mints tokens for when none was chosen."""
    return _default_tenant_key()


def _default_tenant_key() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry (containers): any stable name will do
        user = "user"
    return f"smstui-{user}"


def default_operator() -> str:
    """Who this operator is in team mode unless told (``operator``, ``SMSTUI_OPERATOR``)."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry (containers)
        user = "user"
    return f"{user}@{socket.gethostname() or 'localhost'}"


def _mask(value: str | None) -> str | None:
    return None if value is None else _MASK


@dataclass(slots=True)
class Settings:
    api_url: str = DEFAULT_API_URL
    token: str | None = field(default=None, repr=False)
    workspace_key: str | None = None
    workspace_secret: str | None = field(default=None, repr=False)
    tenant_key: str | None = None
    connection_id: str | None = None
    default_region: str = DEFAULT_REGION
    sandbox: bool = False
    theme: str = DEFAULT_THEME
    sync_interval: int = DEFAULT_SYNC_INTERVAL
    keymap: dict[str, str] = field(default_factory=dict)
    #: None: the local SQLite store; ``postgresql://...``: the shared team store (may hold a
    #: password: shown only through ``database_url.mask_url``)
    database_url: str | None = field(default=None, repr=False)
    #: this operator's name in team mode (None: ``default_operator()``)
    operator: str | None = None
    #: replies whose whole body is one of these opt the sender out (``smstui.core.stop_words``)
    stop_words: tuple[str, ...] = DEFAULT_STOP_WORDS
    #: replies that undo an opt-out
    start_words: tuple[str, ...] = DEFAULT_START_WORDS
    #: ring the terminal bell when a reply arrives (off by default)
    bell: bool = False

    @property
    def has_credentials(self) -> bool:
        return bool(self.token) or bool(self.workspace_key and self.workspace_secret)

    @property
    def use_sandbox(self) -> bool:
        return self.sandbox or not self.has_credentials

    @property
    def operator_name(self) -> str:
        return self.operator or default_operator()

    def identity(self) -> str:
        """A one-way hash naming whose Membrane workspace this is (keys the caches)."""
        if self.token:
            who = "token\0" + self.token
        elif self.workspace_key:
            who = "workspace\0" + self.workspace_key + "\0" + (self.tenant_key or "")
        else:
            who = "anonymous"
        return hashlib.sha256(f"{self.api_url}\0{who}".encode()).hexdigest()

    def masked(self) -> dict[str, Any]:
        """Every setting, for display (``smstui config show``), with secrets masked."""
        return {
            "api_url": self.api_url,
            "token": _mask(self.token),
            "workspace_key": self.workspace_key,
            "workspace_secret": _mask(self.workspace_secret),
            "tenant_key": self.tenant_key,
            "connection_id": self.connection_id,
            "default_region": self.default_region,
            "sandbox": self.sandbox,
            "theme": self.theme,
            "sync_interval": self.sync_interval,
            "keymap": dict(self.keymap),
            "store": backend_of(self.database_url),
            "database_url": None if self.database_url is None else mask_url(self.database_url),
            "operator": self.operator_name,
            "stop_words": list(self.stop_words),
            "start_words": list(self.start_words),
            "bell": self.bell,
        }

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.masked().items() if k != "sandbox")
        return f"Settings({shown}, sandbox={self.sandbox!r})"


# --------------------------------------------------------------------------- reading files

_LINE_RE = re.compile(r"at line (\d+)")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError has no lineno attribute: the line is in its text.
        match = _LINE_RE.search(str(exc))
        where = f" line {match.group(1)}" if match else ""
        raise ConfigError(
            f"{path}{where}: {exc}", hint=f"Fix or delete {path} and try again."
        ) from None


def _check_str(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{path}: '{key}' must be a string")
    return value


def _file_settings(path: Path) -> dict[str, Any]:
    data = _read_toml(path)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in SETTING_KEYS:
            continue  # unknown keys are ignored so newer config files still load
        if key == "sync_interval":
            out[key] = _parse_interval(value, f"{path}: 'sync_interval'")
        elif key == "keymap":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise ConfigError(f"{path}: [keymap] must map action names to key strings")
            out[key] = dict(value)
        elif key in ("stop_words", "start_words"):
            out[key] = _parse_words(value, f"{path}: '{key}'")
        elif key == "bell":
            if not isinstance(value, bool):
                raise ConfigError(f"{path}: 'bell' must be true or false")
            out[key] = value
        else:
            out[key] = _check_str(path, key, value)
    return out


def _file_credentials(path: Path) -> dict[str, str]:
    ensure_private(path)
    data = _read_toml(path)
    return {k: _check_str(path, k, v) for k, v in data.items() if k in CREDENTIAL_KEYS}


def _parse_interval(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise ConfigError(f"{what} must be a whole number of seconds")
    seconds: int | None = None
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, float) and value.is_integer():
        seconds = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        seconds = int(value.strip())
    if seconds is None:
        raise ConfigError(f"{what} must be a whole number of seconds")
    if seconds < 1:
        raise ConfigError(f"{what} must be at least 1 second")
    return seconds


def _parse_words(value: object, what: str) -> tuple[str, ...]:
    """A list of keywords (an empty list turns detection off)."""
    if isinstance(value, str):
        value = [w for w in value.replace(",", " ").split() if w]
    if not isinstance(value, (list, tuple)) or not all(isinstance(w, str) for w in value):
        raise ConfigError(f'{what} must be a list of words, such as ["STOP", "QUIT"]')
    return tuple(w.strip() for w in value if w.strip())


def _parse_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


_ENV_NAMES = {
    "api_url": "MEMBRANE_API_URL",
    "token": "MEMBRANE_TOKEN",
    "workspace_key": "MEMBRANE_WORKSPACE_KEY",
    "workspace_secret": "MEMBRANE_WORKSPACE_SECRET",
    "tenant_key": "MEMBRANE_TENANT_KEY",
    "connection_id": "SMSTUI_CONNECTION_ID",
    "default_region": "SMSTUI_DEFAULT_REGION",
    "sandbox": "SMSTUI_SANDBOX",
    "database_url": "SMSTUI_DATABASE_URL",
    "operator": "SMSTUI_OPERATOR",
}


def load_settings(
    flags: Mapping[str, object] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Combine flags > env > config files > defaults. ``None`` flag values mean "not given"."""
    flags = flags or {}
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    # config.toml last: the tenant chosen there beats one an older credentials.toml holds
    merged.update(_file_credentials(credentials_path()))
    merged.update(_file_settings(config_path()))
    for key, name in _ENV_NAMES.items():
        if env.get(name):
            merged[key] = env[name]
    for key, value in flags.items():
        if value is not None:
            merged[key] = value
    unknown = set(merged) - SETTING_KEYS - CREDENTIAL_KEYS - {"sandbox"}
    if unknown:
        raise ConfigError(f"Unknown setting(s): {', '.join(sorted(unknown))}")
    if "sync_interval" in merged:
        merged["sync_interval"] = _parse_interval(merged["sync_interval"], "sync_interval")
    if "sandbox" in merged:
        merged["sandbox"] = _parse_bool(merged["sandbox"])
    if "bell" in merged:
        merged["bell"] = _parse_bool(merged["bell"])
    for key in ("stop_words", "start_words"):
        if key in merged:
            merged[key] = _parse_words(merged[key], key)
    if "default_region" in merged:
        merged["default_region"] = str(merged["default_region"]).upper()
    if "api_url" in merged:
        merged["api_url"] = str(merged["api_url"]).rstrip("/")
    if merged.get("database_url"):
        merged["database_url"] = check_url(str(merged["database_url"]))
    else:
        merged.pop("database_url", None)
    if merged.get("workspace_key") and not merged.get("tenant_key"):
        merged["tenant_key"] = _default_tenant_key()
    return Settings(**merged)


# --------------------------------------------------------------------------- writing files


def save_credentials(
    *,
    token: str | None = None,
    workspace_key: str | None = None,
    workspace_secret: str | None = None,
    tenant_key: str | None = None,
) -> Path:
    """Replace the stored credentials (a token, or a workspace key + secret [+ tenant]).

    The tenant key is not a secret: it goes to config.toml, where ``config show`` shows it.
    """
    if not token and not (workspace_key and workspace_secret):
        raise ConfigError("Give a Membrane token, or both a workspace key and secret")
    values = {"token": token, "workspace_key": workspace_key, "workspace_secret": workspace_secret}
    path = credentials_path()
    import tomli_w  # only saving needs it: keep it off the TUI's start-up path

    write_private(path, tomli_w.dumps({k: v for k, v in values.items() if v}))
    if tenant_key:
        save_setting("tenant_key", tenant_key)
    return path


def save_setting(key: str, value: object) -> Path:
    """Store one non-secret setting in ``config.toml`` (``keymap.<action>`` sets one key)."""
    path = config_path()
    data = _read_toml(path)
    if key.startswith("keymap."):
        keymap = data.setdefault("keymap", {})
        if not isinstance(keymap, dict):
            raise ConfigError(f"{path}: [keymap] must be a table")
        keymap[key.removeprefix("keymap.")] = str(value)
    elif key not in SETTING_KEYS:
        raise ConfigError(
            f"Unknown setting '{key}'",
            hint="Known settings: " + ", ".join(sorted(SETTING_KEYS)),
        )
    elif value is None:
        data.pop(key, None)
    elif key == "sync_interval":
        data[key] = _parse_interval(value, "sync_interval")
    elif key in ("stop_words", "start_words"):
        data[key] = list(_parse_words(value, key))
    elif key == "bell":
        data[key] = _parse_bool(value)
    elif key == "keymap":
        if not isinstance(value, Mapping):
            raise ConfigError("keymap must be a table of action -> key")
        data[key] = {str(k): str(v) for k, v in value.items()}
    else:
        data[key] = str(value)
    import tomli_w

    _atomic_write(path, tomli_w.dumps(data), 0o644)
    return path
