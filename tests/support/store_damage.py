"""Ways to damage a store as months of real use do: garbage pages, a read-only folder, a lock
held by a process that hangs, a disk that fills up."""

from __future__ import annotations

import os
import select
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smstui.core.models import HistoryMessage, OutgoingSms
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import OutboxTable

PAGE = 4096
#: a child process must be ready within this (Python start-up on a loaded 2-core machine)
CHILD_READY = 60.0


def history(count: int, *, start: int = 1) -> list[HistoryMessage]:
    return [
        HistoryMessage(
            message_id=f"MSG{i:06d}",
            direction="out",
            to=f"+6141{i:07d}",
            sender="+61481070000",
            body=f"message {i} " + "x" * 300,  # ~12 messages a page: many leaf pages
            status="Delivered",
            date=datetime.fromtimestamp(1_700_000_000 + i * 60, UTC),
            parts=1,
        )
        for i in range(start, start + count)
    ]


def filled_store(path: Path, count: int = 400) -> None:
    """A store with ``count`` messages, a draft, a sync cursor and an open send; closed, so
    the WAL is checkpointed into the file (the last connection does that)."""
    with MessageStore(path) as store:
        store.upsert_history(history(count))
        store.save_draft("compose", '{"to": "0412345678", "body": "half written"}')
        store.set_cursor("history:", "1700000000")
        OutboxTable(store).add(
            [("smstui-open-one", OutgoingSms(to="+61411111111", body="was it sent?"))], now=1
        )


def leaf_pages(path: Path, table: str) -> list[int]:
    """The page numbers holding ``table``'s rows (dbstat: compiled into Python's SQLite)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            (table,),
        ).fetchall()
    finally:
        conn.close()
    return [int(r[0]) for r in rows]


def overwrite_pages(path: Path, pages: list[int], *, seed: int = 7) -> None:
    """Write garbage over whole pages (1-based), as a power cut on a cheap disk might."""
    rnd = __import__("random").Random(seed)
    with path.open("r+b") as f:
        for page in pages:
            f.seek((page - 1) * PAGE)
            f.write(bytes(rnd.randrange(256) for _ in range(PAGE)))


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` (a file or a folder) unwritable, even for root.

    Root ignores permission bits, so as root the immutable attribute (``chattr +i``) is used;
    where that is not allowed the test is skipped rather than passing without checking.
    """
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o500 if path.is_dir() else 0o400)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot make {path} read-only as root here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


_HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("INSERT INTO drafts (key, text, updated_at) VALUES ('holder', 'x', 1)")
    sys.stdout.write("locked\\n")
    sys.stdout.flush()
    sys.stdin.read()  # hold the lock until the test closes our stdin (a hung process)
    conn.execute("ROLLBACK")
    """
)


@contextmanager
def lock_held_by_another_process(path: Path) -> Iterator[None]:
    """Another process holds the store's write lock (BEGIN EXCLUSIVE) until the block ends."""
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        ready, _, _ = select.select([child.stdout], [], [], CHILD_READY)
        assert ready, "the lock holder never started"
        assert child.stdout.readline() == b"locked\n", child.stderr.read() if child.stderr else b""
        yield
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=CHILD_READY)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
