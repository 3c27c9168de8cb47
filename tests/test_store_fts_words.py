"""A search leaves out the words SQLite's FTS5 tokenizer would not index, so a count and a page
of the same search agree (hypothesis found "_:A": count 3, page empty)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.sandbox_app import sent_bodies

from smstui.core.store.message_store import MessageFilter, MessageStore
from smstui.core.store.query import FTS_SEPARATOR_LETTERS, fts_query, fts_words


def test_the_separator_letters_are_the_word_characters_this_sqlite_splits_at() -> None:
    word = re.compile(r"\w")
    chars = [
        chr(i) for i in range(0x20, 0x110000) if not 0xD800 <= i <= 0xDFFF and word.match(chr(i))
    ]
    c = sqlite3.connect(":memory:")
    c.execute("CREATE VIRTUAL TABLE f USING fts5(body)")  # the store's tokenizer: unicode61
    c.executemany(
        "INSERT INTO f(rowid, body) VALUES (?, ?)", enumerate((f"qq{ch}zz" for ch in chars), 1)
    )
    # "qq" is a token of its own only where the character between split the word
    split = {chars[r - 1] for (r,) in c.execute("""SELECT rowid FROM f WHERE f MATCH '"qq"'""")}
    c.close()
    ours = {ch for ch in chars if re.fullmatch(f"[{FTS_SEPARATOR_LETTERS}]", ch)}
    assert "_" in split
    assert ours == split


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("_:A", ["A"]),
        ("foo_bar", ["foo_bar"]),  # a phrase, as FTS reads the stored "foo_bar"
        ("\u19b0 invoice", ["invoice"]),
        ("___", []),
        ("héllo wörld", ["héllo", "wörld"]),
    ],
)
def test_words_leave_out_what_fts_would_not_index(text: str, words: list[str]) -> None:
    assert fts_words(text) == words
    assert (fts_query(text) is None) == (not words)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MessageStore]:
    s = MessageStore(tmp_path / "s.db")
    bodies = [
        "plain words",
        'quote " and * star',
        "NEAR(a b) OR c",
        "snake_case name",
        "Ana's invoice",
    ]
    s.upsert_history(sent_bodies(bodies))
    yield s
    s.close()


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        ("_:A", 3),  # the bodies with a word starting with "a": "and", "a", "Ana's"
        ("\u19b0:A", 3),
        ("snake_case", 1),
        ("_ invoice", 1),
        ("_", 0),
    ],
)
def test_a_search_counts_the_rows_its_page_shows(store: MessageStore, text: str, hits: int) -> None:
    f = MessageFilter(text=text)
    page = store.page(limit=10, filters=f)
    assert len(page.rows) == hits
    assert store.count(f) == hits
