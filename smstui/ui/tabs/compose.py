"""Compose: the form (``compose_form.py``), then confirm, send and the results per recipient."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Button, Input, Static, TextArea

from smstui.core.errors import StoreError
from smstui.core.phone import UNKNOWN_RANGE
from smstui.core.service import Quote, RecipientResult
from smstui.ui.compose_channels import MODE_TITLES, ChannelFields, Outgoing
from smstui.ui.compose_send import ComposeDraft, confirm_text, describe_results, opted_out_text
from smstui.ui.messages import (
    AccountChanged,
    OpenInCompose,
    SendsReconciled,
    StoreChanged,
    TemplatesChanged,
)
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.tabs.compose_form import ComposeForm

SHOWN_UNKNOWN_RANGES = 10  # numbers listed in the unknown-range confirmation


def unknown_ranges_text(numbers: Sequence[str]) -> str:
    """The confirmation for numbers libphonenumber calls possible but does not know."""
    shown = "\n".join(f"  {n}" for n in numbers[:SHOWN_UNKNOWN_RANGES])
    more = len(numbers) - SHOWN_UNKNOWN_RANGES
    return (
        "The phone library does not know these number ranges (new ranges reach it late):\n"
        f"{shown}\n"
        + (f"  … and {more} more\n" if more > 0 else "")
        + f"They are {UNKNOWN_RANGE}: a number that does not exist comes back rejected."
    )


class ComposeTab(ComposeForm):
    RELOADS_ON = frozenset({TemplatesChanged})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="compose.send"),
        Binding("ctrl+l", "clear", "Clear", id="compose.clear"),
        Binding(
            "ctrl+o", "cycle_mode", "Mode", id="compose.mode", tooltip="Switch SMS / MMS / voice"
        ),
        Binding(
            "ctrl+t",
            "pick",
            "Pick",
            id="compose.pick",
            tooltip="Pick contacts or lists as recipients",
        ),
    ]
    DEFAULT_CSS = """
    ComposeTab VerticalScroll { padding: 0 1; }
    ComposeTab #recipients { width: 1fr; }
    ComposeTab #sender { width: 1fr; }
    ComposeTab #template-picker { width: 30; }
    ComposeTab #body { height: 6; min-height: 5; border: round $primary 60%; border-title-color: $text-muted; }
    ComposeTab #body:focus { border: round $primary; }
    ComposeTab #meter { padding-left: 1; width: 1fr; }
    ComposeTab #channel-meter { width: 1fr; }
    ComposeTab #schedule-date { width: 16; }
    ComposeTab #schedule-time { width: 11; }
    ComposeTab #tz-label { width: auto; padding: 1 1 0 1; color: $text-muted; }
    ComposeTab #send { margin: 0 1 0 2; min-width: 10; }
    ComposeTab #price { height: auto; padding: 0 1 0 10; color: $text-muted; }
    ComposeTab #results { height: auto; padding: 0 1 0 10; }
    ComposeTab #mode { width: 14; }
    ComposeTab #pick { min-width: 8; width: 10; }
    ComposeTab #picked-lists { height: auto; padding-left: 10; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.last_results: list[RecipientResult] = []

    @on(AccountChanged)
    def _account_changed(self, notice: AccountChanged) -> None:
        if self.is_built:  # not when the app quit while building this tab
            self.set_part_cap(notice.account.part_cap)

    @on(SendsReconciled)
    def _sends_reconciled(self, notice: SendsReconciled) -> None:
        if self.is_built:
            self.update_results(notice.results)

    def take(self, request: Message) -> None:
        if isinstance(request, OpenInCompose):
            self.prefill(to=request.to, body=request.body)

    def action_send(self) -> None:
        draft = self.build_draft()
        if draft is None:
            self.notify("Fix the highlighted fields first.", severity="error")
            return
        self._confirm_and_send(draft)

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        self.action_send()

    async def _prepare(self, draft: ComposeDraft) -> tuple[list[Outgoing], Quote]:
        """Recipients expanded, messages checked (voice: against the language list), priced."""
        return await self.app.ws.drafts.prepare(draft, self.members)

    def _store_refuses(self, err: StoreError) -> None:
        """A send the store cannot record first never leaves: say so; the draft stays."""
        self.app.store_failed(err)
        self.notify(
            f"{err.message}\nNothing was sent; your draft stays here. Send again once the "
            "message store works (the banner above goes then).",
            title="Not sent",
            severity="error",
            timeout=10,
        )

    @work(exclusive=True, group="send", exit_on_error=False)
    async def _confirm_and_send(self, draft: ComposeDraft) -> None:
        app = self.app
        try:
            app.ws.open_store()  # opened already, or said at once not to be usable
        except StoreError as err:
            self._store_refuses(err)
            return
        if draft.unknown_ranges and not await app.push_screen_wait(
            ConfirmScreen(
                f"{len(draft.unknown_ranges)} number(s) in an unknown range",
                unknown_ranges_text(draft.unknown_ranges),
                yes="Send anyway",
                no="Go back",
            )
        ):
            return
        button = self.query_one("#send", Button)
        button.loading = True
        try:
            prepared = await app.guarded("Price estimate", self._prepare(draft))
        finally:
            button.loading = False
        if prepared is None:
            return
        messages, quote = prepared
        include_opted_out = False
        try:
            opted_out = app.ws.optouts.among([m.to for m in messages])
        except StoreError as err:
            self._store_refuses(err)
            return
        if opted_out:
            include_opted_out = await app.push_screen_wait(
                ConfirmScreen(
                    f"{len(opted_out)} recipient(s) opted out",
                    opted_out_text(opted_out),
                    yes="Include them",
                    no="Leave them out",
                )
            )
            if not include_opted_out:
                messages = [m for m in messages if m.to not in set(opted_out)]
                if not messages:
                    self.notify("Every recipient opted out: nothing to send.", severity="warning")
                    return
                repriced = await app.guarded(
                    "Price estimate", app.ws.drafts.price(draft.mode, messages)
                )
                if repriced is None:
                    return
                quote = repriced
        body = confirm_text(draft, messages, quote, self.part_cap)
        title = f"Send {MODE_TITLES[draft.mode]} to {len(messages)} recipient(s)?"
        if not await app.push_screen_wait(ConfirmScreen(title, body, yes="Send")):
            return
        button.loading = True
        try:
            results = await app.guarded(
                "Send",
                app.ws.drafts.send(draft.mode, messages, include_opted_out=include_opted_out),
            )
        finally:
            button.loading = False
        if results is None:
            return
        self.last_results = results
        self.query_one("#results", Static).update(describe_results(results))
        accepted = sum(r.outcome == "accepted" for r in results)
        rejected = sum(r.outcome == "rejected" for r in results)
        self.notify(
            f"{accepted} accepted, {rejected} rejected",
            title="Sent",
            severity="information" if rejected == 0 else "warning",
        )
        if accepted and not rejected:
            self.query_one("#body", TextArea).load_text("")
            self.save_draft_now()
        self.post_message(StoreChanged())
        if accepted:
            await app.refresh_account()  # the header's balance went down: show it now

    def update_results(self, revisited: Sequence[RecipientResult]) -> None:
        """A sync reconciled sends whose outcome was unknown: update those result lines."""
        by_row: dict[int | None, RecipientResult] = {
            r.outbox_id: r for r in revisited if r.outbox_id is not None
        }
        if not any(r.outbox_id in by_row for r in self.last_results):
            return
        self.last_results = [by_row.get(r.outbox_id, r) for r in self.last_results]
        self.query_one("#results", Static).update(describe_results(self.last_results))

    def action_clear(self) -> None:
        for name in ("recipients", "sender", "schedule-date", "schedule-time"):
            self.query_one(f"#{name}", Input).value = ""
        self.query_one("#body", TextArea).load_text("")
        self.query_one("#results", Static).update("")
        self.picked_lists.clear()
        self.members.forget()
        self._show_picked()
        self.query_one(ChannelFields).clear()
