"""Rows by index for a virtual list, fetched from a ``RowSource`` a page at a time and kept in
a small LRU cache, so that scrolling touches the store only when it crosses into a page not
seen recently. Apart from ``VirtualList`` (which paints them) so either can be read alone.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)

PAGE_SIZE = 200
#: pages of rows kept per list (3,200 rows at the default page size), least recently used out
CACHE_PAGES = 16


class RowSource(Protocol[R_co]):
    def count(self) -> int: ...
    def rows(self, start: int, limit: int) -> Sequence[R_co]: ...


class PageCache(Generic[R]):
    """Rows by index, fetched a page at a time; remembers the last ``CACHE_PAGES`` pages.

    The total is not needed to paint: counting a million filtered rows costs more than the
    first page, so the list paints from pages and learns the count later (``set_count``).
    Until then ``estimate()`` is the rows seen so far plus one page.
    """

    def __init__(self, source: RowSource[R], page_size: int = PAGE_SIZE) -> None:
        self.source = source
        self.page_size = page_size
        self.fetches = 0  # pages read from the source (benchmarks and tests look at it)
        self._pages: OrderedDict[int, Sequence[R]] = OrderedDict()
        self._count: int | None = None
        self._seen_end = 0  # rows [0, _seen_end) are known to exist

    @property
    def count_known(self) -> bool:
        return self._count is not None

    def count(self) -> int:
        """The exact total (asks the source when it is not known yet)."""
        if self._count is None:
            self._count = self.source.count()
        return self._count

    def set_count(self, total: int) -> None:
        self._count = total

    def estimate(self) -> int:
        if self._count is not None:
            return self._count
        return self._seen_end + self.page_size

    def get(self, index: int) -> R | None:
        if index < 0 or (self._count is not None and index >= self._count):
            return None
        page_no, offset = divmod(index, self.page_size)
        page = self._pages.get(page_no)
        if page is None:
            start = page_no * self.page_size
            page = self.source.rows(start, self.page_size)
            self.fetches += 1
            self._pages[page_no] = page
            if len(self._pages) > CACHE_PAGES:
                self._pages.popitem(last=False)
            self._seen_end = max(self._seen_end, start + len(page))
            if len(page) < self.page_size and self._count is None and (page or start == 0):
                self._count = start + len(page)  # a short page is the last one
        else:
            self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    def clear(self) -> None:
        """Forget every row and the total; a source that memoises them forgets too."""
        self._pages.clear()
        self._count = None
        self._seen_end = 0
        forget = getattr(self.source, "forget", None)
        if callable(forget):
            forget()
