"""Keyword rules: ClickSend's inbound automation rules (auto replies, POLL...), seen and managed.

ClickSend runs them on its side. Turning off the last enabled POLL rule asks first, saying
that replies (or receipts) would stop arriving.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from smstui.core.errors import LastPollRuleError
from smstui.ui.contact_pages import ListSource
from smstui.ui.safe_text import one_line
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.screens.list_dialog import ListDialog
from smstui.ui.shell import describe_error
from smstui.ui.widgets.virtual_list import VirtualList

if TYPE_CHECKING:
    from smstui.core.models import AutomationRule
    from smstui.core.service import Workspace

_MATCH = {0: "any", 1: "starts", 2: "contains", 3: "lacks"}


def rule_row(rule: AutomationRule, width: int) -> Text:
    text = Text(end="", no_wrap=True)
    text.append(rule.rule_id[:6].ljust(7), style="dim")
    text.append(rule.kind[:7].ljust(8))
    text.append(rule.action[:10].ljust(11), style="bold" if rule.action == "POLL" else "")
    text.append(("on" if rule.enabled else "off").ljust(4), style="" if rule.enabled else "dim")
    match = _MATCH.get(rule.search_type, "any") if rule.kind == "inbound" else "all"
    keyword = f"{match} {rule.keyword}".strip() if rule.keyword else match
    text.append(one_line(keyword, 16).ljust(17))
    text.append(one_line(rule.reply or rule.name, max(1, width - 47)), style="dim")
    return text


class RulesScreen(ListDialog["AutomationRule"]):
    LIST_ID = "rule-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="dialog.close"),
        Binding("e", "switch", "Enable/disable", id="rules.switch"),
        Binding("delete,x", "delete", "Delete", id="rules.delete"),
        Binding("r", "refresh", "Refresh", id="rules.refresh"),
    ]
    DEFAULT_CSS = """
    RulesScreen { align: center middle; }
    RulesScreen > Vertical {
        width: 100; max-width: 100%; height: 80%; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    RulesScreen .title { text-style: bold; height: 1; }
    RulesScreen #rules-help { color: $text-muted; height: auto; }
    RulesScreen Horizontal { height: auto; }
    RulesScreen #rule-keyword { width: 16; }
    RulesScreen #rule-reply { width: 1fr; }
    """

    def __init__(self, ws: Workspace) -> None:
        super().__init__()
        self.ws = ws

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Keyword rules (ClickSend automations)", classes="title")
            yield VirtualList["AutomationRule"](
                ListSource([]), rule_row, empty_text="No rules.", id="rule-list"
            )
            with Horizontal():
                yield Input(placeholder="KEYWORD", id="rule-keyword")
                yield Input(placeholder="auto reply text", id="rule-reply")
                yield Button("Add", id="rule-add", variant="primary")
            yield Static(
                "Add: ClickSend answers messages starting with the keyword. "
                "e: enable/disable · x: delete · r: refresh · esc: close",
                id="rules-help",
            )

    @work(exclusive=True, group="rules-load", exit_on_error=False)
    async def action_refresh(self) -> None:
        await self.load("Loading rules", self.ws.rules.list())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "rule-add":
            self.add_rule()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("rule-keyword", "rule-reply"):
            self.add_rule()

    @work(exclusive=True, group="rules", exit_on_error=False)
    async def add_rule(self) -> None:
        keyword = self.query_one("#rule-keyword", Input)
        reply = self.query_one("#rule-reply", Input)
        added = await self.app.guarded(
            "Adding the rule", self.ws.rules.add_auto_reply(keyword.value, reply.value)
        )
        if added is not None:
            self.app.notify(f"Auto reply to {added.keyword} added")
            keyword.value = reply.value = ""
            await self.action_refresh().wait()

    @work(exclusive=True, group="rules", exit_on_error=False)
    async def action_switch(self) -> None:
        rule = self.records.current
        if rule is None:
            return
        rules = self.ws.rules
        if rule.enabled:
            await self._off(
                rule,
                "disable",
                lambda confirm: rules.disable(rule.rule_id, kind=rule.kind, confirm=confirm),
            )
        else:
            await self.app.guarded("Enabling the rule", rules.enable(rule.rule_id, kind=rule.kind))
        await self.action_refresh().wait()

    @work(exclusive=True, group="rules", exit_on_error=False)
    async def action_delete(self) -> None:
        rule = self.records.current
        if rule is None:
            return
        body = Text(f"Rule {rule.rule_id}: {rule.action} ", end="")
        body.append(one_line(rule.keyword or rule.name, 40))
        if not await self.app.push_screen_wait(
            ConfirmScreen("Delete this rule?", body, yes="Delete", no="Keep")
        ):
            return
        rules = self.ws.rules
        await self._off(
            rule,
            "delete",
            lambda confirm: rules.delete(rule.rule_id, kind=rule.kind, confirm=confirm),
        )
        await self.action_refresh().wait()

    async def _off(
        self, rule: AutomationRule, what: str, call: Callable[[bool], Awaitable[object]]
    ) -> None:
        """Disable or delete; for the last POLL rule, say what would stop and ask first."""
        try:
            await call(False)
            return
        except LastPollRuleError as err:
            question = Text(f"{err}.")
        except asyncio.CancelledError:
            raise
        except Exception as err:  # the UI survives anything the core lets escape
            self.app.notify(describe_error(err), title=f"Could not {what} it", severity="error")
            return
        if await self.app.push_screen_wait(
            ConfirmScreen(
                f"{what.capitalize()} the last POLL rule?",
                question,
                yes=what.capitalize(),
                no="Keep it",
            )
        ):
            await self.app.guarded(f"Changing rule {rule.rule_id}", call(True))
