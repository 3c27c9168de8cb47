"""A persisted bulk-send job that survives a crash or Ctrl-C and resumes exactly-once.

Its rows are written once and every step is logged before and after it happens (the files
and their format: ``journal``); loading a job replays the log.

Every message of batch ``n`` carries ``custom_string = "smstui-bulk-<job_id>-b<n>"``. A batch
found ``in_flight`` (we died, or lost the answer, between "sent" and "answer recorded") is
reconciled by asking ClickSend's history for that custom string: the numbers found there were
sent and are never sent again; only the others are sent. ClickSend has no idempotency key, so
this is the only way to be sure nobody gets the message twice and nobody is skipped.

ClickSend's history may lag behind a send, so an attempt younger than the *settle window* is
not judged: the job waits until the window has passed, then looks. Rows still missing are
resent once; rows missing after that resend are reported as unconfirmed and never sent again
automatically (the same rule as the Outbox).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from smstui.core.delivery.bulk.csv_rows import MAX_BATCH, BulkRow
from smstui.core.delivery.bulk.journal import (
    RowResult,
    append_event,
    has_job_doc,
    make_job_dir,
    read_events,
    read_job_doc,
    write_job_doc,
)
from smstui.core.delivery.outbox import CERTAIN_REFUSALS
from smstui.core.errors import NetworkError, NotFoundError, SendOutcomeUnknown
from smstui.core.models import HistoryMessage, OutgoingSms, SendResult

#: history statuses that mean the message did not go out (so the row is a failure)
_FAILED_HISTORY = frozenset({"FAILED", "CANCELLED"})
#: requests per batch that may reach ClickSend: the send and one automatic resend
MAX_SENDS = 2
#: seconds an attempt is given to show up in ClickSend history before it is judged missing
DEFAULT_SETTLE = 120.0
#: the status of a row still missing from history after the automatic resend
UNCONFIRMED = "UNCONFIRMED"
#: the status of a row not sent because its number opted out (checked just before each send)
OPTED_OUT = "OPTED_OUT"

#: ``skip(numbers)``: the numbers among ``numbers`` that must not be sent to (opted out)
SkipCheck = Callable[[list[str]], Collection[str]]

#: ``on_wait(batch, seconds_left)``: the job is waiting for history to settle
WaitCallback = Callable[[int, float], None]


class BulkSender(Protocol):
    """The ``SmsService`` methods a job needs."""

    async def send(self, messages: list[OutgoingSms]) -> SendResult: ...

    async def price(self, messages: list[OutgoingSms]) -> SendResult: ...

    async def ready_to_write(self) -> None: ...

    async def find_by_custom_string(
        self, custom_string: str, since: datetime
    ) -> list[HistoryMessage]: ...


@dataclass
class BulkJob:
    job_id: str
    path: Path
    created: datetime
    rows: list[BulkRow]
    sender: str | None = None
    schedule: datetime | None = None
    batch_size: int = MAX_BATCH
    source: str = ""
    states: dict[int, str] = field(default_factory=dict)  # batch -> pending|in_flight|done
    results: dict[int, RowResult] = field(default_factory=dict)  # row index -> result
    attempted_at: dict[int, float] = field(default_factory=dict)  # batch -> last send (unix)
    sends: dict[int, int] = field(default_factory=dict)  # batch -> requests that may have landed

    # ------------------------------------------------------------------ persistence

    @classmethod
    def create(
        cls,
        jobs_dir: Path,
        rows: Sequence[BulkRow],
        *,
        sender: str | None = None,
        schedule: datetime | None = None,
        batch_size: int = MAX_BATCH,
        source: str = "",
        now: datetime | None = None,
    ) -> BulkJob:
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch size must be 1..{MAX_BATCH}")
        created = now or datetime.now(UTC)
        job_id = created.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
        path = make_job_dir(jobs_dir, job_id)
        job = cls(job_id, path, created, list(rows), sender, schedule, batch_size, source)
        doc = {
            "version": 1,
            "job_id": job_id,
            "created": created.isoformat(),
            "sender": sender,
            "schedule": schedule.isoformat() if schedule else None,
            "batch_size": batch_size,
            "source": source,
            "rows": [[r.line, r.to, r.body] for r in job.rows],
        }
        write_job_doc(path, doc)
        return job

    @classmethod
    def load(cls, path: Path) -> BulkJob:
        doc = read_job_doc(path)
        job = cls(
            job_id=doc["job_id"],
            path=path,
            created=datetime.fromisoformat(doc["created"]),
            rows=[BulkRow(int(a), str(b), str(c)) for a, b, c in doc["rows"]],
            sender=doc.get("sender"),
            schedule=datetime.fromisoformat(doc["schedule"]) if doc.get("schedule") else None,
            batch_size=int(doc.get("batch_size") or MAX_BATCH),
            source=str(doc.get("source") or ""),
        )
        job._replay()
        return job

    def _replay(self) -> None:
        for event in read_events(self.path):
            self._apply(event)

    def _apply(self, event: dict[str, Any]) -> None:
        batch = int(event["batch"])
        self.states[batch] = str(event["state"])
        if "at" in event:
            self.attempted_at[batch] = float(event["at"])
        if "sends" in event:
            self.sends[batch] = int(event["sends"])
        elif event["state"] == "in_flight" and "results" not in event:
            # a send logged before "sends" was recorded (older smstui): count it all the same
            self.sends[batch] = self.sends.get(batch, 0) + 1
        for idx, res in (event.get("results") or {}).items():
            self.results[int(idx)] = RowResult.from_json(res)

    def _append(self, event: dict[str, Any]) -> None:
        append_event(self.path, event)
        self._apply(event)

    # ------------------------------------------------------------------ state

    @property
    def batch_count(self) -> int:
        return (len(self.rows) + self.batch_size - 1) // self.batch_size

    def batch_rows(self, batch: int) -> range:
        start = batch * self.batch_size
        return range(start, min(start + self.batch_size, len(self.rows)))

    def custom_string(self, batch: int) -> str:
        return f"smstui-bulk-{self.job_id}-b{batch}"

    @property
    def finished(self) -> bool:
        return all(self.states.get(b) == "done" for b in range(self.batch_count))

    @property
    def done_rows(self) -> int:
        return len(self.results)

    @property
    def opted_out(self) -> list[int]:
        """Rows not sent because their number opted out."""
        return sorted(i for i, r in self.results.items() if r.status == OPTED_OUT)

    @property
    def unconfirmed(self) -> list[int]:
        """Rows neither answered nor found in history after the automatic resend."""
        return sorted(i for i, r in self.results.items() if r.status == UNCONFIRMED)

    # ------------------------------------------------------------------ running

    async def run(
        self,
        sender: BulkSender,
        *,
        progress: Callable[[int, int], None] | None = None,
        settle: float = DEFAULT_SETTLE,
        on_wait: WaitCallback | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        skip: SkipCheck | None = None,
    ) -> int:
        """Send every batch not yet done; return the number of send requests made.

        ``settle``: seconds a send is given to appear in ClickSend history before a batch
        whose answer was lost is checked (0 checks at once: tests, benchmarks).
        ``skip``: asked just before each request which of its numbers opted out; those rows
        are recorded ``OPTED_OUT`` and not sent (a job resumed days later honours a STOP
        that arrived meanwhile).
        """
        if settle < 0:
            raise ValueError("settle must be >= 0")
        run = _Run(sender, settle, on_wait, clock, sleep, skip)
        requests = 0
        if progress:
            progress(self.done_rows, len(self.rows))
        for batch in range(self.batch_count):
            if self.states.get(batch) == "done":
                continue
            requests += await self._run_batch(run, batch)
            if progress:
                progress(self.done_rows, len(self.rows))
        return requests

    async def _run_batch(self, run: _Run, batch: int) -> int:
        requests = 0
        while True:
            if self.states.get(batch) == "in_flight":
                await self._settle(run, batch)
                await self._reconcile(run.sender, batch)
            todo = [i for i in self.batch_rows(batch) if i not in self.results]
            if not todo:
                self._append({"batch": batch, "state": "done"})
                return requests
            sends = self.sends.get(batch, 0)
            if sends >= MAX_SENDS:
                self._give_up(batch, todo)
                return requests
            if sends:
                # the one resend: rows ClickSend refuses anyway (a refused message never
                # shows in history) are settled by a price request, never sent again
                todo = await self._settle_refusals(run.sender, batch, todo)
                if not todo:
                    continue
            if run.skip is not None:
                todo = self._skip_opted_out(run.skip, batch, todo)
                if not todo:
                    continue
            messages = [self._message(i, batch) for i in todo]
            # everything that may wait (prefix confirmation) happens before the stamp, so
            # the settle window counts from when the request really left
            await run.sender.ready_to_write()
            self._append(
                {"batch": batch, "state": "in_flight", "at": run.clock(), "sends": sends + 1}
            )
            try:
                requests += 1
                result = await run.sender.send(messages)
            except SendOutcomeUnknown:
                continue  # still in_flight: the next turn settles and reconciles first
            except NetworkError as err:
                if err.may_have_reached_server:
                    continue
                self._append({"batch": batch, "state": "pending", "sends": sends})
                raise
            # Anything else: the server refused the request (nothing sent), or we were
            # interrupted; an interruption leaves the batch in_flight for resume to reconcile.
            self._record(batch, todo, result)
            return requests

    async def _settle(self, run: _Run, batch: int) -> None:
        """Wait until the last attempt is older than the settle window (history may lag)."""
        attempted = self.attempted_at.get(batch, self.created.timestamp())
        due = attempted + run.settle
        while (left := due - run.clock()) > 0:
            if run.on_wait:
                run.on_wait(batch, left)
            await run.sleep(min(1.0, left))
        if run.on_wait and run.settle > 0:
            run.on_wait(batch, 0.0)

    def _give_up(self, batch: int, todo: list[int]) -> None:
        results = {str(i): RowResult(UNCONFIRMED, accepted=False).to_json() for i in todo}
        self._append({"batch": batch, "state": "done", "results": results})

    def _message(self, index: int, batch: int) -> OutgoingSms:
        row = self.rows[index]
        return OutgoingSms(
            to=row.to,
            body=row.body,
            sender=self.sender,
            schedule=self.schedule,
            custom_string=self.custom_string(batch),
        )

    def _record(self, batch: int, todo: list[int], result: SendResult) -> None:
        by_to: dict[str, list[RowResult]] = {}
        for m in result.messages:
            by_to.setdefault(m.to, []).append(
                RowResult(m.status, m.message_id, m.parts, m.price, m.accepted)
            )
        results: dict[str, Any] = {}
        for i in todo:
            found = by_to.get(self.rows[i].to)
            res = found.pop(0) if found else RowResult("NO_RESULT", accepted=False)
            results[str(i)] = res.to_json()
        self._append({"batch": batch, "state": "done", "results": results})

    def _skip_opted_out(self, skip: SkipCheck, batch: int, todo: list[int]) -> list[int]:
        """The rows of ``todo`` that may be sent; the opted-out ones are recorded as such
        (the batch keeps its state: nothing was sent for them)."""
        refused = set(skip([self.rows[i].to for i in todo]))
        if not refused:
            return todo
        results = {
            str(i): RowResult(OPTED_OUT, accepted=False).to_json()
            for i in todo
            if self.rows[i].to in refused
        }
        self._append(
            {"batch": batch, "state": self.states.get(batch, "pending"), "results": results}
        )
        return [i for i in todo if str(i) not in results]

    async def _settle_refusals(self, sender: BulkSender, batch: int, todo: list[int]) -> list[int]:
        """The rows of ``todo`` ClickSend would not refuse; the others are recorded refused."""
        priced = (await sender.price([self._message(i, batch) for i in todo])).messages
        if len(priced) != len(todo):
            return todo  # no certain per-row answer: send as planned
        results: dict[str, Any] = {}
        for i, p in zip(todo, priced, strict=True):
            status = (p.status or "").upper()
            if not p.accepted and status in CERTAIN_REFUSALS:
                results[str(i)] = RowResult(status, accepted=False).to_json()
        if results:
            self._append({"batch": batch, "state": "in_flight", "results": results})
        return [i for i in todo if str(i) not in results]

    async def _reconcile(self, sender: BulkSender, batch: int) -> None:
        since = self.created - timedelta(minutes=5)
        found = await sender.find_by_custom_string(self.custom_string(batch), since)
        by_to = {h.to: h for h in found if h.custom_string in (None, self.custom_string(batch))}
        results: dict[str, Any] = {}
        for i in self.batch_rows(batch):
            if i in self.results:
                continue
            h = by_to.get(self.rows[i].to)
            if h is not None:
                accepted = h.status.upper() not in _FAILED_HISTORY
                results[str(i)] = RowResult(
                    h.status, h.message_id, h.parts, h.price, accepted
                ).to_json()
        # still in_flight until the remaining rows are sent
        self._append({"batch": batch, "state": "in_flight", "results": results})


@dataclass(frozen=True, slots=True)
class _Run:
    """What one ``run`` call works with (so the batch helpers take one argument)."""

    sender: BulkSender
    settle: float
    on_wait: WaitCallback | None
    clock: Callable[[], float]
    sleep: Callable[[float], Awaitable[None]]
    skip: SkipCheck | None = None


def list_jobs(jobs_dir: Path) -> list[BulkJob]:
    """Every readable job, oldest first."""
    if not jobs_dir.is_dir():
        return []
    jobs = []
    for p in sorted(jobs_dir.iterdir()):
        if has_job_doc(p):
            try:
                jobs.append(BulkJob.load(p))
            except NotFoundError:
                continue
    return jobs


def unfinished_jobs(jobs_dir: Path) -> list[BulkJob]:
    return [j for j in list_jobs(jobs_dir) if not j.finished]
