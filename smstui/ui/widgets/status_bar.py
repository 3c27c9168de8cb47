"""The header line: app title, the SANDBOX badge, account and balance, connection state.

One widget draws the four parts (they were four ``Static`` widgets in a row: every widget on
a screen costs on each key driven by Textual's Pilot, which visits them all). It lays them out
as that row did: the title and badge at their own width, the connection on the right at its
own width, the account in what is left (its first line, word-wrapped as a ``Static`` wraps),
each in the colours the same CSS gives it (component classes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from rich.containers import Lines
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from smstui.ui.safe_text import plain

if TYPE_CHECKING:
    from smstui.core.models import Account

ConnectionState = Literal["offline", "connecting", "ready", "error"]

SANDBOX_BADGE = " SANDBOX — nothing leaves this machine "
#: the badge on a narrow terminal, where the account and balance need the room
SANDBOX_BADGE_SHORT = " SANDBOX "
TITLE = "smstui"
CONNECTION_LABELS: dict[ConnectionState, str] = {
    "offline": "○ offline",
    "connecting": "◌ connecting…",
    "ready": "● connected",
    "error": "✖ error",
}


class StatusBar(Widget):
    """Account, balance and connection state; the SANDBOX badge when on the sandbox."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status-bar--title",
        "status-bar--badge",
        "status-bar--account",
        "status-bar--connection",
    }
    DEFAULT_CSS = """
    StatusBar { height: 1; dock: top; background: $panel; }
    StatusBar > .status-bar--title { text-style: bold; background: $primary; color: $text; }
    StatusBar > .status-bar--badge { background: $warning; color: $background; text-style: bold; }
    StatusBar.-ready > .status-bar--connection { color: $success; }
    StatusBar.-error > .status-bar--connection { color: $error; }
    StatusBar.-connecting > .status-bar--connection { color: $warning; }
    """

    def __init__(self, sandbox: bool) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.badge_text = SANDBOX_BADGE
        self._account: Text = Text("Account: loading…", end="")
        self._connection: Text = Text("offline", end="")

    # ------------------------------------------------------------------ what it says

    @property
    def account_text(self) -> str:
        return self._account.plain

    @property
    def connection_text(self) -> str:
        return self._connection.plain

    def show_account(self, account: Account) -> None:
        text = Text(end="")
        text.append_text(plain(account.account_name or account.username))
        balance = (
            account.currency.format(account.balance) if account.currency else f"{account.balance}"
        )
        text.append(f"  balance {balance}")
        self._account = text
        self.refresh()

    def set_sandbox(self, sandbox: bool) -> None:
        self.sandbox = sandbox
        self.refresh()

    def fit(self, narrow: bool) -> None:
        """The short badge on a narrow terminal."""
        self.badge_text = SANDBOX_BADGE_SHORT if narrow else SANDBOX_BADGE
        self.refresh()

    def show_connection(self, state: ConnectionState, detail: str = "") -> None:
        label = CONNECTION_LABELS[state]
        self._connection = Text(label + (f" · {detail}" if detail else ""), end="")
        for name in CONNECTION_LABELS:
            self.set_class(name == state, f"-{name}")
        self.refresh()

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        # padding and the cells no text covers: the background alone, as Textual draws them
        blank = Style(bgcolor=base.bgcolor)
        if y:
            return Strip([Segment(" " * width, blank)], width)
        console = self.app.console

        def text(content: Text, style: Style) -> list[Segment]:
            return [
                Segment(s.text, style + s.style if s.style else style)
                for s in content.render(console)
                if s.text
            ]

        title_style = self.get_component_rich_style("status-bar--title")
        title_blank = Style(bgcolor=title_style.bgcolor)
        parts = [Segment(" ", title_blank), Segment(TITLE, title_style), Segment(" ", title_blank)]
        if self.sandbox:
            badge_style = self.get_component_rich_style("status-bar--badge")
            parts.append(Segment(self.badge_text, badge_style))
        connection_style = self.get_component_rich_style("status-bar--connection")
        connection = [
            Segment(" ", blank),
            *text(self._connection, connection_style),
            Segment(" ", blank),
        ]
        used = sum(s.cell_length for s in parts) + sum(s.cell_length for s in connection)
        # the account: width 1fr with a column of padding each side (kept when the others
        # leave no room: the connection is then cut at the right edge); its first line shown
        room = max(2, width - used)
        inner = room - 2
        account: list[Segment] = [Segment(" ", blank)]
        lines = self._account.wrap(console, inner) if inner else Lines()
        shown = 0
        if lines:
            first = lines[0]
            first.rstrip()
            account.extend(text(first, base))
            shown = first.cell_len
        account.append(Segment(" " * (room - 1 - shown), blank))
        return Strip([*parts, *account, *connection]).crop_extend(0, width, blank)
