"""Every tab, once: its id, titles, key, where its class lives, what it offers the palette.

The app builds its tab bar, tab screens, number keys, narrow-terminal titles and palette entries
from ``TABS``, and imports a tab's module only when the tab is first opened (a tab that is
not shown costs nothing at start-up). Adding a tab is its module plus one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from textual.message import Message

from smstui.ui.messages import OpenInCompose

if TYPE_CHECKING:
    from smstui.ui.tabs.base import SmsTab


@dataclass(frozen=True, slots=True)
class TabCommand:
    """A palette entry that opens the tab and runs one of its actions (as a key would)."""

    name: str
    help: str
    action: str


@dataclass(frozen=True, slots=True)
class TabSpec:
    id: str
    title: str
    #: the label on a narrow terminal (the active tab keeps its full title)
    short_title: str
    key: str
    #: "module:Class", imported when the tab is first opened
    where: str
    commands: tuple[TabCommand, ...] = ()
    #: requests the app routes to this tab (opening it first): see ``SmsTab.take``
    takes: tuple[type[Message], ...] = ()
    #: built while the user reads the first tab, so opening it later is only a switch
    prebuild: bool = False
    #: the tab's title carries the count of unread replies ("2 Inbox (3)")
    shows_unread: bool = False

    def load(self) -> type[SmsTab]:
        module, _, name = self.where.partition(":")
        tab: type[SmsTab] = getattr(import_module(module), name)
        return tab


def _at(module: str, name: str) -> str:
    return f"smstui.ui.tabs.{module}:{name}"


TABS: tuple[TabSpec, ...] = (
    TabSpec(
        "compose",
        "Compose",
        "Comp",
        "1",
        _at("compose", "ComposeTab"),
        commands=(TabCommand("Send message", "Send the message in Compose", "send"),),
        takes=(OpenInCompose,),
    ),
    TabSpec(
        "inbox",
        "Inbox",
        "Inbox",
        "2",
        _at("inbox", "InboxTab"),
        shows_unread=True,
        commands=(
            TabCommand(
                "Keyword rules", "ClickSend's automations: auto replies, POLL rules", "rules"
            ),
        ),
    ),
    TabSpec(
        "history",
        "History",
        "Hist",
        "3",
        _at("history", "HistoryTab"),
        commands=(
            TabCommand("Copy message id", "Copy the selected History message's id", "copy_id"),
            TabCommand(
                "Export history to CSV", "Write the filtered History list to a CSV file", "export"
            ),
        ),
        # the heaviest tab to build (filters, a Select, the list): see SmsApp.prebuild
        prebuild=True,
    ),
    TabSpec(
        "templates",
        "Templates",
        "Tmpl",
        "4",
        _at("templates", "TemplatesTab"),
        commands=(TabCommand("New template", "Create an SMS template", "new"),),
    ),
    TabSpec(
        "contacts",
        "Contacts",
        "Cont",
        "5",
        _at("contacts", "ContactsTab"),
        commands=(TabCommand("Opt-outs", "Numbers that asked not to be messaged", "optouts"),),
    ),
    TabSpec("actions", "Actions", "Act", "6", _at("actions", "ActionsTab")),
    TabSpec("console", "Console", "Cons", "7", _at("console", "ConsoleTab")),
    TabSpec("stats", "Stats", "Stats", "8", _at("stats", "StatsTab")),
)
#: the tab shown at start
INITIAL = TABS[0]


def spec(tab_id: str) -> TabSpec:
    """The registry line of ``tab_id`` (KeyError for an unknown id)."""
    for entry in TABS:
        if entry.id == tab_id:
            return entry
    raise KeyError(tab_id)


def taker_of(request: Message) -> TabSpec | None:
    """The tab a routed request (``OpenInCompose``) is for, if any."""
    for entry in TABS:
        if isinstance(request, entry.takes):
            return entry
    return None
