"""List sources that survive a store the app cannot use: empty lists instead of tracebacks,
the failure reported to the app (its ``StoreBanner`` says what is wrong and what to run).

Imported when a list is first built, not with the app: it loads the store's modules.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smstui.core.errors import StoreError
from smstui.core.store.contract import Store
from smstui.core.store.message_store import MessageStore, StoredMessage
from smstui.core.store.query import MessageFilter
from smstui.ui.store_source import StoreSource

OnStoreError = Callable[[StoreError], None]
#: the stand-in for a store that cannot be opened: lists read from it, nothing writes to it
_EMPTY = Path(":memory:")


class GuardedStoreSource(StoreSource):
    """A ``StoreSource`` that reads as empty when the store fails, and reports why."""

    def __init__(self, store: Store, filters: MessageFilter | None, on_error: OnStoreError) -> None:
        super().__init__(store, filters)
        self.on_error = on_error

    def count(self) -> int:
        try:
            return super().count()
        except StoreError as err:  # runs in a worker thread: on_error must be thread-safe
            self.on_error(err)
            return 0

    def rows(self, start: int, limit: int) -> list[StoredMessage]:
        try:
            return super().rows(start, limit)
        except StoreError as err:
            self.on_error(err)
            return []


def guarded_source(
    open_store: Callable[[], Store], filters: MessageFilter | None, on_error: OnStoreError
) -> StoreSource:
    """The list source for ``filters``; when the store cannot even be opened, an empty one
    (an in-memory store nothing is ever written to) with the error reported."""
    store: Store
    try:
        store = open_store()
    except StoreError as err:
        on_error(err)
        store = MessageStore(_EMPTY)
    return GuardedStoreSource(store, filters, on_error)
