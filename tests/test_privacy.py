"""Private by default: files 0600 and folders 0700 whatever the umask, tightened on start."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smstui.cli import main
from smstui.core.config import app_dirs, cache_dir, config_dir, data_dir, load_settings
from smstui.core.delivery.bulk import BulkJob, BulkRow
from smstui.core.explorer.request_console import RequestHistory, RequestSpec
from smstui.core.membrane.connection_cache import ConnectionCache
from smstui.core.models import HistoryMessage
from smstui.core.privacy import loose_paths, make_private_dirs, open_private, tighten
from smstui.core.session import build_session
from smstui.core.store.export import export_history
from smstui.core.store.message_store import MessageStore
from smstui.core.store.schema import default_db_path


@pytest.fixture(params=[0o022, 0o000], ids=["umask022", "umask000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private_tree(root: Path) -> None:
    assert mode(root) == 0o700, root
    for folder, dirs, files in os.walk(root):
        for d in dirs:
            assert mode(Path(folder) / d) == 0o700, Path(folder) / d
        for f in files:
            assert mode(Path(folder) / f) == 0o600, Path(folder) / f


def message(n: int) -> HistoryMessage:
    return HistoryMessage(
        message_id=f"m{n}",
        direction="out",
        date=datetime(2024, 5, 1, tzinfo=UTC),
        to="+61411111111",
        sender="+61400000000",
        body=f"hello {n}",
        status="Delivered",
    )


def test_store_and_its_wal_and_shm_are_private(umask: int) -> None:
    path = default_db_path()
    with MessageStore(path) as store:
        store.upsert_history([message(1)])
        companions = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
        assert all(p.exists() for p in companions)  # WAL mode keeps them while open
        for p in (path, *companions):
            assert mode(p) == 0o600, p
    assert_private_tree(data_dir())


def test_export_csv_is_private(umask: int, tmp_path: Path) -> None:
    target = make_private_dirs(data_dir()) / "history.csv"
    assert export_history(target, [message(1)]) == 1
    assert mode(target) == 0o600
    elsewhere = tmp_path / "mine.csv"  # a path the user chose: the file is still private
    export_history(elsewhere, [message(1)])
    assert mode(elsewhere) == 0o600


def test_cli_export_writes_a_private_file(
    umask: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "all.csv"
    assert main(["--sandbox", "export", "--csv", str(target), "--no-sync"]) == 0
    assert mode(target) == 0o600


def test_bulk_job_folder_files_and_results_are_private(
    umask: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("phone,name\n+61411111111,A\n+61422222222,B\n")
    code = main(["--sandbox", "bulk", "send", str(source), "--body", "Hi {name}", "--yes"])
    assert code == 0
    jobs = data_dir() / "bulk"
    [job] = list(jobs.iterdir())
    assert {p.name for p in job.iterdir()} >= {"job.json", "events.jsonl"}
    assert_private_tree(jobs)
    assert mode(source.with_suffix(".results.csv")) == 0o600


def test_bulk_job_created_directly_is_private(umask: int) -> None:
    job = BulkJob.create(data_dir() / "bulk", [BulkRow(2, "+61411111111", "hi")])
    assert mode(job.path) == 0o700 and mode(job.path.parent) == 0o700
    assert mode(job.path / "job.json") == 0o600


def test_request_console_history_is_private(umask: int) -> None:
    history = RequestHistory()
    history.add(RequestSpec("GET", "/v3/account"), 200)
    assert mode(history.path) == 0o600
    assert_private_tree(data_dir())


def test_connection_cache_is_private(umask: int) -> None:
    cache = ConnectionCache()
    cache.put("https://api.example", "id", "conn-1", "/v3")
    assert cache.path.parent == config_dir()
    assert mode(cache.path) == 0o600
    assert_private_tree(config_dir())


def test_open_private_tightens_a_file_that_existed(umask: int, tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    target.write_text("old")
    os.chmod(target, 0o644)
    with open_private(target, "w") as f:
        f.write("new")
    assert mode(target) == 0o600 and target.read_text() == "new"


def test_an_older_world_readable_store_is_tightened_on_start(umask: int) -> None:
    # what an older smstui left behind: smstui.db 0644 in a 0755 folder, a 0644 export
    folder = data_dir()
    folder.mkdir(parents=True)
    os.chmod(folder, 0o755)
    path = default_db_path()
    MessageStore(path).close()
    os.chmod(path, 0o644)
    export = folder / "history-old.csv"
    export.write_text("x")
    os.chmod(export, 0o644)
    cache_dir().mkdir(parents=True)
    os.chmod(cache_dir(), 0o755)
    assert {p.path for p in loose_paths(app_dirs())} >= {folder, path, export, cache_dir()}

    session = build_session(load_settings(flags={"sandbox": True}))
    session.store()  # starting to use the store tightens everything of ours first
    assert loose_paths(app_dirs()) == []
    assert mode(folder) == 0o700 and mode(path) == 0o600 and mode(export) == 0o600
    session.store().close()


def test_tighten_leaves_symlinks_and_other_folders_alone(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours")
    os.chmod(outside, 0o644)
    ours = make_private_dirs(tmp_path / "ours")
    (ours / "link").symlink_to(outside)
    assert tighten([ours]) == []
    assert mode(outside) == 0o644
