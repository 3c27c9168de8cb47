"""``ConnectUI`` during start-up: status in the header; a URL opens the connect screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smstui.core.models import Connection
    from smstui.ui.screens.connect import ConnectScreen
    from smstui.ui.shell import SmsShell


class AppConnectUI:
    """What the core's connect flow shows while the app starts: the header says what it
    waits for, and a browser step or a choice opens the connect screen."""

    def __init__(self, app: SmsShell) -> None:
        self.app = app
        self.screen: ConnectScreen | None = None

    def _connect_screen(self) -> ConnectScreen:
        from smstui.ui.screens.connect import ConnectScreen

        if self.screen is None or not self.screen.is_attached:
            self.screen = ConnectScreen()
            self.app.push_screen(self.screen, self.app.after_connection_screen)
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
