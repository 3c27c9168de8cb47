"""Reading the CSV files users hand over (bulk sends, contact imports, opt-out imports): UTF-8
text, the rows with the line each starts on, and which column holds the phone numbers.

Every problem is a ``ValidationError`` naming the line, so a bad file is refused before
anything is sent or written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from smstui.core.errors import ValidationError

#: header names (compared case-insensitively, spaces/underscores/dashes ignored) that hold the
#: recipient, in order of preference when a file has several
PHONE_HEADERS = ("phone", "mobile", "number", "to", "phonenumber", "mobilenumber", "msisdn", "cell")


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    reason: str


def column_key(name: str) -> str:
    """A header compared as the user means it: case, spaces, ``_`` and ``-`` ignored."""
    return re.sub(r"[\s_\-]+", "", name).casefold()


def phone_column(keys: list[str]) -> int | None:
    """Where the phone numbers are among header ``keys`` (``column_key``), by preference."""
    for wanted in PHONE_HEADERS:
        if wanted in keys:
            return keys.index(wanted)
    return None


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM); any other bytes are a clear error naming the line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ValidationError(
            f"line {line}: the file is not UTF-8 text (byte 0x{data[err.start]:02x})",
            field="file",
            hint="Save the CSV as 'CSV UTF-8' and try again.",
        ) from None


def find_phone_column(header: list[str]) -> int:
    """The phone column of a file that must have a header naming it."""
    found = phone_column([column_key(h) for h in header])
    if found is not None:
        return found
    shown = ", ".join(repr(h) for h in header) or "none"
    raise ValidationError(
        f"line 1: no phone column (the header has {shown})",
        field="file",
        hint="Name the recipients' column phone, mobile, number or to.",
    )


def rows_with_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each row with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise ValidationError(
                f"line {reader.line_num}: cannot read the CSV ({err})",
                field="file",
                hint="Check the quotes on that line.",
            ) from None
        yield start, row
        start = reader.line_num + 1
