"""Full-text search pages that stay fast when a word is in a large share of all messages.

The plain query (``rowid IN (every match)``, then sort by date) costs time in proportion to the
number of matches: about half a second for a common word at a million rows, although a page
needs only the newest fifty. Measured facts this module is built on (SQLite 3.40, 1M rows):

* FTS5 materialises the whole doclist of a prefix query (``"invoice"*``) on every query
  (~10-15 ms for a word in 13% of rows), but walks exact terms lazily and seeks straight to a
  rowid range (<1 ms). So the last word's prefix is expanded into the few indexed terms it
  stands for, read from an ``fts5vocab`` table, when there are at most ``LAZY_TERMS``.
* ``rowid IN (list)`` on an FTS5 table re-runs the whole query per value (seconds): never used.
* Moving a row from SQLite into Python costs ~1-2 us; in SQL it is far cheaper, so sets are
  intersected in SQL and only hits come back.

Then, by how many rows match (counted up to ``RARE_MATCHES``):

* fewer: collect every match and sort (the plain query; cheapest for few matches);
* more, exact terms: walk the newest rows in date order in growing chunks, and ask FTS only
  about the rowid ranges those rows occupy; a walk that covers ``WALK_BUDGET`` rows without
  filling the page (a word common long ago) hands over to the date-index walk below;
* more, a prefix that could not be expanded: walk the date index from the page boundary and
  test each row against the match set, built once (one prefix materialisation).

Every path returns exactly the rows the plain query would (tests compare them on random data).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

from smstui.core.store.query import fts_query, fts_words
from smstui.core.store.rows import COLUMNS

Order = Literal["ASC", "DESC"]
T = TypeVar("T")

#: most exact terms a last-word prefix is expanded into (each is one cheap vocabulary seek)
LAZY_TERMS = 8
#: below this many matches, collecting and sorting every match is the fastest plan
RARE_MATCHES = 1000
FIRST_CHUNK = 2048
#: rows the chunked walk may cover before the date-index walk takes over
WALK_BUDGET = 40_960
#: rowid ranges asked of FTS per chunk; the largest gaps between a chunk's rowids split them
MAX_RANGES = 16

#: the vocabulary table (temp schema: per connection, no migration) used to expand prefixes
VOCAB_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.messages_fts_terms "
    "USING fts5vocab(main, messages_fts, 'instance')"
)
_SIMPLE_TOKEN = re.compile(r"[A-Za-z0-9]+")


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def expand_prefix(c: sqlite3.Connection, prefix: str, most: int) -> list[str]:
    """The indexed terms starting with ``prefix`` (lower-case ASCII), up to ``most`` of them.

    One index seek per term. ``term > ?`` is not pushed down to fts5vocab (it would scan the
    vocabulary), so each seek asks for ``term >= previous + NUL`` instead.
    """
    c.execute(VOCAB_DDL)
    terms: list[str] = []
    seek = prefix
    while len(terms) < most:
        row = c.execute(
            "SELECT term FROM temp.messages_fts_terms WHERE term >= ? LIMIT 1", (seek,)
        ).fetchone()
        if row is None or not str(row[0]).startswith(prefix):
            break
        terms.append(str(row[0]))
        seek = terms[-1] + "\x00"
    return terms


def match_expression(c: sqlite3.Connection, text: str) -> tuple[str, bool] | None:
    """The MATCH expression for ``text`` and whether FTS can walk it lazily.

    None means nothing can match (no word, or no indexed term starts with the last word).
    Only a last word of plain ASCII letters and digits is expanded: the default unicode61
    tokenizer turns exactly those into one lower-cased token, so the expansion is equivalent
    to the prefix; anything else keeps the prefix query (correct, just not lazy).
    """
    words = fts_words(text)
    if not words:
        return None
    last = words[-1]
    if _SIMPLE_TOKEN.fullmatch(last):
        terms = expand_prefix(c, last.lower(), LAZY_TERMS + 1)
        if not terms:
            return None
        if len(terms) <= LAZY_TERMS:
            head = [_quote(w) for w in words[:-1]]
            tail = "(" + " OR ".join(_quote(t) for t in terms) + ")"
            return " AND ".join([*head, tail]), True
    expression = fts_query(text)
    return (expression, False) if expression is not None else None


def _count_up_to(c: sqlite3.Connection, match: str, bound: int) -> int:
    sql = "SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? LIMIT ?)"
    return int(c.execute(sql, (match, bound)).fetchone()[0])


def _ordered(conds: Sequence[str], order: Order) -> str:
    return (
        f"FROM messages m WHERE {' AND '.join(conds)} "
        f"ORDER BY m.date {order}, m.message_id {order} LIMIT ?"
    )


def _collect_and_sort(
    c: sqlite3.Connection, conds: list[str], params: list[Any], order: Order, n: int, match: str
) -> list[Any]:
    """The plain plan: every match, looked up and sorted (best when matches are few)."""
    where = [*conds, "m.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)"]
    return c.execute(f"SELECT {COLUMNS} {_ordered(where, order)}", [*params, match, n]).fetchall()


def _walk_date_index(
    c: sqlite3.Connection, conds: list[str], params: list[Any], order: Order, n: int, match: str
) -> list[Any]:
    """Walk rows in page order and keep those in the match set, stopping after ``n``.

    The unary ``+`` stops SQLite from driving the query from the match set, so it builds that
    set once and reads the date index in order (no sort, early stop).
    """
    where = [*conds, "+m.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)"]
    return c.execute(f"SELECT {COLUMNS} {_ordered(where, order)}", [*params, match, n]).fetchall()


def split_ranges(
    low: int, high: int, gaps: Sequence[tuple[int, int]], most: int
) -> list[tuple[int, int]]:
    """Cover ``low..high`` minus the widest ``most - 1`` of ``gaps`` (``(before, after)``
    pairs of neighbouring rowids with nothing between them)."""
    widest = sorted(gaps, key=lambda g: g[1] - g[0], reverse=True)[: most - 1]
    ranges: list[tuple[int, int]] = []
    start = low
    for before, after in sorted(widest):
        ranges.append((start, before))
        start = after
    ranges.append((start, high))
    return ranges


class _Chunk:
    """The next ``size`` rows in page order after the walk's current bound, as SQL."""

    def __init__(self, conds: list[str], params: list[Any], order: Order, size: int) -> None:
        self.sql = (
            f"SELECT m.rowid AS rid, m.date AS d, m.message_id AS id {_ordered(conds, order)}"
        )
        self.params = [*params, size]
        self.order = order

    def ranges(
        self, c: sqlite3.Connection, count: int, low: int, high: int
    ) -> list[tuple[int, int]]:
        """Rowid ranges that hold every row of the chunk and few others.

        Rowids follow insertion order, which mostly follows date, so the newest rows by date
        usually sit in one dense run, plus stragglers (say, replies stored before the history
        around them). Gaps narrower than the chunk are not worth another FTS query.
        """
        if high - low < 4 * count:
            return [(low, high)]
        gaps = c.execute(
            f"SELECT before, rid FROM (SELECT rid, lag(rid) OVER (ORDER BY rid) AS before "
            f"FROM ({self.sql})) WHERE rid - before > ? ORDER BY rid - before DESC LIMIT ?",
            [*self.params, count, MAX_RANGES - 1],
        ).fetchall()
        return split_ranges(low, high, [(int(g[0]), int(g[1])) for g in gaps], MAX_RANGES)

    def hits(self, c: sqlite3.Connection, match: str) -> tuple[list[int], int, tuple[int, str]]:
        """The chunk's matching rowids in page order, its size and its last row's key."""
        count, low, high = c.execute(
            f"SELECT count(*), min(rid), max(rid) FROM ({self.sql})", self.params
        ).fetchone()
        if not count:
            return [], 0, (0, "")
        ranges = self.ranges(c, int(count), int(low), int(high))
        arms = " UNION ALL ".join(
            "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid BETWEEN ? AND ?"
            for _ in ranges
        )
        arm_params: list[Any] = []
        for lo, hi in ranges:
            arm_params.extend([match, lo, hi])
        o = self.order
        found = c.execute(
            f"SELECT rid FROM ({self.sql}) WHERE rid IN ({arms}) ORDER BY d {o}, id {o}",
            [*self.params, *arm_params],
        ).fetchall()
        r = "DESC" if o == "ASC" else "ASC"  # the last row in page order comes first reversed
        last = c.execute(
            f"SELECT d, id FROM ({self.sql}) ORDER BY d {r}, id {r} LIMIT 1", self.params
        ).fetchone()
        return [int(f[0]) for f in found], int(count), (int(last[0]), str(last[1]))


def _walk_chunks(
    c: sqlite3.Connection, conds: list[str], params: list[Any], order: Order, n: int, match: str
) -> list[Any]:
    """Test the newest rows chunk by chunk; FTS only reads the rowid ranges they occupy."""
    cmp = "<" if order == "DESC" else ">"
    hits: list[int] = []
    where, p = conds, params
    size = FIRST_CHUNK
    walked = 0
    while True:
        found, count, last = _Chunk(where, p, order, size).hits(c, match)
        hits.extend(found)
        walked += count
        if len(hits) >= n or count < size:
            return _rows_by_rowid(c, hits[:n])
        # the next chunk starts after this one's last row
        where = [*conds, f"(m.date, m.message_id) {cmp} (?, ?)"]
        p = [*params, *last]
        if walked >= WALK_BUDGET:
            # sparse here although common overall: let the match set drive the rest
            rest = _walk_date_index(c, where, p, order, n - len(hits), match)
            return _rows_by_rowid(c, hits) + rest
        size *= 4


def _rows_by_rowid(c: sqlite3.Connection, rowids: list[int]) -> list[Any]:
    if not rowids:
        return []
    sql = f"SELECT m.rowid, {COLUMNS} FROM messages m WHERE m.rowid IN (SELECT value FROM json_each(?))"
    found = {r[0]: r[1:] for r in c.execute(sql, (json.dumps(rowids),)).fetchall()}
    return [found[i] for i in rowids]


def search_rows(
    c: sqlite3.Connection,
    conds: list[str],
    params: list[Any],
    order: Order,
    n: int,
    text: str,
) -> list[Any]:
    """The first ``n`` rows (``COLUMNS``, table ``m``) meeting ``conds`` and matching ``text``.

    ``conds`` hold every other filter and the keyset bound. Call inside one read transaction
    so the term expansion and the queries see the same snapshot.
    """
    plan = match_expression(c, text)
    if plan is None:
        return []
    match, lazy = plan
    if _count_up_to(c, match, RARE_MATCHES) < RARE_MATCHES:
        return _collect_and_sort(c, conds, params, order, n, match)
    if not lazy:
        return _walk_date_index(c, conds, params, order, n, match)
    return _walk_chunks(c, conds, params, order, n, match)


def in_snapshot(c: sqlite3.Connection, fn: Callable[[], T]) -> T:
    """Run ``fn``'s reads in one read transaction (one WAL snapshot)."""
    c.execute("BEGIN")
    try:
        return fn()
    finally:
        if c.in_transaction:
            c.execute("COMMIT")
