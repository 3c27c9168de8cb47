"""SMS campaigns: one message to every contact of a list, priced before it is sent.

``needs_opt_out`` and ``OPT_OUT_WARNING`` are the core's (re-exported for the front-ends).
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from smstui.core.clicksend.campaigns import OPT_OUT_WARNING, NewCampaign, needs_opt_out

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

    async def send(self, campaign: NewCampaign) -> Campaign:
        return await (await self._service()).send(campaign)

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
