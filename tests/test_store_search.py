"""Fast text search (store_search): every plan returns exactly what the plain query returns.

The thresholds that pick a plan are scaled down here so that a few hundred rows exercise each
plan; rows are inserted in random order so rowids do not follow dates (the hard case for the
rowid-range walk).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smstui.core.models import HistoryMessage, InboundMessage
from smstui.core.store import search as store_search
from smstui.core.store.message_store import Cursor, MessageFilter, MessageStore
from smstui.core.store.query import where_clause

T0 = 1_700_000_000
VOCAB = [
    "app",
    "apple",
    "apples",
    "applied",
    "apply",
    "banana",
    "band",
    "bandit",
    "cat",
    "café",
    "x_y",
    "invoice",
    "overdue",
    "parcel",
    "ref12",
    "ref123",
    "ref1234",
]
TERMS = [
    "app",
    "appl",
    "apple",
    "ban",
    "a",
    "cat",
    "café",
    "cafe",
    "x_y",
    "zzz",
    "apple ban",
    "overdue invoice",
    "invoice overdue parcel",
    "ref12",
    "6141100",
    "banana x",
    "NOT",
    '"',
]

#: (name, thresholds) - each one forces a different plan on a few hundred rows
PLANS: dict[str, dict[str, int]] = {
    "collect and sort": {},
    "chunk walk": {"RARE_MATCHES": 2, "FIRST_CHUNK": 4, "MAX_RANGES": 3},
    "chunk walk then date index": {"RARE_MATCHES": 2, "FIRST_CHUNK": 2, "WALK_BUDGET": 6},
    "date index (prefix not expanded)": {"RARE_MATCHES": 2, "LAZY_TERMS": 1},
}


def body(rng: random.Random) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(rng.randint(1, 5)))


def fill(store: MessageStore, seed: int, n: int = 400) -> None:
    rng = random.Random(seed)
    msgs = [
        HistoryMessage(
            message_id=f"h-{i:04d}",
            direction="out",
            to=f"+614110{rng.randrange(30):05d}",
            sender="+61400000000",
            body=body(rng),
            status=rng.choice(["Sent", "Failed"]),
            date=datetime.fromtimestamp(T0 + rng.randrange(n // 3), UTC),  # many ties
        )
        for i in range(n)
    ]
    rng.shuffle(msgs)  # rowids in random date order
    for start in range(0, n, 37):
        store.upsert_history(msgs[start : start + 37])
    store.upsert_inbound(
        InboundMessage(
            f"in-{i}",
            "+61400000000",
            f"+614110{rng.randrange(30):05d}",
            body(rng),
            datetime.fromtimestamp(T0 + rng.randrange(n // 3), UTC),
        )
        for i in range(n // 10)
    )
    # some bodies change after the fact (their FTS rows follow them)
    store.upsert_history(replace(m, body=body(rng)) for m in rng.sample(msgs, n // 8))


def plain_search(
    store: MessageStore, f: MessageFilter, after: Cursor | None = None, before: Cursor | None = None
) -> list[str]:
    """Every matching id in page order, by the plain query (match set joined, then sorted)."""
    conds, params = where_clause(store.account, f)
    order = "DESC"
    if after is not None:
        conds.append("(m.date, m.message_id) < (?, ?)")
        params += [after.date, after.message_id]
    if before is not None:
        conds.append("(m.date, m.message_id) > (?, ?)")
        params += [before.date, before.message_id]
        order = "ASC"
    sql = (
        f"SELECT m.message_id FROM messages m WHERE {' AND '.join(conds)} "
        f"ORDER BY m.date {order}, m.message_id {order}"
    )
    ids = [str(r[0]) for r in store.run_read(lambda c: c.execute(sql, params).fetchall())]
    return ids[::-1] if before is not None else ids


def paged(store: MessageStore, f: MessageFilter, limit: int) -> list[str]:
    ids: list[str] = []
    page = store.page(limit=limit, filters=f)
    ids += [r.message_id for r in page.rows]
    while page.next is not None:
        page = store.page(after=page.next, limit=limit, filters=f)
        ids += [r.message_id for r in page.rows]
    return ids


@pytest.fixture(params=list(PLANS))
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in PLANS[request.param].items():
        monkeypatch.setattr(store_search, name, value)
    return str(request.param)


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[MessageStore]:
    with MessageStore(tmp_path / "s.db") as s:
        fill(s, seed=11)
        yield s


@pytest.mark.parametrize("term", TERMS)
def test_paging_a_search_forward_equals_the_plain_query(
    filled: MessageStore, plan: str, term: str
) -> None:
    f = MessageFilter(text=term)
    assert paged(filled, f, limit=7) == plain_search(filled, f)


@pytest.mark.parametrize("term", ["app", "a", "apple ban", "café", "ref12"])
def test_search_with_other_filters_equals_the_plain_query(
    filled: MessageStore, plan: str, term: str
) -> None:
    for f in (
        MessageFilter(text=term, direction="in"),
        MessageFilter(text=term, statuses=frozenset({"Failed"})),
        MessageFilter(text=term, number="+61411000003"),
        MessageFilter(
            text=term,
            date_from=datetime.fromtimestamp(T0 + 20, UTC),
            date_to=datetime.fromtimestamp(T0 + 90, UTC),
        ),
    ):
        assert paged(filled, f, limit=5) == plain_search(filled, f)


@pytest.mark.parametrize("term", ["app", "a", "cat", "café"])
def test_paging_a_search_backwards_equals_the_plain_query(
    filled: MessageStore, plan: str, term: str
) -> None:
    f = MessageFilter(text=term)
    everything = plain_search(filled, f)
    assert len(everything) > 30
    cursor = filled.page(limit=len(everything) - 12, filters=f).next
    assert cursor is not None
    back = filled.page(before=cursor, limit=9, filters=f)
    assert [r.message_id for r in back.rows] == plain_search(filled, f, before=cursor)[-9:]


@pytest.mark.parametrize("seed", range(6))
def test_random_stores_and_random_terms_page_like_the_plain_query(
    tmp_path: Path, plan: str, seed: int
) -> None:
    rng = random.Random(seed)
    with MessageStore(tmp_path / f"r{seed}.db") as s:
        fill(s, seed=seed, n=rng.randint(50, 300))
        for _ in range(8):
            word = rng.choice(VOCAB)
            term = word[: rng.randint(1, len(word))]
            if rng.random() < 0.4:
                term = rng.choice(VOCAB) + " " + term
            f = MessageFilter(text=term)
            assert paged(s, f, limit=rng.randint(1, 20)) == plain_search(s, f), term


def test_a_prefix_becomes_the_exact_terms_it_stands_for(filled: MessageStore) -> None:
    got = filled.run_read(lambda c: store_search.match_expression(c, "x APPL"))
    assert got == ('"x" AND ("apple" OR "apples" OR "applied" OR "apply")', True)


def test_a_prefix_with_too_many_terms_stays_a_prefix(
    filled: MessageStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_search, "LAZY_TERMS", 3)
    got = filled.run_read(lambda c: store_search.match_expression(c, "appl"))
    assert got == ('"appl"*', False)


def test_a_word_with_accents_or_underscores_stays_a_prefix(filled: MessageStore) -> None:
    got = [
        filled.run_read(lambda c, w=w: store_search.match_expression(c, w)) for w in ("café", "x_y")
    ]
    assert got == [('"café"*', False), ('"x_y"*', False)]


def test_a_last_word_no_indexed_term_starts_with_matches_nothing(filled: MessageStore) -> None:
    assert filled.run_read(lambda c: store_search.match_expression(c, "apple zzz")) is None
    assert filled.page(filters=MessageFilter(text="apple zzz")).rows == []


def test_ranges_split_at_the_widest_gaps() -> None:
    gaps = [(10, 500), (520, 530), (600, 9000)]
    assert store_search.split_ranges(1, 9100, gaps, most=3) == [(1, 10), (500, 600), (9000, 9100)]
    assert store_search.split_ranges(1, 9100, gaps, most=1) == [(1, 9100)]


def test_chunk_walk_reads_only_the_rowid_ranges_of_its_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reply stored long before the history around it must not widen what FTS reads."""
    monkeypatch.setattr(store_search, "RARE_MATCHES", 2)
    monkeypatch.setattr(store_search, "FIRST_CHUNK", 16)
    late = datetime.fromtimestamp(T0 + 10**6, UTC)
    with MessageStore(tmp_path / "w.db") as s:
        s.upsert_inbound([InboundMessage("in-late", "+614", "+615", "apple", late)])
        s.upsert_history(
            HistoryMessage(f"h-{i}", "out", "+614", "+615", "apple", "Sent", ts(i))
            for i in range(5000)
        )
        asked: list[str] = []
        s.run_read(lambda c: c.set_trace_callback(asked.append))
        page = s.page(limit=10, filters=MessageFilter(text="apple"))
        s.run_read(lambda c: c.set_trace_callback(None))
    assert [r.message_id for r in page.rows] == [
        "IN-LATE",
        *(f"H-{i}" for i in range(4999, 4990, -1)),
    ]
    ranges = [
        (int(lo), int(hi))
        for q in asked
        for lo, hi in re.findall(r"rowid BETWEEN (\d+) AND (\d+)", q)
    ]
    # rowid 1 (the reply) and the newest history rows, not everything in between
    assert ranges and sum(hi - lo + 1 for lo, hi in ranges) < 100


def ts(offset: int) -> datetime:
    return datetime.fromtimestamp(T0 + offset, UTC)
