"""Bulk sending from a CSV: validation (``csv_rows``) and resumable jobs (``job``)."""

from smstui.core.delivery.bulk.csv_rows import (
    MAX_BATCH,
    PHONE_HEADERS,
    BulkPlan,
    BulkRow,
    Duplicate,
    RowProblem,
    batched,
    decode_csv,
    placeholders,
    plan_bulk,
    render,
)
from smstui.core.delivery.bulk.job import BulkJob, BulkSender, RowResult, list_jobs, unfinished_jobs

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
    "list_jobs",
    "placeholders",
    "plan_bulk",
    "render",
    "unfinished_jobs",
]
