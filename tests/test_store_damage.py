"""A store damaged over months: every failure is one StoreError naming the file and what to
do, and nothing already stored is lost (a garbage page, a truncated WAL, a full disk, a
read-only folder, a lock held by a hung process)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support.store_damage import (
    filled_store,
    history,
    leaf_pages,
    lock_held_by_another_process,
    overwrite_pages,
    read_only,
)

from smstui.core.errors import StoreError
from smstui.core.store import schema as store_schema
from smstui.core.store.errors import problem_of, store_error
from smstui.core.store.message_store import MessageStore

REPO = Path(__file__).resolve().parents[1]


def test_store_error_has_its_own_exit_code() -> None:
    assert StoreError("x").exit_code == 7


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        (sqlite3.SQLITE_CORRUPT, "damaged"),
        (sqlite3.SQLITE_NOTADB, "damaged"),
        (sqlite3.SQLITE_FULL, "full"),
        (sqlite3.SQLITE_READONLY, "readonly"),
        (sqlite3.SQLITE_CANTOPEN, "cantopen"),
        (sqlite3.SQLITE_BUSY, "locked"),
        (sqlite3.SQLITE_IOERR_WRITE, "full"),  # what Linux's EFBIG (a size limit) becomes
        (sqlite3.SQLITE_IOERR_READ, "io"),
    ],
)
def test_sqlite_result_codes_are_classified(code: int, problem: str) -> None:
    err = sqlite3.OperationalError("whatever SQLite said")
    err.sqlite_errorcode = code  # type: ignore[attr-defined]
    assert problem_of(err) == problem


def test_the_error_names_the_file_and_what_to_run(tmp_path: Path) -> None:
    err = store_error(sqlite3.DatabaseError("database disk image is malformed"), tmp_path / "s.db")
    assert str(tmp_path / "s.db") in err.message
    assert "damaged" in err.message
    assert "smstui store repair" in err.hint
    assert "\n" not in err.message + err.hint


def test_garbage_over_the_header_is_a_damaged_store_error(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path)
    overwrite_pages(path, [1])
    with pytest.raises(StoreError) as info:
        MessageStore(path)
    assert info.value.problem == "damaged"
    assert info.value.path == str(path)
    assert "store repair" in info.value.hint


def test_a_garbage_data_page_fails_reads_as_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path)
    overwrite_pages(path, leaf_pages(path, "messages")[5:7])
    with MessageStore(path) as store, pytest.raises(StoreError) as info:
        store.conversation("+61410000001")  # a scan over every message
    assert info.value.problem == "damaged"


def test_a_truncated_wal_loses_only_the_unfinished_commit(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    with MessageStore(live / "smstui.db") as store:
        store.run_write(lambda c: c.execute("PRAGMA wal_autocheckpoint = 0"))
        store.upsert_history(history(50))
        store.upsert_history(history(50, start=1000))
        # a power cut now: the file and its WAL as they are on disk, the WAL cut mid-frame
        cut = tmp_path / "cut"
        cut.mkdir()
        shutil.copy(live / "smstui.db", cut / "smstui.db")
        wal = (live / "smstui.db-wal").read_bytes()
    assert len(wal) > 3 * 4096
    (cut / "smstui.db-wal").write_bytes(wal[: len(wal) - 1000])
    with MessageStore(cut / "smstui.db") as store:
        assert store.get("MSG000001") is not None  # the first commit is whole in the WAL
        assert store.count() in (50, 100)  # the cut one is all there or not at all
        check = store.run_read(lambda c: c.execute("PRAGMA integrity_check").fetchall())
        assert check == [("ok",)]
        store.save_draft("after", "the store goes on working")


def test_a_lock_held_by_a_hung_process_is_reported_not_waited_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=20)
    monkeypatch.setattr(store_schema, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(store_schema, "LOCK_PATIENCE", 0.3)
    with MessageStore(path) as store:
        with lock_held_by_another_process(path):
            assert store.count() == 20  # WAL: reading goes on while another process writes
            with pytest.raises(StoreError) as info:
                store.save_draft("compose", "typed while locked")
            assert info.value.problem == "locked"
            assert str(path) in info.value.message
        store.save_draft("compose", "typed after")  # the lock is gone: works again
        assert store.load_draft("compose") == "typed after"


def test_a_read_only_store_file_reads_but_refuses_writes_clearly(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=30)
    with read_only(path), MessageStore(path) as store:
        assert store.count() == 30
        with pytest.raises(StoreError) as info:
            store.save_draft("compose", "new text")
        assert info.value.problem == "readonly"
        assert "writable" in info.value.hint
    with MessageStore(path) as store:
        assert store.count() == 30
        assert store.load_draft("compose") == '{"to": "0412345678", "body": "half written"}'


def test_a_read_only_data_folder_is_reported_and_loses_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "smstui"
    folder.mkdir()
    path = folder / "smstui.db"
    filled_store(path, count=30)
    with read_only(folder):
        with pytest.raises(StoreError) as info:
            MessageStore(path)
        assert info.value.problem == "readonly"
        assert str(path) in info.value.message
        with pytest.raises(StoreError):
            MessageStore(folder / "new" / "smstui.db")  # nor can a new store be made there
    with MessageStore(path) as store:
        assert store.count() == 30


_FILL_UNTIL_FULL = textwrap.dedent(
    """
    import json, resource, signal, sys
    from pathlib import Path
    from smstui.core.errors import StoreError
    from smstui.core.store.message_store import MessageStore
    from support.store_damage import history

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    store = MessageStore(Path(sys.argv[1]))
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        for start in range(10_000, 10_000_000, 100):
            store.upsert_history(history(100, start=start))
    except StoreError as err:
        print(json.dumps({"problem": err.problem, "message": err.message, "hint": err.hint}))
    """
)


def test_a_full_disk_is_reported_and_what_was_stored_stays(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=200)
    size = path.stat().st_size
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    done = subprocess.run(
        [sys.executable, "-c", _FILL_UNTIL_FULL, str(path), str(size + 64 * 1024)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["problem"] == "full"
    assert "disk is full" in report["message"] and str(path) in report["message"]
    assert "Traceback" not in done.stderr
    with MessageStore(path) as store:  # no limit here: everything written before is there
        assert store.get("MSG000200") is not None
        assert store.load_draft("compose") is not None
        assert store.run_read(lambda c: c.execute("PRAGMA integrity_check").fetchone()) == ("ok",)


def test_new_stores_are_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "smstui" / "smstui.db"
    with MessageStore(path):
        pass
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
