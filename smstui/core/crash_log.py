"""The crash log: where an error nobody caught is written, instead of onto the screen.

A crash report that prints local variables can print a token that happened to be in a
frame, so smstui never shows one: the user sees one line with this file's path, and the file
holds the plain traceback (file, line, code; never locals) with every secret it knows of
replaced by ``***``. The file is 0600 in a 0700 folder, and bounded (``MAX_BYTES``): the
oldest reports are dropped first.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from smstui.core.config import state_dir
from smstui.core.errors import redact
from smstui.core.privacy import make_private_dirs, open_private

CRASH_LOG_NAME = "crash.log"
#: the crash log never grows past this: a report that would push it over drops the oldest
MAX_BYTES = 256 * 1024
#: environment variables whose values never appear in a report
SECRET_ENV = (
    "MEMBRANE_TOKEN",
    "MEMBRANE_WORKSPACE_SECRET",
    "MEMBRANE_WORKSPACE_KEY",
    "SMSTUI_DATABASE_URL",
    "PGPASSWORD",
)

_SEPARATOR = "\n" + "=" * 72 + "\n"
# secrets whose value we do not know: bearer tokens, JWTs (minted Membrane tokens), and
# token=/secret=/password= pairs in URLs or messages
_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    re.compile(r"(?i)((?:token|secret|password|api_key|apikey)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,]+"),
    # the password of a database URL (postgresql://user:password@host/db)
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(?=@)"),
)


def crash_log_path() -> Path:
    """Where crash reports go (``smstui doctor`` and README point here)."""
    return state_dir() / CRASH_LOG_NAME


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every known secret and anything shaped like a token replaced."""
    known = [*secrets, *(os.environ.get(name) for name in SECRET_ENV)]
    text = redact(text, *known)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


def format_report(error: BaseException, *, where: str, secrets: Iterable[str | None] = ()) -> str:
    """One report: when, where (the app or a command), versions, and the traceback without
    local variables, scrubbed of secrets."""
    from smstui import __version__

    lines = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    head = (
        f"{datetime.now(UTC).isoformat(timespec='seconds')}  smstui {__version__}  "
        f"Python {sys.version.split()[0]}  in {where}\n"
    )
    return scrub(head + lines, secrets)


def write_crash_log(
    error: BaseException,
    *,
    where: str,
    secrets: Iterable[str | None] = (),
    path: Path | None = None,
) -> Path | None:
    """Append a report of ``error`` to the crash log; returns its path, or None when it could
    not be written (a full disk or a read-only home must not turn one crash into two)."""
    target = path if path is not None else crash_log_path()
    report = format_report(error, where=where, secrets=secrets)
    try:
        make_private_dirs(target.parent)
        old = ""
        if target.exists():
            old = target.read_text(encoding="utf-8", errors="replace")
        text = _bounded(old, report)
        with open_private(target, "w") as handle:  # 0600 even if it was made wider by hand
            handle.write(text)
    except OSError:
        return None
    return target


def _bounded(old: str, report: str) -> str:
    """``old`` reports plus ``report``, dropping the oldest until it fits ``MAX_BYTES``."""
    reports = [r for r in old.split(_SEPARATOR) if r.strip()] if old else []
    reports.append(report)
    while len(reports) > 1 and len(_SEPARATOR.join(reports).encode()) > MAX_BYTES:
        reports.pop(0)
    text = _SEPARATOR.join(reports)
    encoded = text.encode()
    if len(encoded) > MAX_BYTES:  # one report alone is too big: keep its end (the error)
        text = encoded[-MAX_BYTES:].decode("utf-8", errors="ignore")
    return text


def crash_summary(path: Path | None = None) -> tuple[int, str | None]:
    """(how many reports the crash log holds, when the latest was written) for doctor."""
    target = path if path is not None else crash_log_path()
    try:
        text = target.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 0, None
    reports = [r for r in text.split(_SEPARATOR) if r.strip()]
    if not reports:
        return 0, None
    return len(reports), reports[-1].split("  ", 1)[0].strip()


def crash_line(path: Path | None, error: BaseException) -> str:
    """What the user sees instead of a traceback."""
    kind = type(error).__name__
    if path is None:
        return (
            f"smstui: internal error ({kind}); the crash log could not be written. "
            "Please report this."
        )
    return f"smstui: internal error ({kind}); details (no secrets) in {path}. Please report this."
