"""Move in: a person's SQLite store copied into the team's PostgreSQL database, in batches,
verified by key, and safe to run again (nothing copied twice, nothing the team has touched)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from smstui.core.models import (
    DeliveryReceipt,
    HistoryMessage,
    InboundMessage,
    OutgoingSms,
    Template,
)
from smstui.core.store.message_store import MessageFilter, MessageStore
from smstui.core.store.postgres import PostgresStore
from smstui.core.store.postgres.move_in import TABLES, move_in
from smstui.core.store.stats import daily_stats

T0 = 1_750_000_000


def _hist(i: int) -> HistoryMessage:
    return HistoryMessage(
        message_id=f"M{i:04d}",
        direction="out",
        to=f"+6141100{i:04d}",
        sender="+61400000000",
        body=f"order {i} is ready",
        status="Sent" if i % 5 else "Failed",
        date=datetime.fromtimestamp(T0 + i * 600, UTC),
        price=Decimal("0.0770"),
        status_code="201" if i % 3 == 0 else None,
    )


def _fill(path: Path) -> None:
    with MessageStore(path, account="acct") as s, MessageStore(path, account="other") as o:
        s.upsert_history([_hist(i) for i in range(53)])
        o.upsert_history([_hist(i) for i in range(100, 110)])
        s.upsert_inbound(
            [InboundMessage("IN1", "+61400000000", "+61411000001", "thanks!",
                            datetime.fromtimestamp(T0 + 99, UTC))]
        )  # fmt: skip
        s.apply_receipts([DeliveryReceipt("NOT-YET", "201", None, None)])
        s.replace_templates([Template("T1", "hello", "Hello {name}"), Template("T2", "bye", "Bye")])
        s.save_draft("compose", '{"body": "half-written"}')
        s.set_cursor("history:acct", str(T0))
        s.outbox_table().add(
            [("smstui-tok-1", OutgoingSms(to="+61411000001", body="sent")),
             ("smstui-tok-2", OutgoingSms(to="+61411000002", body="unknown"))],
            now=T0,
        )  # fmt: skip
        # the desk: opt-outs (one undone), a handed reply, and the rowid cursors they keep
        optouts = s.optout_table()
        optouts.add_many(["+61411000007", "+61411000008"], at=T0, source="import")
        optouts.remove("+61411000008", at=T0 + 5)
        optouts.scan_replies(frozenset({"STOP"}), frozenset())
        queue = s.handed_replies("cmd")
        queue.start(now=T0)
        queue.claim("IN1")


def test_move_in_copies_everything_verifies_it_and_can_run_again(
    tmp_path: Path, pg_url: str
) -> None:
    path = tmp_path / "smstui.db"
    _fill(path)
    seen: list[tuple[str, int, int]] = []
    report = move_in(path, pg_url, batch=7, on_progress=lambda *p: seen.append(p))
    by_table = {t.table: t for t in report}
    assert [t.table for t in report] == [name for name, _, _ in TABLES]
    assert by_table["messages"].source == 64  # 53 + 10 + the reply
    assert all(t.complete and t.copied == t.source for t in report), report
    assert ("messages", 7, 64) in seen and ("messages", 64, 64) in seen  # batch by batch

    with MessageStore(path, account="acct") as local, PostgresStore(pg_url, account="acct") as team:
        everything = MessageFilter()
        assert team.page(limit=1000).rows == local.page(limit=1000).rows
        assert team.count(MessageFilter(unread_only=True)) == 1
        assert team.templates() == local.templates()
        assert team.load_draft("compose") == '{"body": "half-written"}'
        assert team.get_cursor("history:acct") == str(T0)
        # the opt-outs keep their undo; the rowid cursors stay behind (the team scans afresh)
        assert team.optout_table().active() == local.optout_table().active() != []
        assert team.optout_table().get("+61411000008") is None
        assert team.optout_table().add("+61411000008", at=T0 + 1, source="manual") is None
        assert (
            team.get_cursor("optouts:acct") is None and team.get_cursor("follow:acct:cmd") is None
        )
        assert team.handed_replies("cmd").was_handed("IN1")
        assert team.pending_receipts() == 1
        assert [r.token for r in team.outbox_table().all()] == ["smstui-tok-1", "smstui-tok-2"]
        first, last = date(2025, 6, 15), date(2025, 6, 16)
        assert daily_stats(team, first, last) == daily_stats(local, first, last)
        assert team.count(everything) == 54
    with PostgresStore(pg_url, account="other") as other:
        assert other.count() == 10

    # again: nothing new, everything still verified; the team's own change survives
    with PostgresStore(pg_url, account="acct") as team:
        team.save_draft("compose", '{"body": "the team moved on"}')
    again = move_in(path, pg_url, batch=50)
    assert all(t.copied == 0 and t.complete for t in again), again
    with PostgresStore(pg_url, account="acct") as team:
        assert team.load_draft("compose") == '{"body": "the team moved on"}'
        assert team.count() == 54


def test_store_migrate_command_copies_and_says_so(
    tmp_path: Path, pg_url: str, isolated_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from smstui.cli import main

    _fill(isolated_dirs / "xdg_data_home" / "smstui" / "smstui.db")  # this user's own store
    assert main(["--json", "store", "migrate", "--to", pg_url, "--batch", "10"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["complete"] is True
    assert {t["table"]: t["copied"] for t in doc["tables"]}["messages"] == 64
    assert main(["store", "migrate", "--to", pg_url]) == 0
    cap = capsys.readouterr()
    assert "every row is in the team store" in cap.err and "copied messages: 64/64" in cap.err
    assert "messages" in cap.out and "0" in cap.out


def test_store_migrate_to_a_wrong_url_is_one_clear_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from smstui.cli import main

    assert main(["store", "migrate", "--to", "mysql://ana:pw-x@h/db"]) == 2
    assert main(["store", "migrate", "--to", "postgresql://ana:pw-x@127.0.0.1:1/db"]) == 3
    err = capsys.readouterr().err
    assert "pw-x" not in err and "Traceback" not in err and err.count("smstui: error") == 2
