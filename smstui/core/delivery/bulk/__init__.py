"""Bulk sending from a CSV: validation (``csv_rows``) and resumable jobs (``job``, on disk: ``journal``)."""

from smstui.core.csv_input import PHONE_HEADERS, RowProblem, decode_csv
from smstui.core.delivery.bulk.csv_rows import (
    MAX_BATCH,
    BulkPlan,
    BulkRow,
    Duplicate,
    batched,
    placeholders,
    plan_bulk,
    render,
)
from smstui.core.delivery.bulk.job import BulkJob, BulkSender, list_jobs, unfinished_jobs
from smstui.core.delivery.bulk.journal import RowResult, has_job_doc

__all__ = [
    "MAX_BATCH",
    "PHONE_HEADERS",
    "BulkJob",
    "BulkPlan",
    "BulkRow",
    "BulkSender",
    "Duplicate",
    "RowProblem",
    "RowResult",
    "batched",
    "decode_csv",
    "has_job_doc",
    "list_jobs",
    "placeholders",
    "plan_bulk",
    "render",
    "unfinished_jobs",
]
