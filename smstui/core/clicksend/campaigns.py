"""SMS campaigns: one message to every contact of one list, priced first.

ClickSend fills merge fields such as ``(First Name)`` per contact and takes at most 20,000
recipients per campaign. Marketing messages need opt-out text; ``needs_opt_out`` lets the UI
and CLI warn before anything is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smstui.core.clicksend import campaigns_parse as parse
from smstui.core.clicksend.api import ClickSendApi
from smstui.core.clicksend.contacts_parse import parse_list
from smstui.core.clicksend.wire import clamp_limit, segment, unix
from smstui.core.errors import ValidationError
from smstui.core.models import Campaign, CampaignPrice, ContactList, Page
from smstui.core.phone import validate_sender_id
from smstui.core.sms_text import normalise_newlines

#: ClickSend's limit for one campaign
MAX_RECIPIENTS = 20_000
SOURCE = "smstui"

#: merge fields ClickSend documents for campaigns
MERGE_FIELDS = (
    "(First Name)",
    "(Last Name)",
    "(Custom 1)",
    "(Custom 2)",
    "(Custom 3)",
    "(Custom 4)",
)

# "Reply STOP", "text STOP to ...", "opt out", "unsubscribe", or ClickSend's StopMsg.me link
_OPT_OUT = re.compile(r"\bSTOP\b|\bopt[\s-]?out\b|\bunsubscribe\b|stopmsg\.me/", re.IGNORECASE)
OPT_OUT_WARNING = (
    "The message has no opt-out text: add 'Reply STOP to opt out' (marketing messages need it)."
)


def needs_opt_out(body: str) -> bool:
    """True when ``body`` has no opt-out wording (STOP, opt out, unsubscribe, StopMsg.me)."""
    return _OPT_OUT.search(body) is None


@dataclass(frozen=True, slots=True)
class NewCampaign:
    list_id: str
    name: str
    body: str
    sender: str | None = None
    schedule: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "list_id": int(self.list_id) if self.list_id.isdigit() else self.list_id,
            "name": self.name,
            "body": self.body,
            "source": SOURCE,
        }
        if self.sender:
            item["from"] = self.sender
        if self.schedule is not None:
            item["schedule"] = unix(self.schedule)
        return item


def new_campaign(
    list_id: str,
    name: str,
    body: str,
    *,
    sender: str | None = None,
    schedule: datetime | None = None,
    default_region: str = "AU",
) -> NewCampaign:
    """Check what can be checked before ClickSend sees it."""
    list_id = list_id.strip()
    if not list_id:
        raise ValidationError("Choose the list to send to.", field="list")
    cleaned_name = " ".join(name.split())
    if not cleaned_name:
        raise ValidationError("The campaign needs a name.", field="name")
    text = normalise_newlines(body)
    if not text.strip():
        raise ValidationError("The message is empty.", field="body")
    checked_sender = validate_sender_id(sender, default_region) if sender else None
    return NewCampaign(list_id, cleaned_name, text, checked_sender, schedule)


class CampaignService:
    def __init__(self, api: ClickSendApi) -> None:
        self._api = api

    async def check_size(self, list_id: str) -> ContactList:
        """The list, or ``ValidationError`` when it is empty or over ClickSend's 20,000."""
        found = parse_list((await self._api.read(f"/lists/{segment(list_id)}")).data)
        if found.contacts_count > MAX_RECIPIENTS:
            raise ValidationError(
                f"List {found.list_id} has {found.contacts_count:,} contacts; a campaign can "
                f"reach at most {MAX_RECIPIENTS:,}.",
                field="list",
            )
        if found.contacts_count == 0:
            raise ValidationError(f"List {found.list_id} has no contacts.", field="list")
        return found

    async def price(self, campaign: NewCampaign) -> CampaignPrice:
        envelope = await self._api.write("POST", "/sms-campaigns/price", campaign.to_json())
        return parse.parse_campaign_price(envelope.data)

    async def send(self, campaign: NewCampaign) -> Campaign:
        """Create (send or schedule) the campaign. Never retried: a repeat would send twice."""
        await self.check_size(campaign.list_id)
        envelope = await self._api.write("POST", "/sms-campaigns/send", campaign.to_json())
        return parse.parse_campaign(envelope.data)

    async def list(self, page: int = 1, limit: int = 100) -> Page[Campaign]:
        params = {"page": max(1, page), "limit": clamp_limit(limit)}
        return parse.parse_campaigns_page((await self._api.read("/sms-campaigns", params)).data)

    async def get(self, campaign_id: str) -> Campaign:
        path = f"/sms-campaigns/{segment(campaign_id)}"
        return parse.parse_campaign((await self._api.read(path)).data)

    async def cancel(self, campaign_id: str) -> Campaign:
        path = f"/sms-campaigns/{segment(campaign_id)}/cancel"
        return parse.parse_campaign((await self._api.write("PUT", path)).data)
