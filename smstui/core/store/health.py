"""``smstui store check``: is the message store whole, current and private?

The check never changes the file: it opens it read-only (``mode=ro``), runs SQLite's
``integrity_check``, reads the schema version and looks at the permissions of the file, its
WAL and its folder. Every problem found comes with what to do about it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from smstui.core.errors import StoreError
from smstui.core.store.errors import problem_of, store_error
from smstui.core.store.schema import SCHEMA_VERSION

#: integrity_check stops after this many findings (a badly damaged file has thousands)
MAX_FINDINGS = 20
#: the store's tables whose rows are counted in the report
COUNTED_TABLES = ("messages", "outbox", "drafts", "templates")


@dataclass(frozen=True, slots=True)
class StoreCheck:
    path: Path
    exists: bool
    size: int = 0
    wal_size: int | None = None
    #: "ok" or what SQLite found ("damaged", "cantopen", ...; see store_errors.Problem)
    state: str = "ok"
    #: integrity_check's findings (["ok"] when whole), or the error that stopped it
    integrity: list[str] = field(default_factory=list)
    schema_version: int | None = None
    expected_version: int = SCHEMA_VERSION
    file_mode: str | None = None
    folder_mode: str | None = None
    writable: bool = True
    rows: dict[str, int] = field(default_factory=dict)
    #: one line per problem, each saying what to do
    problems: list[str] = field(default_factory=list)
    #: the error that kept SQLite from checking the file at all
    error: StoreError | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "exists": self.exists,
            "state": self.state,
            "size": self.size,
            "wal_size": self.wal_size,
            "integrity": self.integrity,
            "schema_version": self.schema_version,
            "expected_version": self.expected_version,
            "file_mode": self.file_mode,
            "folder_mode": self.folder_mode,
            "writable": self.writable,
            "rows": self.rows,
            "problems": self.problems,
        }


def read_only_uri(path: Path) -> str:
    """A ``file:`` URI opening ``path`` read-only (any character in the path quoted)."""
    return f"file:{quote(str(path.resolve()))}?mode=ro"


def _mode(path: Path) -> str | None:
    try:
        return oct(stat.S_IMODE(path.stat().st_mode))
    except OSError:
        return None


def check_store(path: Path) -> StoreCheck:
    """Check the store at ``path`` without changing it."""
    if not path.exists():
        return StoreCheck(
            path=path,
            exists=False,
            writable=os.access(path.parent, os.W_OK) if path.parent.exists() else False,
            folder_mode=_mode(path.parent),
            state="missing",
            problems=[]
            if path.parent.exists()
            else [f"The folder {path.parent} does not exist: smstui creates it on first use."],
        )
    wal = path.with_name(path.name + "-wal")
    problems: list[str] = []
    file_mode, folder_mode = _mode(path), _mode(path.parent)
    if file_mode is not None and int(file_mode, 8) & 0o077:
        problems.append(f"{path} is readable by others ({file_mode}): run 'chmod 600 {path}'.")
    if folder_mode is not None and int(folder_mode, 8) & 0o077:
        problems.append(
            f"Its folder is open to others ({folder_mode}): run 'chmod 700 {path.parent}'."
        )
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    if not writable:
        problems.append(
            f"{path} or its folder is not writable: smstui can show it but not save to it "
            "(make both writable for you)."
        )
    state, integrity, version, rows, failure = _inspect(path)
    error = None
    if failure is not None:
        error = store_error(failure, path)
        problems.append(f"{error.message} {error.hint}")
    elif state == "damaged":
        problems.append(
            f"SQLite finds it damaged ({integrity[0]}): run 'smstui store repair' "
            "(it backs the file up beside it first)."
        )
    if version is not None and version > SCHEMA_VERSION:
        problems.append(
            f"It was written by a newer smstui (schema {version}, this one knows "
            f"{SCHEMA_VERSION}): upgrade smstui."
        )
    return StoreCheck(
        path=path,
        exists=True,
        size=path.stat().st_size,
        wal_size=wal.stat().st_size if wal.exists() else None,
        state=state,
        integrity=integrity,
        schema_version=version,
        file_mode=file_mode,
        folder_mode=folder_mode,
        writable=writable,
        rows=rows,
        problems=problems,
        error=error,
    )


def _inspect(
    path: Path,
) -> tuple[str, list[str], int | None, dict[str, int], sqlite3.Error | None]:
    """(state, integrity findings, schema version, row counts, the error that stopped the
    check) read through a read-only connection."""
    version: int | None = None
    rows: dict[str, int] = {}
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error as err:
        return problem_of(err), [str(err)], None, {}, err
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        findings = [str(r[0]) for r in conn.execute(f"PRAGMA integrity_check({MAX_FINDINGS})")]
        state = "ok" if findings == ["ok"] else "damaged"
        for table in COUNTED_TABLES:
            try:
                rows[table] = int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            except sqlite3.Error:
                continue  # an older schema, or a damaged table: integrity_check said so
        if state == "ok" and version > SCHEMA_VERSION:
            state = "newer"
        return state, findings, version, rows, None
    except sqlite3.Error as err:
        return problem_of(err), [str(err)], version, rows, err
    finally:
        conn.close()
