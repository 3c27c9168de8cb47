"""SMS campaigns: ClickSend's example bodies -> typed models."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from smstui.core.clicksend.campaigns_parse import (
    parse_campaign,
    parse_campaign_price,
    parse_campaigns_page,
)
from smstui.core.clicksend.parse import parse_envelope
from smstui.core.errors import MalformedResponseError

FIXTURES = Path(__file__).parent / "fixtures" / "clicksend"


def data(name: str) -> Any:
    return parse_envelope(200, (FIXTURES / name).read_bytes()).data


@pytest.mark.parametrize(
    ("name", "campaign_id", "status"),
    [
        ("sms_campaign_send.current.json", "7", "Queued"),
        ("sms_campaign_send_short_url.legacy_apiary.json", "7", "Queued"),
        ("sms_campaign_get.current.json", "7", "Queued"),
        ("sms_campaign_get.legacy_apiary.json", "2", "Sent"),
        ("sms_campaign_cancel.current.json", "2135501", "Scheduled"),
        ("sms_campaign_cancel.legacy_apiary.json", "1", "Cancelled"),
        ("sms_campaign_update.current.json", "7", "Queued"),
        ("sms_campaign_update.legacy_apiary.json", "1", "Queued"),
    ],
)
def test_campaign_answers_parse(name: str, campaign_id: str, status: str) -> None:
    campaign = parse_campaign(data(name))
    assert (campaign.campaign_id, campaign.status) == (campaign_id, status)
    assert campaign.body
    assert campaign.list_id.isdigit()


def test_current_campaign_has_typed_times_and_count() -> None:
    campaign = parse_campaign(data("sms_campaign_get.current.json"))
    assert campaign.schedule == datetime.fromtimestamp(1444821615, UTC)
    assert campaign.date_added == datetime.fromtimestamp(1444962630, UTC)
    assert campaign.total_count == 10
    assert campaign.sender == "+61353787448"


def test_legacy_campaign_string_times_and_null_custom_string() -> None:
    campaign = parse_campaign(data("sms_campaign_get.legacy_apiary.json"))
    assert campaign.schedule == datetime.fromtimestamp(1444821615, UTC)
    assert campaign.custom_string is None


def test_unicode_body_of_cancel_example_is_kept() -> None:
    assert "👍" in parse_campaign(data("sms_campaign_cancel.current.json")).body


@pytest.mark.parametrize(
    "name", ["sms_campaigns_list.current.json", "sms_campaigns_list.legacy_apiary.json"]
)
def test_campaign_lists_parse(name: str) -> None:
    page = parse_campaigns_page(data(name))
    assert page.items
    assert all(c.campaign_id and c.status for c in page.items)


@pytest.mark.parametrize(
    ("name", "currency"),
    [("sms_campaign_price.current.json", "AUD"), ("sms_campaign_price.legacy_apiary.json", "GBP")],
)
def test_campaign_price_reads_both_currency_keys(name: str, currency: str) -> None:
    price = parse_campaign_price(data(name))
    assert price.total_price == Decimal("0.035")
    assert price.total_count == 1
    assert price.currency is not None and price.currency.code == currency


def test_campaign_price_without_total_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        parse_campaign_price({"total_count": 3})
