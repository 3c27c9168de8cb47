"""A dialog around one list of records held in memory (campaigns, keyword rules, opt-outs).

It focuses the list and loads it on opening; each reload keeps the cursor where it was (on
the last row when the list got shorter). Subclasses compose the list (``id=LIST_ID``), say
how to load it (``action_refresh``) and what their keys do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import ClassVar, Generic, TypeVar, cast

from textual import getters
from textual.screen import ModalScreen

from smstui.ui.contact_pages import ListSource
from smstui.ui.shell import SmsShell
from smstui.ui.widgets.virtual_list import VirtualList

R = TypeVar("R")


class ListDialog(ModalScreen[None], Generic[R]):
    #: the app, typed (the backend, guarded calls)
    app = getters.app(SmsShell)

    #: the id of the ``VirtualList`` the subclass composes
    LIST_ID: ClassVar[str]

    @property
    def records(self) -> VirtualList[R]:
        return cast("VirtualList[R]", self.query_one(f"#{self.LIST_ID}", VirtualList))

    def on_mount(self) -> None:
        self.records.focus()
        self.action_refresh()

    def action_refresh(self) -> object:
        raise NotImplementedError

    def show(self, items: Sequence[R]) -> None:
        """Replace the rows, keeping the cursor's place."""
        widget = self.records
        keep = widget.cursor
        widget.set_source(ListSource(items))
        widget.cursor = min(keep, max(0, len(items) - 1))

    async def load(self, what: str, call: Awaitable[Sequence[R]]) -> None:
        """Show what ``call`` finds (a spinner meanwhile); a failure is a toast (``guarded``)
        and leaves the rows as they were."""
        widget = self.records
        widget.loading = True
        try:
            found = await self.app.guarded(what, call)
        finally:
            widget.loading = False
        if found is not None:
            self.show(found)

    def action_close(self) -> None:
        self.dismiss(None)
