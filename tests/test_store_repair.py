"""store check and store repair: a damaged store is backed up, what is readable is saved,
the rest comes back with the next sync, and open sends are left to the user."""

from __future__ import annotations

import asyncio
import select
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.store_damage import CHILD_READY, filled_store, leaf_pages, overwrite_pages

from smstui.core.delivery.outbox import Outbox
from smstui.core.errors import StoreError
from smstui.core.models import HistoryMessage
from smstui.core.store.health import check_store
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import OutboxTable
from smstui.core.store.query import MessageFilter
from smstui.core.store.repair import REPAIRED_REASON, repair_store


def test_check_of_a_whole_store_finds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=30)
    check = check_store(path)
    assert check.ok and check.state == "ok"
    assert check.integrity == ["ok"]
    assert check.schema_version == check.expected_version
    assert check.file_mode == "0o600"
    assert check.rows["messages"] == 30


def test_check_finds_damage_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path)
    overwrite_pages(path, leaf_pages(path, "messages")[3:5])
    before = path.read_bytes()
    check = check_store(path)
    assert check.state == "damaged"
    assert any("store repair" in p for p in check.problems)
    assert path.read_bytes() == before


def test_check_reports_a_store_readable_by_others(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=5)
    path.chmod(0o644)
    check = check_store(path)
    assert any(f"chmod 600 {path}" in p for p in check.problems)


def test_repair_keeps_the_damaged_file_and_salvages_the_readable_rows(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=400)
    pages = leaf_pages(path, "messages")
    overwrite_pages(path, pages[10:12])
    damaged = path.read_bytes()

    report = repair_store(path)

    assert report.repaired
    assert report.backup is not None and report.backup.parent == tmp_path
    assert report.backup.read_bytes() == damaged
    assert report.backup.stat().st_mode & 0o777 == 0o600
    assert path.stat().st_mode & 0o777 == 0o600
    assert check_store(path).ok
    with MessageStore(path) as store:
        kept = store.count()
        # two garbage pages of ~12 messages each: the rest, before and after them, is saved
        assert 300 <= kept < 400
        assert store.get("MSG000001") is not None and store.get("MSG000400") is not None
        assert store.load_draft("compose") is not None
        assert report.salvaged["messages"] == kept
        assert store.count(MessageFilter(text="message")) == kept  # the search index is rebuilt


def test_repair_resets_sync_cursors_so_the_next_sync_reads_everything(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=50)
    overwrite_pages(path, leaf_pages(path, "messages")[1:2])
    repair_store(path)
    with MessageStore(path) as store:
        assert store.get_cursor("history:") is None


def test_open_sends_are_listed_and_never_resent(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=50)
    overwrite_pages(path, leaf_pages(path, "messages")[1:2])

    report = repair_store(path)

    assert [(s.token, s.to, s.was) for s in report.open_sends] == [
        ("smstui-open-one", "+61411111111", "pending")
    ]
    with MessageStore(path) as store:
        (row,) = OutboxTable(store).all()
        assert row.state == "failed_unknown" and row.reason == REPAIRED_REASON
        sent: list[object] = []
        outbox = Outbox(store, _NeverSent(sent), window=0)
        asyncio.run(outbox.reconcile(now=10**10))
        assert sent == []  # the reconciler leaves it to the user
        (row,) = OutboxTable(store).all()
        assert row.state == "failed_unknown"


class _NeverSent:
    def __init__(self, sent: list[object]) -> None:
        self.sent = sent

    async def send(self, messages):  # type: ignore[no-untyped-def]
        self.sent.extend(messages)
        raise AssertionError("a repaired open send was resent")

    async def find_by_custom_string(self, custom_string, since):  # type: ignore[no-untyped-def]
        return []


def test_a_file_that_is_all_garbage_is_replaced_by_an_empty_store(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    path.write_bytes(b"\x00garbage" * 8192)
    report = repair_store(path)
    assert report.repaired and report.backup is not None
    assert report.backup.read_bytes() == b"\x00garbage" * 8192
    with MessageStore(path) as store:
        assert store.count() == 0
        store.upsert_history(
            [
                HistoryMessage(
                    message_id="NEW1",
                    direction="out",
                    to="+61411111111",
                    sender="",
                    body="synced again",
                    status="Sent",
                    date=datetime(2026, 1, 1, tzinfo=UTC),
                    parts=1,
                )
            ]
        )
        assert store.get("NEW1") is not None


def test_a_whole_store_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=10)
    before = path.read_bytes()
    report = repair_store(path)
    assert not report.repaired and report.backup is None
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.damaged-*"))


_KEEP_OPEN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from smstui.core.store.message_store import MessageStore
    store = MessageStore(Path(sys.argv[1]))
    store.load_draft("compose")
    sys.stdout.write("open\\n")
    sys.stdout.flush()
    sys.stdin.read()
    """
)


def test_repair_refuses_while_another_smstui_has_the_store_open(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=10)
    child = subprocess.Popen(
        [sys.executable, "-c", _KEEP_OPEN, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        ready, _, _ = select.select([child.stdout], [], [], CHILD_READY)
        assert ready and child.stdout.readline() == b"open\n"
        with pytest.raises(StoreError) as info:
            repair_store(path, force=True)
        assert info.value.problem == "locked"
        assert "Close every smstui" in info.value.hint
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(timeout=CHILD_READY)
    assert repair_store(path, force=True).repaired  # once it is closed


def test_a_garbage_schema_is_salvaged_from_the_pages(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=300)
    long_body = "".join(f"line {i}: a long MMS-like text\n" for i in range(400))  # overflow pages
    with MessageStore(path) as store:
        store.upsert_history(
            [
                HistoryMessage(
                    message_id="LONG1",
                    direction="out",
                    to="+61422222222",
                    sender="",
                    body=long_body,
                    status="Sent",
                    date=datetime(2026, 1, 1, tzinfo=UTC),
                    parts=9,
                )
            ]
        )
    overwrite_pages(path, [1, 2, 3])  # the header and the schema: SQLite reads nothing

    report = repair_store(path)

    assert report.repaired and report.method == "pages"
    assert [s.token for s in report.open_sends] == ["smstui-open-one"]
    with MessageStore(path) as store:
        assert store.count() == 301
        long = store.get("LONG1")
        assert long is not None and long.body == long_body and long.parts == 9
        assert store.load_draft("compose") == '{"to": "0412345678", "body": "half written"}'
        (row,) = OutboxTable(store).all()
        assert (row.id, row.token, row.state) == (1, "smstui-open-one", "failed_unknown")
        assert store.get_cursor("history:") is None


def _who_did_what(path: Path) -> None:
    """Marks of schema v7 and the desk's tables, on messages of ``filled_store``."""
    with MessageStore(path, operator="ana") as store:
        store.mark_handled("+61410000005", at=1_700_000_500)
        store.record_senders(["bulk-batch-1"])
        store.optout_table().add("+61499999999", at=1_700_000_600, source="manual")
        handed = store.handed_replies("follow")
        handed.start(now=1)
        assert handed.claim("MSG000007")


def _assert_who_did_what(path: Path) -> None:
    with MessageStore(path, operator="bo") as store:
        mark = store.handled_mark("+61410000005")
        assert mark is not None and mark.operator == "ana"
        assert int(mark.at.timestamp()) == 1_700_000_500
        senders = store.run_read(lambda c: c.execute("SELECT * FROM senders").fetchall())
        assert senders == [("bulk-batch-1", "ana")]
        assert store.optout_table().get("+61499999999") is not None
        assert store.handed_replies("follow").was_handed("MSG000007")


def test_repair_salvages_who_did_what(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=50)
    _who_did_what(path)
    overwrite_pages(path, leaf_pages(path, "messages")[2:3])

    report = repair_store(path)

    assert report.method == "sql"
    assert report.salvaged["handled"] == 1 and report.salvaged["senders"] == 1
    _assert_who_did_what(path)


def test_a_garbage_schema_still_salvages_who_did_what_from_the_pages(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=50)
    _who_did_what(path)
    overwrite_pages(path, [1, 2, 3])

    report = repair_store(path)

    assert report.method == "pages"
    assert report.salvaged["handled"] == 1 and report.salvaged["senders"] == 1
    assert report.salvaged["replies_handed"] == 1 and report.salvaged["optouts"] == 1
    _assert_who_did_what(path)


def test_a_damaged_page_of_handled_marks_loses_only_its_own_marks(tmp_path: Path) -> None:
    path = tmp_path / "smstui.db"
    filled_store(path, count=5)
    numbers = [f"+6142{i:07d}" for i in range(800)]
    with MessageStore(path, operator="ana") as store:
        for i, number in enumerate(numbers):
            store.mark_handled(number, at=1_700_000_000 + i)
    pages = leaf_pages(path, "handled")
    assert len(pages) >= 4  # a b-tree of several pages, not one page
    overwrite_pages(path, pages[len(pages) // 2 : len(pages) // 2 + 1])

    report = repair_store(path)

    with MessageStore(path) as store:
        kept = [n for n in numbers if store.handled_mark(n) is not None]
    # the walk from the first mark and the walk back from the last one each stop at the
    # damaged page: the marks before and after it are kept
    assert numbers[0] in kept and numbers[-1] in kept
    assert 500 <= len(kept) < 800
    assert report.salvaged["handled"] == len(kept)
