"""The operator's desk on the team store: scans of new rows never miss a reply that a slower
transaction commits later, and two processes scanning the same replies apply them once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import psycopg
import pytest
from support.store_backends import StoreBackend

from smstui.core.models import InboundMessage
from smstui.core.stop_words import word_set
from smstui.core.store.postgres import PostgresStore

ANN = "+61412345681"
BOB = "+61412345682"
STOP = word_set(["STOP"])


def _inbound(mid: str, sender: str, at: int) -> InboundMessage:
    return InboundMessage(
        message_id=mid,
        sender=sender,
        to="+61400000000",
        body="STOP",
        date=datetime.fromtimestamp(at, UTC),
    )


def _wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def _lock_waiters(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        ).fetchone()
    return int(row[0]) if row else 0


def test_a_scan_never_misses_a_reply_committed_late_below_its_cursor(pg_url: str) -> None:
    store = PostgresStore(pg_url, account="a")
    other = PostgresStore(pg_url, account="a")
    try:
        table = store.optout_table()
        assert table.scan_replies(STOP, frozenset()).added == []
        # a slow sync's transaction: its STOP is inserted, not committed yet
        with psycopg.connect(pg_url) as slow:
            slow.execute(
                'INSERT INTO messages (message_id, account, direction, "from", body, date, '
                "read, updated_at) VALUES ('SLOW', 'a', 'in', %s, 'STOP', 1000, 0, 1000)",
                (ANN,),
            )
            done = threading.Event()

            def fast() -> None:
                other.upsert_inbound([_inbound("FAST", BOB, 2_000_000)])  # another stats slot
                done.set()

            thread = threading.Thread(target=fast)
            thread.start()
            # the fast insert waits for the slow one (were it to commit first, with a
            # higher number, the scan below would move the cursor past the slow row)
            _wait_for(lambda: done.is_set() or _lock_waiters(pg_url) > 0, "the fast insert")
            table.scan_replies(STOP, frozenset())
            slow.commit()
        thread.join()
        table.scan_replies(STOP, frozenset())
        assert table.among([ANN, BOB]) == {ANN, BOB}
    finally:
        store.close()
        other.close()


def test_two_processes_scanning_at_once_apply_a_stop_once(store_backend: StoreBackend) -> None:
    writer = store_backend.open("a")
    writer.upsert_inbound([_inbound(f"S{i}", f"+614123457{i:02d}", 1000 + i) for i in range(40)])
    tables = [store_backend.open("a").optout_table() for _ in range(2)]
    barrier = threading.Barrier(2)
    added: list[list[str]] = [[], []]

    def scan(i: int) -> None:
        barrier.wait()
        added[i] = [e.number for e in tables[i].scan_replies(STOP, frozenset()).added]

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(added[0] + added[1]) == sorted(f"+614123457{i:02d}" for i in range(40))
    assert tables[0].count() == 40


def test_cli_on_the_team_store_keeps_the_list_for_every_process(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from smstui.cli import main

    monkeypatch.setenv("SMSTUI_DATABASE_URL", pg_url)
    assert main(["--sandbox", "optouts", "add", "+61411111111"]) == 0
    capsys.readouterr()
    # another process (each main() builds its own session and store)
    code = main(["--sandbox", "send", "--to", "+61411111111", "--body", "promo"])
    assert code == 2 and "+61411111111" in capsys.readouterr().err
    assert main(["--sandbox", "send", "--to", "+61422222222", "--body", "promo"]) == 0
    with PostgresStore(pg_url, account="sandbox") as shared:
        assert [r.to for r in shared.outbox_table().all()] == ["+61422222222"]
        assert [e.number for e in shared.optout_table().active()] == ["+61411111111"]
