"""Bulk sending from a CSV: plan (every row checked first), resumable jobs, results file.

Jobs live in files under the data folder, so listing and loading them needs no credentials
(module functions); running one needs the account (``BulkPart.run``, ``ws.bulk``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from smstui.core.config import data_dir
from smstui.core.delivery.bulk import BulkJob, BulkPlan, BulkRow, RowProblem, has_job_doc
from smstui.core.errors import NotFoundError
from smstui.core.safe_text import printable

if TYPE_CHECKING:
    from datetime import datetime

    from smstui.core.service.workspace import Workspace

__all__ = [
    "BulkJob",
    "BulkPart",
    "BulkPlan",
    "BulkRow",
    "RowProblem",
    "create_job",
    "jobs",
    "jobs_dir",
    "load_job",
    "plan",
    "unfinished",
    "write_results",
]


def jobs_dir() -> Path:
    return data_dir() / "bulk"


def plan(data: bytes, template: str, *, default_region: str) -> BulkPlan:
    """Every row of the CSV checked and rendered locally (nothing is sent)."""
    from smstui.core.delivery.bulk import plan_bulk

    return plan_bulk(data, template, default_region=default_region)


def create_job(
    rows: Sequence[BulkRow], *, sender: str | None, schedule: datetime | None, source: str
) -> BulkJob:
    """A new job, written (0600) before anything is sent so that it can be resumed."""
    return BulkJob.create(jobs_dir(), rows, sender=sender, schedule=schedule, source=source)


def load_job(job_id: str) -> BulkJob:
    path = jobs_dir() / job_id
    if not has_job_doc(path):
        raise NotFoundError(f"no bulk job {printable(job_id)}")
    return BulkJob.load(path)


def jobs() -> list[BulkJob]:
    from smstui.core.delivery.bulk import list_jobs

    return list_jobs(jobs_dir())


def unfinished() -> list[BulkJob]:
    from smstui.core.delivery.bulk import unfinished_jobs

    return unfinished_jobs(jobs_dir())


def write_results(job: BulkJob, path: Path) -> None:
    """Each row's outcome as CSV, 0600 like every file smstui writes (customers' numbers)."""
    from smstui.core.privacy import open_private
    from smstui.core.store.export import write_csv

    with open_private(path, "w", encoding="utf-8-sig", newline="") as f:
        write_csv(
            f,
            ["line", "to", "status", "message_id", "parts", "price"],
            (
                [row.line, row.to, r.status, r.message_id, r.parts, r.price]
                for i, row in enumerate(job.rows)
                if (r := job.results.get(i)) is not None
            ),
        )


class BulkPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    async def run(
        self,
        job: BulkJob,
        *,
        progress: Callable[[int, int], None] | None = None,
        settle: float,
        on_wait: Callable[[int, float], None] | None = None,
    ) -> int:
        """Send every batch not yet done (a batch whose answer was lost is looked up in
        ClickSend's history after ``settle`` seconds first); the number of send requests.

        Opted-out numbers are skipped (asked just before each request, so a job resumed
        later honours a STOP that came meanwhile): their rows end ``OPTED_OUT``."""
        service = await self._ws._session().service()
        # bulk batches skip the outbox: what the sync brings back of them is this operator's
        self._ws._store().record_senders(job.custom_string(b) for b in range(job.batch_count))
        return await job.run(
            service,
            progress=progress,
            settle=settle,
            on_wait=on_wait,
            skip=self._ws.optouts.among,
        )
