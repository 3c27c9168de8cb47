"""The tab contract: what every tab body is to the app.

A tab is built when first opened (``SmsApp`` builds it with its own screen), takes focus through
``focus_default`` when the user switches to it, re-reads what it shows through ``reload``
when one of the requests in ``RELOADS_ON`` reaches the app, and may take requests meant for
it (``take``: "open in Compose" for Compose). Everything else between tabs is messages
(``smstui.ui.messages``). A tab's id, titles and key are its line in ``registry.py``.

Mix it in after the container that gives the tab its layout:
``class InboxTab(Vertical, SmsTab)``. After, because Textual takes a widget's default CSS
(and CSS type names) from the first base class chain only: ``SmsTab`` first would drop
``Vertical``/``Horizontal``'s layout rules.
"""

from __future__ import annotations

from typing import ClassVar

from textual import getters
from textual.message import Message
from textual.widget import Widget

from smstui.ui.shell import SmsShell


class SmsTab(Widget):
    #: the app, typed: what tabs rely on (the backend, guarded calls, the store banner)
    app = getters.app(SmsShell)
    #: requests (``StoreChanged``, ``TemplatesChanged``) after which this tab re-reads
    RELOADS_ON: ClassVar[frozenset[type[Message]]] = frozenset()

    @property
    def is_built(self) -> bool:
        """Mounted with what its ``compose()`` gave. False for a tab the app quit while
        building it (Compose right after the first frame, History ahead of time): Textual
        mounts nothing into a closing widget, so such a tab has nothing to update, though
        notices queued before it closed still reach it."""
        return self.is_mounted and bool(self.children)

    def focus_default(self) -> None:
        """Focus the widget a user arriving on this tab starts from."""
        raise NotImplementedError(f"{type(self).__name__} must say where focus goes")

    def reload(self) -> None:
        """Re-read what the tab shows (after one of ``RELOADS_ON``). Nothing by default."""

    def store_back(self) -> None:
        """The store opened after this tab was built (it was away: a team database not
        answering, a lock). Lists re-read anyway (``StoreChanged``); this is for state read
        once at build. Nothing by default."""

    def take(self, request: Message) -> None:
        """A request routed to this tab by the registry (``TabSpec.takes``). Nothing by
        default."""
