"""SQLite connection set-up, versioned schema and the retry-on-lock helper for the store.

The schema is versioned with ``PRAGMA user_version``: ``MIGRATIONS[i]`` takes a database from
version ``i`` to ``i + 1``. Migrations only ever go forward; a database written by a newer
smstui is refused rather than silently damaged.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import platformdirs

from smstui.core.errors import StoreError
from smstui.core.privacy import create_private_file, ensure_private
from smstui.core.store import rollup as store_rollup
from smstui.core.store.errors import store_error
from smstui.core.store.rows import DELIVERY_COLUMNS

T = TypeVar("T")

#: how long SQLite itself waits on a lock before giving up (ms)
BUSY_TIMEOUT_MS = 5000
#: SQLite's memory per connection, stated rather than left to defaults: page cache in KiB
#: (negative: a size, not pages) and prepared statements kept (Python's default).
#: 1 MiB, half SQLite's default: in ``--tui`` soaks the process holds three connections and
#: SQLite's memory swung between 1.9 and 5.5 MB as their caches refilled after other
#: processes' writes, most of the RSS "growth" a sample happened to catch. Measured on the
#: 1,000,000-row History store, 1 MiB against 2 MB: a page of 200 rows read by key in 1.4 ms
#: either way, a search's first page ("order 42") in 16-17 ms either way: the rows a list
#: reads are new pages each time (the OS's file cache serves them), not ones kept here.
PAGE_CACHE_KIB = 1024
STATEMENT_CACHE = 128
#: extra retries on top of busy_timeout: WAL can still report SQLITE_BUSY without waiting
#: (e.g. a read transaction upgrading to write), so we back off and try again ourselves.
LOCK_RETRIES = 20
#: seconds after which a lock still held is reported instead of waited on (a hung process)
LOCK_PATIENCE = 15.0


_V1 = """
CREATE TABLE messages (
    message_id    TEXT PRIMARY KEY,
    account       TEXT NOT NULL DEFAULT '',
    direction     TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    "to"          TEXT NOT NULL DEFAULT '',
    "from"        TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    date          INTEGER NOT NULL DEFAULT 0,
    schedule      INTEGER,
    parts         INTEGER NOT NULL DEFAULT 0,
    price         TEXT,
    status_code   TEXT,
    status_text   TEXT,
    error_code    TEXT,
    error_text    TEXT,
    receipt_at    INTEGER,
    custom_string TEXT,
    reply_to      TEXT,
    read          INTEGER NOT NULL DEFAULT 1,
    updated_at    INTEGER NOT NULL
);
-- keyset paging walks this index in either direction: no sort, no OFFSET scan
CREATE INDEX messages_by_date ON messages (account, date, message_id);
CREATE INDEX messages_by_to ON messages (account, "to", date);
CREATE INDEX messages_by_from ON messages (account, "from", date);
CREATE INDEX messages_by_status ON messages (account, status, date);
CREATE INDEX messages_unread ON messages (account, read, direction, date);
CREATE INDEX messages_by_custom ON messages (custom_string);

CREATE VIRTUAL TABLE messages_fts USING fts5(
    body, "to", "from", content='messages', content_rowid='rowid'
);
CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body, "to", "from")
    VALUES (new.rowid, new.body, new."to", new."from");
END;
CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body, "to", "from")
    VALUES ('delete', old.rowid, old.body, old."to", old."from");
END;
-- only text changes touch the index: status/receipt updates are frequent and must stay cheap
-- (UPDATE OF fires whenever the column is in SET, as in every upsert, hence the WHEN)
CREATE TRIGGER messages_fts_au AFTER UPDATE OF body, "to", "from" ON messages
WHEN old.body IS NOT new.body OR old."to" IS NOT new."to" OR old."from" IS NOT new."from"
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body, "to", "from")
    VALUES ('delete', old.rowid, old.body, old."to", old."from");
    INSERT INTO messages_fts (rowid, body, "to", "from")
    VALUES (new.rowid, new.body, new."to", new."from");
END;

CREATE TABLE receipts_pending (
    message_id  TEXT PRIMARY KEY,
    status_code TEXT,
    status_text TEXT,
    error_code  TEXT,
    error_text  TEXT,
    receipt_at  INTEGER,
    custom_string TEXT
);
CREATE TABLE templates (
    template_id TEXT PRIMARY KEY,
    account     TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    position    INTEGER NOT NULL
);
CREATE TABLE drafts (
    key        TEXT PRIMARY KEY,
    text       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE sync_cursors (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_V2 = """
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    token         TEXT NOT NULL UNIQUE,
    account       TEXT NOT NULL DEFAULT '',
    "to"          TEXT NOT NULL,
    sender        TEXT,
    body          TEXT NOT NULL,
    schedule      INTEGER,
    country       TEXT,
    user_custom_string TEXT,
    state         TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    attempted_at  INTEGER,
    message_id    TEXT,
    status        TEXT,
    reason        TEXT,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX outbox_by_state ON outbox (state, attempted_at);
"""

# MMS and voice share the outbox (same reconciliation) and the message table (History)
_V3 = """
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'sms';
ALTER TABLE outbox ADD COLUMN extra TEXT;
ALTER TABLE messages ADD COLUMN channel TEXT NOT NULL DEFAULT 'sms';
"""

# Full-text upkeep leaves the write path: a new or re-worded row only queues its rowid in
# fts_pending (one small b-tree insert), and ``index_pending`` adds the queued rows to the index
# in one batch (after each write transaction, or once at the end of a sync). A row still queued
# was never indexed, so its old text must not be 'delete'd from the index (FTS5 external
# content would corrupt); the NOT EXISTS guards below see to that. (Not INSERT OR IGNORE: in a
# trigger the outer statement's conflict rule wins, and an upsert's is ABORT.)
_V4 = """
CREATE TABLE fts_pending (rid INTEGER PRIMARY KEY);
DROP TRIGGER messages_fts_ai;
DROP TRIGGER messages_fts_ad;
DROP TRIGGER messages_fts_au;
CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
    INSERT INTO fts_pending (rid) SELECT new.rowid
    WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE rid = new.rowid);
END;
CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body, "to", "from")
    SELECT 'delete', old.rowid, old.body, old."to", old."from"
    WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE rid = old.rowid);
    DELETE FROM fts_pending WHERE rid = old.rowid;
END;
CREATE TRIGGER messages_fts_au AFTER UPDATE OF body, "to", "from" ON messages
WHEN old.body IS NOT new.body OR old."to" IS NOT new."to" OR old."from" IS NOT new."from"
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body, "to", "from")
    SELECT 'delete', old.rowid, old.body, old."to", old."from"
    WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE rid = old.rowid);
    INSERT INTO fts_pending (rid) SELECT new.rowid
    WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE rid = new.rowid);
END;
"""

#: adds the queued rows to the full-text index and empties the queue (see _V4)
INDEX_PENDING = (
    'INSERT INTO messages_fts (rowid, body, "to", "from") '
    'SELECT m.rowid, m.body, m."to", m."from" FROM fts_pending p '
    "JOIN messages m ON m.rowid = p.rid",
    "DELETE FROM fts_pending",
)

# The operator's desk (issue 14): the opt-out list, and which replies were handed to a
# command (``smstui inbox --follow --exec``) so that a restart does not hand them again.
# An opt-out undone (START, ``optouts remove``) keeps its row with ``removed_at`` set: a STOP
# older than the START, met later (history synced out of order), must not opt the number out
# again. ``date``/``removed_at`` are when the reply was sent (or the user acted), Unix time.
_V6 = """
CREATE TABLE optouts (
    account    TEXT NOT NULL DEFAULT '',
    number     TEXT NOT NULL,
    date       INTEGER NOT NULL,
    reply_id   TEXT,
    source     TEXT NOT NULL,
    removed_at INTEGER,
    removed_by TEXT,
    PRIMARY KEY (account, number)
) WITHOUT ROWID;
CREATE TABLE replies_handed (
    account    TEXT NOT NULL DEFAULT '',
    consumer   TEXT NOT NULL,
    message_id TEXT NOT NULL,
    handed_at  INTEGER NOT NULL,
    PRIMARY KEY (account, consumer, message_id)
) WITHOUT ROWID;
"""

# Who did what (issue 13): who sent each outgoing message (``sent_by``: the operator whose
# smstui recorded it in the outbox; rows synced from ClickSend that nobody here sent keep
# NULL), and which conversations an operator marked handled. A reply that arrives after the
# mark (stored as a new, unread reply: history's backlog is stored read) clears it, so the
# conversation reads as not handled again: the customer wrote again. Reads stay the ``read``
# flag here: this file is one person's store (the team store keeps reads per operator).
_V7 = """
ALTER TABLE messages ADD COLUMN sent_by TEXT;
ALTER TABLE outbox ADD COLUMN sent_by TEXT;
CREATE TABLE handled (
    account  TEXT NOT NULL DEFAULT '',
    number   TEXT NOT NULL,
    operator TEXT NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (account, number)
) WITHOUT ROWID;
-- who started the sends that carry a custom string (bulk batches, which go out without the
-- outbox): a message synced in with one of them gets its sender from here
CREATE TABLE senders (
    custom_string TEXT PRIMARY KEY,
    operator      TEXT NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER messages_reply_unhandles AFTER INSERT ON messages
WHEN new.direction = 'in' AND new.read = 0
BEGIN
    DELETE FROM handled WHERE account = new.account AND number = new."from";
END;
"""

# Receipts move the change mark: a count per account of the message updates that changed a
# delivery state, kept by the write itself (a trigger), so that a watching app sees another
# process's receipt by reading one row (``deliveries.delivery_stamp``, part of
# ``team.change_mark``) instead of scanning for what changed. Writes are serialised on
# SQLite, so one row per account costs nothing in contention; a history page synced again
# changes no state and no count. A store migrated starts with no count (read as 0).
_V8 = f"""
CREATE TABLE delivery_changes (
    account TEXT PRIMARY KEY,
    changes INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER messages_delivery_changes AFTER UPDATE OF {", ".join(DELIVERY_COLUMNS)} ON messages
WHEN {" OR ".join(f"old.{c} IS NOT new.{c}" for c in DELIVERY_COLUMNS)}
BEGIN
    INSERT INTO delivery_changes (account, changes) VALUES (new.account, 1)
    ON CONFLICT (account) DO UPDATE SET changes = changes + 1;
END;
"""

#: MIGRATIONS[i] upgrades a database at user_version i to i + 1
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, store_rollup.MIGRATION, _V6, _V7, _V8)
SCHEMA_VERSION = len(MIGRATIONS)


def default_db_path() -> Path:
    """Where the database lives unless told otherwise (follows XDG_DATA_HOME)."""
    try:
        from smstui.core import config  # written in parallel; fall back until it lands
    except ImportError:
        return Path(platformdirs.user_data_dir("smstui")) / "smstui.db"
    data_dir: Callable[[], Path] | None = getattr(config, "data_dir", None)
    if data_dir is None:
        return Path(platformdirs.user_data_dir("smstui")) / "smstui.db"
    return Path(data_dir()) / "smstui.db"


def is_locked_error(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def retry_locked(fn: Callable[[], T], *, sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``fn`` again (with back-off) while SQLite reports the database as locked.

    Gives up (re-raising SQLite's own "locked" error, which ``store_errors`` turns into a
    clear ``StoreError``) after ``LOCK_RETRIES`` tries or once ``LOCK_PATIENCE`` seconds
    have passed: each try may itself wait ``BUSY_TIMEOUT_MS``, and a process that holds the
    lock for good must not hang a command for minutes.
    """
    delay = 0.01
    started = time.monotonic()
    for _ in range(LOCK_RETRIES):
        try:
            return fn()
        except sqlite3.OperationalError as err:
            if not is_locked_error(err) or time.monotonic() - started >= LOCK_PATIENCE:
                raise
            sleep(delay)
            delay = min(delay * 2, 0.5)
    return fn()


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at ``path``.

    Any failure (a damaged file, a read-only or missing folder, a full disk, a lock held
    for good) is raised as one ``StoreError`` naming the file and what to do.
    """
    on_disk = str(path) != ":memory:"
    try:
        if on_disk:
            # created 0600 before SQLite does (it would use the umask), so that its -wal and
            # -shm files, which SQLite creates with the database file's mode, are private too
            create_private_file(path)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves so the write lock is taken
        # up front and busy_timeout applies, instead of failing on a read->write upgrade.
        conn = sqlite3.connect(
            str(path),
            isolation_level=None,
            check_same_thread=False,
            cached_statements=STATEMENT_CACHE,
        )
    except (sqlite3.Error, OSError) as err:
        raise store_error(err, path) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        retry_locked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # A write whose triggers touch other tables (the stats rollup, the search queue) keeps
        # a statement journal per row; past 64 KiB SQLite spills it to a temporary *file*,
        # created and deleted for every row of an executemany: 7x the cost of a synced page.
        # In memory it costs nothing. The flip side: big sorts (a rollup rebuild at a million
        # rows, ~50 MB) stay in memory while they run.
        conn.execute("PRAGMA temp_store = MEMORY")
        retry_locked(lambda: migrate(conn))
    except (sqlite3.Error, OSError, StoreError) as err:
        conn.close()
        raise store_error(err, path) from None
    if on_disk:
        for companion in database_files(path):
            # left wider by an older smstui: tighten on start (a file we may not chmod, such
            # as another user's, is left for `smstui doctor` to report)
            with contextlib.suppress(OSError):
                ensure_private(companion)
    return conn


def database_files(path: Path) -> list[Path]:
    """The database file and the companions SQLite keeps next to it in WAL mode."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def migrate(conn: sqlite3.Connection, *, target: int = SCHEMA_VERSION) -> int:
    """Apply pending migrations up to ``target``; return the resulting version."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The message database is from a newer smstui (schema {version}, "
                f"this version knows {SCHEMA_VERSION}).",
                hint="Upgrade smstui, or point it at another data directory.",
                problem="newer",
            )
        while version < target:
            # executescript would COMMIT first; run statement by statement inside our txn
            for statement in _split_sql(MIGRATIONS[version]):
                conn.execute(statement)
            version += 1
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        # a full disk or a damaged page may have rolled the transaction back already, and a
        # failing ROLLBACK must not hide the error that explains what happened
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise
    return version


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (trigger bodies contain ``;``)."""
    statements: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf:
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements
