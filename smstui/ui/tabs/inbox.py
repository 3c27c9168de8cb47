"""Inbox: replies and inbound messages, newest first, unread marked; conversation per number;
who marked a conversation handled (``h``), and when."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from smstui.core.errors import StoreError
from smstui.core.service.history import MessageFilter, StoredMessage
from smstui.ui.message_view import message_row
from smstui.ui.messages import OpenInCompose, PollRulesChanged, StoreChanged
from smstui.ui.screens.conversation import ConversationScreen
from smstui.ui.tabs.base import SmsTab
from smstui.ui.widgets.poll_banner import PollRuleBanner
from smstui.ui.widgets.virtual_list import VirtualList

if TYPE_CHECKING:
    from smstui.core.service.types import PollRules

INBOUND = MessageFilter(direction="in")


class InboxTab(Vertical, SmsTab):
    RELOADS_ON = frozenset({StoreChanged})
    DEFAULT_CSS = """
    InboxTab #inbox-summary { height: 1; color: $text-muted; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reply", "Reply", id="inbox.reply"),
        Binding("m", "mark_read", "Mark read", id="inbox.mark_read"),
        Binding("h", "toggle_handled", "Handled", id="inbox.handled"),
        Binding("s", "app.sync_now", "Sync now", id="inbox.sync"),
        Binding("a", "rules", "Rules", id="inbox.rules"),
    ]

    def __init__(self) -> None:
        super().__init__(id="inbox-tab")

    def focus_default(self) -> None:
        self.query_one("#inbox-list").focus()

    def compose(self) -> ComposeResult:
        yield PollRuleBanner()
        yield Static("", id="inbox-summary")
        yield VirtualList[StoredMessage](
            self.app.store_source(INBOUND),
            partial(message_row, handled=True),
            empty_text="No inbound messages yet. Replies appear here after a sync.",
            id="inbox-list",
        )

    def on_mount(self) -> None:
        self.inbox_list.focus()
        self._summarise()
        self.show_poll_rules(self.app.poll_rules)

    @on(PollRulesChanged)
    def _poll_rules_changed(self, notice: PollRulesChanged) -> None:
        self.show_poll_rules(notice.rules)

    def show_poll_rules(self, rules: PollRules | None) -> None:
        """No POLL rule: replies will never arrive, so say why above the list."""
        self.query_one(PollRuleBanner).show(rules)

    @property
    def inbox_list(self) -> VirtualList[StoredMessage]:
        return cast("VirtualList[StoredMessage]", self.query_one("#inbox-list", VirtualList))

    def _summarise(self, total: int | None = None) -> None:
        # the total arrives from the list's background count; until then "…"
        try:
            unread = self.app.ws.history.count(MessageFilter(direction="in", unread_only=True))
        except StoreError as err:
            self.app.store_failed(err)
            unread = 0
        shown = f"{total:,}" if total is not None else "…"
        self.query_one("#inbox-summary", Static).update(
            f"{shown} inbound, {unread:,} unread · Enter: conversation · r: reply · "
            "m: mark read · h: handled"
        )

    @on(VirtualList.Counted, "#inbox-list")
    def _counted(self, event: VirtualList.Counted) -> None:
        self._summarise(event.total)

    def reload(self) -> None:
        self.inbox_list.reload()
        self._summarise()
        self.app.count_unread()  # the tab's title carries the count

    @on(VirtualList.Selected, "#inbox-list")
    def _open(self, event: VirtualList.Selected) -> None:
        if event.row is not None:
            self.open_conversation(event.row)

    def open_conversation(self, m: StoredMessage) -> None:
        self.app.push_screen(ConversationScreen(m.sender), self._after_conversation)
        if not m.read:
            self._mark([m.message_id])

    def _after_conversation(self, reply_to: str | None) -> None:
        if reply_to:
            self.post_message(OpenInCompose(to=reply_to))

    def action_rules(self) -> None:
        from smstui.ui.screens.rules import RulesScreen

        self.app.push_screen(RulesScreen(self.app.ws))

    def action_reply(self) -> None:
        m = self.inbox_list.current
        if m is not None:
            self.post_message(OpenInCompose(to=m.sender))

    def action_mark_read(self) -> None:
        m = self.inbox_list.current
        if m is not None and not m.read:
            self._mark([m.message_id])

    def action_toggle_handled(self) -> None:
        """Mark the selected conversation handled by this operator, or not any more."""
        m = self.inbox_list.current
        if m is not None:
            number = m.sender if m.direction == "in" else m.to
            self._set_handled(number, m.handled_by is None)

    @work(group="handled", exit_on_error=False)
    async def _set_handled(self, number: str, handled: bool) -> None:
        app = self.app
        call = asyncio.to_thread(partial(app.ws.replies.mark_handled, number, handled=handled))
        await app.guarded("Mark handled", call)
        self.reload()

    @work(group="mark-read", exit_on_error=False)
    async def _mark(self, ids: list[str]) -> None:
        app = self.app
        await app.guarded("Mark read", app.ws.messages.mark_read(ids))
        self.reload()
