"""Command palette entries (ctrl+p): everything the app can do, by name.

The app's own commands are listed here; each tab's commands and a "go to" entry per tab come
from the tab registry, so a new tab appears in the palette without touching this file.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from smstui.ui.tabs.registry import TABS


@runtime_checkable
class PaletteHost(Protocol):
    """What the palette asks of the app (``SmsApp`` is one)."""

    def action_show_tab(self, tab: str) -> None: ...
    def run_tab_action(self, tab: str, action: str) -> None: ...
    def action_help(self) -> None: ...
    def action_sync_now(self) -> object: ...
    def action_connection(self) -> None: ...
    def action_doctor(self) -> None: ...
    def action_toggle_theme(self) -> None: ...


def palette_entries(app: PaletteHost) -> list[tuple[str, str, Callable[[], object]]]:
    """``(name, help, callback)`` for every palette entry, in the order they are listed."""
    entries: list[tuple[str, str, Callable[[], object]]] = [
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
        (
            "Toggle theme",
            "Switch between the terminal's colours and a full theme",
            app.action_toggle_theme,
        ),
    ]
    for tab in TABS:
        entries.extend(
            (command.name, command.help, partial(app.run_tab_action, tab.id, command.action))
            for command in tab.commands
        )
    entries.extend(
        (tab.title, f"Go to the {tab.title} tab", partial(app.action_show_tab, tab.id))
        for tab in TABS
    )
    entries.append(("Help", "Show every key binding of this tab", app.action_help))
    return entries


class SmsCommands(Provider):
    """The app's own actions, discoverable without knowing a key."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return palette_entries(self.app) if isinstance(self.app, PaletteHost) else []

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
