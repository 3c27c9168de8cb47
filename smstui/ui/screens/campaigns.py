"""The account's SMS campaigns with their status; a scheduled one can be cancelled."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from smstui.core.models import Campaign
from smstui.ui.contact_pages import ListSource
from smstui.ui.message_view import STATUS_STYLES, local_time
from smstui.ui.safe_text import one_line, plain, visible
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.screens.list_dialog import ListDialog
from smstui.ui.widgets.virtual_list import VirtualList


def campaign_row(c: Campaign, width: int) -> Text:
    text = Text(end="", no_wrap=True)
    text.append(one_line(c.name, 22).ljust(23))
    text.append(c.status[:10].ljust(11), style=STATUS_STYLES.get(c.status.lower(), ""))
    when = c.schedule if c.schedule else c.date_added
    text.append(local_time(when, "%m-%d %H:%M").ljust(12), style="dim")
    text.append(one_line(c.list_name or f"list {c.list_id}", 16).ljust(17))
    text.append(one_line(c.body, max(1, width - 63)), style="dim")
    return text


class CampaignsScreen(ListDialog[Campaign]):
    LIST_ID = "campaign-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="dialog.close"),
        Binding("x", "cancel_campaign", "Cancel scheduled", id="campaigns.cancel"),
        Binding("r", "refresh", "Refresh", id="campaigns.refresh"),
    ]
    DEFAULT_CSS = """
    CampaignsScreen { align: center middle; }
    CampaignsScreen > Vertical {
        width: 110; max-width: 100%; height: 80%; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    CampaignsScreen .title { text-style: bold; height: 1; }
    CampaignsScreen #campaigns-help { color: $text-muted; height: 1; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Campaigns", classes="title")
            yield VirtualList[Campaign](
                ListSource([]), campaign_row, empty_text="No campaigns yet.", id="campaign-list"
            )
            yield Static(
                "x: cancel a scheduled campaign · r: refresh · esc: close", id="campaigns-help"
            )

    @work(exclusive=True, group="campaigns-load", exit_on_error=False)
    async def action_refresh(self) -> None:
        await self.load("Loading campaigns", self.app.ws.campaigns.list())

    @work(exclusive=True, group="campaigns", exit_on_error=False)
    async def action_cancel_campaign(self) -> None:
        campaign = self.records.current
        if campaign is None:
            return
        if campaign.status.lower() != "scheduled":
            self.notify(
                visible(
                    f"Only a scheduled campaign can be cancelled; this one is {campaign.status}."
                ),
                severity="warning",
                markup=False,
            )
            return
        app = self.app
        body = plain(campaign.name, "bold")
        body.append(f"\nScheduled for {local_time(campaign.schedule)}")
        if not await app.push_screen_wait(
            ConfirmScreen("Cancel this campaign?", body, yes="Cancel campaign", no="Keep")
        ):
            return
        cancelled = await app.guarded(
            "Cancelling the campaign", app.ws.campaigns.cancel(campaign.campaign_id)
        )
        if cancelled is not None:
            self.notify(visible(f"Campaign {cancelled.name!r}: {cancelled.status}"), markup=False)
            await self.action_refresh().wait()
