"""Lenient parsers for ClickSend SMS campaigns (``/sms-campaigns``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from smstui.core.clicksend import coerce as c
from smstui.core.clicksend.parse import parse_currency, parse_one, parse_page
from smstui.core.errors import MalformedResponseError
from smstui.core.models import Campaign, CampaignPrice, Page


def _campaign(raw: dict[str, Any]) -> Campaign | None:
    campaign_id = c.record_id(raw.get("sms_campaign_id"))
    if campaign_id is None:
        return None
    total = raw.get("_total_count")
    return Campaign(
        campaign_id=campaign_id,
        name=c.text_or_empty(raw.get("name")),
        list_id=(c.text(raw.get("list_id")) or "").strip(),
        sender=c.text_or_empty(raw.get("from")),
        body=c.text_or_empty(raw.get("body")),
        status=c.text_or_empty(raw.get("status")),
        # the Unix maximum 2147483647 is what ClickSend shows for "no date yet"
        schedule=c.timestamp(raw.get("schedule")),
        date_added=c.timestamp(raw.get("date_added")),
        custom_string=c.optional_text(raw.get("custom_string")),
        total_count=None if total is None else c.optional_integer(total),
        list_name=c.text_or_empty(raw.get("_list_name")),
    )


def parse_campaign(data: Any) -> Campaign:
    return parse_one(data, _campaign, "campaign", "campaign id")


def parse_campaigns_page(data: Any) -> Page[Campaign]:
    return parse_page(data, _campaign)


def parse_campaign_price(data: Any) -> CampaignPrice:
    obj = c.mapping(data)
    if obj is None:
        raise MalformedResponseError("ClickSend sent no campaign price in its answer.")
    price = c.decimal(obj.get("total_price"))
    if price is None:
        raise MalformedResponseError("ClickSend's campaign price has no total.")
    return CampaignPrice(
        total_price=price if price >= 0 else Decimal(0),
        total_count=max(0, c.integer(obj.get("total_count"))),
        currency=parse_currency(obj),
    )
