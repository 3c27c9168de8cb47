"""CSV export: header row, formula-injection-safe cells, readable E.164 numbers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from smstui.core.models import HistoryMessage
from smstui.core.store.export import HISTORY_COLUMNS, export_history, iso_utc, safe_cell


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "  =1+1",
        "+61",  # too short to be a phone number: treated as text
    ],
)
def test_formula_like_text_gets_a_quote_prefix(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("number", ["+61411111111", "+14155550123", "+447700900123"])
def test_e164_numbers_stay_readable(number: str) -> None:
    assert safe_cell(number) == number


@pytest.mark.parametrize("text", ["hello", "a=b", "50% off -today", ""])
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert safe_cell(text) == text


def test_numbers_and_dates_are_formatted() -> None:
    assert safe_cell(Decimal("0.0770")) == "0.0770"
    assert safe_cell(2) == "2"
    assert safe_cell(None) == ""
    when = datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=10)))
    assert safe_cell(when) == "2024-05-01T02:00:00Z"
    assert iso_utc(datetime(2024, 5, 1, 2, 0)) == "2024-05-01T02:00:00Z"


def _msg(i: int, body: str) -> HistoryMessage:
    return HistoryMessage(
        message_id=f"ID{i}",
        direction="out",
        to="+61411111111",
        sender="+61400000000",
        body=body,
        status="Delivered",
        date=datetime(2024, 1, 1, tzinfo=UTC),
        parts=1,
        price=Decimal("0.077"),
    )


def test_export_writes_header_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    n = export_history(path, [_msg(1, 'hi, "you"\nthere'), _msg(2, "=1+1")])
    assert n == 2
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    assert tuple(rows[0]) == HISTORY_COLUMNS
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["body"] == 'hi, "you"\nthere'
    assert first["to"] == "+61411111111"
    assert first["date"] == "2024-01-01T00:00:00Z"
    assert first["price"] == "0.077"
    assert dict(zip(rows[0], rows[2], strict=True))["body"] == "'=1+1"
    assert not (tmp_path / "out.csv.part").exists()


def test_export_names_who_sent_each_message_and_keeps_it_inert(tmp_path: Path) -> None:
    from dataclasses import replace

    path = tmp_path / "out.csv"
    export_history(
        path,
        [
            replace(_msg(1, "sent by Ana"), sent_by="Ana"),
            _msg(2, "synced: no operator here sent it"),
            replace(_msg(3, "a name that looks like a formula"), sent_by="=cmd|'/c calc'!A1"),
        ],
    )
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0][-1] == "sent_by"
    assert [r[-1] for r in rows[1:]] == ["Ana", "", "'=cmd|'/c calc'!A1"]
