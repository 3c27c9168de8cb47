"""Every message to and from one number, oldest first, both directions."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from smstui.core.errors import StoreError
from smstui.core.service.history import StoredMessage
from smstui.ui.message_view import local_time, status_of
from smstui.ui.safe_text import plain
from smstui.ui.shell import SmsShell
from smstui.ui.widgets.app_footer import AppFooter


def bubble(m: StoredMessage, me: str = "") -> Text:
    """One message: who and when, then the body. An outgoing message another operator sent
    (team mode) names them; one this operator sent, or that no operator here sent, is "You"."""
    text = Text(end="")
    if m.direction == "out":
        who = m.sent_by if m.sent_by and m.sent_by != me else "You"
    else:
        who = m.sender
    text.append_text(plain(who, "bold"))
    text.append(f"  {local_time(m.date)}", style="dim")
    if m.direction == "out":
        text.append(f"  {status_of(m)}", style="dim")
    text.append("\n")
    text.append_text(plain(m.body, keep_newlines=True))
    return text


class ConversationScreen(Screen[str | None]):
    """Dismisses with the number to reply to (``r``), or None (Esc)."""

    #: the app, typed (the backend, guarded calls)
    app = getters.app(SmsShell)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", id="conversation.back"),
        Binding("r", "reply", "Reply", id="conversation.reply"),
        Binding("j", "scroll(1)", "Down", show=False, id="conversation.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="conversation.up"),
        Binding("g", "top", "Top", show=False, id="conversation.top"),
        Binding("G", "bottom", "Bottom", show=False, id="conversation.bottom"),
    ]
    DEFAULT_CSS = """
    ConversationScreen #conversation-title { dock: top; height: 1; background: $panel; text-style: bold; padding: 0 1; }
    ConversationScreen .bubble { margin: 0 1 1 1; padding: 0 1; border-left: thick $primary; width: 80%; }
    ConversationScreen .bubble.-in { border-left: thick $secondary; }
    ConversationScreen .bubble.-out { margin: 0 1 1 12; }
    """

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        #: what is on screen (``reload`` recomposes only when the store has something else)
        self.shown: list[StoredMessage] = []

    def _read(self) -> list[StoredMessage]:
        try:
            return list(self.app.ws.history.conversation(self.number))
        except StoreError as err:
            self.app.store_failed(err)
            return []

    def reload(self) -> None:
        """Show what the store has now (a reply or a send from another process)."""
        if self._read() != self.shown:
            self.refresh(recompose=True)

    def compose(self) -> ComposeResult:
        self.shown = messages = self._read()
        title = Text("Conversation with ", end="")
        title.append_text(plain(self.number))
        title.append(f" · {len(messages)} messages · r reply · Esc back")
        yield Static(title, id="conversation-title")
        me = self.app.ws.settings.operator_name
        with VerticalScroll(id="conversation"):
            for m in messages:
                yield Static(bubble(m, me), classes=f"bubble -{m.direction}")
        yield AppFooter(compact=True)

    def on_mount(self) -> None:
        scroll = self.query_one("#conversation", VerticalScroll)
        scroll.focus()
        scroll.scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_reply(self) -> None:
        self.dismiss(self.number)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#conversation", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_top(self) -> None:
        self.query_one("#conversation", VerticalScroll).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one("#conversation", VerticalScroll).scroll_end(animate=False)
