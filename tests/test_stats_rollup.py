"""The stats rollup (store_rollup): exact after every kind of write, built by the migration
for older stores, rebuilt on demand, and equal to the per-message query in any zone."""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.store_backends import StoreBackend

from smstui.cli import main
from smstui.core.models import DeliveryReceipt, HistoryMessage, InboundMessage
from smstui.core.store.contract import Store
from smstui.core.store.message_store import MessageStore
from smstui.core.store.postgres import PostgresStore
from smstui.core.store.schema import SCHEMA_VERSION, migrate
from smstui.core.store.stats import daily_stats, rebuild_rollup, slots_fit

_examples = itertools.count()

#: a month around Sydney's (April) and New York's (March) daylight-saving changes of 2025
T0 = int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())
SPAN = 60 * 86400
FIRST, LAST = date(2025, 3, 1), date(2025, 4, 29)
ZONES: list[tzinfo] = [
    UTC,
    ZoneInfo("Australia/Sydney"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Australia/Lord_Howe"),  # a half-hour daylight-saving change
    ZoneInfo("Asia/Kathmandu"),  # +5:45
]
STATUSES = ["Sent", "Completed", "Failed", "Scheduled", "cancelled", "Queued", "WEIRD", ""]
CODES = [None, "200", "201", "300", "301", "302"]


def stats_both_ways(store: Store, tz: tzinfo) -> None:
    rolled = daily_stats(store, FIRST, LAST, tz)
    direct = daily_stats(store, FIRST, LAST, tz, direct=True)
    assert rolled == direct


def exact(store: Store) -> None:
    assert store.rebuild_rollup() == 0  # how many slots were wrong before rebuilding: none
    for tz in ZONES:
        stats_both_ways(store, tz)


def history(
    mid: str, when: int, status: str, code: str | None, price: str | None
) -> HistoryMessage:
    return HistoryMessage(
        message_id=mid,
        direction="out",
        to="+61411111111",
        sender="+61400000000",
        body="x",
        status=status,
        date=datetime.fromtimestamp(when, UTC),
        price=None if price is None else Decimal(price),
        status_code=code,
    )


message_st = st.tuples(
    st.integers(0, 40),  # id (repeats make upserts of existing rows)
    st.integers(0, SPAN),
    st.sampled_from(STATUSES),
    st.sampled_from(CODES),
    st.sampled_from([None, "0.0770", "0.1540", "1.2345"]),
    st.booleans(),  # inbound instead
)
receipt_st = st.tuples(
    st.integers(0, 45), st.sampled_from(CODES[1:]), st.one_of(st.none(), st.integers(0, SPAN))
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(st.lists(message_st, max_size=15), max_size=4),
    receipts=st.lists(receipt_st, max_size=20),
    deletes=st.lists(st.integers(0, 40), max_size=5),
)
def test_rollup_equals_the_per_message_query_for_random_writes(
    store_backend: StoreBackend,
    batches: list[list[tuple[int, int, str, str | None, str | None, bool]]],
    receipts: list[tuple[int, str, int | None]],
    deletes: list[int],
) -> None:
    # one database for every example: each writes its own account and ids
    n = next(_examples)
    store = store_backend.open(account=f"acct{n}")

    def mid(i: int) -> str:
        return f"E{n}-M{i}"

    for batch in batches:
        outs = [
            history(mid(i), T0 + t, status, code, price)
            for i, t, status, code, price, inbound in batch
            if not inbound
        ]
        ins = [
            InboundMessage(
                mid(i), "+61411111111", "+61400000000", "re", datetime.fromtimestamp(T0 + t, UTC)
            )
            for i, t, _, _, _, inbound in batch
            if inbound
        ]
        store.upsert_history(outs)
        store.upsert_inbound(ins)
    store.apply_receipts(
        DeliveryReceipt(
            mid(i), code, None, None if at is None else datetime.fromtimestamp(T0 + at, UTC)
        )
        for i, code, at in receipts
    )
    gone = [mid(i).upper() for i in deletes]
    if isinstance(store, MessageStore):
        store.run_write(
            lambda c: c.executemany(
                "DELETE FROM messages WHERE message_id = ?", [(g,) for g in gone]
            )
        )
    else:
        assert isinstance(store, PostgresStore)
        store.run_write(
            lambda c: c.execute("DELETE FROM messages WHERE message_id = ANY(%s)", (gone,))
        )
    exact(store)
    store.close()


@pytest.fixture
def store(store_backend: StoreBackend) -> Store:
    """Tests taking ``store`` run on both backends (SQLite and PostgreSQL)."""
    return store_backend.open(account="acct")


def test_a_receipt_moves_a_message_between_buckets(store: Store) -> None:
    when = T0 + 3600
    store.upsert_history([history("A", when, "Sent", None, "0.0770")])
    day = daily_stats(store, FIRST, FIRST, UTC).totals
    assert (day.sent, day.delivered, day.failed) == (1, 0, 0)
    store.apply_receipts([DeliveryReceipt("A", "300", None, datetime.fromtimestamp(when + 5, UTC))])
    day = daily_stats(store, FIRST, FIRST, UTC).totals
    assert (day.sent, day.delivered, day.failed) == (1, 0, 1)
    store.apply_receipts([DeliveryReceipt("A", "201", None, datetime.fromtimestamp(when + 9, UTC))])
    day = daily_stats(store, FIRST, FIRST, UTC).totals
    assert (day.sent, day.delivered, day.failed, day.spend) == (1, 1, 0, Decimal("0.077"))
    exact(store)


def test_a_history_resync_that_cancels_a_scheduled_message_moves_its_spend(
    store: Store,
) -> None:
    store.upsert_history([history("S", T0 + 60, "Sent", None, "0.1540")])
    store.upsert_history([history("S", T0 + 60, "Cancelled", None, "0.1540")])
    day = daily_stats(store, FIRST, FIRST, UTC).totals
    assert (day.sent, day.spend) == (0, Decimal("0"))
    exact(store)


def test_a_message_whose_date_changes_moves_to_its_new_day(store: Store) -> None:
    store.upsert_history([history("D", T0 + 60, "Sent", None, None)])
    store.upsert_history([history("D", T0 + 86400 + 60, "Sent", None, None)])
    days = daily_stats(store, FIRST, FIRST + timedelta(days=1), UTC).days
    assert [d.sent for d in days] == [0, 1]
    exact(store)


def test_an_older_store_gets_its_rollup_built_by_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(str(path), isolation_level=None)
    assert migrate(conn, target=4) == 4
    conn.executemany(
        "INSERT INTO messages (message_id, account, direction, status, status_code, price, "
        "date, updated_at) VALUES (?, 'acct', ?, ?, ?, ?, ?, 0)",
        [
            (
                f"O{i}",
                "in" if i % 4 == 0 else "out",
                STATUSES[i % 8],
                CODES[i % 6],
                "0.0770" if i % 3 else None,
                T0 + i * 7919,
            )
            for i in range(500)
        ],
    )
    conn.close()
    store = MessageStore(path, account="acct")
    version = store.run_read(lambda c: c.execute("PRAGMA user_version").fetchone()[0])
    assert version == SCHEMA_VERSION
    assert daily_stats(store, FIRST, LAST, UTC).totals.inbound == 125
    exact(store)
    store.close()


def test_rebuild_repairs_a_rollup_that_disagrees(store: Store) -> None:
    store.upsert_history(
        [history(f"R{i}", T0 + i * 999, "Sent", "201", "0.0770") for i in range(50)]
    )
    store.run_write(lambda c: c.execute("UPDATE stats_slots SET sent = sent + 5"))
    assert daily_stats(store, FIRST, LAST, UTC) != daily_stats(store, FIRST, LAST, UTC, direct=True)
    assert rebuild_rollup(store) > 0
    exact(store)
    assert rebuild_rollup(store) == 0


def test_stats_rebuild_command_says_what_it_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert main(["--sandbox", "--json", "stats", "--utc", "--since", "10d"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert (
        main(["--sandbox", "--json", "stats", "--utc", "--since", "10d", "--no-sync", "--rebuild"])
        == 0
    )
    cap = capsys.readouterr()
    assert "already exact" in cap.err
    assert json.loads(cap.out) == before


def test_a_zone_off_the_quarter_hour_is_counted_from_the_messages(store: Store) -> None:
    odd = timezone(timedelta(hours=5, minutes=53, seconds=28))  # like Kolkata's 1900 mean time
    start = int(datetime(2025, 3, 1, tzinfo=odd).timestamp())
    assert not slots_fit(start, start + 86400, [(start, 21208)])
    # 18:10 UTC on 28 Feb is already 1 March there, in a slot that also holds 28 Feb
    store.upsert_history([history("Z", start + 1, "Sent", None, None)])
    assert daily_stats(store, FIRST, FIRST, odd).totals.sent == 1
    assert (
        daily_stats(store, FIRST - timedelta(days=1), FIRST - timedelta(days=1), odd).totals.sent
        == 0
    )
