"""The smstui terminal app: header, four tabs, footer, palette, help, themes, keymap.

The first frame is drawn from the local store and the cached connection only: connecting,
reading the account and syncing all happen in workers after mount, so a slow network never
delays the UI.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widget import MountError, Widget
from textual.widgets import Static, TabbedContent, TabPane

from smstui.core.config import Settings, load_settings, save_setting
from smstui.core.errors import SmstuiError, StoreError
from smstui.core.native_heap import limit_arenas
from smstui.ui.backend import Backend, ConnectionState
from smstui.ui.commands import SmsCommands
from smstui.ui.crash_report import CrashSafeApp
from smstui.ui.safe_text import plain, visible
from smstui.ui.screens.help import HelpScreen, active_bindings
from smstui.ui.widgets.app_footer import AppFooter
from smstui.ui.widgets.store_banner import StoreBanner

if TYPE_CHECKING:
    # models cost ~0.1 s of dataclass building: only annotations need them here
    from smstui.core.clicksend.poll_rules import PollRules
    from smstui.core.models import Account, Connection
    from smstui.core.store.query import MessageFilter
    from smstui.ui.screens.connect import ConnectScreen
    from smstui.ui.store_source import StoreSource

T = TypeVar("T")

TABS = ("compose", "inbox", "history", "templates")
#: contacts and lists (their snapshots live in tests/test_ui_snapshots_contacts.py)
CONTACT_TABS = ("contacts",)
#: the Membrane tools and stats (their snapshots live in tests/test_ui_snapshots_tools.py)
TOOL_TABS = ("actions", "console", "stats")
TAB_TITLES = {
    "compose": "Compose",
    "inbox": "Inbox",
    "history": "History",
    "templates": "Templates",
    "contacts": "Contacts",
    "actions": "Actions",
    "console": "Console",
    "stats": "Stats",
}
#: tab labels when the terminal is narrow (8 full labels need ~87 columns); the digit stays,
#: it is the key that opens the tab, and the active tab keeps its full name
SHORT_TAB_TITLES = {
    "compose": "Comp",
    "inbox": "Inbox",
    "history": "Hist",
    "templates": "Tmpl",
    "contacts": "Cont",
    "actions": "Act",
    "console": "Cons",
    "stats": "Stats",
}
#: below this width the tab bar uses SHORT_TAB_TITLES
NARROW_WIDTH = 100
#: the theme pair "toggle theme" switches between; ansi-* use the terminal's own colours (SSH)
THEME_PAIR = ("textual-dark", "ansi-dark")
SANDBOX_BADGE = " SANDBOX — nothing leaves this machine "
#: seconds a hang-up may take to exit cleanly before the process is ended; and its status
#: (128 + SIGHUP, as a shell reports a process the hang-up killed)
HANGUP_GRACE = 3.0
HANGUP_EXIT_CODE = 129
#: the badge on a narrow terminal, where the account and balance need the room
SANDBOX_BADGE_SHORT = " SANDBOX "


def describe_error(err: BaseException) -> str:
    """One line for a notification: the error's message and hint, never a traceback."""
    if isinstance(err, SmstuiError):
        text = f"{err.message}\n{err.hint}" if err.hint else err.message
        # a failed action run: Membrane's console finds it by this id
        return f"{text}\nAction run: {err.action_run_id}" if err.action_run_id else text
    if isinstance(err, TimeoutError):
        return "The request timed out. Check the network connection and try again."
    return f"Unexpected error ({type(err).__name__}). Try again; the app is still usable."


def _build_tool_tab(tab: str) -> Widget:
    if tab == "actions":
        from smstui.ui.actions_tab import ActionsTab

        return ActionsTab()
    if tab == "console":
        from smstui.ui.console_tab import ConsoleTab

        return ConsoleTab()
    from smstui.ui.stats_tab import StatsTab

    return StatsTab()


_CHANNEL_NAMES = {"mms": "MMS", "voice": "voice"}


class StatusBar(Horizontal):
    """Account, balance and connection state; the SANDBOX badge when on the sandbox."""

    DEFAULT_CSS = """
    StatusBar { height: 1; dock: top; background: $panel; }
    StatusBar > #app-title { width: auto; padding: 0 1; text-style: bold; background: $primary; color: $text; }
    StatusBar > #sandbox-badge { width: auto; background: $warning; color: $background; text-style: bold; }
    StatusBar > #account { width: 1fr; padding: 0 1; }
    StatusBar > #connection { width: auto; padding: 0 1; }
    """

    def __init__(self, sandbox: bool) -> None:
        super().__init__()
        self._sandbox = sandbox

    def compose(self) -> ComposeResult:
        yield Static("smstui", id="app-title")
        badge = Static(SANDBOX_BADGE, id="sandbox-badge")
        badge.display = self._sandbox
        yield badge
        yield Static("Account: loading…", id="account")
        yield Static("offline", id="connection")

    def show_account(self, account: Account) -> None:
        text = Text(end="")
        text.append_text(plain(account.account_name or account.username))
        balance = (
            account.currency.format(account.balance) if account.currency else f"{account.balance}"
        )
        text.append(f"  balance {balance}")
        self.query_one("#account", Static).update(text)

    def set_sandbox(self, sandbox: bool) -> None:
        self.query_one("#sandbox-badge").display = sandbox

    def show_connection(self, state: ConnectionState, detail: str = "") -> None:
        label = {
            "offline": "○ offline",
            "connecting": "◌ connecting…",
            "ready": "● connected",
            "error": "✖ error",
        }[state]
        widget = self.query_one("#connection", Static)
        widget.update(Text(label + (f" · {detail}" if detail else ""), end=""))
        for name in ("offline", "connecting", "ready", "error"):
            widget.set_class(name == state, f"-{name}")


class AppConnectUI:
    """``ConnectUI`` during start-up: status in the header; a URL opens the connect screen."""

    def __init__(self, app: SmsApp) -> None:
        self.app = app
        self.screen: ConnectScreen | None = None

    def _connect_screen(self) -> ConnectScreen:
        from smstui.ui.screens.connect import ConnectScreen

        if self.screen is None or not self.screen.is_attached:
            self.screen = ConnectScreen()
            self.app.push_screen(self.screen, self.app._after_connection_screen)
        return self.screen

    def show_url(self, url: str, description: str) -> None:
        from smstui.ui.screens.connect import WAITING_FOR_BROWSER

        screen = self._connect_screen()
        screen.show_url_when_ready(url, description)
        screen.show_status(WAITING_FOR_BROWSER, busy=True)

    def status(self, text: str) -> None:
        # a wait (BUILDING, waiting for the browser step) is shown on the screen with a spinner
        self.app.set_connection_state("connecting", text)
        self._connect_screen().show_status(text, busy=True)

    async def choose(self, connections: list[Connection]) -> Connection:
        return await self._connect_screen().ask_choice(connections)

    def done(self) -> None:
        """Connected: close the screen this start-up opened (if the user has not)."""
        if self.screen is not None and self.screen.is_attached:
            self.screen.dismiss("connected")


#: whether ``gc.freeze()`` has run in this process (see ``SmsApp._prebuild_tab``)
_heap_frozen = False


class SmsApp(CrashSafeApp):
    # absolute, so subclasses defined elsewhere (benchmarks) still find it
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "smstui"
    COMMANDS: ClassVar = App.COMMANDS | {SmsCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "show_tab('compose')", "Compose", show=False, id="app.tab.compose"),
        Binding("2", "show_tab('inbox')", "Inbox", show=False, id="app.tab.inbox"),
        Binding("3", "show_tab('history')", "History", show=False, id="app.tab.history"),
        Binding("4", "show_tab('templates')", "Templates", show=False, id="app.tab.templates"),
        Binding("5", "show_tab('contacts')", "Contacts", show=False, id="app.tab.contacts"),
        Binding("6", "show_tab('actions')", "Actions", show=False, id="app.tab.actions"),
        Binding("7", "show_tab('console')", "Console", show=False, id="app.tab.console"),
        Binding("8", "show_tab('stats')", "Stats", show=False, id="app.tab.stats"),
        Binding(
            "ctrl+pagedown",
            "cycle_tab(1)",
            "Next tab",
            show=False,
            id="app.tab.next",
            priority=True,
        ),
        Binding(
            "ctrl+pageup",
            "cycle_tab(-1)",
            "Previous tab",
            show=False,
            id="app.tab.previous",
            priority=True,
        ),
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+r", "sync_now", "Sync", id="app.sync"),
        # shown docked at the footer's right edge (Footer.show_command_palette): never cut off
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        backend: Backend,
        *,
        theme: str = "textual-dark",
        keymap: dict[str, str] | None = None,
        sync_interval: float = 30.0,
        first_run: bool = False,
        backend_factory: Callable[[bool], Backend] | None = None,
        save_theme: Callable[[str], object] | None = None,
        handle_hangup: bool = False,
    ) -> None:
        super().__init__()
        self.backend = backend
        self._initial_theme = theme
        self._keymap = dict(keymap or {})
        self.sync_interval = sync_interval
        self._first_run = first_run
        self._backend_factory = backend_factory
        self._save_theme = save_theme
        self._handle_hangup = handle_hangup
        self._sync_timer: Timer | None = None
        self.connection_state: ConnectionState = "offline"
        self.account: Account | None = None
        #: whether ClickSend lists replies/receipts (None: not known yet or not readable)
        self.poll_rules: PollRules | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield StatusBar(self.backend.sandbox)
        yield StoreBanner()
        with TabbedContent(initial="compose", id="tabs"):
            # Every pane is built on first open; Compose right after the first frame.
            yield TabPane("1 Compose", id="compose")
            yield TabPane("2 Inbox", id="inbox")
            yield TabPane("3 History", id="history")
            yield TabPane("4 Templates", id="templates")
            yield TabPane("5 Contacts", id="contacts")
            yield TabPane("6 Actions", id="actions")
            yield TabPane("7 Console", id="console")
            yield TabPane("8 Stats", id="stats")
        # our own ctrl+p binding (hidden from the list) is what the docked key shows
        yield AppFooter(compact=True, show_command_palette=True)

    def on_mount(self) -> None:
        if self._handle_hangup:
            # the SSH session or terminal went away: leave cleanly, not via a dead-tty traceback
            with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hung_up)
        if self._keymap:
            self.set_keymap(self._keymap)
        if self._initial_theme in self.available_themes:
            self.theme = self._initial_theme
        else:
            self.notify(
                f"Unknown theme {self._initial_theme!r}; using the default.", severity="warning"
            )
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._app_thread = threading.get_ident()
        # before the workers start their threads: few arenas, so freed memory is reused
        self.call_after_refresh(limit_arenas)
        self.call_after_refresh(self._build_compose)
        self.call_after_refresh(self._open_store)
        # after the first frame: connecting imports httpx and the client, which would delay it
        self.call_after_refresh(self.start_backend)
        if self._first_run:
            self.action_connection()

    def _open_store(self) -> None:
        """Open the store now (after the first frame): if it cannot be used, the banner says
        so before any tab trips over it."""
        try:
            self.backend.store  # noqa: B018 - opening is the point
        except StoreError as err:
            self.store_failed(err)

    def store_failed(self, err: StoreError) -> None:
        """The store cannot be used: show why in the banner (from any thread)."""
        if threading.get_ident() != getattr(self, "_app_thread", None):
            self.call_from_thread(self.store_failed, err)
            return
        banner = self.query_one(StoreBanner)
        if banner.error is None or banner.error.message != err.message:
            banner.show_error(err)

    def store_worked(self) -> None:
        """A store write succeeded: a banner for a problem that has passed goes away."""
        self.query_one(StoreBanner).store_worked()

    def store_source(self, filters: MessageFilter | None = None) -> StoreSource:
        """A list source over the store that reads as empty (and reports) if it fails."""
        from smstui.ui.store_guard import guarded_source

        return guarded_source(lambda: self.backend.store, filters, self.store_failed)

    def _hung_up(self) -> None:
        """The terminal is gone (SSH drop). Textual restores the screen on exit by writing to
        it; the standard streams go to /dev/null so those writes cannot fail. If Textual's
        output thread already died writing to the dead terminal, its exit would wait forever
        on a full queue: a last-resort timer ends the process. Nothing is lost by that: every
        store write is committed as it happens, and a send in flight is reconciled by the
        outbox at the next start."""
        with contextlib.suppress(OSError):
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.close(null)
        watchdog = threading.Timer(HANGUP_GRACE, os._exit, args=(HANGUP_EXIT_CODE,))
        watchdog.daemon = True  # a clean exit before it fires does not wait for it
        watchdog.start()
        self.exit(return_code=HANGUP_EXIT_CODE)

    def _on_theme_changed(self, theme: object) -> None:
        if self._save_theme is not None:
            try:
                self._save_theme(self.theme)
            except (OSError, SmstuiError) as err:
                self.notify(f"Could not save the theme: {describe_error(err)}", severity="warning")

    def on_resize(self, event: events.Resize) -> None:
        self.fit_tab_labels(event.size.width)
        with contextlib.suppress(NoMatches):
            badge = self.query_one("#sandbox-badge", Static)
            badge.update(SANDBOX_BADGE if event.size.width >= NARROW_WIDTH else SANDBOX_BADGE_SHORT)

    def fit_tab_labels(self, width: int | None = None) -> None:
        """Short tab labels on a narrow terminal, so every tab (and the active one) shows."""
        width = self.size.width if width is None else width
        tabs = self.query_one(TabbedContent)
        for tab, title in TAB_TITLES.items():
            if width < NARROW_WIDTH and tab != tabs.active:
                title = SHORT_TAB_TITLES.get(tab, title)
            with contextlib.suppress(NoMatches):
                widget = tabs.get_tab(tab)
                key = str(widget.label).split(" ", 1)[0]  # the digit compose() gave it
                widget.label = f"{key} {title}"

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.fit_tab_labels()
        pane = event.pane
        if pane.id == "compose":
            # TabbedContent activates its initial tab during mount: building Compose (its
            # imports and ~100 widgets) then would delay the first frame
            self.call_after_refresh(self._build_compose)
        elif pane.id and not pane.children:
            pane.mount(self._build_tab(pane.id))

    async def _build_compose(self) -> None:
        pane = self.query_one("#compose", TabPane)
        if not pane.is_mounted:  # TabbedContent mounts its panes a little after compose
            if self.is_running:
                self.call_after_refresh(self._build_compose)
            return
        if not pane.children:
            try:
                await pane.mount(self._build_tab("compose"))
            except MountError:  # the app is already closing
                return
            if self.account is not None:
                self._apply_account(self.account)
            # History is the heaviest tab to build (filters, a Select, the list): building it
            # now, while the user reads Compose, makes opening it a switch plus one page of
            # rows (at a million rows on a loaded machine its build took most of 0.5-1 s)
            self.call_after_refresh(self._prebuild_tab, "history")

    async def _prebuild_tab(self, tab: str) -> None:
        pane = self.query_one(f"#{tab}", TabPane)
        if pane.children or not self.is_running:
            return
        with contextlib.suppress(MountError):  # the app is already closing
            await pane.mount(self._build_tab(tab))
        # Everything built so far (Textual, the widgets, the modules: ~100k objects) lives as
        # long as the app. Left to the cyclic GC, each full collection walks all of it:
        # 50-150 ms that land on whatever frame is being drawn (opening History at a million
        # rows took 0.27-0.39 s with one, 0.11 s without). Frozen, full collections walk only
        # what came later. Cost: garbage cycles that exist right now are never collected (a
        # one-time, bounded amount: plain refcounting still frees frozen objects). Once per
        # process, so a process running many apps (the tests) does not keep each one's.
        global _heap_frozen
        if not _heap_frozen:
            _heap_frozen = True
            gc.freeze()

    def _build_tab(self, tab: str) -> Widget:
        # imported here so the first frame does not pay for modules it does not show
        if tab in TOOL_TABS:
            return _build_tool_tab(tab)
        if tab == "compose":
            from smstui.ui.compose_tab import ComposeTab

            return ComposeTab()
        if tab == "inbox":
            from smstui.ui.inbox_tab import InboxTab

            return InboxTab()
        if tab == "history":
            from smstui.ui.history_tab import HistoryTab

            return HistoryTab()
        if tab == "contacts":
            from smstui.ui.contacts_tab import ContactsTab

            return ContactsTab()
        from smstui.ui.templates_tab import TemplatesTab

        return TemplatesTab()

    def tab_widget(self, tab: str) -> Widget | None:
        pane = self.query_one(f"#{tab}", TabPane)
        return pane.children[0] if pane.children else None

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    # ------------------------------------------------------------------ background work

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast is plain text: its message often quotes a server or an SMS, and markup
        in it would be obeyed (or crash the app with a MarkupError on ``[link=...``).
        ``markup`` is accepted (widgets pass it) and ignored."""
        super().notify(
            visible(message, keep_newlines=True),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    async def guarded(self, what: str, call: Awaitable[T]) -> T | None:
        """Await ``call``; on failure notify the user (never a traceback) and return None."""
        try:
            return await call
        except asyncio.CancelledError:
            raise
        except Exception as err:  # the UI must survive anything the core lets escape
            if isinstance(err, StoreError):
                self.store_failed(err)
            self.notify(describe_error(err), title=f"{what} failed", severity="error", timeout=8)
            return None

    def set_connection_state(self, state: ConnectionState, detail: str = "") -> None:
        self.connection_state = state
        self.status_bar.show_connection(state, detail)

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def start_backend(self) -> None:
        self.set_connection_state("connecting")
        ui = AppConnectUI(self)
        try:
            await self.backend.connect(ui)
        except asyncio.CancelledError:
            raise
        except Exception as err:
            self.set_connection_state("error")
            self._connection_failed(ui, err)
            return
        ui.done()
        self.set_connection_state("ready")
        await self.refresh_account()
        await self.check_poll_rules()
        await self._sync()
        if self._sync_timer is None and self.sync_interval > 0:
            self._sync_timer = self.set_interval(self.sync_interval, self.action_sync_now)

    def _connection_failed(self, ui: AppConnectUI, err: Exception) -> None:
        from smstui.core.errors import ConnectionUnusable
        from smstui.ui.screens.connect import ConnectScreen

        if not isinstance(err, ConnectionUnusable):
            self.notify(
                describe_error(err), title="Could not connect", severity="error", timeout=10
            )
        elif ui.screen is not None and ui.screen.is_attached:
            ui.screen.show_error(err)
        else:  # the user can repair THIS connection from the screen ("Reconnect")
            self.push_screen(ConnectScreen(err), self._after_connection_screen)

    async def refresh_account(self) -> None:
        account = await self.guarded("Reading the account", self.backend.account())
        if account is not None:
            self.account = account
            self._apply_account(account)

    def _apply_account(self, account: Account) -> None:
        self.status_bar.show_account(account)
        compose = self.tab_widget("compose")
        if compose is not None and hasattr(compose, "set_part_cap"):
            compose.set_part_cap(account.part_cap)

    async def check_poll_rules(self) -> None:
        """Ask (or recall) whether the account has POLL rules; the Inbox shows a banner if not.
        The answer is remembered with the connection, so this costs a request only now and
        then. A failure here never disturbs the app (``smstui doctor`` reports it)."""
        try:
            rules = await self.backend.poll_rules()
        except asyncio.CancelledError:
            raise
        except Exception:
            return
        self.poll_rules = rules
        inbox = self.tab_widget("inbox")
        if inbox is not None and hasattr(inbox, "show_poll_rules"):
            inbox.show_poll_rules(rules)

    async def _sync(self) -> None:
        if self.connection_state != "ready":
            return
        self.set_connection_state("ready", "syncing…")
        result = await self.guarded("Sync", self.backend.sync())
        if result is None:
            self.set_connection_state("ready")
            return
        # a refused MMS/voice channel: told once, then a quiet note in the status line
        for channel, reason in result.channel_failures.items():
            self.notify(
                f"{_CHANNEL_NAMES[channel]} not synced: {visible(reason)}. SMS history, replies and "
                "receipts are up to date.",
                title="Sync",
                severity="warning",
                timeout=10,
            )
        unavailable = " and ".join(_CHANNEL_NAMES[c] for c in result.channels_unavailable)
        self.set_connection_state("ready", f"{unavailable} unavailable" if unavailable else "")
        await self.check_poll_rules()
        if result.reconciled:
            compose = self.tab_widget("compose")
            if compose is not None and hasattr(compose, "update_results"):
                compose.update_results(result.reconciled)
        if result.changed or result.reconciled:
            self.refresh_lists()

    @work(exclusive=True, group="sync", exit_on_error=False)
    async def action_sync_now(self) -> None:
        await self._sync()

    def refresh_lists(self) -> None:
        """The store changed: every mounted list re-reads what it shows."""
        for tab in ("inbox", "history", "templates", "stats"):
            widget = self.tab_widget(tab)
            if widget is not None and hasattr(widget, "reload"):
                widget.reload()

    # ------------------------------------------------------------------ actions

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active == tab:
            return
        # drop focus first: a focused widget left in a hidden pane would pull its tab back
        self.screen.set_focus(None)
        tabs.active = tab
        self.call_after_refresh(self._focus_tab, tab)

    def _focus_tab(self, tab: str) -> None:
        widget = self.tab_widget(tab)
        if widget is not None and not widget.is_mounted:
            # the pane was mounted this frame; its children arrive a refresh later
            self.call_after_refresh(self._focus_tab, tab)
            return
        if widget is not None and hasattr(widget, "focus_default"):
            widget.focus_default()

    def action_cycle_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        order = TABS + CONTACT_TABS + TOOL_TABS
        index = order.index(tabs.active) if tabs.active in order else 0
        self.action_show_tab(order[(index + step) % len(order)])

    def action_help(self) -> None:
        tabs = self.query_one(TabbedContent)
        title = f"Keys — {TAB_TITLES.get(tabs.active, 'smstui')}"
        grouped: dict[str, list[tuple[str, Binding]]] = {}
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            grouped.setdefault(binding.id or binding.action, []).append((key, binding))
        self.push_screen(HelpScreen(title, active_bindings(grouped)))

    def action_toggle_theme(self) -> None:
        self.theme = THEME_PAIR[1] if self.theme == THEME_PAIR[0] else THEME_PAIR[0]

    def action_send(self) -> None:
        self.action_show_tab("compose")
        compose = self.tab_widget("compose")
        if compose is not None and hasattr(compose, "action_send"):
            compose.action_send()

    def action_new_template(self) -> None:
        self.open_tab_then("templates", "action_new")

    def action_copy_message_id(self) -> None:
        self.open_tab_then("history", "action_copy_id")

    def action_export_csv(self) -> None:
        self.open_tab_then("history", "action_export")

    def open_tab_then(self, tab: str, method: str, *args: object) -> None:
        """Switch to ``tab`` (building it if needed) and call one of its methods."""
        self.action_show_tab(tab)

        def call() -> None:
            widget = self.tab_widget(tab)
            if widget is not None:
                getattr(widget, method)(*args)

        self.call_after_refresh(call)

    def open_compose(self, *, to: str = "", body: str | None = None) -> None:
        """Reply, resend and "use template" land here: Compose prefilled."""
        self.action_show_tab("compose")
        compose = self.tab_widget("compose")
        if compose is not None and hasattr(compose, "prefill"):
            compose.prefill(to=to, body=body)

    def action_doctor(self) -> None:
        from smstui.ui.screens.doctor import DoctorScreen

        self.push_screen(DoctorScreen())

    def action_connection(self) -> None:
        from smstui.ui.screens.connect import ConnectScreen

        self.push_screen(ConnectScreen(), self._after_connection_screen)

    def _after_connection_screen(self, choice: str | None) -> None:
        if choice in ("sandbox", "credentials") and self._backend_factory is not None:
            self._swap_backend(choice == "sandbox")
        elif choice == "reconnected":
            self.start_backend()

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def _swap_backend(self, sandbox: bool) -> None:
        assert self._backend_factory is not None
        old = self.backend
        try:
            self.backend = self._backend_factory(sandbox)
        except Exception as err:
            self.notify(describe_error(err), title="Could not switch", severity="error")
            return
        await self.guarded("Closing the old connection", old.aclose())
        self.status_bar.set_sandbox(self.backend.sandbox)
        self.refresh_lists()
        self.start_backend()

    async def on_unmount(self) -> None:
        # closing must never turn a clean exit into a traceback
        with contextlib.suppress(Exception):
            await self.backend.aclose()


def run_app(settings: Settings) -> int:
    """Entry point used by the CLI when ``smstui`` is run with no subcommand."""
    from smstui.ui.core_backend import CoreBackend

    def backend_for(sandbox: bool) -> Backend:
        fresh = load_settings(flags={"sandbox": True} if sandbox else None)
        return CoreBackend.from_settings(fresh)

    backend = CoreBackend.from_settings(settings)
    app = SmsApp(
        backend,
        theme=settings.theme,
        keymap=settings.keymap,
        sync_interval=settings.sync_interval,
        first_run=not settings.has_credentials and not settings.sandbox,
        save_theme=lambda name: save_setting("theme", name),
        handle_hangup=True,
        backend_factory=backend_for,
    )
    app.crash_secrets = (settings.token, settings.workspace_secret)
    app.run()
    return app.return_code or 0
