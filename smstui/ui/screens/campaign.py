"""Send an SMS campaign to one list: name, sender, body with merge fields, price, confirm.

The campaign is priced before the confirmation shows recipients, parts and cost; the send
itself is one request that is never repeated (ClickSend has no idempotency key).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from smstui.core.errors import ValidationError
from smstui.core.models import Campaign, CampaignPrice, ContactList
from smstui.core.service.types import (
    MERGE_FIELDS,
    OPT_OUT_WARNING,
    NewCampaign,
    needs_opt_out,
    new_campaign,
)
from smstui.core.sms_text import segments_for
from smstui.core.when import parse_schedule
from smstui.ui.safe_text import plain, visible
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.shell import SmsShell
from smstui.ui.widgets.segment_meter import SegmentMeter

#: which inline error line each ``ValidationError.field`` goes to
_ERROR_FOR = {"name": "name", "body": "body", "sender": "sender", "from": "sender"}


def price_text(price: CampaignPrice) -> str:
    currency = price.currency.code if price.currency else ""
    return f"Estimate: {price.total_price:.4f} {currency} for {price.total_count} recipient(s)"


class CampaignScreen(ModalScreen[Campaign | None]):
    #: the app, typed (the backend, guarded calls)
    app = getters.app(SmsShell)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "send", "Send campaign", id="campaign.send"),
    ]
    DEFAULT_CSS = """
    CampaignScreen { align: center middle; }
    CampaignScreen > VerticalScroll {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    CampaignScreen .title { text-style: bold; }
    CampaignScreen .row { height: auto; }
    CampaignScreen .form-label { width: 10; padding: 1 1 0 0; }
    CampaignScreen Input { width: 1fr; }
    CampaignScreen #campaign-body { height: 5; }
    CampaignScreen .field-error { color: $error; height: auto; padding-left: 10; }
    CampaignScreen #merge-hint { color: $text-muted; height: auto; }
    CampaignScreen #opt-out-warning { color: $warning; height: auto; }
    CampaignScreen #campaign-date { width: 16; }
    CampaignScreen #campaign-time { width: 11; }
    CampaignScreen #campaign-price-text { width: 1fr; padding: 1 2 0 2; color: $text-muted; }
    CampaignScreen Button { margin-left: 1; }
    """

    def __init__(self, target: ContactList) -> None:
        super().__init__()
        self.target = target
        self.sent: Campaign | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            title = Text("Campaign to ", end="")
            title.append_text(plain(self.target.name, "bold"))
            title.append(f" ({self.target.contacts_count:,} contacts)")
            yield Static(title, classes="title")
            with Horizontal(classes="row"):
                yield Label("Name", classes="form-label")
                yield Input(placeholder="campaign name", id="campaign-name")
            yield Static("", id="campaign-name-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Label("From", classes="form-label")
                yield Input(placeholder="sender id or number (optional)", id="campaign-sender")
            yield Static("", id="campaign-sender-error", classes="field-error")
            yield TextArea(id="campaign-body", soft_wrap=True, show_line_numbers=False)
            yield Static(
                "Merge fields: " + " ".join(MERGE_FIELDS) + " are filled per contact.",
                id="merge-hint",
            )
            yield SegmentMeter(id="campaign-meter")
            yield Static("", id="opt-out-warning")
            yield Static("", id="campaign-body-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Label("Schedule", classes="form-label")
                yield Input(placeholder="YYYY-MM-DD", id="campaign-date", max_length=10)
                yield Input(placeholder="HH:MM", id="campaign-time", max_length=5)
            yield Static("", id="campaign-schedule-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Button("Cancel", id="campaign-cancel")
                yield Button("Price", id="campaign-price")
                yield Button("Send…", id="campaign-send", variant="primary")
                yield Static("", id="campaign-price-text")

    def on_mount(self) -> None:
        self.query_one("#campaign-name", Input).focus()
        self._body_changed()

    @on(TextArea.Changed, "#campaign-body")
    def _body_changed(self) -> None:
        body = self.query_one("#campaign-body", TextArea).text
        self.query_one("#campaign-meter", SegmentMeter).text = body
        warning = OPT_OUT_WARNING if body.strip() and needs_opt_out(body) else ""
        self.query_one("#opt-out-warning", Static).update(Text(warning and f"⚠ {warning}"))
        self.query_one("#campaign-body-error", Static).update("")
        self.query_one("#campaign-price-text", Static).update("")

    @on(Input.Changed)
    def _field_changed(self, event: Input.Changed) -> None:
        target = event.input.id
        if target in ("campaign-date", "campaign-time"):
            target = "campaign-schedule"
        self.query_one(f"#{target}-error", Static).update("")

    def build(self) -> NewCampaign | None:
        """The campaign, or None with each problem shown under its field."""
        schedule: datetime | None = None
        try:
            schedule = parse_schedule(
                self.query_one("#campaign-date", Input).value,
                self.query_one("#campaign-time", Input).value,
            )
        except ValidationError as err:
            self.query_one("#campaign-schedule-error", Static).update(plain(f"✖ {err.message}"))
            return None
        try:
            return new_campaign(
                self.target.list_id,
                self.query_one("#campaign-name", Input).value,
                self.query_one("#campaign-body", TextArea).text,
                sender=self.query_one("#campaign-sender", Input).value.strip() or None,
                schedule=schedule,
                default_region=self.app.ws.default_region,
            )
        except ValidationError as err:
            where = _ERROR_FOR.get(err.field or "", "body")
            self.query_one(f"#campaign-{where}-error", Static).update(plain(f"✖ {err.message}"))
            return None

    async def _price(self, campaign: NewCampaign) -> CampaignPrice | None:
        button = self.query_one("#campaign-price", Button)
        button.loading = True
        try:
            price = await self.app.guarded("Campaign price", self.app.ws.campaigns.price(campaign))
        finally:
            button.loading = False
        self.query_one("#campaign-price-text", Static).update(price_text(price) if price else "")
        return price

    @on(Button.Pressed, "#campaign-price")
    def _price_pressed(self) -> None:
        self.action_price()

    @on(Button.Pressed, "#campaign-send")
    def _send_pressed(self) -> None:
        self.action_send()

    @work(exclusive=True, group="campaign", exit_on_error=False)
    async def action_price(self) -> None:
        campaign = self.build()
        if campaign is not None:
            await self._price(campaign)

    @work(exclusive=True, group="campaign", exit_on_error=False)
    async def action_send(self) -> None:
        campaign = self.build()
        if campaign is None:
            return
        price = await self._price(campaign)
        if price is None:
            return
        info = segments_for(campaign.body)
        body = Text(end="")
        body.append("List: ", style="bold")
        body.append_text(plain(self.target.name))
        body.append(f"\nRecipients: {price.total_count:,}")
        body.append(f"\n{info.parts} part(s) each, {info.encoding} (before merge fields)")
        if campaign.schedule is not None:
            body.append(f"\nScheduled for {campaign.schedule.astimezone():%Y-%m-%d %H:%M %Z}")
        body.append(f"\n{price_text(price).replace('Estimate', 'Total cost')}")
        if needs_opt_out(campaign.body):
            body.append(f"\n⚠ {OPT_OUT_WARNING}", style="bold")
        app = self.app
        if not await app.push_screen_wait(
            ConfirmScreen("Send this campaign?", body, yes="Send campaign")
        ):
            return
        button = self.query_one("#campaign-send", Button)
        button.loading = True
        try:
            sent = await app.guarded("Campaign", app.ws.campaigns.send(campaign))
        finally:
            button.loading = False
        if sent is None:
            return
        self.sent = sent
        app.notify(
            visible(f"Campaign {sent.name!r}: {sent.status}"), title="Campaign sent", markup=False
        )
        self.dismiss(sent)

    @on(Button.Pressed, "#campaign-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
