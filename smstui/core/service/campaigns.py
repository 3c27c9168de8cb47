"""SMS campaigns: one message to every contact of a list, priced before it is sent.

``needs_opt_out`` and ``OPT_OUT_WARNING`` are the core's (re-exported for the front-ends).

Opt-outs: ClickSend sends a campaign to every contact of the list, on its side; smstui cannot
leave a member out of it. So a list holding opted-out numbers is refused
(``OptedOutError``, naming them) unless the caller overrides: the honest choices are to
remove them from the list first, or to send to them knowingly. ``opted_out_members`` gives
the count the price and confirmation show.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from smstui.core.clicksend.campaigns import OPT_OUT_WARNING, NewCampaign, needs_opt_out
from smstui.core.errors import OptedOutError, ValidationError
from smstui.core.phone import check_number

if TYPE_CHECKING:
    from datetime import datetime

    from smstui.core.clicksend.campaigns import CampaignService
    from smstui.core.models import Campaign, CampaignPrice, ContactList, Page
    from smstui.core.service.workspace import Workspace

__all__ = ["OPT_OUT_WARNING", "CampaignsPart", "NewCampaign", "needs_opt_out"]


class CampaignsPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    async def _service(self) -> CampaignService:
        from smstui.core.clicksend.campaigns import CampaignService

        return CampaignService(await self._ws._session().service())

    async def price(self, campaign: NewCampaign) -> CampaignPrice:
        return await (await self._service()).price(campaign)

    async def opted_out_members(self, list_id: str) -> builtins.list[str]:
        """The list's members who opted out (E.164). Reads the list's members only when the
        opt-out list is not empty (a big list is many pages)."""
        optouts = self._ws.optouts
        if not optouts.count():
            return []
        members = await self._ws.contacts.member_numbers(list_id)
        return optouts.among([self._e164(n) for n in members])

    async def check_opt_outs(
        self, list_id: str, *, include_opted_out: bool = False
    ) -> builtins.list[str]:
        """The list's opted-out members; ``OptedOutError`` when there are any, unless
        ``include_opted_out`` (then they are returned, for the confirmation to say)."""
        refused = await self.opted_out_members(list_id)
        if refused and not include_opted_out:
            raise OptedOutError(
                refused,
                hint=(
                    "ClickSend sends a campaign to every contact of the list, so smstui "
                    "cannot skip them: remove them from the list first, or send anyway "
                    "with the include-opted-out override (CLI: --include-opted-out)."
                ),
            )
        return refused

    async def send(self, campaign: NewCampaign, *, include_opted_out: bool = False) -> Campaign:
        """Send (or schedule) the campaign. Raises ``OptedOutError`` when the list holds
        opted-out members, unless ``include_opted_out`` (ClickSend would message them)."""
        await self.check_opt_outs(campaign.list_id, include_opted_out=include_opted_out)
        return await (await self._service()).send(campaign)

    def _e164(self, number: str) -> str:
        try:
            return check_number(number, self._ws.default_region).e164
        except ValidationError:
            return number

    async def list(self) -> list[Campaign]:
        page: Page[Campaign] = await (await self._service()).list()
        return page.items

    async def cancel(self, campaign_id: str) -> Campaign:
        return await (await self._service()).cancel(campaign_id)

    def new(
        self,
        list_id: str,
        name: str,
        body: str,
        *,
        sender: str | None = None,
        schedule: datetime | None = None,
    ) -> NewCampaign:
        """A campaign checked as far as it can be before ClickSend sees it."""
        from smstui.core.clicksend.campaigns import new_campaign

        return new_campaign(
            list_id,
            name,
            body,
            sender=sender,
            schedule=schedule,
            default_region=self._ws.default_region,
        )

    async def check_size(self, list_id: str) -> ContactList:
        """The list, refused when it holds more contacts than one campaign may reach."""
        return await (await self._service()).check_size(list_id)

    async def get(self, campaign_id: str) -> Campaign:
        return await (await self._service()).get(campaign_id)

    async def all(self) -> builtins.list[Campaign]:
        """Every campaign, all pages (``list`` is the first page only)."""
        service = await self._service()
        items: builtins.list[Campaign] = []
        page_no = 1
        while True:
            page = await service.list(page=page_no)
            items.extend(page.items)
            if not page.has_next or not page.items:
                return items
            page_no = page.page + 1
