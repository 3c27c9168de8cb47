"""First run and "switch connection": sandbox or real credentials, then connect ClickSend.

The Membrane URL is shown large with a copy action (OSC 52 reaches the local clipboard even
over SSH), with a spinner while the resolver polls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from smstui.core.config import save_credentials
from smstui.core.errors import ConnectionUnusable, SmstuiError
from smstui.core.models import Connection
from smstui.ui.safe_text import plain

if TYPE_CHECKING:
    from smstui.ui.app import SmsApp

Choice = Literal["sandbox", "credentials", "reconnected"]

STATE_HELP = {
    "READY": "Connected: ClickSend is ready.",
    "BUILDING": "Membrane is setting up the connection…",
    "CLIENT_ACTION_REQUIRED": "ClickSend needs you: open the link below.",
    "CONFIGURATION_ERROR": "The connection is misconfigured in Membrane.",
    "SETUP_FAILED": "Setting up the connection failed. Reconnect to try again.",
}


class ScreenConnectUI:
    """``ConnectUI`` for the resolver, drawing on a ``ConnectScreen``."""

    def __init__(self, screen: ConnectScreen) -> None:
        self.screen = screen

    def show_url(self, url: str, description: str) -> None:
        self.screen.show_url(url, description)

    def status(self, text: str) -> None:
        self.screen.show_status(text, busy=True)

    def choose(self, connections: list[Connection]) -> Connection:
        # several READY connections: the first is as good as any; the user can switch later
        self.screen.show_status(f"{len(connections)} ClickSend connections found; using the first.")
        return connections[0]


class ConnectScreen(ModalScreen[Choice | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="connect.close"),
        Binding("ctrl+y", "copy_url", "Copy URL", id="connect.copy_url"),
    ]
    DEFAULT_CSS = """
    ConnectScreen { align: center middle; }
    ConnectScreen > VerticalScroll {
        width: 90; max-width: 98%; height: auto; max-height: 95%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ConnectScreen .section { text-style: bold; margin-top: 1; }
    ConnectScreen Horizontal { height: auto; }
    ConnectScreen Input { width: 1fr; }
    ConnectScreen #connect-url { text-style: bold; color: $accent; padding: 1 0; }
    ConnectScreen #connect-spinner { height: 1; display: none; }
    ConnectScreen #connect-spinner.-busy { display: block; }
    ConnectScreen #connect-status { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.url: str | None = None

    @property
    def sms_app(self) -> SmsApp:
        return cast("SmsApp", self.app)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label("Connection", classes="section")
            yield Static(
                "The sandbox simulates Membrane and ClickSend on this machine: try everything, "
                "nothing is sent. For real SMS, give a Membrane token or a workspace key and "
                "secret (stored in credentials.toml, mode 0600)."
            )
            with Horizontal():
                yield Button("Use the sandbox", id="use-sandbox", variant="warning")
                yield Button("Reconnect this connection", id="reconnect")
            yield Label("Membrane token", classes="section")
            with Horizontal():
                yield Input(placeholder="paste a token", password=True, id="token")
                yield Button("Save token", id="save-token", variant="primary")
            yield Label("…or workspace key and secret", classes="section")
            with Horizontal():
                yield Input(placeholder="workspace key", id="workspace-key")
                yield Input(placeholder="workspace secret", password=True, id="workspace-secret")
                yield Button("Save", id="save-workspace", variant="primary")
            yield Static("", id="connect-url")
            with Horizontal():
                yield Button("Copy URL", id="copy-url", disabled=True)
            yield LoadingIndicator(id="connect-spinner")
            yield Static("", id="connect-status")

    # ------------------------------------------------------------------ ConnectUI surface

    def show_url(self, url: str, description: str) -> None:
        self.url = url
        text = Text(end="")
        text.append_text(plain(description))
        text.append("\n")
        text.append_text(plain(url, "bold underline"))
        self.query_one("#connect-url", Static).update(text)
        self.query_one("#copy-url", Button).disabled = False

    def show_url_when_ready(self, url: str, description: str) -> None:
        """The resolver may report a URL before this screen has been composed."""
        if self.is_mounted:
            self.show_url(url, description)
        else:
            self.call_after_refresh(self.show_url, url, description)

    def show_status(self, text: str, *, busy: bool = False) -> None:
        self.query_one("#connect-status", Static).update(plain(text))
        self.query_one("#connect-spinner").set_class(busy, "-busy")

    def show_error(self, err: BaseException) -> None:
        from smstui.ui.app import describe_error

        if isinstance(err, ConnectionUnusable):
            state = (err.state or "").upper()
            lead = STATE_HELP.get(state, f"Connection state: {state or 'unknown'}")
            if err.ui_url:
                self.show_url(err.ui_url, lead)
            self.show_status(f"{lead}\n{describe_error(err)}")
        else:
            self.show_status(describe_error(err))

    # ------------------------------------------------------------------ actions

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#copy-url")
    def action_copy_url(self) -> None:
        if self.url:
            self.app.copy_to_clipboard(self.url)
            self.notify("URL copied to the clipboard")

    @on(Button.Pressed, "#use-sandbox")
    def _sandbox(self) -> None:
        self.dismiss("sandbox")

    @on(Button.Pressed, "#save-token")
    def _save_token(self) -> None:
        token = self.query_one("#token", Input).value.strip()
        if not token:
            self.show_status("Paste a token first.")
            return
        self._save(token=token)

    @on(Button.Pressed, "#save-workspace")
    def _save_workspace(self) -> None:
        key = self.query_one("#workspace-key", Input).value.strip()
        secret = self.query_one("#workspace-secret", Input).value.strip()
        if not key or not secret:
            self.show_status("Give both the workspace key and the secret.")
            return
        self._save(workspace_key=key, workspace_secret=secret)

    def _save(self, **credentials: str) -> None:
        try:
            path = save_credentials(**credentials)
        except (OSError, SmstuiError) as err:
            self.show_status(f"Could not save the credentials: {err}")
            return
        for name in ("token", "workspace-secret"):
            self.query_one(f"#{name}", Input).value = ""
        self.notify(f"Credentials saved to {path}")
        self.dismiss("credentials")

    @on(Button.Pressed, "#reconnect")
    @work(exclusive=True, group="reconnect", exit_on_error=False)
    async def _reconnect(self) -> None:
        self.show_status("Reconnecting…", busy=True)
        try:
            await self.sms_app.backend.reconnect(ScreenConnectUI(self))
        except Exception as err:  # shown in the dialog, never as a traceback
            self.show_error(err)
            return
        self.show_status(STATE_HELP["READY"])
        self.dismiss("reconnected")
