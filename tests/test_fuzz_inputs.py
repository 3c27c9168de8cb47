"""Fuzz the two places user input meets parsers: store search and bulk CSV files.

(`tests/test_store.py` proves ``fts_query`` parses in a bare FTS5 table and
`tests/test_bulk_csv.py` feeds random rows under a valid header; these go further: the real
store with hostile bodies stored, and whole random files with line numbers checked.)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.sandbox_app import sent_bodies

from smstui.core.delivery.bulk import plan_bulk
from smstui.core.errors import ValidationError
from smstui.core.models import HistoryMessage
from smstui.core.store.message_store import MessageFilter, MessageStore

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
HOSTILE = ['"', "*", "NEAR(", "AND", "OR NOT", "^", ":", "'", "\x00", "\u202e", "\x1b[2J", "(", ")"]
search_text = st.text(max_size=40) | st.lists(st.sampled_from(HOSTILE), max_size=6).map(" ".join)


#: one worker runs the module, so its module-scoped fixture is built once
pytestmark = pytest.mark.xdist_group("fuzz-inputs")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MessageStore]:
    s = MessageStore(tmp_path_factory.mktemp("fuzz") / "s.db")
    bodies = ["plain words", 'quote " and * star', "NEAR(a b) OR c", "\x1b]52;c;aGk=\x07 osc"]
    s.upsert_history(sent_bodies(bodies))
    yield s
    s.close()


@FUZZ
@given(text=search_text)
def test_store_search_never_crashes_and_counts_match_pages(store: MessageStore, text: str) -> None:
    f = MessageFilter(text=text)
    page = store.page(limit=10, filters=f)
    assert store.count(f) == len(page.rows)


@FUZZ
@given(body=st.text(max_size=200))
def test_any_body_can_be_stored_and_found_by_its_first_word(tmp_path: Path, body: str) -> None:
    with MessageStore(tmp_path / f"{abs(hash(body))}.db") as s:
        s.upsert_history(
            [
                HistoryMessage(
                    message_id="id-x",
                    direction="in",
                    to="+61400000000",
                    sender="+61411000001",
                    body=body,
                    status="Received",
                    date=datetime.fromtimestamp(1_700_000_000, UTC),
                )
            ]
        )
        stored = s.get("id-x")
        assert stored is not None and stored.body == body
        words = [w for w in body.split() if w.isalnum()]
        if words:
            assert s.count(MessageFilter(text=words[0])) == 1


@FUZZ
@given(data=st.binary(max_size=300))
def test_a_whole_random_file_is_planned_or_refused_with_a_reason(data: bytes) -> None:
    try:
        plan = plan_bulk(data, "Hi {name}")
    except ValidationError as err:
        assert str(err).strip()
        return
    lines = data.count(b"\n") + data.count(b"\r") + 1
    for problem in plan.problems:
        assert 2 <= problem.line <= lines and problem.reason.strip()
    for row in plan.rows:
        assert 2 <= row.line <= lines and row.to.startswith("+")


@FUZZ
@given(
    rows=st.lists(
        st.tuples(st.text(max_size=16), st.text(max_size=10)).map(
            lambda t: f'"{t[0].replace(chr(34), "")}",{t[1]}'
        ),
        max_size=8,
    )
)
def test_every_bad_row_is_reported_at_its_own_line(rows: list[str]) -> None:
    clean = [r.replace("\n", " ").replace("\r", " ") for r in rows]
    text = "phone,name\n" + "\n".join(clean)
    try:
        plan = plan_bulk(text.encode(), "Hi {name}")
    except ValidationError:
        return
    reported = {p.line for p in plan.problems} | {r.line for r in plan.rows}
    reported |= {d.line for d in plan.duplicates}
    assert reported <= set(range(2, len(rows) + 2))
    # every row with any content is accounted for, at its own line; like the planner, a row
    # whose cells are only whitespace (str.isspace, which includes \x1c-\x1f) is blank
    for i, row in enumerate(clean):
        if row.replace('"', "").replace(",", "").strip():
            assert i + 2 in reported, (i + 2, row)
