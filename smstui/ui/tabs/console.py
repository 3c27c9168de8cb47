"""Console: a raw ClickSend request through Membrane (``membrane request`` in the TUI).

The answer is shown through ``format_response`` (credential fields masked, every string
inert). Writes are never retried by the client and Send does nothing while a request is in
flight, so one press is at most one request. The history keeps requests, never answers.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from smstui.core.errors import UsageError
from smstui.core.explorer.request_console import (
    METHODS,
    HistoryEntry,
    RequestHistory,
    RequestSpec,
    ResponseView,
    format_response,
    send,
)
from smstui.ui.safe_text import one_line, plain
from smstui.ui.tabs.base import SmsTab

NOT_SENT = "No request sent yet: type a path such as /v3/account and press F5."
#: characters of a body drawn at once; the rest is summarised (a Static re-wraps all of it)
MAX_SHOWN = 200_000


def entry_label(entry: HistoryEntry) -> Text:
    status = "—" if entry.status is None else str(entry.status)
    style = "green" if entry.status is not None and entry.status < 400 else "red"
    text = Text(f"{entry.spec.method:<6} ", style="bold", end="")
    text.append_text(plain(one_line(entry.spec.path, 15)))
    text.append(f"\n{status}", style=style)
    text.append(f"  {entry.at.astimezone():%d %b %H:%M}", style="dim")
    return text


class ConsoleTab(Horizontal, SmsTab):
    DEFAULT_CSS = """
    ConsoleTab #console-main { width: 1fr; padding: 0 1; }
    ConsoleTab #console-line { height: 1; margin: 0 0 1 0; }
    ConsoleTab #console-method { width: 10; }
    ConsoleTab #console-path { width: 1fr; margin: 0 1; }
    ConsoleTab #console-raw { width: auto; }
    ConsoleTab #console-send { margin: 0 0 0 1; }
    ConsoleTab #console-boxes { height: 7; }
    ConsoleTab #console-boxes > TextArea { width: 1fr; border: round $primary 40%; }
    ConsoleTab #console-boxes > TextArea:focus { border: round $primary; }
    ConsoleTab #console-body { width: 2fr; }
    ConsoleTab #console-error { color: $error; height: auto; }
    ConsoleTab #console-status { height: 1; text-style: bold; }
    ConsoleTab #console-status.-ok { color: $success; }
    ConsoleTab #console-status.-bad { color: $error; }
    ConsoleTab #console-response { height: 1fr; }
    ConsoleTab #console-headers-view { color: $text-muted; }
    ConsoleTab #console-history { width: 24; height: 1fr; border: none; border-left: vkey $primary 30%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "send", "Send", id="console.send"),
        Binding("ctrl+l", "focus_path", "Path", show=False, id="console.path"),
    ]

    def __init__(self) -> None:
        super().__init__(id="console-tab")
        self.sending = False
        self.entries: list[HistoryEntry] = []  # newest first, as listed
        self.last_view: ResponseView | None = None
        self._history: RequestHistory | None = None

    @property
    def history(self) -> RequestHistory:
        if self._history is None:
            self._history = RequestHistory(secrets=self.app.ws.membrane.known_secrets())
        return self._history

    def compose(self) -> ComposeResult:
        with Vertical(id="console-main"):
            with Horizontal(id="console-line"):
                yield Select(
                    [(m, m) for m in METHODS],
                    value="GET",
                    allow_blank=False,
                    id="console-method",
                    compact=True,
                )
                yield Input("/v3/account", placeholder="/v3/...", id="console-path", compact=True)
                yield Checkbox("Raw body", id="console-raw", compact=True)
                yield Button("Send (F5)", id="console-send", variant="primary", compact=True)
            with Horizontal(id="console-boxes"):
                yield TextArea(id="console-query", placeholder="page=1\nlimit=15")
                yield TextArea(id="console-headers", placeholder="Accept: application/json")
                yield TextArea(id="console-body", placeholder='{"messages": [...]}')
            yield Static("", id="console-error")
            yield Static(NOT_SENT, id="console-status")
            with VerticalScroll(id="console-response"):
                yield Static("", id="console-headers-view")
                yield Static("", id="console-body-view")
        yield OptionList(id="console-history")

    def on_mount(self) -> None:
        titles = {
            "#console-query": "Query  K=V",
            "#console-headers": "Headers  K: V",
            "#console-body": "Body",
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self.query_one("#console-history").border_title = "History"
        self.reload_history()
        self.query_one("#console-path").focus()

    def focus_default(self) -> None:
        self.query_one("#console-path").focus()

    def action_focus_path(self) -> None:
        self.focus_default()

    # ------------------------------------------------------------------ the form

    def spec(self) -> RequestSpec:
        """What the boxes say, checked (UsageError names the box that is wrong)."""
        method = self.query_one("#console-method", Select).value
        return RequestSpec.from_text(
            str(method),
            self.query_one("#console-path", Input).value,
            query_text=self.query_one("#console-query", TextArea).text,
            headers_text=self.query_one("#console-headers", TextArea).text,
            body_text=self.query_one("#console-body", TextArea).text,
            raw=self.query_one("#console-raw", Checkbox).value,
        )

    def fill(self, spec: RequestSpec) -> None:
        """Put a request back in the boxes (a history entry chosen)."""
        self.query_one("#console-method", Select).value = spec.method
        self.query_one("#console-path", Input).value = spec.path
        self.query_one("#console-query", TextArea).load_text(
            "\n".join(f"{k}={v}" for k, v in spec.query.items())
        )
        self.query_one("#console-headers", TextArea).load_text(
            "\n".join(f"{k}: {v}" for k, v in spec.headers.items())
        )
        self.query_one("#console-body", TextArea).load_text(spec.body_text)
        self.query_one("#console-raw", Checkbox).value = spec.raw
        self.query_one("#console-error", Static).update("")

    # ------------------------------------------------------------------ sending

    def action_send(self) -> None:
        if self.sending:
            self.notify("The request is still running.", severity="warning")
            return
        error = self.query_one("#console-error", Static)
        try:
            spec = self.spec()
        except UsageError as err:
            error.update(plain(f"✖ {err.message}"))
            return
        error.update("")
        self.sending = True  # before the worker starts: a second press must not slip in
        self._send(spec)

    @on(Button.Pressed, "#console-send")
    def _send_pressed(self) -> None:
        self.action_send()

    @on(Input.Submitted, "#console-path")
    def _path_submitted(self) -> None:
        self.action_send()

    @work(group="console-send", exit_on_error=False)
    async def _send(self, spec: RequestSpec) -> None:
        status = self.query_one("#console-status", Static)
        response_box = self.query_one("#console-response")
        status.update(Text(f"{spec.method} {spec.path} …", end=""))
        status.set_classes("")
        response_box.loading = True
        try:

            async def call() -> ResponseView:
                await self.app.wait_for_connect()
                client, connection_id = await self.app.ws.membrane.client_and_connection()
                routes = self.app.ws.membrane.request_routes()
                return format_response(await send(client, connection_id, spec, routes))

            view = await self.app.guarded("Request", call())
        finally:
            response_box.loading = False
            self.sending = False
        if view is None:
            status.update(Text("Request failed (see the notification).", end=""))
            status.set_class(True, "-bad")
            return
        self.show_response(view)
        try:
            self.history.add(spec, view.status)
        except OSError as err:
            self.notify(f"Could not save the request history: {err.strerror}", severity="warning")
        self.reload_history()

    def show_response(self, view: ResponseView) -> None:
        self.last_view = view
        status = self.query_one("#console-status", Static)
        line = view.status_line
        if view.whole_answer:
            line += "  (the answer had neither data nor body: shown whole)"
        if view.via_proxy:
            line += "  · via the transparent proxy"
        status.update(Text(line, end=""))
        status.set_class(view.ok, "-ok")
        status.set_class(not view.ok, "-bad")
        headers = Text(end="")
        for name, value in view.headers:
            headers.append(f"{name}: ", style="bold")
            headers.append(f"{value}\n")
        self.query_one("#console-headers-view", Static).update(headers)
        body = view.body
        if len(body) > MAX_SHOWN:
            body = body[:MAX_SHOWN] + f"\n… {len(view.body) - MAX_SHOWN} more characters"
        # already inert (format_response); plain() again costs little and keeps markup literal
        shown = plain(body or "(empty body)", keep_newlines=True)
        self.query_one("#console-body-view", Static).update(shown)

    # ------------------------------------------------------------------ history

    def reload_history(self) -> None:
        try:
            self.entries = list(reversed(self.history.entries()))
        except OSError:
            self.entries = []
        options = self.query_one("#console-history", OptionList)
        options.clear_options()
        for n, entry in enumerate(self.entries):
            options.add_option(Option(entry_label(entry), id=str(n)))
        if not self.entries:
            options.add_option(
                Option(Text("Requests you send appear here.", style="italic"), disabled=True)
            )

    @on(OptionList.OptionSelected, "#console-history")
    def _history_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_id is not None and event.option_id.isdigit():
            index = int(event.option_id)
            if index < len(self.entries):
                self.fill(self.entries[index].spec)
                self.focus_default()
