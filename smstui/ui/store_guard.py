"""The app on a store it cannot use: a banner instead of a crash, empty lists instead of
tracebacks, and the draft kept in the window.

A damaged file, a full disk, a read-only folder or a lock held for good all raise
``StoreError``. The app shows it once in ``StoreBanner`` (what is wrong, what to run) and goes
on: lists read as empty, the Compose draft stays in its fields (it cannot be saved, and the
banner says so), sending is refused by the outbox (it must be recorded before it goes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from smstui.core.errors import StoreError
from smstui.core.store import MessageStore, StoredMessage
from smstui.core.store_query import MessageFilter
from smstui.ui.safe_text import visible
from smstui.ui.store_source import StoreSource

OnStoreError = Callable[[StoreError], None]
#: problems that go away when the user frees space, ends a process or fixes permissions
TRANSIENT = frozenset({"full", "locked", "readonly", "cantopen"})
#: the stand-in for a store that cannot be opened: lists read from it, nothing writes to it
_EMPTY = Path(":memory:")

DRAFT_NOTE = (
    "Your draft stays in this window but cannot be saved until this is fixed; "
    "sending is off (every send is recorded first)."
)


class StoreBanner(Static):
    """One line across the top while the store cannot be used (hidden otherwise)."""

    DEFAULT_CSS = """
    StoreBanner {
        display: none;
        height: auto;
        padding: 0 1;
        background: $error;
        color: $text;
        &.-shown { display: block; }
    }
    """

    def __init__(self) -> None:
        super().__init__("", id="store-banner")
        self.error: StoreError | None = None

    def show_error(self, error: StoreError) -> None:
        self.error = error
        text = Text("⚠ Message store: ", style="bold", end="")
        # the path and SQLite's words are data: shown as plain text, never as markup
        text.append(visible(f"{error.message} {error.hint} {DRAFT_NOTE}"))
        self.update(text)
        self.add_class("-shown")

    def store_worked(self) -> None:
        """A write just succeeded: a full disk, a lock or a read-only folder may have been
        fixed meanwhile, so their banner goes; damage does not mend itself, its banner stays."""
        if self.error is not None and self.error.problem in TRANSIENT:
            self.error = None
            self.update("")
            self.remove_class("-shown")


class GuardedStoreSource(StoreSource):
    """A ``StoreSource`` that reads as empty when the store fails, and reports why."""

    def __init__(
        self, store: MessageStore, filters: MessageFilter | None, on_error: OnStoreError
    ) -> None:
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
    open_store: Callable[[], MessageStore], filters: MessageFilter | None, on_error: OnStoreError
) -> StoreSource:
    """The list source for ``filters``; when the store cannot even be opened, an empty one
    (an in-memory store nothing is ever written to) with the error reported."""
    try:
        store = open_store()
    except StoreError as err:
        on_error(err)
        store = MessageStore(_EMPTY)
    return GuardedStoreSource(store, filters, on_error)
