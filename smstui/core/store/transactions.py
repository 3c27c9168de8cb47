"""The SQLite store's one connection and its transactions (``MessageStore``'s plumbing).

Two processes (TUI and CLI) may use one file at once: WAL, ``busy_timeout``, ``BEGIN
IMMEDIATE`` for writes and a retry loop keep ``database is locked`` from ever reaching the
user. Every write transaction also indexes for search the rows it queued, unless a bulk
writer (a sync) defers that to its end (``deferred_index``).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from smstui.core.store.errors import store_error
from smstui.core.store.schema import INDEX_PENDING, connect, default_db_path, retry_locked

T = TypeVar("T")


def _index_pending(c: sqlite3.Connection) -> None:
    for statement in INDEX_PENDING:
        c.execute(statement)


class SqliteTransactions:
    """One connection to the store's file, shared by the threads of this process under a lock;
    ``account`` scopes every row (one file may hold several)."""

    def __init__(self, path: Path | None = None, *, account: str = "", operator: str = "") -> None:
        self.path = path if path is not None else default_db_path()
        self.account = account
        #: who is at this store: the name outgoing messages and handled marks record
        self.operator = operator
        self._lock = threading.RLock()
        self._conn = connect(self.path)
        #: > 0 while a bulk writer (a sync) defers full-text upkeep to its end
        self._defer_index = 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def run_write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` in one write transaction (committed when it returns), retrying on locks."""

        def attempt() -> T:
            with self._lock:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    result = fn(self._conn)
                    if not self._defer_index:
                        _index_pending(self._conn)
                    self._conn.execute("COMMIT")
                except BaseException:
                    # a full disk or a damaged page may have rolled back already; a failing
                    # ROLLBACK must not hide the error that says what went wrong
                    if self._conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            self._conn.execute("ROLLBACK")
                    raise
                return result

        try:
            return retry_locked(attempt)
        except (sqlite3.Error, OSError) as err:
            raise store_error(err, self.path) from None

    def run_read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        def attempt() -> T:
            with self._lock:
                return fn(self._conn)

        try:
            return retry_locked(attempt)
        except (sqlite3.Error, OSError) as err:
            raise store_error(err, self.path) from None

    @contextmanager
    def deferred_index(self, *, index_at_end: bool = True) -> Iterator[None]:
        """Within this block, rows written are indexed for search only when it ends (one batch
        instead of an index update per transaction). Searches meanwhile miss them.

        ``index_at_end=False``: the caller runs ``index_pending`` itself (say, off the event
        loop); rows it leaves queued are indexed by the next write transaction of any store."""
        with self._lock:
            self._defer_index += 1
        try:
            yield
        finally:
            with self._lock:
                self._defer_index -= 1
                last = not self._defer_index
            if last and index_at_end:
                self.index_pending()

    def index_pending(self) -> None:
        """Add every row still waiting for the full-text index to it (also rows a crashed
        process left queued)."""
        self.run_write(_index_pending)

    @contextmanager
    def sync_lock(self, key: str) -> Iterator[bool]:
        """Always held: one person's processes on one machine may sync side by side (the
        store de-duplicates; the team store is where syncing once for everyone matters)."""
        yield True
