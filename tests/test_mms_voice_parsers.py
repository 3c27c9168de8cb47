"""MMS and voice: ClickSend's example bodies -> typed models."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from smstui.core.clicksend.parse import parse_envelope, parse_receipts_page, parse_send_result
from smstui.core.clicksend.voice_parse import parse_channel_history, parse_languages

FIXTURES = Path(__file__).parent / "fixtures" / "clicksend"


def data(name: str) -> Any:
    return parse_envelope(200, (FIXTURES / name).read_bytes()).data


@pytest.mark.parametrize(
    ("name", "count", "total"),
    [
        ("mms_send.current.json", 2, Decimal("13.2")),
        ("mms_send.legacy_apiary.json", 8, Decimal("19.36")),
        ("mms_price.current.json", 2, Decimal("13.2")),
        ("mms_price.legacy_apiary.json", 8, Decimal("19.36")),
    ],
)
def test_mms_send_and_price_read_as_send_results(name: str, count: int, total: Decimal) -> None:
    result = parse_send_result(data(name))
    assert len(result.messages) == count
    assert result.total_price == total
    assert result.all_accepted
    assert result.messages[0].price == Decimal("2.4200")
    assert result.messages[0].schedule is None  # "" means not scheduled


@pytest.mark.parametrize(
    ("name", "currency"),
    [
        ("voice_send.current.json", "AUD"),
        ("voice_send.legacy_apiary.json", "USD"),
        ("voice_price.current.json", "AUD"),
        ("voice_price.legacy_apiary.json", None),
    ],
)
def test_voice_send_and_price_read_as_send_results(name: str, currency: str | None) -> None:
    result = parse_send_result(data(name))
    assert result.messages
    assert result.messages[0].message_id == "BF7AD270-0DE2-418B-B606-71D527D9C1AE"
    assert (result.currency.code if result.currency else None) == currency


def test_current_voice_lang_mixes_string_and_list_genders() -> None:
    langs = parse_languages(data("voice_lang.current.json"))
    assert [(lg.code, lg.genders) for lg in langs] == [
        ("en-us", ("male",)),
        ("en-au", ("female", "male")),
    ]
    assert langs[1].name == "English, Australia"


def test_legacy_voice_lang_lists_every_language() -> None:
    langs = {lg.code: lg.genders for lg in parse_languages(data("voice_lang.legacy_apiary.json"))}
    assert len(langs) == 23
    assert langs["pt-pt"] == ("male",)
    assert langs["sv-se"] == ("female",)
    assert langs["cy-gb-wls"] == ("female", "male")


def test_language_with_unknown_gender_only_is_dropped() -> None:
    assert parse_languages([{"code": "xx-yy", "gender": "robot"}, "junk", None]) == []


def test_mms_history_records_are_tagged_mms() -> None:
    page = parse_channel_history(data("mms_history.current.json"), "mms")
    assert [m.channel for m in page.items] == ["mms", "mms"]
    first = page.items[0]
    assert (first.direction, first.status, first.price) == ("out", "Completed", Decimal("0.070000"))
    assert first.parts == 1


def test_voice_history_records_are_tagged_voice() -> None:
    page = parse_channel_history(data("voice_history.current.json"), "voice")
    assert {m.channel for m in page.items} == {"voice"}
    assert page.items[0].custom_string == "this is a test"


@pytest.mark.parametrize(
    "name", ["voice_receipts_list.current.json", "voice_receipts_list.legacy_apiary.json"]
)
def test_voice_receipts_parse_as_voice_type(name: str) -> None:
    page = parse_receipts_page(data(name))
    assert page.items
    assert all(r.message_type == "voice" for r in page.items)


def test_voice_cancel_answers_are_envelopes() -> None:
    assert data("voice_cancel.current.json") == []
    assert data("voice_cancel_all.current.json") == {"count": 2}
