"""The app's working half: the workspace, connecting and syncing, toasts (and, from
``shell_store``, the store and its banner).

``SmsShell`` is what every tab, screen and widget may rely on (``getters.app(SmsShell)``
gives them a typed app without importing ``ui/app.py``, which imports them). ``SmsApp`` in
``ui/app.py`` adds the layout: the tab bar, panes and keys built from the tab registry.

The first frame is drawn from the local store and the cached connection only: connecting,
reading the account and syncing all happen in workers after mount, so a slow network never
delays the UI.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.css.query import NoMatches
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.timer import Timer

from smstui.core.errors import SmstuiError, StoreError
from smstui.core.native_heap import TRIM_INTERVAL, limit_arenas, release_free_memory_off_loop
from smstui.core.service import Workspace
from smstui.ui.hangup import leave_dead_terminal
from smstui.ui.live import LiveStore
from smstui.ui.messages import (
    AccountChanged,
    PollRulesChanged,
    SendsReconciled,
    StoreChanged,
    TemplatesChanged,
)
from smstui.ui.safe_text import visible
from smstui.ui.shell_store import StoreShell
from smstui.ui.tab_screen import TabScreen
from smstui.ui.widgets.status_bar import ConnectionState, StatusBar
from smstui.ui.widgets.store_banner import StoreBanner
from smstui.ui.widgets.tab_bar import TabBar

if TYPE_CHECKING:
    # models cost ~0.1 s of dataclass building: only annotations need them here
    from textual.widget import Widget

    from smstui.core.models import Account
    from smstui.core.service import Reply
    from smstui.core.service.types import PollRules
    from smstui.ui.connect_ui import AppConnectUI
    from smstui.ui.tabs.base import SmsTab

T = TypeVar("T")
W = TypeVar("W", bound="Widget")

#: the theme pair "toggle theme" switches between; ansi-* use the terminal's own colours (SSH)
THEME_PAIR = ("textual-dark", "ansi-dark")

_CHANNEL_NAMES = {"mms": "MMS", "voice": "voice"}


def describe_error(err: BaseException) -> str:
    """One line for a notification: the error's message and hint, never a traceback."""
    if isinstance(err, SmstuiError):
        text = f"{err.message}\n{err.hint}" if err.hint else err.message
        # a failed action run: Membrane's console finds it by this id
        return f"{text}\nAction run: {err.action_run_id}" if err.action_run_id else text
    if isinstance(err, TimeoutError):
        return "The request timed out. Check the network connection and try again."
    return f"Unexpected error ({type(err).__name__}). Try again; the app is still usable."


class SmsShell(StoreShell):
    def __init__(
        self,
        ws: Workspace,
        *,
        theme: str = "textual-dark",
        keymap: dict[str, str] | None = None,
        sync_interval: float = 30.0,
        first_run: bool = False,
        ws_factory: Callable[[bool], Workspace] | None = None,
        save_theme: Callable[[str], object] | None = None,
        handle_hangup: bool = False,
    ) -> None:
        super().__init__()
        #: everything the app reads and writes goes through the workspace (the service layer)
        self.ws = ws
        self._initial_theme = theme
        self._keymap = dict(keymap or {})
        self.sync_interval = sync_interval
        self._first_run = first_run
        self._ws_factory = ws_factory
        self._save_theme = save_theme
        self._handle_hangup = handle_hangup
        self._sync_timer: Timer | None = None
        self.connection_state: ConnectionState = "offline"
        self.account: Account | None = None
        #: whether ClickSend lists replies/receipts (None: not known yet or not readable)
        self.poll_rules: PollRules | None = None
        #: unread replies in the store (the Inbox tab's title shows it)
        self.unread_count = 0
        #: whether a sync has completed since start: replies that came while the app was
        #: closed are counted in the Inbox's title, not toasted one by one at start
        self._synced = False
        #: whether this app's sync is running now
        self._syncing = False
        #: the store's changes followed live (another operator's send, a reply synced
        #: elsewhere): started once the store is open, closed on exit
        self.live = LiveStore(self)
        #: the tabs built so far, by id (each is built when first opened)
        self.built_tabs: dict[str, SmsTab] = {}
        #: each tab's screen, by tab id (made when first opened or built ahead)
        self.tab_screens: dict[str, TabScreen] = {}
        #: what the status bars say after the connection state ("syncing…")
        self.connection_detail = ""
        #: the first attempt to open the store is over (opened, or its failure is on the
        #: banner): Compose waits for it to restore the saved draft, the first sync to write
        self.store_settled = asyncio.Event()

    def set_up_shell(self) -> None:
        """At mount (``SmsApp.on_mount`` calls it): hang-up handling, keymap, theme."""
        if self._handle_hangup:
            # the SSH session or terminal went away: leave cleanly, not via a dead-tty traceback
            with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
                asyncio.get_running_loop().add_signal_handler(
                    signal.SIGHUP, leave_dead_terminal, self
                )
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
        # the team store is opened off this loop (a connect can hang for its timeout)
        self.ws.keep_team_store_off(self._app_thread)

    def start_after_first_frame(self) -> None:
        """Open the store and connect once the first frame is drawn (connecting imports
        httpx and the client, which would delay it)."""
        # before the workers start their threads: few malloc arenas, so memory one thread
        # frees is reused by the next instead of kept (smstui.core.native_heap)
        self.call_after_refresh(limit_arenas)
        # and gives back, once a minute, what it freed between syncs (each sync does too)
        self.call_after_refresh(self.set_interval, TRIM_INTERVAL, release_free_memory_off_loop)
        self.call_after_refresh(self._open_store)
        self.call_after_refresh(self.connect_workspace)
        if self._first_run:
            self.action_connection()

    # ------------------------------------------------------------------ the tabs

    @property
    def tab_bar(self) -> TabBar:
        """The tab bar of the tab on show, also while a dialog is on top. NoMatches before
        it is composed or once the app has closed."""
        return self._shown_tab_screen().tab_bar

    def _shown_tab_screen(self) -> TabScreen:
        screen = self.tab_screens.get(self.current_mode)
        if screen is None or not screen.is_attached:
            raise NoMatches("no tab screen: the app is not composed yet, or has closed")
        return screen

    def _chrome(self, kind: type[W]) -> list[W]:
        """Every ``kind`` (the status bar, the banner, the tab bar: children of a tab's
        screen) on the tabs' screens: each has its own, and the app tells them all the same."""
        found: list[W] = []
        for screen in self.tab_screens.values():
            if screen.is_attached:
                found.extend(screen.query_children(kind).results(kind))
        return found

    def status_bars(self) -> list[StatusBar]:
        return self._chrome(StatusBar)

    def store_banners(self) -> list[StoreBanner]:
        return self._chrome(StoreBanner)

    def tab_bars(self) -> list[TabBar]:
        return self._chrome(TabBar)

    @property
    def active_tab(self) -> str:
        """The id of the tab shown."""
        return self.current_mode

    def tab_widget(self, tab: str) -> SmsTab | None:
        """The tab ``tab`` if it has been built (tabs are built when first opened)."""
        return self.built_tabs.get(tab)

    def tell_tabs(self, notice: Callable[[], Message]) -> None:
        """Post a fresh ``notice()`` to every built tab (each handles what it cares about)."""
        for tab in self.built_tabs.values():
            tab.post_message(notice())

    def reload_tabs(self, cause: type[Message]) -> None:
        """``cause`` happened: every built tab that re-reads on it does so now."""
        for tab in self.built_tabs.values():
            # a tab still being mounted reads the store when it composes
            if cause in tab.RELOADS_ON and tab.is_built:
                tab.reload()

    @on(StoreChanged)
    @on(TemplatesChanged)
    def _changed(self, message: StoreChanged | TemplatesChanged) -> None:
        if isinstance(message, StoreChanged):
            self.refresh_lists()
        else:
            self.reload_tabs(TemplatesChanged)

    def refresh_lists(self) -> None:
        """The store changed: every mounted list re-reads what it shows."""
        self.reload_tabs(StoreChanged)
        self.live.lists_reloaded()

    def announce_replies(self, replies: Sequence[Reply]) -> None:
        """Replies a sync (this app's or, seen live, another process's) brought in: toasts
        (``reply_toasts``), quiet for the conversation open on screen."""
        from smstui.ui.reply_toasts import announce

        announce(self, replies)

    # ------------------------------------------------------------------ the terminal

    def _on_theme_changed(self, theme: object) -> None:
        if self._save_theme is not None:
            try:
                self._save_theme(self.theme)
            except (OSError, SmstuiError) as err:
                self.notify(f"Could not save the theme: {describe_error(err)}", severity="warning")

    def action_toggle_theme(self) -> None:
        self.theme = THEME_PAIR[1] if self.theme == THEME_PAIR[0] else THEME_PAIR[0]

    @property
    def status_bar(self) -> StatusBar:
        """The status bar of the tab on show."""
        return self._shown_tab_screen().status_bar

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
        self.connection_detail = detail
        for bar in self.status_bars():
            bar.show_connection(state, detail)

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect_workspace(self) -> None:
        from smstui.ui.connect_ui import AppConnectUI

        self.set_connection_state("connecting")
        ui = AppConnectUI(self)
        try:
            await self.ws.connect(ui)
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
        await self.store_settled.wait()  # a sync writes there: the first waits for it
        await self._sync()
        if self._sync_timer is None and self.sync_interval > 0:
            self._sync_timer = self.set_interval(self.sync_interval, self.action_sync_now)

    async def wait_for_connect(self) -> None:
        """Let the start-up connect worker finish (it reports its own errors): a tool tab
        opened while the app connects waits for that connect instead of starting another."""
        from textual.worker import WorkerCancelled, WorkerFailed

        for worker in list(self.workers):
            if worker.group == "connect" and worker.is_running:
                with contextlib.suppress(WorkerCancelled, WorkerFailed):
                    await worker.wait()

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
            self.push_screen(ConnectScreen(err), self.after_connection_screen)

    async def refresh_account(self) -> None:
        account = await self.guarded("Reading the account", self.ws.account())
        if account is not None:
            self.account = account
            for bar in self.status_bars():
                bar.show_account(account)
            self.tell_tabs(lambda: AccountChanged(account))

    async def check_poll_rules(self) -> None:
        """Ask (or recall) whether the account has POLL rules; the Inbox shows a banner if not.
        The answer is remembered with the connection, so this costs a request only now and
        then. A failure here never disturbs the app (``smstui doctor`` reports it)."""
        try:
            rules = await self.ws.poll_rules()
        except asyncio.CancelledError:
            raise
        except Exception:
            return
        self.poll_rules = rules
        self.tell_tabs(lambda: PollRulesChanged(rules))

    async def _sync(self) -> None:
        if self.connection_state != "ready":
            return
        self.set_connection_state("ready", "syncing…")
        self._syncing = True
        try:
            result = await self.guarded("Sync", self.ws.messages.sync())
        finally:
            self._syncing = False
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
            self.tell_tabs(lambda: SendsReconciled(result.reconciled))
        if result.changed or result.reconciled:
            self.refresh_lists()
        self.count_unread()
        if result.new_replies and self._synced:
            self.announce_replies(result.new_replies)
        self._synced = True

    @work(exclusive=True, group="sync", exit_on_error=False)
    async def action_sync_now(self) -> None:
        await self._sync()

    # ------------------------------------------------------------------ connection

    def action_doctor(self) -> None:
        from smstui.ui.screens.doctor import DoctorScreen

        self.push_screen(DoctorScreen())

    def action_connection(self) -> None:
        from smstui.ui.screens.connect import ConnectScreen

        self.push_screen(ConnectScreen(), self.after_connection_screen)

    def after_connection_screen(self, choice: str | None) -> None:
        if choice in ("sandbox", "credentials") and self._ws_factory is not None:
            self._swap_workspace(choice == "sandbox")
        elif choice == "reconnected":
            self.connect_workspace()

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def _swap_workspace(self, sandbox: bool) -> None:
        assert self._ws_factory is not None
        old = self.ws
        try:
            self.ws = self._ws_factory(sandbox)
            self.ws.keep_team_store_off(self._app_thread)
            self._synced = False  # another account: its backlog is not toasted either
        except Exception as err:
            self.notify(describe_error(err), title="Could not switch", severity="error")
            return
        await self.guarded("Closing the old connection", old.aclose())
        for bar in self.status_bars():
            bar.set_sandbox(self.ws.sandbox)
        self.refresh_lists()
        self.live.restart()
        self.connect_workspace()

    async def on_unmount(self) -> None:
        # closing must never turn a clean exit into a traceback
        self.live.close()  # its thread ends first: nothing left running behind the app
        with contextlib.suppress(Exception):
            await self.ws.aclose()
