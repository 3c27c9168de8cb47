"""Command palette entries (ctrl+p): everything the app can do, by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from smstui.ui.app import SmsApp


class SmsCommands(Provider):
    """The app's own actions, discoverable without knowing a key."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = cast("SmsApp", self.app)
        return [
            ("Send message", "Send the message in Compose", app.action_send),
            ("Sync now", "Fetch new messages, receipts and replies", app.action_sync_now),
            (
                "Switch connection",
                "Connection set-up: sandbox, token or workspace key",
                app.action_connection,
            ),
            (
                "Doctor",
                "Check credentials, connection, POLL rules, channels, store and clock",
                app.action_doctor,
            ),
            ("New template", "Create an SMS template", app.action_new_template),
            (
                "Toggle theme",
                "Switch between the terminal's colours and a full theme",
                app.action_toggle_theme,
            ),
            (
                "Copy message id",
                "Copy the selected History message's id",
                app.action_copy_message_id,
            ),
            ("Compose", "Go to the Compose tab", partial(app.action_show_tab, "compose")),
            ("Inbox", "Go to the Inbox tab", partial(app.action_show_tab, "inbox")),
            ("History", "Go to the History tab", partial(app.action_show_tab, "history")),
            ("Templates", "Go to the Templates tab", partial(app.action_show_tab, "templates")),
            (
                "Export history to CSV",
                "Write the filtered History list to a CSV file",
                app.action_export_csv,
            ),
            ("Help", "Show every key binding of this tab", app.action_help),
        ]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
