"""The opt-out list as CSV: export it (for another tool, an audit) and import one.

An import reads the phone column the same way ``bulk send`` does (``phone``, ``mobile``,
``number``, ``to``...), or a file with no header whose first column holds numbers. Every row
is checked before anything is written: a bad row is reported with its line, and the good rows
are added in one transaction (adding to an opt-out list can only make smstui send less).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from smstui.core.csv_input import RowProblem, column_key, decode_csv, phone_column
from smstui.core.errors import ValidationError
from smstui.core.phone import normalise_number
from smstui.core.store.export import write_csv
from smstui.core.store.optouts import OptOut

EXPORT_COLUMNS = ("number", "date", "source", "reply_id")


@dataclass(frozen=True, slots=True)
class OptOutImportPlan:
    """The numbers a CSV holds (E.164, first occurrence kept) and the rows that were not."""

    numbers: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def plan_import(data: bytes, *, default_region: str) -> OptOutImportPlan:
    """Read every row of an opt-out CSV (nothing is written)."""
    text = decode_csv(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise ValidationError(f"cannot read the CSV ({err})", field="file") from None
    if not rows:
        raise ValidationError("the CSV file is empty", field="file")
    found = phone_column([column_key(h) for h in rows[0]])
    # no header naming the column: numbers alone, in the first column from the first line
    column, first = (0, 0) if found is None else (found, 1)
    numbers: list[str] = []
    problems: list[RowProblem] = []
    seen: set[str] = set()
    for index, cells in enumerate(rows[first:], start=first + 1):
        raw = cells[column].strip().lstrip("'") if column < len(cells) else ""
        if not raw:
            if any(c.strip() for c in cells):
                problems.append(RowProblem(index, "no phone number"))
            continue
        try:
            number = normalise_number(raw, default_region)
        except ValidationError as err:
            if first == 0 and index == 1:
                # a header this reader does not know: say which columns it looks for
                raise ValidationError(
                    f"line 1: no phone column (the first cell is {raw!r})",
                    field="file",
                    hint="Name the numbers' column phone, mobile, number or to.",
                ) from None
            problems.append(RowProblem(index, str(err)))
            continue
        if number not in seen:
            seen.add(number)
            numbers.append(number)
    return OptOutImportPlan(numbers, problems)


def export_csv(entries: Iterable[OptOut]) -> str:
    """The list as CSV text (``number,date,source,reply_id``; dates in ISO 8601 UTC)."""
    out = io.StringIO()
    write_csv(out, EXPORT_COLUMNS, ([e.number, e.date, e.source, e.reply_id] for e in entries))
    return out.getvalue()
