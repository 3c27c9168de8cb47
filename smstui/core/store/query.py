"""Filters, keyset cursors and safe full-text queries for ``MessageStore``.

Everything here builds SQL fragments with ``?`` parameters only: no user text is ever pasted
into SQL or into an FTS5 expression unquoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smstui.core.models import Direction


@dataclass(frozen=True, slots=True, order=True)
class Cursor:
    """A position in the (date DESC, message_id DESC) order: the key of one row."""

    date: int
    message_id: str


@dataclass(frozen=True, slots=True)
class MessageFilter:
    direction: Direction | None = None
    #: ClickSend statuses (case-insensitive), e.g. ``{"Failed", "Cancelled"}``
    statuses: frozenset[str] | None = None
    #: an E.164 number on either side of the message
    number: str | None = None
    date_from: datetime | None = None  # inclusive
    date_to: datetime | None = None  # exclusive
    #: free text from the user; sanitised into a safe FTS5 query
    text: str | None = None
    unread_only: bool = False


_WORD = re.compile(r"\w+", re.UNICODE)
#: characters Python's ``\w`` calls part of a word but SQLite's ``unicode61`` tokenizer (Unicode
#: 6.1 tables) splits words at: the underscore, and letters later Unicode versions reclassified
#: (New Tai Lue vowel signs, two Vedic signs). Inside a word they only split it, as in the
#: stored text ("x_y" is the phrase "x y"). A word made only of them is an empty phrase to
#: FTS5, which an implicit AND skips but an explicit ``AND`` turns into no match at all: a
#: count and a page of the same search disagreed ("_:A": 3 and 0). Such words are left out.
#: ``tests/test_store_fts_words.py`` checks this set against the SQLite in use.
FTS_SEPARATOR_LETTERS = "_\u19b0-\u19c0\u19c8\u19c9\u1cf2\u1cf3"
_NO_TOKEN = re.compile(f"[{FTS_SEPARATOR_LETTERS}]+")


def fts_words(text: str) -> list[str]:
    """The words of a search, as ``fts_query`` quotes them (none that FTS would not index)."""
    return [word for word in _WORD.findall(text) if not _NO_TOKEN.fullmatch(word)]


def fts_query(text: str) -> str | None:
    """Turn arbitrary user input into an FTS5 MATCH expression that cannot fail to parse.

    Each word becomes a quoted phrase (so ``AND``/``NEAR``/``*``/``"``/``:`` typed by a user are
    just characters), words are ANDed, and the last one is a prefix so search-as-you-type works.
    Returns None when the input has no searchable word.
    """
    words = fts_words(text)
    if not words:
        return None
    phrases = ['"' + w.replace('"', '""') + '"' for w in words]
    phrases[-1] += "*"
    return " ".join(phrases)


def where_clause(account: str, filters: MessageFilter) -> tuple[list[str], list[Any]]:
    """SQL conditions (ANDed) and their parameters for ``filters`` on table ``m``."""
    conds = ["m.account = ?"]
    params: list[Any] = [account]
    if filters.direction is not None:
        conds.append("m.direction = ?")
        params.append(filters.direction)
    if filters.statuses is not None:
        statuses = sorted(filters.statuses)
        if not statuses:
            conds.append("0")
        else:
            conds.append(f"m.status IN ({','.join('?' * len(statuses))})")
            params.extend(statuses)
    if filters.number:
        conds.append('(m."to" = ? OR m."from" = ?)')
        params.extend([filters.number, filters.number])
    if filters.date_from is not None:
        conds.append("m.date >= ?")
        params.append(int(filters.date_from.timestamp()))
    if filters.date_to is not None:
        conds.append("m.date < ?")
        params.append(int(filters.date_to.timestamp()))
    if filters.unread_only:
        conds.append("m.direction = 'in' AND m.read = 0")
    if filters.text is not None and filters.text.strip():
        match = fts_query(filters.text)
        if match is None:
            conds.append("0")  # only punctuation: nothing can match it
        else:
            conds.append("m.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)")
            params.append(match)
    return conds, params
