"""Turn what SQLite or the OS says about the store file into one clear ``StoreError``.

Every store failure reaches the user as one line: which file, what is wrong, what to run.
The kind of failure comes from SQLite's (extended) result code where Python gives it
(``sqlite_errorcode``, Python 3.11+) and from the message text otherwise.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import Literal

from smstui.core.errors import StoreError

Problem = Literal["damaged", "full", "readonly", "cantopen", "locked", "io", "newer", "error"]

_BY_CODE: dict[int, Problem] = {
    sqlite3.SQLITE_CORRUPT: "damaged",
    sqlite3.SQLITE_NOTADB: "damaged",
    sqlite3.SQLITE_FULL: "full",
    sqlite3.SQLITE_READONLY: "readonly",
    sqlite3.SQLITE_CANTOPEN: "cantopen",
    sqlite3.SQLITE_BUSY: "locked",
    sqlite3.SQLITE_LOCKED: "locked",
    sqlite3.SQLITE_IOERR: "io",
    sqlite3.SQLITE_PERM: "readonly",
}

#: SQLITE_IOERR_* extended codes that mean a write did not reach the disk. Linux reports a
#: file that hits its size limit (EFBIG) as SQLITE_IOERR_WRITE, and SQLite only says
#: SQLITE_FULL when the last write was short; both mean "no room", so both read as full.
_WRITE_IOERRS = frozenset(
    getattr(sqlite3, name)
    for name in (
        "SQLITE_IOERR_WRITE",
        "SQLITE_IOERR_FSYNC",
        "SQLITE_IOERR_TRUNCATE",
        "SQLITE_IOERR_SHMSIZE",
    )
    if hasattr(sqlite3, name)
)

_BY_TEXT: tuple[tuple[str, Problem], ...] = (
    ("malformed", "damaged"),
    ("not a database", "damaged"),
    ("disk is full", "full"),
    ("readonly", "readonly"),
    ("read-only", "readonly"),
    ("unable to open", "cantopen"),
    ("locked", "locked"),
    ("busy", "locked"),
    ("disk i/o error", "io"),
)

_OS_ERRNO: dict[int, Problem] = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EFBIG: "full",
    errno.EROFS: "readonly",
    errno.EACCES: "readonly",
    errno.EPERM: "readonly",
    errno.ENOENT: "cantopen",
    errno.ENOTDIR: "cantopen",
    errno.EIO: "io",
}


def problem_of(err: BaseException) -> Problem:
    """The kind of store failure ``err`` is (``"error"`` when it is none of the known ones)."""
    if isinstance(err, StoreError):
        return err.problem  # type: ignore[return-value]  # set from this module
    if isinstance(err, sqlite3.Error):
        code = getattr(err, "sqlite_errorcode", None)
        if isinstance(code, int):
            if code in _WRITE_IOERRS:
                return "full"
            found = _BY_CODE.get(code & 0xFF)
            if found is not None:
                return found
        text = str(err).lower()
        for needle, problem in _BY_TEXT:
            if needle in text:
                return problem
        return "error"
    if isinstance(err, OSError) and err.errno is not None:
        return _OS_ERRNO.get(err.errno, "io")
    return "error"


def _describe(problem: Problem, where: str) -> tuple[str, str]:
    """(what is wrong, what to do) for ``problem`` with the file named ``where``."""
    if problem == "damaged":
        return (
            f"The message store {where} is damaged",
            "Run 'smstui store repair': it backs the file up beside it and keeps "
            "everything still readable.",
        )
    if problem == "full":
        return (
            f"Could not write to the message store {where}: the disk is full "
            "(or the file reached a size limit); the last change was not saved",
            "Free some disk space and try again; nothing already stored was lost.",
        )
    if problem == "readonly":
        return (
            f"The message store {where} is read-only",
            "Make the file and its folder writable for you (or set XDG_DATA_HOME to a "
            "writable folder), then try again; 'smstui store check' shows the permissions.",
        )
    if problem == "cantopen":
        return (
            f"Cannot open the message store {where}",
            "Check that its folder exists and is writable for you, or set XDG_DATA_HOME "
            "to another folder; 'smstui store check' says more.",
        )
    if problem == "locked":
        return (
            f"The message store {where} stayed locked by another program",
            "Close other smstui windows or end the process holding it (fuser shows it), "
            "then try again.",
        )
    if problem == "io":
        return (
            f"The message store {where} could not be read or written (disk I/O error)",
            "Run 'smstui store check'; if it reports damage, 'smstui store repair'.",
        )
    return (
        f"The message store {where} failed",
        "Run 'smstui store check' to see what is wrong.",
    )


def _folder_read_only(path: Path) -> bool:
    folder = path.parent
    return folder.is_dir() and not os.access(folder, os.W_OK)


def store_error(err: BaseException, path: Path | str | None) -> StoreError:
    """One ``StoreError`` for ``err`` (an ``sqlite3.Error``, an ``OSError`` or a
    ``StoreError`` already) raised while using the store at ``path``."""
    where = str(path) if path is not None else "(location unknown)"
    if isinstance(err, StoreError):
        if err.path is not None:
            return err
        # raised below the store (the schema check): it knows what, not which file
        message = f"{err.message.rstrip('.')} ({where})."
        return StoreError(message, hint=err.hint, path=where, problem=err.problem)
    problem = problem_of(err)
    if problem == "cantopen" and path is not None and _folder_read_only(Path(path)):
        problem = "readonly"  # SQLite cannot create its -wal/-shm files beside the store
    what, hint = _describe(problem, where)
    detail = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
    message = f"{what} ({detail})." if detail and detail not in what else f"{what}."
    return StoreError(message, hint=hint, path=where, problem=problem)
