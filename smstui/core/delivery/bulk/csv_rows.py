"""Read a bulk-send CSV: find the phone column, validate every row, dedupe, render bodies.

Nothing here sends anything: the whole file is checked first so that a bad row stops the job
before the first message leaves (a half-sent campaign is worse than none).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from smstui.core.csv_input import (
    RowProblem,
    column_key,
    decode_csv,
    find_phone_column,
    rows_with_lines,
)
from smstui.core.errors import ValidationError
from smstui.core.phone import UNKNOWN_RANGE, check_number
from smstui.core.sms_text import normalise_newlines

#: ClickSend takes at most 1,000 messages per /sms/send request
MAX_BATCH = 1000

# ``{{`` and ``}}`` are literal braces; ``{name}`` is a column placeholder.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BulkRow:
    line: int  # 1-based line in the file where the row starts
    to: str  # E.164
    body: str


@dataclass(frozen=True, slots=True)
class Duplicate:
    line: int
    to: str
    first_line: int  # the row that keeps the number


@dataclass(frozen=True, slots=True)
class BulkPlan:
    rows: list[BulkRow]
    problems: list[RowProblem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    phone_column: str = ""
    columns: list[str] = field(default_factory=list)
    #: rows that are sent but deserve a look: a number in a range the phone library does not
    #: know (ClickSend decides, per message)
    warnings: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def placeholders(template: str) -> list[str]:
    """Placeholder names in ``template`` in order of first appearance (no repeats)."""
    seen: list[str] = []
    for m in _PLACEHOLDER.finditer(template):
        name = m.group(1)
        if name is not None and name.strip() not in seen:
            seen.append(name.strip())
    return seen


def render(template: str, fields: dict[str, str]) -> str:
    """Fill ``{column}`` placeholders from ``fields`` (keys already normalised by ``column_key``).

    Raises ``KeyError(name)`` for a placeholder with no value in ``fields``.
    """

    def sub(m: re.Match[str]) -> str:
        text = m.group(0)
        if text == "{{":
            return "{"
        if text == "}}":
            return "}"
        name = (m.group(1) or "").strip()
        try:
            return fields[column_key(name)]
        except KeyError:
            raise KeyError(name) from None

    return _PLACEHOLDER.sub(sub, template)


def plan_bulk(data: bytes, body_template: str, *, default_region: str = "AU") -> BulkPlan:
    """Validate every row of a CSV and build the messages to send.

    Raises ``ValidationError`` for problems of the whole file (not UTF-8, unreadable CSV, no
    phone column, a placeholder naming no column); row problems are collected in the plan.
    """
    text = decode_csv(data)
    rows = rows_with_lines(text)
    try:
        _, header = next(rows)
    except StopIteration:
        raise ValidationError("the CSV file is empty", field="file") from None
    header = [h.strip() for h in header]
    phone_at = find_phone_column(header)
    keys = [column_key(h) for h in header]
    missing = [p for p in placeholders(body_template) if column_key(p) not in keys]
    if missing:
        raise ValidationError(
            "the message uses "
            + ", ".join("{" + p + "}" for p in missing)
            + " but the CSV has no such column",
            field="body",
            hint="Columns: " + ", ".join(header),
        )
    template = normalise_newlines(body_template)
    used = {column_key(p) for p in placeholders(template)}

    plan_rows: list[BulkRow] = []
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = []
    duplicates: list[Duplicate] = []
    first_line_of: dict[str, int] = {}
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # blank lines are common at the end of exported files
        fields: dict[str, str] = {}
        for k, v in zip(keys, cells, strict=False):
            fields.setdefault(k, v.strip())
        raw_number = cells[phone_at].strip() if phone_at < len(cells) else ""
        if not raw_number:
            problems.append(RowProblem(line, "no phone number"))
            continue
        try:
            checked = check_number(raw_number, default_region)
        except ValidationError as err:
            problems.append(RowProblem(line, str(err)))
            continue
        number = checked.e164
        empty = [k for k in keys if k in used and not fields.get(k)]
        if empty:
            names = [h for h, k in zip(header, keys, strict=True) if k in empty]
            problems.append(
                RowProblem(line, "empty value for " + ", ".join("{" + n + "}" for n in names))
            )
            continue
        body = normalise_newlines(render(template, fields))
        if not body.strip():
            problems.append(RowProblem(line, "the message is empty"))
            continue
        if number in first_line_of:
            duplicates.append(Duplicate(line, number, first_line_of[number]))
            continue
        first_line_of[number] = line
        if not checked.known_range:
            warnings.append(RowProblem(line, f"{number}: {UNKNOWN_RANGE}"))
        plan_rows.append(BulkRow(line, number, body))
    return BulkPlan(plan_rows, problems, duplicates, header[phone_at], header, warnings)


def batched(items: Sequence[T], size: int = MAX_BATCH) -> list[Sequence[T]]:
    if size < 1:
        raise ValueError("batch size must be positive")
    return [items[i : i + size] for i in range(0, len(items), size)]
