"""Outbox: committed before sending, typed outcomes, reconciliation and the one resend."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest
from support.fake_sender import NOW, Clock, FakeSender, sms

from smstui.core.delivery.outbox import Outbox, OutboxRow
from smstui.core.errors import ClickSendError, NetworkError, RequestTimeout, SendOutcomeUnknown
from smstui.core.models import HistoryMessage, OutgoingSms, SendResult
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import OutboxTable


@pytest.fixture
def store(tmp_path: Path) -> MessageStore:
    s = MessageStore(tmp_path / "o.db")
    yield s  # type: ignore[misc]
    s.close()


async def test_accepted_send_is_recorded_and_shown_in_history(
    store: MessageStore, tmp_path: Path
) -> None:
    fake = FakeSender(tmp_path / "o.db")
    outbox = Outbox(store, fake, clock=Clock())
    [res] = await outbox.send([sms(custom_string="user-ref-1")])
    assert res.outcome == "accepted" and res.message_id == "MSG-1" and res.status == "SUCCESS"
    assert fake.seen_committed == [True]
    assert res.token.startswith("smstui-") and len(res.token) == len("smstui-") + 20
    assert fake.received[0].custom_string == res.token
    [row] = OutboxTable(store).all()
    assert row.user_custom_string == "user-ref-1"  # kept separately, not sent
    shown = store.get("MSG-1")
    assert shown is not None and shown.body == "hello" and shown.custom_string == res.token


async def test_each_message_gets_its_own_token(store: MessageStore) -> None:
    outbox = Outbox(store, FakeSender(), clock=Clock())
    results = await outbox.send([sms(), sms(), sms()])
    assert len({r.token for r in results}) == 3


async def test_rejected_message_carries_its_status(store: MessageStore) -> None:
    fake = FakeSender()
    fake.reject = {"+61400000001"}
    outbox = Outbox(store, fake, clock=Clock())
    ok, bad = await outbox.send([sms(), sms(to="+61400000001")])
    assert ok.outcome == "accepted"
    assert (bad.outcome, bad.status, bad.reason) == (
        "rejected",
        "INVALID_RECIPIENT",
        "INVALID_RECIPIENT",
    )


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (SendOutcomeUnknown("timed out"), "unknown"),
        (RequestTimeout("read timeout"), "unknown"),
        (ClickSendError("boom", http_status=502), "unknown"),
        (NetworkError("refused", may_have_reached_server=False), "failed"),
        (ClickSendError("bad", http_status=400, response_code="BAD_REQUEST"), "rejected"),
    ],
)
async def test_request_errors_map_to_outcomes(
    store: MessageStore, error: Exception, outcome: str
) -> None:
    fake = FakeSender()
    fake.next_error = error
    [res] = await Outbox(store, fake, clock=Clock()).send([sms()])
    assert res.outcome == outcome
    assert fake.received == []


async def test_batches_are_at_most_the_batch_size(store: MessageStore) -> None:
    sizes: list[int] = []
    fake = FakeSender()
    real = fake.send

    async def counting(messages: Sequence[OutgoingSms]) -> SendResult:
        sizes.append(len(messages))
        return await real(messages)

    fake.send = counting  # type: ignore[method-assign]
    results = await Outbox(store, fake, clock=Clock(), batch_size=4).send(
        [sms() for _ in range(10)]
    )
    assert sizes == [4, 4, 2]
    assert [r.outcome for r in results] == ["accepted"] * 10


async def test_unknown_that_reached_clicksend_is_reconciled_without_a_resend(
    store: MessageStore,
) -> None:
    fake = FakeSender()
    fake.lose_answer = True  # ClickSend got it, we never heard back
    clock = Clock()
    outbox = Outbox(store, fake, clock=clock)
    [res] = await outbox.send([sms()])
    assert res.outcome == "unknown"
    clock.now += 600
    [after] = await outbox.reconcile()
    assert after.outcome == "accepted" and after.message_id == "MSG-1"
    assert len(fake.received) == 1
    assert store.get("MSG-1") is not None
    assert await outbox.reconcile() == []  # nothing left to settle


async def test_unknown_not_found_within_the_window_waits(store: MessageStore) -> None:
    fake = FakeSender()
    fake.next_error = RequestTimeout("lost before ClickSend")
    clock = Clock()
    outbox = Outbox(store, fake, clock=clock, window=120)
    await outbox.send([sms()])
    clock.now += 60
    [res] = await outbox.reconcile()
    assert res.outcome == "unknown"
    assert fake.received == []


async def test_unknown_not_found_after_the_window_is_resent_exactly_once(
    store: MessageStore,
) -> None:
    fake = FakeSender()
    fake.next_error = RequestTimeout("lost before ClickSend")
    clock = Clock()
    outbox = Outbox(store, fake, clock=clock, window=120)
    await outbox.send([sms()])
    clock.now += 121
    [res] = await outbox.reconcile()
    assert res.outcome == "accepted"
    assert len(fake.received) == 1
    clock.now += 1000
    assert await outbox.reconcile() == []
    assert len(fake.received) == 1


async def test_never_more_than_one_automatic_resend(store: MessageStore) -> None:
    fake = FakeSender()
    fake.next_error = RequestTimeout("lost")
    clock = Clock()
    outbox = Outbox(store, fake, clock=clock, window=120)
    await outbox.send([sms()])
    clock.now += 200
    fake.next_error = RequestTimeout("lost again")
    [res] = await outbox.reconcile()
    assert res.outcome == "unknown"
    clock.now += 200
    [res] = await outbox.reconcile()
    assert res.outcome == "failed_unknown"
    clock.now += 200
    assert await outbox.reconcile() == []
    assert fake.received == []
    [row] = OutboxTable(store).all()
    assert row.attempts == 2


async def test_pending_row_left_by_a_crash_is_settled_on_resume(
    store: MessageStore, tmp_path: Path
) -> None:
    clock = Clock()
    # a previous run committed the row and died before (or while) sending it
    OutboxTable(store).add([("smstui-crashedcrashedcrash", sms())], now=int(clock.now))
    fake = FakeSender()
    clock.now += 300
    results = await Outbox(store, fake, clock=clock).resume()
    assert [r.outcome for r in results] == ["accepted"]
    assert [m.custom_string for m in fake.received] == ["smstui-crashedcrashedcrash"]


async def test_two_reconcilers_cannot_both_resend(store: MessageStore, tmp_path: Path) -> None:
    clock = Clock()
    table = OutboxTable(store)
    [row] = table.add([("smstui-aaaaaaaaaaaaaaaaaaaa", sms())], now=int(clock.now))
    table.set_outcome(row.id, "unknown")
    stale: OutboxRow = table.get(row.id)  # type: ignore[assignment]
    with MessageStore(tmp_path / "o.db") as other:
        assert OutboxTable(other).claim_resend(stale, now=int(clock.now))
    assert not table.claim_resend(stale, now=int(clock.now))


async def test_outbox_state_survives_a_restart(tmp_path: Path) -> None:
    fake = FakeSender()
    fake.lose_answer = True
    clock = Clock()
    with MessageStore(tmp_path / "o.db") as first:
        await Outbox(first, fake, clock=clock).send([sms()])
    clock.now += 30
    with MessageStore(tmp_path / "o.db") as second:
        [res] = await Outbox(second, fake, clock=clock).resume()
        assert res.outcome == "accepted"
    assert len(fake.received) == 1


class _FinishesElsewhere(FakeSender):
    """While this reconciler awaits history, another process records the send as accepted."""

    def __init__(self, table: OutboxTable, final: str) -> None:
        super().__init__()
        self.table = table
        self.final = final

    async def find_by_custom_string(
        self, custom_string: str, since: datetime | None
    ) -> list[HistoryMessage]:
        [row] = [r for r in self.table.all() if r.token == custom_string]
        self.table.set_outcome(row.id, self.final, message_id="MSG-9", status="SUCCESS")  # type: ignore[arg-type]
        return []  # ClickSend history does not list it yet


@pytest.mark.parametrize("final", ["accepted", "rejected"])
async def test_reconcile_never_regresses_a_state_another_process_just_settled(
    store: MessageStore, final: str
) -> None:
    table = OutboxTable(store)
    [row] = table.add([("smstui-elsewhere-0000001", sms())], now=int(NOW))
    clock = Clock()
    for late in (0.0, 1_000.0):  # inside the window (would mark unknown), then long after it
        clock.now = NOW + late
        outbox = Outbox(store, _FinishesElsewhere(table, final), clock=clock)
        await outbox.reconcile()
        settled = table.get(row.id)
        assert settled is not None and settled.state == final
        table.set_outcome(row.id, "pending")  # the next round starts from pending again
    assert outbox.service.received == []  # type: ignore[attr-defined]
