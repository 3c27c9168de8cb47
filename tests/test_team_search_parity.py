"""Search means the same on both backends: the same rows, filled the same way, give the same
pages for every term and filter (SQLite's FTS5 is the reference; PostgreSQL's tsvector, GIN
and the number prefix path must agree with it)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_store_search import T0, TERMS, VOCAB, fill, paged

from smstui.core.store.message_store import MessageFilter, MessageStore
from smstui.core.store.postgres import PostgresStore


@pytest.fixture
def both(tmp_path: Path, pg_url: str) -> tuple[MessageStore, PostgresStore]:
    lite, pg = MessageStore(tmp_path / "s.db"), PostgresStore(pg_url)
    fill(lite, seed=11)
    fill(pg, seed=11)  # type: ignore[arg-type]
    yield lite, pg  # type: ignore[misc]
    lite.close()
    pg.close()


def test_every_term_finds_the_same_rows_in_the_same_order(
    both: tuple[MessageStore, PostgresStore],
) -> None:
    lite, pg = both
    assert pg.count() == lite.count() > 0
    assert pg.count(MessageFilter(text="cafe")) > 0  # diacritics off, as FTS5 has them
    for term in [*TERMS, "6141100001", "+614110000", "Café", "APPLE", "x y", "', --"]:
        f = MessageFilter(text=term)
        assert paged(pg, f, limit=9) == paged(lite, f, limit=9), term  # type: ignore[arg-type]
        assert pg.count(f) == lite.count(f), term


def test_search_with_filters_and_paging_back_agree(
    both: tuple[MessageStore, PostgresStore],
) -> None:
    lite, pg = both
    rng = random.Random(5)
    for _ in range(20):
        term = " ".join(rng.sample(VOCAB, rng.randint(1, 2)))[: rng.randint(1, 8)]
        f = MessageFilter(
            text=term,
            direction=rng.choice([None, "in", "out"]),
            statuses=rng.choice([None, frozenset({"failed"}), frozenset({"Sent", "Received"})]),
            date_from=datetime.fromtimestamp(T0 + rng.randrange(40), UTC),
        )
        assert paged(pg, f, limit=4) == paged(lite, f, limit=4), f  # type: ignore[arg-type]
        first = lite.page(limit=3, filters=f)
        if first.next is not None:
            for kw in ({"after": first.next}, {"before": first.next}):
                got = pg.page(limit=4, filters=f, **kw)  # type: ignore[arg-type]
                want = lite.page(limit=4, filters=f, **kw)  # type: ignore[arg-type]
                assert [r.message_id for r in got.rows] == [r.message_id for r in want.rows]
                assert (got.next, got.prev) == (want.next, want.prev)
