"""The banner across the top while the message store cannot be used.

A damaged file, a full disk, a read-only folder or a lock held for good all raise
``StoreError``. The app shows it here once (what is wrong, what to run) and goes on: lists
read as empty, the Compose draft stays in its fields (it cannot be saved, and the banner says
so), and a send that cannot be recorded first is refused by the outbox.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from smstui.core.errors import StoreError
from smstui.ui.safe_text import visible

#: problems that go away when the user frees space, ends a process or fixes permissions
TRANSIENT = frozenset({"full", "locked", "readonly", "cantopen", "unreachable"})
#: problems a successful read already shows to be over (the team database answers again);
#: a read says nothing about a full disk or a lock, which only a write clears
READ_CLEARS = frozenset({"unreachable"})
DRAFT_NOTE = (
    "Your draft stays in this window but cannot be saved until this is fixed; "
    "a message is sent only if it can be recorded first."
)
#: the team database is away: nothing can be read, saved or sent until it answers
UNREACHABLE_NOTE = (
    "Read-only until it answers: your draft stays in this window, and nothing is sent "
    "(a message leaves only once the team store has recorded it). This banner goes by "
    "itself when the database is back."
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
        team = error.problem == "unreachable"
        text = Text("⚠ Team store: " if team else "⚠ Message store: ", style="bold", end="")
        note = UNREACHABLE_NOTE if team else DRAFT_NOTE
        # the path and SQLite's (or the server's) words are data: plain text, never markup
        text.append(visible(f"{error.message} {error.hint} {note}"))
        self.update(text)
        self.add_class("-shown")

    def store_worked(self, *, wrote: bool = True) -> None:
        """A write (or, ``wrote=False``, a read) just succeeded: a full disk, a lock, a
        read-only folder or an unreachable server may have been fixed meanwhile, so their
        banner goes; damage does not mend itself, its banner stays."""
        cleared = TRANSIENT if wrote else READ_CLEARS
        if self.error is not None and self.error.problem in cleared:
            self.error = None
            self.update("")
            self.remove_class("-shown")
