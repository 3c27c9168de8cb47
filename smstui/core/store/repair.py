"""``smstui store repair``: keep the damaged file, save what can be read, start afresh.

1. The damaged file (and its WAL) is copied beside it, 0600, named ``*.damaged-<time>``:
   nothing is thrown away, whatever happens next.
2. A fresh store is built next to it, and every row SQLite can still read from the damaged
   file is copied in, table by table and row by row (pure Python, no ``sqlite3`` binary: a
   damaged page only loses the rows on it; the walk jumps ahead past it and reads on). When
   the schema itself is garbage, the rows are read from the pages instead (``store_pages``).
3. The fresh store replaces the damaged one. Sync cursors are not copied, so the next sync
   reads ClickSend's history from the start and rebuilds what was lost (about four months).
4. Sends whose fate was open (outbox ``pending``/``unknown``) may or may not have reached
   ClickSend: they become ``failed_unknown`` (the reconciler never resends those on its
   own) and are listed with their tokens, so the user checks history and decides.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from smstui.core.errors import StoreError
from smstui.core.store.errors import store_error
from smstui.core.store.health import StoreCheck, check_store, read_only_uri
from smstui.core.store.pages import (
    HANDLED_OR_HANDED,
    Value,
    key_rows,
    keyed_table_of,
    leaf_rows,
    table_of,
)
from smstui.core.store.schema import INDEX_PENDING, connect

#: tables copied from the damaged file (derived ones, the search index and any rollup, are
#: rebuilt by the schema's own triggers as the rows go in; sync cursors are left behind).
#: ``handled`` after ``messages``: a reply going in clears its conversation's mark (a trigger),
#: which the damaged file already did for every reply older than the mark it kept
SALVAGED_TABLES = (
    "messages",
    "receipts_pending",
    "templates",
    "drafts",
    "outbox",
    "optouts",
    "replies_handed",
    "handled",
    "senders",
)
#: outbox states whose send may or may not have reached ClickSend
OPEN_STATES = ("pending", "unknown")
REPAIRED_REASON = (
    "store repaired while this send was unsettled: it may have been sent; look for its "
    "token in history before sending it again"
)
#: the walk over a damaged table stops after this many unreadable stretches
MAX_DAMAGED_STRETCHES = 10_000
#: byte of the -shm file every open SQLite connection holds a shared lock on (the unix VFS's
#: "DMS" lock: UNIX_SHM_BASE 120 + SQLITE_SHM_NLOCK 8). Not a public API: if the layout
#: ever differs the probe finds no lock and repair goes on, as it would without the probe.
_SHM_DMS_BYTE = 128


@dataclass(frozen=True, slots=True)
class OpenSend:
    """A send whose outcome was unknown when the store was repaired."""

    outbox_id: int
    token: str
    kind: str
    to: str
    body: str
    was: str  # its state before the repair: pending | unknown
    attempted_at: int | None


@dataclass(slots=True)
class RepairReport:
    path: Path
    repaired: bool = False
    backup: Path | None = None
    backup_wal: Path | None = None
    #: rows copied into the fresh store, per table
    salvaged: dict[str, int] = field(default_factory=dict)
    #: rows read but refused by the fresh schema, or tables that could not be read at all (-1)
    lost: dict[str, int] = field(default_factory=dict)
    open_sends: list[OpenSend] = field(default_factory=list)
    check: StoreCheck | None = None
    #: "sql" (read through SQLite) or "pages" (the schema was unreadable: read from the pages)
    method: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "repaired": self.repaired,
            "method": self.method,
            "backup": None if self.backup is None else str(self.backup),
            "backup_wal": None if self.backup_wal is None else str(self.backup_wal),
            "salvaged": self.salvaged,
            "unreadable": self.lost,
            "open_sends": [
                {
                    "outbox_id": s.outbox_id,
                    "token": s.token,
                    "kind": s.kind,
                    "to": s.to,
                    "body": s.body,
                    "was": s.was,
                    "attempted_at": s.attempted_at,
                }
                for s in self.open_sends
            ],
        }


def in_use(path: Path) -> bool:
    """Whether another process has the store open (an smstui window left running)."""
    shm = path.with_name(path.name + "-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
        return False
    finally:
        os.close(fd)


def repair_store(path: Path, *, force: bool = False) -> RepairReport:
    """Repair the store at ``path`` if it needs it (or ``force``); see the module docstring.

    A store that is whole is left alone (``repaired`` False). Problems a new file cannot fix
    (a read-only folder, a lock, a full disk, a newer schema) are raised as ``StoreError``.
    """
    check = check_store(path)
    report = RepairReport(path=path, check=check)
    if not check.exists:
        return report
    if check.error is not None and check.state in ("readonly", "cantopen", "locked", "full"):
        raise check.error  # a new file cannot fix these: the error says what can
    if check.state == "newer":
        raise StoreError(
            f"The message store {path} was written by a newer smstui: it is not damaged.",
            hint="Upgrade smstui.",
            path=str(path),
            problem="newer",
        )
    if check.state == "ok" and not force:
        return report
    if in_use(path):
        raise StoreError(
            f"The message store {path} is open in another smstui.",
            hint="Close every smstui window and command, then run 'smstui store repair' again.",
            path=str(path),
            problem="locked",
        )
    try:
        report.backup, report.backup_wal = _back_up(path)
        fresh = path.with_name(path.name + ".repairing")
        _remove_with_sidecars(fresh)
        try:
            _salvage_into(path, fresh, report)
            _remove_sidecars(path)
            os.replace(fresh, path)
        finally:
            _remove_with_sidecars(fresh)
    except (sqlite3.Error, OSError) as err:
        raise store_error(err, path) from None
    report.repaired = True
    return report


# ------------------------------------------------------------------ steps


def _back_up(path: Path) -> tuple[Path, Path | None]:
    """Copy the damaged file (and its WAL, which SQLite would replay) beside it, 0600."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    backup = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    _private_copy(path, backup)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        backup_wal = backup.with_name(backup.name + "-wal")
        _private_copy(wal, backup_wal)
        return backup, backup_wal
    return backup, None


def _private_copy(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _salvage_into(damaged: Path, fresh: Path, report: RepairReport) -> None:
    """Copy every readable row of ``damaged`` into a new store at ``fresh``: through SQLite
    while it can read the schema, else straight from the pages (``store_pages``)."""
    dst = connect(fresh)
    try:
        src = _open_readable(damaged)
        dst.execute("BEGIN IMMEDIATE")
        if src is not None:
            report.method = "sql"
            for table in SALVAGED_TABLES:
                copied, refused = _salvage_table(src, dst, table)
                report.salvaged[table] = copied
                if refused:
                    report.lost[table] = refused
            src.close()
        else:
            report.method = "pages"
            _salvage_pages(damaged, dst, report)
        report.open_sends = _settle_open_sends(dst)
        for statement in INDEX_PENDING:  # salvaged rows are searchable at once
            dst.execute(statement)
        dst.execute("COMMIT")
    finally:
        dst.close()  # the last connection: its WAL is checkpointed into the file and removed
    os.chmod(fresh, 0o600)


def _open_readable(damaged: Path) -> sqlite3.Connection | None:
    """A read-only connection to ``damaged`` if SQLite can still read its schema."""
    try:
        src = sqlite3.connect(read_only_uri(damaged), uri=True)
    except sqlite3.Error:
        return None
    try:
        src.execute("SELECT name FROM sqlite_master").fetchall()
    except sqlite3.Error:
        src.close()
        return None
    return src


def _salvage_pages(damaged: Path, dst: sqlite3.Connection, report: RepairReport) -> None:
    names = {table: _columns(dst, table) for table in SALVAGED_TABLES}
    report.salvaged = dict.fromkeys(SALVAGED_TABLES, 0)
    for rowid, values in leaf_rows(damaged):
        table = table_of(values)
        if table is None:
            continue
        if table == "outbox" and values[0] is None:
            values[0] = rowid  # the id column is the rowid: SQLite stores NULL in the record
        _insert_found(dst, report, table, names[table][: len(values)], values)
    # the WITHOUT ROWID tables, from the index pages (a row's primary key columns come first
    # in its record, then the rest: in declared order, as ours declare their keys first);
    # after the messages, which tell the two tables of one shape apart
    for values in key_rows(damaged):
        table = keyed_table_of(values)
        if table == HANDLED_OR_HANDED:
            table = _handled_or_handed(dst, values)
        if table is not None:
            _insert_found(dst, report, table, names[table], values)


def _insert_found(
    dst: sqlite3.Connection, report: RepairReport, table: str, cols: list[str], values: list[Value]
) -> None:
    try:
        report.salvaged[table] += dst.execute(_insert_sql(table, cols), values).rowcount
    except sqlite3.Error:
        report.lost[table] = report.lost.get(table, 0) + 1


def _handled_or_handed(dst: sqlite3.Connection, values: list[Value]) -> str | None:
    """(account, x, y, time) is a reply handed to consumer x if y is a message salvaged, and
    a mark on conversation x if x is the number of a message salvaged; else it is left out
    (a mark or a hand-over whose message was lost with a damaged page)."""
    account, party, message_id = values[0], values[1], values[2]
    if dst.execute("SELECT 1 FROM messages WHERE message_id = ?", (message_id,)).fetchone():
        return "replies_handed"
    found = dst.execute(
        'SELECT 1 FROM messages WHERE account = ? AND ("from" = ? OR "to" = ?) LIMIT 1',
        (account, party, party),
    ).fetchone()
    return "handled" if found else None


def _insert_sql(table: str, cols: list[str]) -> str:
    names = ", ".join(f'"{c}"' for c in cols)
    return f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})'


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _salvage_table(src: sqlite3.Connection, dst: sqlite3.Connection, table: str) -> tuple[int, int]:
    """(rows copied, rows refused); a table whose schema cannot be read counts -1 refused."""
    try:
        have = _columns(src, table)
    except sqlite3.Error:
        return 0, -1
    cols = [c for c in _columns(dst, table) if c in have]
    if not cols:
        return 0, 0
    insert = _insert_sql(table, cols)
    names = ", ".join(f'"{c}"' for c in cols)
    key = _without_rowid_key(src, table)
    rows = _readable_rows(src, table, names) if key is None else _keyed_rows(src, table, names, key)
    copied = refused = 0
    for values in rows:
        try:
            copied += dst.execute(insert, values).rowcount
        except sqlite3.Error:  # garbage from a damaged page that the schema refuses
            refused += 1
    return copied, refused


def _readable_rows(src: sqlite3.Connection, table: str, names: str) -> Iterator[tuple[object, ...]]:
    """Every row of ``table`` SQLite can still read, in rowid order. NOT INDEXED: the table's
    own b-tree, not an index that may be damaged too. On an error the walk jumps ahead
    (1, 4, 16... rowids) until it reads again, so one bad page loses only its own rows."""
    sql = f'SELECT rowid, {names} FROM "{table}" NOT INDEXED WHERE rowid > ? ORDER BY rowid'
    after = 0
    for _ in range(MAX_DAMAGED_STRETCHES):
        skip = 1
        try:
            for row in src.execute(sql, (after,)):
                if row[0] <= after:  # a damaged page can return rows out of order
                    continue
                after = row[0]
                yield tuple(row[1:])
            return
        except sqlite3.Error:
            while True:
                after += skip
                skip *= 4
                if after >= 2**62:
                    return
                try:
                    src.execute(f'SELECT 1 FROM "{table}" NOT INDEXED WHERE rowid > ?', (after,))
                    break
                except sqlite3.Error:
                    continue


def _without_rowid_key(src: sqlite3.Connection, table: str) -> list[str] | None:
    """The primary key's columns of a ``WITHOUT ROWID`` table (None: a rowid table)."""
    row = src.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    if row is None or "WITHOUT ROWID" not in str(row[0]).upper():
        return None
    info = [r for r in src.execute(f'PRAGMA table_info("{table}")') if r[5]]
    return [str(r[1]) for r in sorted(info, key=lambda r: int(r[5]))]


def _keyed_rows(
    src: sqlite3.Connection, table: str, names: str, key: list[str]
) -> Iterator[tuple[object, ...]]:
    """Every row of a ``WITHOUT ROWID`` table SQLite can still read. There is no rowid to
    jump ahead by, so the walk goes in key order from the first row and, if it meets a
    damaged page, from the last row back until it meets one too: only the rows between are
    lost. (These tables are small: a row per conversation marked, opt-out, bulk batch.)"""
    keys = ", ".join(f'"{k}"' for k in key)
    seen: set[tuple[object, ...]] = set()
    for order in ("ASC", "DESC"):
        by = ", ".join(f'"{k}" {order}' for k in key)
        try:
            for row in src.execute(f'SELECT {keys}, {names} FROM "{table}" ORDER BY {by}'):
                at = tuple(row[: len(key)])
                if at in seen:
                    if order == "DESC":
                        return  # the walk back reached the rows read forward: all are read
                    continue
                seen.add(at)
                yield tuple(row[len(key) :])
            return
        except sqlite3.Error:
            continue


def _settle_open_sends(dst: sqlite3.Connection) -> list[OpenSend]:
    """Mark open sends ``failed_unknown`` (never resent automatically) and return them."""
    marks = ", ".join("?" * len(OPEN_STATES))
    rows = dst.execute(
        f'SELECT id, token, kind, "to", body, state, attempted_at FROM outbox '
        f"WHERE state IN ({marks}) ORDER BY id",
        OPEN_STATES,
    ).fetchall()
    dst.executemany(
        "UPDATE outbox SET state = 'failed_unknown', reason = ? WHERE id = ?",
        [(REPAIRED_REASON, r[0]) for r in rows],
    )
    return [OpenSend(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _remove_sidecars(path: Path) -> None:
    """The damaged file's WAL must not be replayed into the fresh store (it is backed up)."""
    for p in _sidecars(path):
        p.unlink(missing_ok=True)


def _remove_with_sidecars(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
    for p in _sidecars(path):
        with contextlib.suppress(OSError):
            p.unlink(missing_ok=True)
