"""Walk a ClickSend history listing strictly enough to prove a message is *absent*.

Reconciliation resends a message whose answer was lost only when history shows it is not
there. The lenient list parser (``clicksend._page``) reads ``null``, ``"{}"``, ``[[], [[]]]``
or a record it cannot parse as "nothing here", which is right for browsing and wrong as
evidence: each of those once made the outbox resend a message ClickSend had already sent.
Here any doubt raises ``MalformedResponseError`` (the caller keeps the message unknown and
asks again later):

* the answer must be a list of objects or a paginator whose ``data`` is a list of objects;
* every object must parse as a history record (one unreadable record could be ours);
* a paginator is followed to its last page, and a page must be the page asked for;
* a bare list carries no paging, so it proves absence only when it is shorter than the
  ``limit`` asked for (a full one may be the first page of many);
* more than ``max_pages`` pages is "could not finish looking", never "not found".

Presence needs no such care: one matching record is proof, so once a match is found a later
page that cannot be read ends the walk with what was found.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from smstui.core.clicksend import coerce as c
from smstui.core.errors import MalformedResponseError

T = TypeVar("T")

__all__ = ["find_in_history"]


def _inconclusive(why: str) -> MalformedResponseError:
    return MalformedResponseError(f"ClickSend's history answer {why}; cannot tell if it was sent.")


def _records(data: Any, limit: int) -> tuple[list[dict[str, Any]], int | None, int | None]:
    """``(records, current_page, last_page)``; pages are ``None`` for a bare list."""
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        # a list wrapping one paginator (the current docs' shape for some lists)
        inner = data[0]
        if isinstance(inner.get("data"), list):
            data = inner
    if isinstance(data, dict):
        raw = data.get("data")
        if not isinstance(raw, list):
            raise _inconclusive("held no list")
        if not all(isinstance(r, dict) for r in raw):
            raise _inconclusive("listed something other than records")
        if "current_page" not in data or "last_page" not in data:
            # no paging information: as good as a bare list
            return raw, None, None
        current = c.integer(data.get("current_page"), default=-1)
        last = c.integer(data.get("last_page"), default=-1)
        if current < 1 or last < 0:
            raise _inconclusive("had unreadable paging")
        return raw, current, last
    if isinstance(data, list):
        if not all(isinstance(r, dict) for r in data):
            raise _inconclusive("listed something other than records")
        return data, None, None
    raise _inconclusive("held no list")


async def find_in_history(
    fetch: Callable[[int], Awaitable[Any]],
    parse: Callable[[dict[str, Any]], T | None],
    matches: Callable[[T], bool],
    *,
    limit: int,
    max_pages: int,
) -> list[T]:
    """The records of a listing that ``matches``; ``[]`` only when the listing proves it.

    ``fetch(page)`` returns the ``data`` of one history answer (1-based pages, ``limit``
    records per page). Raises ``MalformedResponseError`` when absence cannot be proven.
    """
    found: list[T] = []
    page_no = 1
    while True:
        try:
            if page_no > max_pages:
                raise _inconclusive(f"ran past {max_pages} pages")
            records, current, last = _records(await fetch(page_no), limit)
        except MalformedResponseError:
            if found:
                return found  # presence is already proven
            raise
        parsed = [parse(r) for r in records]
        found.extend(p for p in parsed if p is not None and matches(p))
        if any(p is None for p in parsed) and not found:
            raise _inconclusive("held a record that could not be read")
        if current is None or last is None:
            if len(records) >= limit and not found:
                raise _inconclusive("may be one page of many")
            return found
        if current != page_no:
            if found:
                return found
            raise _inconclusive(f"gave page {current} when page {page_no} was asked for")
        if current >= last:
            return found
        page_no += 1
