"""The Inbox banner shown when ClickSend will not list replies or receipts (no POLL rule).

Without an enabled POLL automation rule ClickSend's inbound and receipt lists stay empty and
say nothing; the banner says why and offers to create the missing rules, after confirmation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import getters, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from smstui.ui.shell import SmsShell

if TYPE_CHECKING:
    from smstui.core.service.types import PollRules

_CONFIRM = (
    "smstui will add an enabled automation rule with action POLL for {kinds} to your "
    "ClickSend account (named 'smstui: poll', for every number). ClickSend then lists new "
    "{what} for smstui to read. Your other rules are not changed."
)


class PollRuleBanner(Horizontal):
    #: the app, typed (the backend, guarded calls)
    app = getters.app(SmsShell)

    DEFAULT_CSS = """
    PollRuleBanner { height: auto; padding: 0 1; background: $warning-muted; display: none; }
    PollRuleBanner > Static { width: 1fr; padding: 1 0; }
    PollRuleBanner > Button { margin: 0 0 0 2; }
    """

    def __init__(self) -> None:
        super().__init__(id="poll-banner")
        self._rules: PollRules | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="poll-banner-text")
        yield Button("Create POLL rules", id="poll-create", variant="warning")

    def show(self, rules: PollRules | None) -> None:
        """Show the banner when ``rules`` lack one; an unknown answer (None) shows nothing."""
        self._rules = rules
        problem = rules.problem() if rules is not None else None
        self.display = problem is not None
        if problem is not None:
            self.query_one("#poll-banner-text", Static).update(
                Text(f"{problem}. Create the missing rule?", end="")
            )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "poll-create":
            event.stop()
            self.create()

    @work(exclusive=True, group="poll-rules", exit_on_error=False)
    async def create(self) -> None:
        from smstui.core.service.types import POLL_RULE_EFFECTS
        from smstui.ui.screens.confirm import ConfirmScreen

        app = self.app
        if self._rules is None or not self._rules.missing:
            return
        missing = self._rules.missing
        body = _CONFIRM.format(
            kinds=" and ".join(missing), what=" and ".join(POLL_RULE_EFFECTS[k] for k in missing)
        )
        if not await app.push_screen_wait(
            ConfirmScreen("Create POLL rules in ClickSend?", body, yes="Create")
        ):
            return
        created = await app.guarded("Creating POLL rules", app.ws.create_poll_rules())
        if created is None:
            return
        kinds = ", ".join(rule.kind for rule in created) or "none needed"
        app.notify(f"POLL rules created in ClickSend: {kinds}.", title="Inbox")
        await app.check_poll_rules()
        app.action_sync_now()
