"""Delivery stats per day from the store, and the text bars the CLI draws."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from smstui.core.models import DeliveryReceipt, HistoryMessage, InboundMessage, OutgoingSms
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import OutboxTable
from smstui.core.store.stats import bars, daily_stats, offset_segments

DAY = date(2025, 3, 10)
NOON = datetime(2025, 3, 10, 12, tzinfo=UTC)
_ids = iter(range(1, 10_000))


@pytest.fixture
def store(tmp_path: Path) -> MessageStore:
    return MessageStore(tmp_path / "s.db", account="acct")


def out(
    store: MessageStore,
    when: datetime,
    status: str = "Sent",
    *,
    price: str | None = "0.0770",
    code: str | None = None,
) -> str:
    mid = f"ID-{next(_ids):06d}"
    store.upsert_history(
        [
            HistoryMessage(
                message_id=mid,
                direction="out",
                to="+61411111111",
                sender="+61400000000",
                body="hi",
                status=status,
                date=when,
                price=None if price is None else Decimal(price),
                status_code=code,
            )
        ]
    )
    return mid


def inbound(store: MessageStore, when: datetime) -> None:
    store.upsert_inbound(
        [InboundMessage(f"IN-{next(_ids):06d}", "+61411111111", "+61400000000", "yo", when)]
    )


def one_day(store: MessageStore, tz: ZoneInfo | None = None) -> tuple[int, int, int, int, Decimal]:
    s = daily_stats(store, DAY, DAY, tz or UTC).days[0]
    return s.sent, s.delivered, s.failed, s.inbound, s.spend


def test_an_empty_store_gives_every_day_of_the_range_as_zero(store: MessageStore) -> None:
    report = daily_stats(store, DAY, DAY + timedelta(days=2), UTC)
    assert [d.day for d in report.days] == [DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)]
    assert all(d.sent == d.inbound == 0 and d.spend == 0 for d in report.days)


def test_a_sent_message_counts_as_sent_with_its_price(store: MessageStore) -> None:
    out(store, NOON)
    assert one_day(store) == (1, 0, 0, 0, Decimal("0.077"))


def test_a_receipt_201_counts_as_delivered(store: MessageStore) -> None:
    out(store, NOON, code="201")
    assert one_day(store)[:3] == (1, 1, 0)


def test_a_receipt_applied_later_moves_the_message_to_delivered(store: MessageStore) -> None:
    mid = out(store, NOON, code="200")
    store.apply_receipts([DeliveryReceipt(mid, "201", "ok", NOON + timedelta(minutes=1))])
    assert one_day(store)[:3] == (1, 1, 0)


@pytest.mark.parametrize("code", ["300", "301", "302"])
def test_receipt_failure_codes_count_as_failed(store: MessageStore, code: str) -> None:
    out(store, NOON, code=code)
    assert one_day(store)[:3] == (1, 0, 1)


def test_status_failed_counts_as_failed(store: MessageStore) -> None:
    out(store, NOON, status="Failed")
    assert one_day(store)[:3] == (1, 0, 1)


def test_a_status_clicksend_history_does_not_define_counts_as_failed(
    store: MessageStore,
) -> None:
    out(store, NOON, status="INVALID_RECIPIENT", price=None)
    assert one_day(store)[:3] == (1, 0, 1)


def test_a_send_the_outbox_saw_rejected_counts_as_sent_and_failed(store: MessageStore) -> None:
    table = OutboxTable(store)
    [row] = table.add([("tok-1", OutgoingSms("+61411111111", "x"))], now=int(NOON.timestamp()))
    table.set_outcome(row.id, "rejected", status="INVALID_RECIPIENT", reason="INVALID_RECIPIENT")
    assert one_day(store)[:3] == (1, 0, 1)


@pytest.mark.parametrize("status", ["Scheduled", "Cancelled", "CancelledAfterReview"])
def test_messages_that_did_not_go_out_are_not_sent_and_cost_nothing(
    store: MessageStore, status: str
) -> None:
    out(store, NOON, status=status)
    assert one_day(store) == (0, 0, 0, 0, Decimal(0))


def test_inbound_messages_count_as_inbound(store: MessageStore) -> None:
    inbound(store, NOON)
    inbound(store, NOON)
    assert one_day(store)[3] == 2


def test_spend_is_an_exact_decimal_sum(store: MessageStore) -> None:
    for _ in range(10):
        out(store, NOON, price="0.0001")
    out(store, NOON, price="12.3456")
    assert one_day(store)[4] == Decimal("12.3466")


def test_another_accounts_messages_are_not_counted(store: MessageStore, tmp_path: Path) -> None:
    other = MessageStore(tmp_path / "s.db", account="someone-else")
    out(other, NOON)
    assert one_day(store)[0] == 0


def test_messages_outside_the_range_are_not_counted(store: MessageStore) -> None:
    out(store, NOON - timedelta(days=1))
    out(store, NOON + timedelta(days=1))
    assert one_day(store)[0] == 0


def test_totals_add_up_the_days(store: MessageStore) -> None:
    out(store, NOON, code="201")
    out(store, NOON + timedelta(days=1), status="Failed", price="0.1540")
    inbound(store, NOON + timedelta(days=1))
    totals = daily_stats(store, DAY, DAY + timedelta(days=1), UTC).totals
    assert (totals.sent, totals.delivered, totals.failed, totals.inbound) == (2, 1, 1, 1)
    assert totals.spend == Decimal("0.231")


def test_days_are_calendar_days_of_the_chosen_zone(store: MessageStore) -> None:
    # 23:30 UTC on the 9th is already 10:30 on the 10th in Sydney (UTC+11 in March)
    out(store, datetime(2025, 3, 9, 23, 30, tzinfo=UTC))
    assert one_day(store, ZoneInfo("Australia/Sydney"))[0] == 1
    assert one_day(store)[0] == 0


def test_a_daylight_saving_change_inside_the_range_keeps_days_exact(
    store: MessageStore,
) -> None:
    # Sydney leaves daylight saving at 03:00 on 2025-04-06 (UTC+11 -> UTC+10)
    sydney = ZoneInfo("Australia/Sydney")
    out(store, datetime(2025, 4, 6, 23, 30, tzinfo=sydney))  # late on the 6th, after the change
    out(store, datetime(2025, 4, 7, 0, 30, tzinfo=sydney))  # early on the 7th
    report = daily_stats(store, date(2025, 4, 5), date(2025, 4, 8), sydney)
    assert [d.sent for d in report.days] == [0, 1, 1, 0]


def test_offset_segments_find_the_second_the_offset_changes() -> None:
    sydney = ZoneInfo("Australia/Sydney")
    start = int(datetime(2025, 4, 5, tzinfo=sydney).timestamp())
    end = int(datetime(2025, 4, 8, tzinfo=sydney).timestamp())
    change = int(datetime(2025, 4, 5, 16, 0, tzinfo=UTC).timestamp())  # 03:00 AEDT
    assert offset_segments(start, end, sydney) == [(start, 11 * 3600), (change, 10 * 3600)]


def test_the_local_zone_is_used_when_none_is_given(
    store: MessageStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    try:
        out(store, datetime(2025, 3, 9, 12, 30, tzinfo=UTC))  # 01:30 on the 10th in Auckland
        report = daily_stats(store, DAY, DAY, None)
        assert (report.tz_name, report.days[0].sent) == ("local", 1)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_range_ending_before_it_starts_is_refused(store: MessageStore) -> None:
    with pytest.raises(ValueError):
        daily_stats(store, DAY, DAY - timedelta(days=1), UTC)


# --------------------------------------------------------------------------- bars


def test_the_largest_value_fills_the_width() -> None:
    assert bars([5, 10], 4) == ["██", "████"]


def test_a_partial_cell_uses_an_eighth_block() -> None:
    assert bars([1, 2], 1) == ["▌", "█"]


def test_zero_draws_nothing_and_a_tiny_value_a_sliver() -> None:
    assert bars([0, 1, 1000], 10) == ["", "▏", "█" * 10]


def test_all_zero_or_empty_input_draws_nothing() -> None:
    assert bars([0, 0], 5) == ["", ""]
    assert bars([], 5) == []


def test_decimal_spend_can_be_drawn() -> None:
    assert bars([Decimal("0.5"), Decimal("1.0")], 2) == ["█", "██"]
