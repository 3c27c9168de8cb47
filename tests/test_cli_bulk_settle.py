"""Bulk exactly-once when ClickSend's history lags: a batch whose answer was lost is judged only
after the settle window, and rows are resent at most once automatically.

The job runs on the real SmsService over an in-process sandbox; ``LaggingHistory`` makes the
sandbox's history show a message only ``lag`` seconds after it was sent (as ClickSend may).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from smstui.cli import main
from smstui.core.clicksend.sms import SmsService
from smstui.core.config import Settings
from smstui.core.delivery.bulk import BulkJob, BulkRow
from smstui.core.delivery.bulk.job import UNCONFIRMED
from smstui.core.errors import SendOutcomeUnknown
from smstui.core.models import HistoryMessage, OutgoingSms, SendResult
from smstui.core.sandbox import Fault, SandboxWorld, serve
from smstui.core.session import open_session


class Clock:
    """Starts at the real time (the sandbox dates its history with it) and moves on sleep."""

    def __init__(self) -> None:
        self.now = time.time()
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


class LaggingHistory:
    """The real service, but history shows a send only ``lag`` seconds after it."""

    def __init__(self, service: SmsService, clock: Clock, lag: float) -> None:
        self.service = service
        self.clock = clock
        self.lag = lag
        self.sent_at: dict[str, float] = {}
        self.lookups: list[float] = []

    async def send(self, messages: list[OutgoingSms]) -> SendResult:
        result = await self.service.send(messages)
        for m in messages:
            self.sent_at[m.custom_string or ""] = self.clock()
        return result

    async def price(self, messages: list[OutgoingSms]) -> SendResult:
        return await self.service.price(messages)

    async def ready_to_write(self) -> None:
        await self.service.ready_to_write()

    async def find_by_custom_string(
        self, custom_string: str, since: datetime
    ) -> list[HistoryMessage]:
        self.lookups.append(self.clock())
        if self.clock() < self.sent_at.get(custom_string, float("-inf")) + self.lag:
            return []
        return await self.service.find_by_custom_string(custom_string, since)


class SendGoesWrong:
    """``inner`` (a ``LaggingHistory``) except for what a subclass's ``send`` does."""

    def __init__(self, inner: LaggingHistory) -> None:
        self.inner = inner

    async def send(self, messages: list[OutgoingSms]) -> SendResult:
        raise NotImplementedError

    async def price(self, messages: list[OutgoingSms]) -> SendResult:
        return await self.inner.price(messages)

    async def ready_to_write(self) -> None:
        await self.inner.ready_to_write()

    async def find_by_custom_string(
        self, custom_string: str, since: datetime
    ) -> list[HistoryMessage]:
        return await self.inner.find_by_custom_string(custom_string, since)


class CtrlCAfterSend(SendGoesWrong):
    """The request reaches ClickSend (or not, with ``reach=False``), then the user hits Ctrl-C."""

    def __init__(self, inner: LaggingHistory, *, reach: bool = True) -> None:
        super().__init__(inner)
        self.reach = reach

    async def send(self, messages: list[OutgoingSms]) -> SendResult:
        if self.reach:
            await self.inner.send(messages)
        raise KeyboardInterrupt


class AnswerNeverComes(SendGoesWrong):
    """Every send times out without reaching ClickSend (we cannot tell it did not)."""

    def __init__(self, inner: LaggingHistory) -> None:
        super().__init__(inner)
        self.sends = 0

    async def send(self, messages: list[OutgoingSms]) -> SendResult:
        self.sends += 1
        raise SendOutcomeUnknown("timed out waiting for the answer")


@pytest.fixture
def world() -> SandboxWorld:
    w = SandboxWorld(seed=9, history_size=0)
    w.failure_rate = 0.0
    return w


@pytest.fixture
async def service(world: SandboxWorld) -> AsyncIterator[SmsService]:
    async with await open_session(Settings(), world=world) as session:
        yield await session.service()


def rows(n: int) -> list[BulkRow]:
    return [BulkRow(i + 2, f"+6141{i:07d}", f"Hi {i}") for i in range(n)]


def new_job(tmp_path: Path, n: int) -> BulkJob:
    return BulkJob.create(tmp_path / "jobs", rows(n), batch_size=3)


async def interrupted(job: BulkJob, sender: CtrlCAfterSend, clock: Clock) -> None:
    with pytest.raises(KeyboardInterrupt):
        await job.run(sender, clock=clock, sleep=clock.sleep)


async def test_resume_waits_out_the_settle_window_then_sends_nobody_twice(
    tmp_path: Path, world: SandboxWorld, service: SmsService
) -> None:
    clock = Clock()
    lagging = LaggingHistory(service, clock, lag=60)
    job = new_job(tmp_path, 3)
    await interrupted(job, CtrlCAfterSend(lagging), clock)
    sent_at = clock()
    assert len(world.clicksend.received) == 3

    waits: list[float] = []
    resumed = BulkJob.load(job.path)
    requests = await resumed.run(
        lagging,
        settle=120,
        on_wait=lambda _batch, left: waits.append(left),
        clock=clock,
        sleep=clock.sleep,
    )
    assert requests == 0
    assert len(world.clicksend.received) == 3  # found in history, nobody got it twice
    assert lagging.lookups and min(lagging.lookups) >= sent_at + 120
    assert waits[0] == 120 and waits == sorted(waits, reverse=True) and waits[-1] == 0
    assert all(r.accepted and r.message_id for r in resumed.results.values())
    assert resumed.finished


async def test_an_old_attempt_is_judged_without_waiting(
    tmp_path: Path, world: SandboxWorld, service: SmsService
) -> None:
    clock = Clock()
    lagging = LaggingHistory(service, clock, lag=60)
    job = new_job(tmp_path, 3)
    await interrupted(job, CtrlCAfterSend(lagging), clock)
    clock.now += 500  # resumed long after the crash
    resumed = BulkJob.load(job.path)
    assert await resumed.run(lagging, settle=120, clock=clock, sleep=clock.sleep) == 0
    assert clock.slept == 0
    assert len(world.clicksend.received) == 3


async def test_settle_zero_judges_at_once(
    tmp_path: Path, world: SandboxWorld, service: SmsService
) -> None:
    # with no settle window a lagging history makes the sent rows look missing: they are
    # resent (this is why the default window is 120 s)
    clock = Clock()
    lagging = LaggingHistory(service, clock, lag=60)
    job = new_job(tmp_path, 3)
    await interrupted(job, CtrlCAfterSend(lagging), clock)
    resumed = BulkJob.load(job.path)
    assert await resumed.run(lagging, settle=0, clock=clock, sleep=clock.sleep) == 1
    assert clock.slept == 0
    assert max(Counter(m["to"] for m in world.clicksend.received).values()) == 2


async def test_rows_never_found_are_resent_once_then_reported_unconfirmed(
    tmp_path: Path, world: SandboxWorld, service: SmsService
) -> None:
    clock = Clock()
    lost = AnswerNeverComes(LaggingHistory(service, clock, lag=0))
    job = new_job(tmp_path, 2)
    requests = await job.run(lost, settle=120, clock=clock, sleep=clock.sleep)
    assert requests == 2 and lost.sends == 2  # the send and one automatic resend
    assert clock.slept >= 240  # each attempt was given the settle window before judging
    assert job.finished
    assert job.unconfirmed == [0, 1]
    assert {r.status for r in job.results.values()} == {UNCONFIRMED}
    again = BulkJob.load(job.path)
    assert await again.run(lost, settle=120, clock=clock, sleep=clock.sleep) == 0
    assert lost.sends == 2


async def test_the_one_resend_is_counted_across_restarts(
    tmp_path: Path, world: SandboxWorld, service: SmsService
) -> None:
    clock = Clock()
    lagging = LaggingHistory(service, clock, lag=0)
    job = new_job(tmp_path, 2)
    # two runs, each interrupted with its request in flight (it never reached ClickSend)
    await interrupted(job, CtrlCAfterSend(lagging, reach=False), clock)
    second = BulkJob.load(job.path)
    await interrupted(second, CtrlCAfterSend(lagging, reach=False), clock)
    third = BulkJob.load(job.path)
    assert await third.run(lagging, settle=0, clock=clock, sleep=clock.sleep) == 0
    assert world.clicksend.received == []
    assert third.unconfirmed == [0, 1]


async def test_negative_settle_is_refused(tmp_path: Path, service: SmsService) -> None:
    with pytest.raises(ValueError, match="settle"):
        await new_job(tmp_path, 1).run(service, settle=-1)


# ------------------------------------------------------------------ CLI


@pytest.fixture
def loopback(monkeypatch: pytest.MonkeyPatch, world: SandboxWorld) -> SandboxWorld:
    world.balance = Decimal("1000")
    server = serve(world)
    monkeypatch.setenv("MEMBRANE_API_URL", server.url)
    monkeypatch.setenv("MEMBRANE_TOKEN", "settle-token-789")
    yield world  # type: ignore[misc]
    server.close()


def csv_file(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "in.csv"
    path.write_text("phone,name\n" + "".join(f"+6141{i:07d},N{i}\n" for i in range(n)))
    return path


def test_cli_lost_answer_shows_a_countdown_then_checks_history(
    loopback: SandboxWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.inject(Fault(kind="timeout_after", method="POST", path=r"/sms/send$", hang=0.1))
    f = csv_file(tmp_path, 5)
    code = main(["--json", "bulk", "send", str(f), "--body", "Hi {name}", "--yes", "--settle", "1"])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    assert "batch 1: its answer was lost; checking ClickSend history in 1 s" in cap.err
    assert "checking ClickSend history for batch 1" in cap.err
    summary = json.loads(cap.out)
    assert (summary["accepted"], summary["unconfirmed"], summary["send_requests"]) == (5, 0, 1)
    assert sorted(Counter(m["to"] for m in loopback.clicksend.received).values()) == [1] * 5


@pytest.mark.parametrize("command", [["send", "FILE", "--body", "hi", "--yes"], ["resume"]])
def test_cli_negative_settle_is_a_usage_error(
    loopback: SandboxWorld,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    argv = [str(csv_file(tmp_path, 1)) if c == "FILE" else c for c in command]
    assert main(["bulk", *argv, "--settle", "-1"]) == 2
    assert "--settle" in capsys.readouterr().err
    assert loopback.clicksend.received == []


async def test_a_refused_row_whose_answer_was_lost_is_not_sent_again(
    tmp_path: Path, world: SandboxWorld, service: SmsService
) -> None:
    # a number ClickSend refuses (possible, not valid): refused rows never show in history
    job = BulkJob.create(
        tmp_path / "jobs",
        [BulkRow(2, "+61500000000", "Hi refused"), BulkRow(3, "+61411000001", "Hi ok")],
        batch_size=3,
    )
    clock = Clock()
    lagging = LaggingHistory(service, clock, lag=0)
    await interrupted(job, CtrlCAfterSend(lagging), clock)
    assert len(world.clicksend.received) == 2
    resumed = BulkJob.load(job.path)
    assert await resumed.run(lagging, settle=120, clock=clock, sleep=clock.sleep) == 0
    assert len(world.clicksend.received) == 2  # the refusal was priced, not sent again
    statuses = {resumed.rows[i].to: r.status for i, r in resumed.results.items()}
    assert statuses["+61500000000"] == "INVALID_RECIPIENT"
    assert resumed.finished
