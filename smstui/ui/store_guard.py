"""List sources that survive a store the app cannot use: empty lists instead of tracebacks,
the failure reported to the app (its ``StoreBanner`` says what is wrong and what to run).

Imported when a list is first built, not with the app: it loads the store's modules.
"""

from __future__ import annotations

from collections.abc import Callable

from smstui.core.errors import StoreError
from smstui.core.service.history import MessageFilter, MessageRows, StoredMessage

OnStoreError = Callable[[StoreError], None]


class GuardedRows:
    """A ``RowSource[StoredMessage]`` over ``rows`` that reads as empty when the store fails
    (or cannot even be opened), and reports why."""

    def __init__(self, rows: MessageRows, on_error: OnStoreError) -> None:
        self.inner = rows
        self.on_error = on_error

    @property
    def filters(self) -> MessageFilter:
        return self.inner.filters

    def forget(self) -> None:
        self.inner.forget()

    def count(self) -> int:
        try:
            return self.inner.count()
        except StoreError as err:  # runs in a worker thread: on_error must be thread-safe
            self.on_error(err)
            return 0

    def rows(self, start: int, limit: int) -> list[StoredMessage]:
        try:
            return self.inner.rows(start, limit)
        except StoreError as err:
            self.on_error(err)
            return []
