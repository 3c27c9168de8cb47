"""Read a contacts CSV for import into a list: every row checked before anything is created.

The phone column is found like the bulk sender finds it (``phone``, ``mobile``, ``number``...);
optional columns ``first name``, ``last name``, ``email``, ``organization`` and
``custom 1..4`` fill the contact. Numbers become E.164 via ``smstui.core.phone``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smstui.core.csv_input import (
    RowProblem,
    column_key,
    decode_csv,
    find_phone_column,
    rows_with_lines,
)
from smstui.core.errors import ValidationError
from smstui.core.models import NewContact
from smstui.core.phone import normalise_number

#: ClickSend's own limit for one list (also the campaign limit)
MAX_CONTACTS = 20_000

_NAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname", "first", "givenname"),
    "last_name": ("lastname", "last", "surname", "familyname"),
    "email": ("email", "emailaddress"),
    "organization_name": ("organization", "organisation", "organizationname", "company"),
}


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    contact: NewContact


@dataclass(frozen=True, slots=True)
class ImportPlan:
    rows: list[ImportRow]
    problems: list[RowProblem] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)  # lines whose number came earlier

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def _column(keys: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def plan_import(data: bytes, *, default_region: str = "AU") -> ImportPlan:
    """Check every row. Whole-file problems raise ``ValidationError``; row problems are
    collected with their line numbers (the caller imports nothing when there are any)."""
    rows = rows_with_lines(decode_csv(data))
    try:
        _, header = next(rows)
    except StopIteration:
        raise ValidationError("the CSV file is empty", field="file") from None
    header = [h.strip() for h in header]
    phone_at = find_phone_column(header)
    keys = [column_key(h) for h in header]
    named = {attr: _column(keys, names) for attr, names in _NAME_COLUMNS.items()}
    customs = [_column(keys, (f"custom{i}",)) for i in range(1, 5)]

    def cell(cells: list[str], at: int | None) -> str | None:
        if at is None or at >= len(cells):
            return None
        return cells[at].strip() or None

    plan_rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    duplicates: list[int] = []
    seen: set[str] = set()
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        raw = cell(cells, phone_at)
        if raw is None:
            problems.append(RowProblem(line, "no phone number"))
            continue
        try:
            number = normalise_number(raw, default_region)
        except ValidationError as err:
            problems.append(RowProblem(line, str(err)))
            continue
        if number in seen:
            duplicates.append(line)
            continue
        seen.add(number)
        c1, c2, c3, c4 = (cell(cells, at) for at in customs)
        contact = NewContact(
            phone_number=number,
            first_name=cell(cells, named["first_name"]),
            last_name=cell(cells, named["last_name"]),
            email=cell(cells, named["email"]),
            organization_name=cell(cells, named["organization_name"]),
            custom=(c1, c2, c3, c4),
        )
        plan_rows.append(ImportRow(line, contact))
    if len(plan_rows) > MAX_CONTACTS:
        problems.append(
            RowProblem(plan_rows[MAX_CONTACTS].line, f"more than {MAX_CONTACTS:,} contacts")
        )
    return ImportPlan(plan_rows, problems, duplicates)
