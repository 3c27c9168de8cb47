"""The smstui terminal app: status bar, the tabs of the registry, footer, palette, help.

``SmsApp`` is the layout over ``SmsShell`` (``ui/shell.py``: connecting, syncing, the store
banner). Every tab comes from ``ui/tabs/registry.py``: its screen, its number key, its title
(and short title on a narrow terminal), its palette entries; its module is imported when the
tab is first opened, so the first frame pays only for the tab it shows.

Each tab is a Textual mode whose base screen is the tab's own ``TabScreen`` (status bar,
banner, tab bar, the tab's body, footer: ``ui/tab_screen.py``). The screen on show holds only
the tab on show, so nothing that walks a screen (Textual's layout and focus chain, Pilot's
wait in tests and benches) visits the other tabs' widgets; a tab's dialogs stay with it (a
conversation opened from the Inbox is there when the Inbox shows again). A tab key under a
modal dialog waits: the dialog is answered or closed first.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widget import MountError

from smstui.core.config import Settings, load_settings, save_setting
from smstui.core.service import Workspace
from smstui.ui.commands import SmsCommands
from smstui.ui.messages import OpenInCompose
from smstui.ui.screens.help import HelpScreen, active_bindings
from smstui.ui.shell import SmsShell
from smstui.ui.tab_screen import TabScreen, screen_name
from smstui.ui.tabs.base import SmsTab
from smstui.ui.tabs.registry import INITIAL, TABS, TabSpec, spec, taker_of
from smstui.ui.widgets.tab_bar import TabBar

#: below this width the tab bar uses each tab's short title (8 full labels need ~87 columns)
NARROW_WIDTH = 100


def _tab_bindings() -> list[BindingType]:
    """``1``-``8`` open the tabs where no text field has focus (a field types the digit);
    ``alt+1``-``alt+8`` open them whatever has focus (priority: checked before the field).
    Each alt key shares its digit's id, so F1 lists them on one line and a keymap entry
    moves both. The footer shows one entry for the eight alt keys."""
    digits = [
        Binding(t.key, f"show_tab('{t.id}')", t.title, show=False, id=f"app.tab.{t.id}")
        for t in TABS
    ]
    alts = [
        Binding(
            f"alt+{t.key}",
            f"show_tab('{t.id}')",
            "Tabs" if i == 0 else t.title,
            show=i == 0,
            key_display="alt+N" if i == 0 else None,  # N: 1-8 (F1 lists each)
            priority=True,
            id=f"app.tab.{t.id}",
        )
        for i, t in enumerate(TABS)
    ]
    return [*digits, *alts]


#: whether ``gc.freeze()`` has run in this process (see ``SmsApp.prebuild``)
_heap_frozen = False


class SmsApp(SmsShell):
    # absolute, so subclasses defined elsewhere (benchmarks) still find it
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "smstui"
    COMMANDS: ClassVar = App.COMMANDS | {SmsCommands}
    #: each tab is a mode whose base screen is the tab's own (``ui/tab_screen.py``)
    MODES: ClassVar = {t.id: screen_name(t.id) for t in TABS}
    DEFAULT_MODE: ClassVar[str] = INITIAL.id
    BINDINGS: ClassVar[list[BindingType]] = [
        *_tab_bindings(),
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

    # ------------------------------------------------------------------ layout

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the first tab's screen is the first mode's: installed before the app starts
        self.tab_screen(INITIAL.id)

    def tab_screen(self, tab: str) -> TabScreen:
        """The screen of ``tab`` (its mode's base screen), made and installed on first use;
        its body is built with it, except the first tab's (built after the first frame)."""
        screen = self.tab_screens.get(tab)
        if screen is None:
            entry = spec(tab)
            body = None if entry is INITIAL else self._new_body(entry)
            labels = [(t.id, f"{t.key} {t.title}") for t in TABS]
            screen = TabScreen(entry, labels, sandbox=self.ws.sandbox, body=body)
            # Styled when it mounts, right after this, with the stylesheet as it is now.
            # Textual re-parses and re-applies the whole stylesheet (0.3-0.6 s at load) when
            # it shows a mode's screen whose CSS count is behind the app's, and a new screen
            # starts at -1: each first visit to a tab (History built ahead included) paid for
            # it. A theme change from now on bumps the app's count, and the screen is
            # restyled when it shows. (``_css_update_count`` is Textual's; the test of
            # opening tabs without reparsing is in tests/test_ui_tabs.py.)
            screen._css_update_count = self._css_update_count
            self.tab_screens[tab] = screen
            self.install_screen(screen, screen_name(tab))
        return screen

    def _new_body(self, tab: TabSpec) -> SmsTab:
        # imported here so the first frame does not pay for modules it does not show
        widget = tab.load()()
        widget.add_class("tab-body")
        self.built_tabs[tab.id] = widget
        return widget

    @property
    def default_screen(self) -> Screen[Any]:
        """What the app's own queries (``app.query_one``) look in: the screen of the tab on
        show, also under a dialog (Textual's default is the screen the app composed on,
        which is the first tab's)."""
        screen = self.tab_screens.get(self.current_mode)
        if screen is not None and screen.is_attached:
            return screen
        return super().default_screen

    def dress(self, screen: TabScreen) -> None:
        """A tab's screen just mounted: its status bar, banner and tab labels say what the
        others say."""
        bar = screen.status_bar
        bar.set_sandbox(self.ws.sandbox)
        bar.show_connection(self.connection_state, self.connection_detail)
        if self.account is not None:
            bar.show_account(self.account)
        bar.fit(narrow=self.size.width < NARROW_WIDTH)
        error = next((b.error for b in self.store_banners() if b.error is not None), None)
        if error is not None:
            screen.store_banner.show_error(error)
        self.fit_tab_labels()

    def on_mount(self) -> None:
        self.set_up_shell()
        self.call_after_refresh(self._build_initial)
        self.start_after_first_frame()

    def on_resize(self, event: events.Resize) -> None:
        self.fit_tab_labels(event.size.width)
        for bar in self.status_bars():
            bar.fit(narrow=event.size.width < NARROW_WIDTH)

    def fit_tab_labels(self, width: int | None = None) -> None:
        """Short tab labels on a narrow terminal, so every tab (and the active one) shows.
        The digit stays: it is the key that opens the tab."""
        width = self.size.width if width is None else width
        for tabs in self.tab_bars():
            for t in TABS:
                title = t.short_title if width < NARROW_WIDTH and t.id != tabs.active else t.title
                if t.shows_unread and self.unread_count:
                    # the unread count, also on a narrow terminal: "2 Inbox (3)"
                    title += f" ({self.unread_count if self.unread_count < 100 else '99+'})"
                tabs.set_label(t.id, f"{t.key} {title}")

    def unread_changed(self) -> None:
        self.fit_tab_labels()

    def on_tab_bar_clicked(self, event: TabBar.Clicked) -> None:
        self.action_show_tab(event.tab)

    async def _build_initial(self) -> None:
        if not self.is_running:
            return
        if self.ws.team and not self.store_settled.is_set():
            # its saved draft is in the team store, opened off the loop: built before that,
            # Compose would start empty and its first save would write over the draft. Built
            # once the store settles (``store_has_settled``), not awaited here: this runs on
            # the app's own queue, which keys go through.
            return
        if INITIAL.id not in self.built_tabs:
            screen = self.tab_screen(INITIAL.id)
            try:
                await screen.mount(self._new_body(INITIAL), before=screen.footer)
            except (MountError, NoMatches):  # the app is already closing
                return
            for t in TABS:
                if t.prebuild:
                    # built now, while the user reads the first tab, opening it is a switch
                    # plus one page of rows (History at a million rows on a loaded machine
                    # took most of 0.5-1 s to build)
                    self.call_after_refresh(self.prebuild, t)

    def store_has_settled(self) -> None:
        self.call_after_refresh(self._build_initial)

    async def prebuild(self, tab: TabSpec) -> None:
        if not self.is_running:
            return
        screen = self.tab_screen(tab.id)
        if not screen.is_running:
            # mounted now, not shown: Textual mounts an installed screen when it is first
            # shown, and has no public call to mount it ahead (``_get_screen`` is what
            # ``switch_mode`` uses; tests/test_ui_tab_bar.py holds that it builds the tab)
            _, mounted = self._get_screen(screen_name(tab.id))
            with contextlib.suppress(MountError):  # the app is already closing
                await mounted
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

    # ------------------------------------------------------------------ moving between tabs

    def action_show_tab(self, tab: str) -> None:
        if self.current_mode == tab:
            return
        if isinstance(self.screen, ModalScreen):
            # a dialog is modal: it is answered (or closed) before another tab shows
            self.bell()
            return
        self.tab_screen(tab)
        self.switch_mode(tab)
        self.fit_tab_labels()
        self.call_after_refresh(self._when_built, tab, lambda widget: widget.focus_default())

    def _when_built(self, tab: str, then: Callable[[SmsTab], object]) -> None:
        widget = self.tab_widget(tab)
        if widget is not None and not widget.is_mounted:
            # the tab was mounted this frame; its children arrive a refresh later
            self.call_after_refresh(self._when_built, tab, then)
            return
        if widget is not None:
            then(widget)

    def open_tab_then(self, tab: str, then: Callable[[SmsTab], object]) -> None:
        """Switch to ``tab`` (building it if needed), then ``then(tab widget)``."""
        self.action_show_tab(tab)
        self.call_after_refresh(self._when_built, tab, then)

    def run_tab_action(self, tab: str, action: str) -> None:
        """A palette command of ``tab``: open it and run its action, as its key would."""
        self.open_tab_then(tab, lambda widget: widget.call_later(widget.run_action, action))

    @on(OpenInCompose)
    def _route(self, request: OpenInCompose) -> None:
        taker = taker_of(request)
        if taker is not None:
            self.open_tab_then(taker.id, lambda widget: widget.take(request))

    def action_cycle_tab(self, step: int) -> None:
        active = self.active_tab
        order = [t.id for t in TABS]
        index = order.index(active) if active in order else 0
        self.action_show_tab(order[(index + step) % len(order)])

    def action_help(self) -> None:
        active = self.active_tab
        title = next((t.title for t in TABS if t.id == active), "smstui")
        grouped: dict[str, list[tuple[str, Binding]]] = {}
        for key, binding_of in self.screen.active_bindings.items():
            binding = binding_of.binding
            grouped.setdefault(binding.id or binding.action, []).append((key, binding))
        self.push_screen(HelpScreen(f"Keys — {title}", active_bindings(grouped)))


def run_app(settings: Settings) -> int:
    """Entry point used by the CLI when ``smstui`` is run with no subcommand."""

    def workspace_for(sandbox: bool) -> Workspace:
        fresh = load_settings(flags={"sandbox": True} if sandbox else None)
        return Workspace.from_settings(fresh)

    app = SmsApp(
        Workspace.from_settings(settings),
        theme=settings.theme,
        keymap=settings.keymap,
        sync_interval=settings.sync_interval,
        first_run=not settings.has_credentials and not settings.sandbox,
        save_theme=lambda name: save_setting("theme", name),
        handle_hangup=True,
        ws_factory=workspace_for,
    )
    app.crash_secrets = (settings.token, settings.workspace_secret)
    app.run()
    return app.return_code or 0
