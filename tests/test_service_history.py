"""``ws.history``: what the History, Inbox, conversation and Stats views read, over the store."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from smstui.core.config import load_settings
from smstui.core.models import HistoryMessage
from smstui.core.sandbox import SandboxWorld
from smstui.core.service import Workspace
from smstui.core.service.history import CURRENCY_KEY, MessageFilter, as_history, shown_status
from smstui.core.store.stats import daily_stats

START = int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())


def record(i: int, **changes: object) -> HistoryMessage:
    fields: dict[str, object] = {
        "message_id": f"M{i:04d}",
        "direction": "out",
        "to": f"+6141100{i:04d}",
        "sender": "+61481070000",
        "body": f"message {i}",
        "status": "Sent",
        "date": datetime.fromtimestamp(START + i * 3600, UTC),
        "schedule": None,
        "parts": 1,
        "price": Decimal("0.0770"),
    }
    fields.update(changes)
    return HistoryMessage(**fields)  # type: ignore[arg-type]


@pytest.fixture
async def ws():
    settings = load_settings(flags={"sandbox": True}, env={})
    workspace = Workspace.from_settings(settings, world=SandboxWorld(seed=4))
    try:
        yield workspace
    finally:
        await workspace.aclose()


def seed(ws: Workspace, records: list[HistoryMessage]) -> None:
    ws._store().upsert_history(records)  # below the facade: the store is what is read


def test_rows_page_newest_first_and_count_with_filters(ws: Workspace) -> None:
    seed(ws, [record(i) for i in range(250)] + [record(900, direction="in", sender="+61422")])
    rows = ws.history.rows()
    first = rows.rows(0, 100)
    assert [m.message_id for m in first[:2]] == ["M0900", "M0249"]
    # scrolling on continues from the key that ended the page before
    second = rows.rows(100, 100)
    assert second[0].message_id == "M0150"
    assert rows.count() == 251
    inbound = ws.history.rows(MessageFilter(direction="in"))
    assert [m.message_id for m in inbound.rows(0, 50)] == ["M0900"]
    assert ws.history.count(MessageFilter(direction="in")) == 1
    assert ws.history.count() == 251


def test_a_far_jump_reads_the_same_rows_as_scrolling_there(ws: Workspace) -> None:
    seed(ws, [record(i) for i in range(500)])
    scrolled = ws.history.rows()
    for start in range(0, 400, 100):
        scrolled.rows(start, 100)
    jumped = ws.history.rows()
    assert jumped.rows(400, 100) == scrolled.rows(400, 100)


def test_get_and_conversation(ws: Workspace) -> None:
    seed(
        ws,
        [
            record(1, to="+61411111111"),
            record(2, direction="in", to="+61481070000", sender="+61411111111"),
            record(3, to="+61499999999"),
        ],
    )
    assert ws.history.get("M0001") is not None and ws.history.get("NOPE") is None
    talk = ws.history.conversation("+61411111111")
    assert [m.message_id for m in talk] == ["M0001", "M0002"]  # oldest first


def test_export_writes_every_filtered_message_with_the_status_users_see(
    ws: Workspace, tmp_path: Path
) -> None:
    seed(ws, [record(i) for i in range(1500)] + [record(2000, status_code="201")])
    path = tmp_path / "out" / "history.csv"
    count = ws.history.export_csv(path)
    assert count == 1501  # more than one page of the export's reads
    with path.open(newline="", encoding="utf-8-sig") as f:  # the export has a BOM (Excel)
        rows = list(csv.DictReader(f))
    assert len(rows) == 1501
    delivered = next(r for r in rows if r["message_id"] == "M2000")
    assert delivered["status"] == "Delivered"
    assert path.stat().st_mode & 0o777 == 0o600
    only = ws.history.export_csv(tmp_path / "one.csv", MessageFilter(text="message 7"))
    assert only == len(list(ws.history.messages(MessageFilter(text="message 7"))))


def test_shown_status_prefers_the_receipt(ws: Workspace) -> None:
    seed(ws, [record(1, status_code="201"), record(2, status_code="301"), record(3)])
    shown = {m: shown_status(ws.history.get(m)) for m in ("M0001", "M0002", "M0003")}  # type: ignore[arg-type]
    assert shown == {"M0001": "Delivered", "M0002": "Failed", "M0003": "Sent"}
    delivered = ws.history.get("M0001")
    assert delivered is not None and as_history(delivered).status == "Delivered"


def test_daily_stats_are_the_stores(ws: Workspace) -> None:
    seed(ws, [record(i) for i in range(60)])
    first = date(2025, 3, 1)
    last = first + timedelta(days=3)
    assert ws.history.daily_stats(first, last, UTC) == daily_stats(ws._store(), first, last, UTC)
    assert ws.history.daily_stats(first, last, UTC).totals.sent == 60


def test_currency_remembers_the_accounts_and_recalls_it(ws: Workspace) -> None:
    assert ws.history.currency() is None
    assert ws.history.currency("AUD") == "AUD"
    assert ws._store().get_cursor(CURRENCY_KEY) == "AUD"
    assert ws.history.currency() == "AUD"  # offline: the one remembered
