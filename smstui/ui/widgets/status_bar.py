"""The header line: app title, the SANDBOX badge, account and balance, connection state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from smstui.ui.safe_text import plain

if TYPE_CHECKING:
    from smstui.core.models import Account

ConnectionState = Literal["offline", "connecting", "ready", "error"]

SANDBOX_BADGE = " SANDBOX — nothing leaves this machine "
#: the badge on a narrow terminal, where the account and balance need the room
SANDBOX_BADGE_SHORT = " SANDBOX "


class StatusBar(Horizontal):
    """Account, balance and connection state; the SANDBOX badge when on the sandbox."""

    DEFAULT_CSS = """
    StatusBar { height: 1; dock: top; background: $panel; }
    StatusBar > #app-title { width: auto; padding: 0 1; text-style: bold; background: $primary; color: $text; }
    StatusBar > #sandbox-badge { width: auto; background: $warning; color: $background; text-style: bold; }
    StatusBar > #account { width: 1fr; padding: 0 1; }
    StatusBar > #connection { width: auto; padding: 0 1; }
    StatusBar > #connection.-ready { color: $success; }
    StatusBar > #connection.-error { color: $error; }
    StatusBar > #connection.-connecting { color: $warning; }
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

    def fit(self, narrow: bool) -> None:
        """The short badge on a narrow terminal."""
        badge = self.query_one("#sandbox-badge", Static)
        badge.update(SANDBOX_BADGE_SHORT if narrow else SANDBOX_BADGE)

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
