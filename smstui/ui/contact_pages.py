"""Row sources for the Contacts tab's virtual lists.

``VirtualList`` reads rows synchronously while painting, but a list's contacts live on
ClickSend. ``ContactPages`` answers at once with what it has and a ``LOADING`` stand-in for
rows not fetched yet, and asks its owner to fetch the missing ClickSend pages (100 contacts
each) in a worker; when one arrives the owner stores it and repaints. Only pages the user
scrolls to are ever requested, so a 20,000-contact list costs one request to open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final, Generic, TypeVar

from smstui.core.models import Contact, Page

T = TypeVar("T")

#: contacts per ClickSend request (the API's maximum ``limit``)
CLICKSEND_PAGE: Final = 100
#: fetched pages kept per list (6,400 contacts, a few MB); the oldest fetched goes first and is
#: fetched again if scrolled back to. More than the list's own row cache (``CACHE_PAGES``)
#: holds, so rows on screen are never the ones dropped
PAGES_KEPT: Final = 64


class Loading:
    """Stands in for a row whose page is still being fetched."""

    __slots__ = ()


LOADING: Final = Loading()


class ContactPages:
    """``RowSource[Contact | Loading]`` over one list, fetched a ClickSend page at a time."""

    def __init__(self, list_id: str, total: int, request: Callable[[int], None]) -> None:
        self.list_id = list_id
        self.total = total
        self._request = request  # called with a 1-based page number not loaded yet
        self._pages: dict[int, list[Contact]] = {}
        self.pending: set[int] = set()

    def count(self) -> int:
        return self.total

    def rows(self, start: int, limit: int) -> list[Contact | Loading]:
        out: list[Contact | Loading] = []
        end = min(self.total, start + limit)
        index = start
        while index < end:
            page_no = index // CLICKSEND_PAGE + 1
            offset = index % CLICKSEND_PAGE
            take = min(end - index, CLICKSEND_PAGE - offset)
            page = self._pages.get(page_no)
            if page is None:
                out.extend([LOADING] * take)
                if page_no not in self.pending:
                    self.pending.add(page_no)
                    self._request(page_no)
            else:
                chunk: list[Contact | Loading] = list(page[offset : offset + take])
                out.extend(chunk + [LOADING] * (take - len(chunk)))
            index += take
        return out

    def put(self, page: Page[Contact], page_no: int) -> None:
        """A fetched page; ClickSend's ``total`` wins over the count we started from."""
        self.pending.discard(page_no)
        self._pages.pop(page_no, None)  # a page fetched again is the newest
        self._pages[page_no] = list(page.items)
        while len(self._pages) > PAGES_KEPT:
            del self._pages[next(iter(self._pages))]
        if page.total or not page.items:
            self.total = page.total

    def failed(self, page_no: int) -> None:
        self.pending.discard(page_no)


class ListSource(Generic[T]):
    """A ``RowSource`` over rows already in memory (lists, search hits, campaigns)."""

    def __init__(self, items: Sequence[T]) -> None:
        self.items = list(items)

    def count(self) -> int:
        return len(self.items)

    def rows(self, start: int, limit: int) -> list[T]:
        return self.items[start : start + limit]
