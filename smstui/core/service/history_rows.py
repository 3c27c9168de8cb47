"""Row-by-index access to the message store for the virtual lists, by keyset paging.

``VirtualList`` asks for aligned pages by index; the store pages by key (never OFFSET). We
remember the key that ends each page we have read, so scrolling (the common case) always
continues from a known key. A jump far from any known key (scrollbar drag, ``G``) finds its
starting key with one index-only query, then pages by key again.
"""

from __future__ import annotations

from collections.abc import Callable

from smstui.core.store.message_store import Cursor, MessageFilter, MessageStore, StoredMessage

#: a key older than any message: ``before=`` it reads from the oldest end
_OLDEST = Cursor(-(2**62), "")
#: page-end keys remembered (one per page read: 4,096 pages of 200 rows is 800k rows scrolled
#: through, ~0.5 MB); past it the oldest is forgotten, and a jump there costs one index query
KEYS_KEPT = 4096


class MessageRows:
    """A ``RowSource[StoredMessage]`` over the store narrowed by ``filters``, newest first.

    ``open_store`` is asked for the store on every read (the workspace keeps it open): a
    store that cannot be opened raises ``StoreError`` here, for the caller to report."""

    def __init__(
        self, open_store: Callable[[], MessageStore], filters: MessageFilter | None = None
    ) -> None:
        self._open_store = open_store
        self.filters = filters or MessageFilter()
        self._ends: dict[int, Cursor] = {}  # first index of a page -> key of the row before it
        self._count: int | None = None

    @property
    def store(self) -> MessageStore:
        return self._open_store()

    def forget(self) -> None:
        """The store changed: the total and the row indexes of known keys may be wrong now."""
        self._ends.clear()
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self._count_apart()
        return self._count

    def _count_apart(self) -> int:
        """Count on a connection of its own: the list counts in a worker thread, and a count
        over a million rows (a common search word: a second) must not hold the store's lock
        while the UI reads the next page through it. WAL lets both read at once."""
        store = self.store
        if str(store.path) == ":memory:":
            return store.count(self.filters)  # a second connection would see another DB
        with MessageStore(store.path, account=store.account) as counter:
            return counter.count(self.filters)

    def rows(self, start: int, limit: int) -> list[StoredMessage]:
        # never counts: the list paints its first page before the (slower) count is known
        total = self._count
        if total is not None and start >= total:
            return []
        store = self.store
        if start == 0:
            page = store.page(limit=limit, filters=self.filters)
        elif start in self._ends:
            page = store.page(after=self._ends[start], limit=limit, filters=self.filters)
        elif total is not None and start + limit >= total:
            # the last page: read it from the oldest end, no scan over everything newer
            page = store.page(before=_OLDEST, limit=total - start, filters=self.filters)
        else:
            key = self._key_before(start)
            if key is None:
                return []  # past the last row
            page = store.page(after=key, limit=limit, filters=self.filters)
        if page.rows:
            self._ends[start + len(page.rows)] = page.rows[-1].cursor
            if len(self._ends) > KEYS_KEPT:
                del self._ends[next(iter(self._ends))]  # the oldest remembered
        return page.rows

    def _key_before(self, index: int) -> Cursor | None:
        """The key of row ``index - 1`` (one index-only query; only for far jumps)."""
        return self.store.key_at(index - 1, self.filters)
