"""Bulk CSV validation: every row checked before anything is sent."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smstui.core.delivery.bulk import MAX_BATCH, batched, placeholders, plan_bulk, render
from smstui.core.errors import ValidationError


def test_reads_rows_and_renders_placeholders() -> None:
    data = b"Name,Mobile\nAnn,0411 111 111\nBob,+61 422 222 222\n"
    plan = plan_bulk(data, "Hi {name}, see you soon")
    assert plan.ok
    assert plan.phone_column == "Mobile"
    assert [(r.line, r.to, r.body) for r in plan.rows] == [
        (2, "+61411111111", "Hi Ann, see you soon"),
        (3, "+61422222222", "Hi Bob, see you soon"),
    ]


@pytest.mark.parametrize("header", ["phone", "PHONE", "Mobile", "number", "To", "Phone Number"])
def test_phone_column_names_are_case_insensitive(header: str) -> None:
    plan = plan_bulk(f"{header}\n0411111111\n".encode(), "hello")
    assert [r.to for r in plan.rows] == ["+61411111111"]


def test_missing_phone_column_is_an_error_naming_line_one() -> None:
    with pytest.raises(ValidationError, match="line 1: no phone column"):
        plan_bulk(b"name,email\nAnn,a@example.com\n", "hi")


def test_bad_rows_are_reported_with_their_line_numbers() -> None:
    data = b"phone,name\n0411111111,Ann\nnot-a-number,Bob\n,Cy\n0422222222,\n"
    plan = plan_bulk(data, "Hi {name}")
    assert not plan.ok
    assert [p.line for p in plan.problems] == [3, 4, 5]
    assert "not a valid phone number" in plan.problems[0].reason
    assert plan.problems[1].reason == "no phone number"
    assert "{name}" in plan.problems[2].reason
    assert [r.line for r in plan.rows] == [2]


def test_line_numbers_count_multiline_quoted_cells() -> None:
    data = b'phone,note\n0411111111,"two\nlines"\nbad,x\n'
    plan = plan_bulk(data, "{note}")
    assert plan.rows[0].body == "two\nlines"
    assert [p.line for p in plan.problems] == [4]


def test_placeholder_naming_no_column_is_a_file_error() -> None:
    with pytest.raises(ValidationError, match=r"\{first_name\}") as info:
        plan_bulk(b"phone,name\n0411111111,Ann\n", "Hi {first_name}")
    assert "name" in info.value.hint


def test_placeholders_match_columns_ignoring_case_and_spaces() -> None:
    plan = plan_bulk(b"phone,First Name\n0411111111,Ann\n", "Hi {first_name} {FIRST NAME}")
    assert plan.rows[0].body == "Hi Ann Ann"


def test_empty_rendered_body_is_a_row_problem() -> None:
    plan = plan_bulk(b"phone,msg\n0411111111,   \n", "{msg}")
    assert [p.line for p in plan.problems] == [2]


def test_whitespace_only_template_makes_every_row_a_problem() -> None:
    plan = plan_bulk(b"phone\n0411111111\n", "   ")
    assert plan.problems[0].reason == "the message is empty"


def test_duplicates_are_removed_keeping_the_first() -> None:
    data = b"phone\n0411111111\n+61411111111\n0411 111 111\n0422222222\n"
    plan = plan_bulk(data, "hi")
    assert [r.to for r in plan.rows] == ["+61411111111", "+61422222222"]
    assert [(d.line, d.first_line) for d in plan.duplicates] == [(3, 2), (4, 2)]


def test_blank_lines_are_skipped() -> None:
    plan = plan_bulk(b"phone\n\n0411111111\n,\n", "hi")
    assert plan.ok and len(plan.rows) == 1


def test_double_braces_are_literal() -> None:
    assert render("{{x}} {a}", {"a": "1"}) == "{x} 1"
    assert placeholders("{{x}} {a} {b} {a}") == ["a", "b"]


def test_crlf_is_sent_as_lf() -> None:
    plan = plan_bulk(b"phone\r\n0411111111\r\n", "line1\r\nline2")
    assert plan.rows[0].body == "line1\nline2"


def test_utf8_bom_is_accepted() -> None:
    plan = plan_bulk("\ufeffPhone,name\n0411111111,Zoë\n".encode(), "Hi {name}")
    assert plan.rows[0].body == "Hi Zoë"


def test_non_utf8_bytes_name_the_line() -> None:
    data = b"phone,name\n0411111111,Ann\n0422222222,Jos\xe9\n"
    with pytest.raises(ValidationError, match="line 3: the file is not UTF-8"):
        plan_bulk(data, "hi {name}")


def test_unterminated_quote_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="line"):
        plan_bulk(b'phone,name\n0411111111,"Ann\n', "hi")


def test_empty_file_is_an_error() -> None:
    with pytest.raises(ValidationError, match="empty"):
        plan_bulk(b"", "hi")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        plan = plan_bulk(b"phone,name\n" + data, "Hi {name}")
    except ValidationError as err:
        assert str(err)
    else:
        assert all(p.line >= 2 for p in plan.problems)


@pytest.mark.parametrize(("n", "batches"), [(999, 1), (1000, 1), (1001, 2), (2500, 3)])
def test_batches_hold_at_most_1000(n: int, batches: int) -> None:
    parts = batched(list(range(n)))
    assert len(parts) == batches
    assert all(len(p) <= MAX_BATCH for p in parts)
    assert [x for p in parts for x in p] == list(range(n))
