"""SMS campaigns: one message to every contact of a list, priced before it is sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smstui.core.clicksend.campaigns import CampaignService, NewCampaign
    from smstui.core.models import Campaign, CampaignPrice, Page
    from smstui.core.service.workspace import Workspace


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
