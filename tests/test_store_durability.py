"""MessageStore across versions and processes: migrations, and two writers at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smstui.core.models import HistoryMessage
from smstui.core.store.message_store import MessageStore, StoreError
from smstui.core.store.schema import MIGRATIONS, SCHEMA_VERSION, migrate
from smstui.core.store.schema import connect as open_db


def test_new_database_is_at_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    with MessageStore(tmp_path / "s.db"):
        pass
    conn = sqlite3.connect(tmp_path / "s.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_old_database_is_migrated_forward_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)  # a database written by the first release (no outbox yet)
    conn.execute(
        "INSERT INTO messages (message_id, direction, body, date, updated_at) "
        "VALUES ('OLD-1', 'out', 'kept across upgrades', 5, 5)"
    )
    conn.close()
    with MessageStore(path) as store:
        got = store.get("OLD-1")
        assert got is not None and got.body == "kept across upgrades"
        assert store.run_read(lambda c: c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]) == 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_reopening_does_not_rerun_migrations(tmp_path: Path) -> None:
    with MessageStore(tmp_path / "s.db") as s:
        s.save_draft("k", "v")
    with MessageStore(tmp_path / "s.db") as s:
        assert s.load_draft("k") == "v"


def test_database_from_a_newer_smstui_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer smstui"):
        open_db(path)


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from smstui.core.models import HistoryMessage
    from smstui.core.store.message_store import MessageStore

    store = MessageStore(Path(sys.argv[1]))
    print("ready", flush=True)
    for i in range(int(sys.argv[2])):
        store.upsert_history([HistoryMessage(
            message_id=f"child-{i}", direction="out", to="+61411111111", sender="x",
            body=f"from the child {i}", status="Sent", date=datetime.fromtimestamp(i, UTC))])
        store.save_draft("child", str(i))
    print("done", flush=True)
    """
)


@pytest.mark.slow
def test_two_processes_write_and_read_at_once_without_lock_errors(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    n = 300
    with MessageStore(path) as store:
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        i = 0
        # read and write continuously while the child commits hundreds of small transactions
        while child.poll() is None:
            store.page(limit=20)
            store.count()
            store.upsert_history(
                [
                    HistoryMessage(
                        message_id=f"parent-{i}",
                        direction="out",
                        to="+61422222222",
                        sender="y",
                        body="from the parent",
                        status="Sent",
                        date=datetime.fromtimestamp(10_000 + i, UTC),
                    )
                ]
            )
            i += 1
        out, err = child.communicate()
        assert child.returncode == 0, err
        assert "locked" not in err
        assert out.strip() == "done"
        assert store.count() == n + i
        assert store.load_draft("child") == str(n - 1)
