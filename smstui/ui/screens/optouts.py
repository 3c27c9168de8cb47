"""The opt-out list: numbers that asked not to be messaged (every send refuses them).

Opened from the Contacts tab (``o``) and the palette. The list is local (the store), so
adding and removing are instant; a STOP reply that a sync brought in shows the next time the
list is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from smstui.core.errors import SmstuiError
from smstui.ui.contact_pages import ListSource
from smstui.ui.message_view import local_time
from smstui.ui.safe_text import one_line, plain
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.screens.list_dialog import ListDialog
from smstui.ui.shell import describe_error
from smstui.ui.widgets.virtual_list import VirtualList

if TYPE_CHECKING:
    from smstui.core.service import Workspace
    from smstui.core.service.optouts import OptOut

_SOURCES = {"reply": "replied STOP", "manual": "added by hand", "import": "imported"}


def optout_row(entry: OptOut, width: int) -> Text:
    text = Text(end="", no_wrap=True)
    text.append(entry.number.ljust(17))
    text.append(local_time(entry.date, "%Y-%m-%d %H:%M").ljust(18), style="dim")
    text.append(one_line(_SOURCES.get(entry.source, entry.source), max(1, width - 35)))
    return text


class OptOutsScreen(ListDialog["OptOut"]):
    LIST_ID = "optout-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="dialog.close"),
        Binding("delete,x", "remove", "Remove", id="optouts.remove"),
        Binding("r", "refresh", "Refresh", id="optouts.refresh"),
    ]
    DEFAULT_CSS = """
    OptOutsScreen { align: center middle; }
    OptOutsScreen > Vertical {
        width: 80; max-width: 100%; height: 80%; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    OptOutsScreen .title { text-style: bold; height: 1; }
    OptOutsScreen #optouts-help { color: $text-muted; height: auto; }
    OptOutsScreen Horizontal { height: auto; }
    OptOutsScreen #optout-number { width: 1fr; }
    """

    def __init__(self, ws: Workspace) -> None:
        super().__init__()
        self.ws = ws

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Opt-outs: numbers that asked not to be messaged", classes="title")
            yield VirtualList["OptOut"](
                ListSource([]),
                optout_row,
                empty_text="Nobody has opted out.",
                id="optout-list",
            )
            with Horizontal():
                yield Input(placeholder="number to opt out", id="optout-number")
                yield Button("Add", id="optout-add", variant="primary")
            yield Static(
                "Replies saying STOP (or UNSUBSCRIBE, QUIT...) add their sender; START removes "
                "it. Sends refuse these numbers. x: remove · r: refresh · esc: close",
                id="optouts-help",
            )

    def action_refresh(self) -> None:
        try:
            entries = self.ws.optouts.list()
        except SmstuiError as err:
            self.app.notify(describe_error(err), title="Opt-outs", severity="error")
            return
        self.show(entries)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "optout-add":
            self._add()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "optout-number":
            self._add()

    def _add(self) -> None:
        field = self.query_one("#optout-number", Input)
        try:
            added = self.ws.optouts.add(field.value)
        except SmstuiError as err:
            self.app.notify(describe_error(err), title="Opt-out not added", severity="error")
            return
        number = added.number if added is not None else field.value.strip()
        self.app.notify(
            f"{number} opted out" if added is not None else f"{number} was opted out already"
        )
        field.value = ""
        self.action_refresh()

    @work(exclusive=True, group="optouts", exit_on_error=False)
    async def action_remove(self) -> None:
        entry = self.records.current
        if entry is None:
            return
        body = plain(entry.number, "bold")
        body.append("\nwill receive messages again. Only remove a number that asked to.")
        if not await self.app.push_screen_wait(
            ConfirmScreen("Remove this opt-out?", body, yes="Remove", no="Keep")
        ):
            return
        try:
            self.ws.optouts.remove(entry.number)
        except SmstuiError as err:
            self.app.notify(describe_error(err), title="Opt-out not removed", severity="error")
            return
        self.action_refresh()
