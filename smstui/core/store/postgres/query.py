"""Filters and searches as PostgreSQL conditions on table ``m`` (``%s`` parameters only: no
user text is ever pasted into SQL or into a ``tsquery``)."""

from __future__ import annotations

import re
from typing import Any

from smstui.core.store.dialect import POSTGRES
from smstui.core.store.postgres.schema import FOLD_FROM, FOLD_TO
from smstui.core.store.query import MessageFilter

#: diacritics off, as the search column has them (schema._fold_table)
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)

#: the words of a search as the ``search`` column holds them (runs of letters and digits)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
#: a search that is one number (``+6141``, ``0411``) or one reference (a message id prefix)
_NUMBER = re.compile(r"^\+?\d{3,}$")
_REFERENCE = re.compile(r"^[0-9A-Za-z-]{8,}$")


def ts_query(text: str) -> str | None:
    """A ``to_tsquery('simple', ...)`` text that cannot fail to parse: every word quoted and
    ANDed, the last one a prefix (search as you type). None when there is no word."""
    words = _WORD.findall(text.translate(_FOLD))
    if not words:
        return None
    terms = [f"'{w}'" for w in words]  # letters and digits only: nothing to escape
    terms[-1] += ":*"
    return " & ".join(terms)


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def text_condition(text: str) -> tuple[str, list[Any]]:
    """The condition for a search: the full-text index, OR'd with a b-tree prefix walk when
    the search is a number (E.164 numbers are stored with '+') or a reference."""
    query = ts_query(text)
    if query is None:
        return "false", []  # only punctuation: nothing can match it
    conds = ["m.search @@ to_tsquery('simple', %s)"]
    params: list[Any] = [query]
    token = text.strip()
    if _NUMBER.match(token):
        prefix = _like_prefix("+" + token.lstrip("+"))
        conds.append('m."to" LIKE %s OR m."from" LIKE %s')
        params += [prefix, prefix]
    elif _REFERENCE.match(token):
        conds.append("m.message_id LIKE %s")
        params.append(_like_prefix(token.upper()))
    return "(" + " OR ".join(conds) + ")", params


#: how many of the newest rows (under the other filters) a search looks through for a page
WINDOW = 5000


def matches_soon(
    c: Any,
    base: str,
    base_params: list[Any],
    text: str,
    text_params: list[Any],
    order: str,
    want: int,
) -> bool:
    """Whether the ``WINDOW`` rows first in page order under ``base`` hold ``want`` rows
    matching ``text``: then walking the date index finds the page soon. A bounded look (an
    index range and at most WINDOW rows), whatever the search matches in all."""
    row = c.execute(
        f'SELECT COUNT(*) FROM (SELECT m.search, m."to", m."from", m.message_id '
        f"FROM messages m WHERE {base} ORDER BY m.date {order}, m.message_id {order} "
        f"LIMIT %s) m WHERE {text}",
        [*base_params, WINDOW, *text_params],
    ).fetchone()
    return row is not None and int(row[0]) >= want


def where_clause(account: str, filters: MessageFilter) -> tuple[list[str], list[Any]]:
    """``store.query.where_clause`` for PostgreSQL: same filters, same meaning."""
    conds = ["m.account = %s"]
    params: list[Any] = [account]
    if filters.direction is not None:
        conds.append("m.direction = %s")
        params.append(filters.direction)
    if filters.statuses is not None:
        if not filters.statuses:
            conds.append("false")
        else:
            # SQLite compares status with NOCASE
            conds.append("lower(m.status) = ANY(%s)")
            params.append(sorted({s.lower() for s in filters.statuses}))
    if filters.number:
        conds.append('(m."to" = %s OR m."from" = %s)')
        params.extend([filters.number, filters.number])
    if filters.date_from is not None:
        conds.append("m.date >= %s")
        params.append(int(filters.date_from.timestamp()))
    if filters.date_to is not None:
        conds.append("m.date < %s")
        params.append(int(filters.date_to.timestamp()))
    if filters.unread_only:
        # per operator: read for everyone, or by this connection's operator (dialect.py)
        conds.append(POSTGRES.unread)
    if filters.text is not None and filters.text.strip():
        cond, more = text_condition(filters.text)
        conds.append(cond)
        params.extend(more)
    return conds, params
