"""The checks of ``smstui doctor`` that read only this machine (the store file, permissions,
the crash log), and the result type every check gives."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smstui.core.config import app_dirs
from smstui.core.crash_log import crash_log_path, crash_summary
from smstui.core.privacy import LoosePath, loose_paths
from smstui.core.store.schema import database_files

_SHOWN_PATHS = 3


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: str
    ok: bool
    detail: str
    #: what the user can do when the check failed ("" when ok)
    fix: str = ""
    #: a safe repair ``doctor --fix`` can make (see ``doctor_fixes.REPAIRS``), if any
    repair: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"check": self.check, "ok": self.ok, "detail": self.detail, "fix": self.fix}


def not_checked(check: str, why: str) -> CheckResult:
    return CheckResult(check, False, f"not checked: {why}")


def store_integrity(path: Path) -> CheckResult:
    """SQLite's quick_check, on a read-only connection (nothing is created or migrated)."""
    if not path.exists():
        return CheckResult("store_integrity", True, f"no local store yet ({path})")
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as err:
        return _damaged(path, str(err))
    problems = [str(r[0]) for r in rows if r and r[0] != "ok"]
    if problems:
        return _damaged(path, "; ".join(problems[:3]))
    return CheckResult("store_integrity", True, f"{path}: ok")


def _damaged(path: Path, why: str) -> CheckResult:
    return CheckResult(
        "store_integrity",
        False,
        f"{path}: {why}",
        "Run `smstui store repair`: it keeps the damaged file beside it, saves what is "
        "readable, and the next sync brings the rest back from ClickSend.",
    )


def crash_reports() -> CheckResult:
    """Informational (never a failure): where the crash log is and what it holds."""
    path = crash_log_path()
    count, latest = crash_summary(path)
    if count == 0:
        return CheckResult("crash_log", True, f"no crash reports ({path})")
    return CheckResult(
        "crash_log",
        True,
        f"{count} crash report(s), the latest {latest}, in {path} (0600, no secrets): "
        "please attach it to a bug report",
    )


def outside_app_dirs(store: Path) -> list[Path]:
    """The store's files when it lives outside smstui's folders (a --db elsewhere)."""
    if any(store.is_relative_to(root) for root in app_dirs()):
        return []
    return [p for p in database_files(store) if p.exists()]


def permissions(roots: list[Path]) -> CheckResult:
    loose: list[LoosePath] = []
    for root in roots:
        if root.is_file():
            mode = root.stat().st_mode & 0o777
            if mode & 0o077:
                loose.append(LoosePath(root, mode, False))
        else:
            loose.extend(loose_paths([root]))
    if not loose:
        return CheckResult("permissions", True, "files 0600, folders 0700")
    shown = ", ".join(f"{p.path} is {p.mode:04o}" for p in loose[:_SHOWN_PATHS])
    more = f" and {len(loose) - _SHOWN_PATHS} more" if len(loose) > _SHOWN_PATHS else ""
    return CheckResult(
        "permissions",
        False,
        f"readable by others: {shown}{more}",
        "`smstui doctor --fix` makes them owner-only (files 0600, folders 0700).",
        repair="permissions",
    )
