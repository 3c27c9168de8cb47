"""First run and "switch connection": sandbox or real credentials, then connect ClickSend.

The Membrane URL is shown large with a copy action (OSC 52 reaches the local clipboard even
over SSH), with a spinner while the resolver polls.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar, Literal

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from smstui.core.config import default_tenant_key, load_settings, save_credentials
from smstui.core.errors import ConnectionUnusable, SmstuiError
from smstui.core.models import Connection
from smstui.ui.safe_text import plain
from smstui.ui.shell import SmsShell

Choice = Literal["sandbox", "credentials", "reconnected", "connected"]

STATE_HELP = {
    "READY": "Connected: ClickSend is ready.",
    "BUILDING": "Membrane is setting up the connection…",
    "CLIENT_ACTION_REQUIRED": "ClickSend needs you: open the link below.",
    "CONFIGURATION_ERROR": "The connection is misconfigured in Membrane.",
    "SETUP_FAILED": "Setting up the connection failed. Reconnect to try again.",
}


#: the resolver polls while the user finishes in the browser; it says nothing meanwhile
WAITING_FOR_BROWSER = "Waiting for you to finish connecting in the browser…"


def current_tenant() -> str:
    """The tenant smstui would use now (saved or from the environment), else the default."""
    try:
        return load_settings().tenant_key or default_tenant_key()
    except SmstuiError:  # a damaged config file: the default is still a fine suggestion
        return default_tenant_key()


class ScreenConnectUI:
    """``ConnectUI`` for the resolver, drawing on a ``ConnectScreen``."""

    def __init__(self, screen: ConnectScreen) -> None:
        self.screen = screen

    def show_url(self, url: str, description: str) -> None:
        self.screen.show_url(url, description)
        self.screen.show_status(WAITING_FOR_BROWSER, busy=True)

    def status(self, text: str) -> None:
        self.screen.show_status(text, busy=True)

    async def choose(self, connections: list[Connection]) -> Connection:
        return await self.screen.ask_choice(connections)


class ConnectScreen(ModalScreen[Choice | None]):
    #: the app, typed (the backend, guarded calls)
    app = getters.app(SmsShell)

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
    ConnectScreen #connection-choices { height: auto; max-height: 8; display: none; }
    ConnectScreen #connection-choices.-asking { display: block; }
    """

    def __init__(self, error: BaseException | None = None) -> None:
        super().__init__()
        self.url: str | None = None
        #: the connection that failed: "Reconnect" repairs it rather than making another
        self.failed_connection_id: str | None = None
        self._error = error
        self._choice: asyncio.Future[Connection] | None = None
        self._choices: list[Connection] = []

    def on_mount(self) -> None:
        if self._error is not None:
            self.show_error(self._error)

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
                yield Button("Connect", id="connect", variant="primary")
                yield Button("Reconnect this connection", id="reconnect")
                yield Button("Doctor", id="doctor", tooltip="Check what is wrong with this setup")
            yield Label("Membrane token", classes="section")
            with Horizontal():
                yield Input(placeholder="paste a token", password=True, id="token")
                yield Button("Save token", id="save-token", variant="primary")
            yield Label("…or workspace key and secret", classes="section")
            with Horizontal():
                yield Input(placeholder="workspace key", id="workspace-key")
                yield Input(placeholder="workspace secret", password=True, id="workspace-secret")
            yield Static(
                "Tenant: the Membrane tenant your ClickSend connection belongs to (for one made "
                "with the Membrane CLI, the tenant chosen at 'membrane login').",
                id="tenant-help",
            )
            with Horizontal():
                yield Input(
                    value=current_tenant(),
                    placeholder=f"tenant key (default {default_tenant_key()})",
                    id="tenant-key",
                )
                yield Button("Save", id="save-workspace", variant="primary")
            yield Static("", id="connect-url")
            with Horizontal():
                yield Button("Copy URL", id="copy-url", disabled=True)
            yield OptionList(id="connection-choices")
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
        if not self.is_mounted:  # the resolver may report before this screen is composed
            self.call_after_refresh(self.show_status, text, busy=busy)
            return
        self.query_one("#connect-status", Static).update(plain(text))
        self.query_one("#connect-spinner").set_class(busy, "-busy")

    async def ask_choice(self, connections: list[Connection]) -> Connection:
        """Several READY connections: the user picks one (never silently the first)."""
        self._choices = list(connections)
        self._choice = asyncio.get_running_loop().create_future()
        while not self.is_mounted:  # pushed a moment ago: let it compose first
            await asyncio.sleep(0.01)
        choices = self.query_one("#connection-choices", OptionList)
        choices.clear_options()
        for c in connections:
            label = Text(end="")
            label.append_text(plain(c.name or "ClickSend"))
            label.append("  ")
            label.append_text(plain(c.id, "dim"))
            choices.add_option(Option(label, id=c.id))
        choices.add_class("-asking")
        choices.highlighted = 0
        choices.focus()
        self.show_status(f"{len(connections)} ClickSend connections are ready: pick one.")
        try:
            return await self._choice
        finally:
            choices.remove_class("-asking")

    @on(OptionList.OptionSelected, "#connection-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if self._choice is not None and not self._choice.done():
            self._choice.set_result(self._choices[event.option_index])

    def show_error(self, err: BaseException) -> None:
        from smstui.ui.shell import describe_error

        if isinstance(err, ConnectionUnusable):
            self.failed_connection_id = err.connection_id or self.failed_connection_id
            state = (err.state or "").upper()
            lead = STATE_HELP.get(state, f"Connection state: {state or 'unknown'}")
            if err.ui_url:
                self.show_url(err.ui_url, lead)
            self.show_status(f"{lead}\n{describe_error(err)}")
        else:
            self.show_status(describe_error(err))

    # ------------------------------------------------------------------ actions

    def action_close(self) -> None:
        if self._choice is not None and not self._choice.done():
            self._choice.cancel()  # closing without a pick stops the connect worker
        self.dismiss(None)

    @on(Button.Pressed, "#copy-url")
    def action_copy_url(self) -> None:
        if self.url:
            self.app.copy_to_clipboard(self.url)
            self.notify("URL copied to the clipboard")

    @on(Button.Pressed, "#doctor")
    def _doctor(self) -> None:
        self.app.action_doctor()

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
        tenant = self.query_one("#tenant-key", Input).value.strip() or default_tenant_key()
        if not key or not secret:
            self.show_status("Give both the workspace key and the secret.")
            return
        self._save(workspace_key=key, workspace_secret=secret, tenant_key=tenant)

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

    @on(Button.Pressed, "#connect")
    @work(exclusive=True, group="reconnect", exit_on_error=False)
    async def _connect(self) -> None:
        self.show_status("Connecting…", busy=True)
        try:
            await self.app.ws.connect(ScreenConnectUI(self))
        except Exception as err:  # shown in the dialog, never as a traceback
            self.show_error(err)
            return
        self.show_status(STATE_HELP["READY"])
        self.dismiss("reconnected")

    @on(Button.Pressed, "#reconnect")
    @work(exclusive=True, group="reconnect", exit_on_error=False)
    async def _reconnect(self) -> None:
        self.show_status("Reconnecting…", busy=True)
        try:
            await self.app.ws.reconnect(ScreenConnectUI(self), self.failed_connection_id)
        except Exception as err:  # shown in the dialog, never as a traceback
            self.show_error(err)
            return
        self.show_status(STATE_HELP["READY"])
        self.dismiss("reconnected")
