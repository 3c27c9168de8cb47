"""A bulk job's folder on disk: what is written, how, and how it is read back after a crash.

``<jobs_dir>/<job_id>/`` (0700; files 0600 since they hold phone numbers):

- ``job.json``: written once, atomically: the rows (already validated, deduped, rendered),
  the sender, the schedule and the batch size. Batches are fixed at creation.
- ``events.jsonl``: an append-only log, one JSON object a line, flushed and fsynced:
  ``{"batch": n, "state": "in_flight", "at": unix, "sends": k}`` *before* a batch's request
  leaves (``k`` counts the requests for this batch that may have reached ClickSend),
  ``{"batch": n, "state": "done", "results": {...}}`` after the answer,
  ``{"batch": n, "state": "pending", "sends": k - 1}`` when we know it never reached ClickSend.
  ``results`` maps a row index to a ``RowResult`` in its JSON form.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from smstui.core.errors import NotFoundError
from smstui.core.privacy import PRIVATE_DIR, make_private_dirs

JOB_FILE = "job.json"
EVENTS_FILE = "events.jsonl"


@dataclass(frozen=True, slots=True)
class RowResult:
    status: str
    message_id: str | None = None
    parts: int = 0
    price: Decimal | None = None
    accepted: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "message_id": self.message_id,
            "parts": self.parts,
            "price": None if self.price is None else str(self.price),
            "accepted": self.accepted,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RowResult:
        price = d.get("price")
        return cls(
            status=str(d.get("status", "")),
            message_id=d.get("message_id"),
            parts=int(d.get("parts") or 0),
            price=None if price is None else Decimal(str(price)),
            accepted=bool(d.get("accepted", True)),
        )


def make_job_dir(jobs_dir: Path, job_id: str) -> Path:
    """A new, private folder for one job (fails if it exists: job ids are unique)."""
    path = jobs_dir / job_id
    make_private_dirs(jobs_dir)
    path.mkdir(mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    return path


def write_job_doc(path: Path, doc: dict[str, Any]) -> None:
    """``job.json``, atomically: a crash leaves the whole file or none."""
    target = path / JOB_FILE
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(doc, ensure_ascii=False))
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(target)


def read_job_doc(path: Path) -> dict[str, Any]:
    try:
        doc: dict[str, Any] = json.loads((path / JOB_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise NotFoundError(f"bulk job {path.name} cannot be read: {err}") from None
    return doc


def has_job_doc(path: Path) -> bool:
    return (path / JOB_FILE).is_file()


def read_events(path: Path) -> Iterator[dict[str, Any]]:
    """The logged events in order; a torn last line (a crash mid-append) is cut off the file
    so the next append starts clean, and a line that is not JSON is skipped."""
    log = path / EVENTS_FILE
    if not log.exists():
        return
    raw = log.read_bytes()
    good_end = raw.rfind(b"\n") + 1
    if good_end < len(raw):
        with log.open("r+b") as f:
            f.truncate(good_end)
    for line in raw[:good_end].splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        yield event


def append_event(path: Path, event: dict[str, Any]) -> None:
    """One event, on disk (fsynced) before this returns."""
    fd = os.open(path / EVENTS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
