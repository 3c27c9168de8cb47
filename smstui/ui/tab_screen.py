"""One screen per tab: the status bar, the store banner, the tab bar, the tab's body, the footer.

Each tab is its own Textual mode (``SmsApp.MODES``), so the screen on show holds only the tab
on show: nothing walks or lays out the other tabs' widgets, and each tab keeps its own focus
and its own dialogs. The chrome (status bar, banner, tab bar) is on every tab's screen; the app
tells each of them the same thing (``SmsApp.status_bars``, ``SmsApp.store_banners``) and a
screen built later starts from what the app knows: connection, account, the banner's error,
the labels (``SmsApp.dress``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.screen import Screen

from smstui.ui.widgets.app_footer import AppFooter
from smstui.ui.widgets.status_bar import StatusBar
from smstui.ui.widgets.store_banner import StoreBanner
from smstui.ui.widgets.tab_bar import TabBar

if TYPE_CHECKING:
    from smstui.ui.tabs.base import SmsTab
    from smstui.ui.tabs.registry import TabSpec


def screen_name(tab: str) -> str:
    """The name the tab's screen is installed under (its mode's base screen)."""
    return f"tab:{tab}"


class TabScreen(Screen[None]):
    def __init__(
        self,
        tab: TabSpec,
        labels: list[tuple[str, str]],
        *,
        sandbox: bool,
        body: SmsTab | None = None,
    ) -> None:
        super().__init__(id=f"{tab.id}-screen")
        self.tab = tab.id
        self._labels = labels
        self._sandbox = sandbox
        #: the tab's body, built with the screen (the first tab's comes after the first frame)
        self._body = body

    def compose(self) -> ComposeResult:
        yield StatusBar(self._sandbox)
        yield StoreBanner()
        yield TabBar(self._labels, active=self.tab, id="tabs")
        if self._body is not None:
            yield self._body
        # our own ctrl+p binding (hidden from the list) is what the docked key shows
        yield AppFooter(compact=True, show_command_palette=True)

    def on_mount(self) -> None:
        dress = getattr(self.app, "dress", None)
        if dress is not None:
            dress(self)

    @property
    def tab_bar(self) -> TabBar:
        return self.query_one("#tabs", TabBar)

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def store_banner(self) -> StoreBanner:
        return self.query_one(StoreBanner)

    @property
    def footer(self) -> AppFooter:
        return self.query_one(AppFooter)
