"""ClickSend JSON -> typed models, using ClickSend's own example bodies (tests/fixtures/clicksend)."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smstui.core.clicksend import parse as cs
from smstui.core.errors import (
    ClickSendError,
    MalformedResponseError,
    RateLimitedError,
    SmstuiError,
)
from smstui.core.models import Page

FIXTURES = Path(__file__).parent / "fixtures" / "clicksend"


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def data_of(name: str) -> Any:
    return cs.parse_envelope(200, raw(name)).data


def utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


# --------------------------------------------------------------------------- envelope


def test_envelope_of_a_success_keeps_code_message_and_data() -> None:
    env = cs.parse_envelope(200, raw("sms_cancel_all.current.json"))
    assert env.http_code == 200
    assert env.response_code == "SUCCESS"
    assert env.response_msg == "2 sms messages have been cancelled."
    assert env.data == {"count": 2}


def test_envelope_accepts_text_and_decoded_json() -> None:
    body = raw("sms_cancel.current.json")
    assert cs.parse_envelope(200, body.decode()).response_msg.startswith("Scheduled sms")
    assert cs.parse_envelope(200, json.loads(body)).data is None


def test_history_example_with_status_key_instead_of_http_code_is_a_success() -> None:
    env = cs.parse_envelope(200, raw("sms_history.current.json"))
    assert isinstance(env.data, list)


def test_error_400_fixture_raises_clicksend_error_with_field_messages() -> None:
    with pytest.raises(ClickSendError) as info:
        cs.parse_envelope(400, raw("error_400_bad_request.sdk_schema_example.json"))
    err = info.value
    assert err.http_status == 400
    assert err.response_code == "BAD_REQUEST"
    assert str(err).startswith("Invalid input.")
    assert "name: Name field is required." in str(err)
    assert err.data == {"name": "Name field is required.", "email": "Email field is required."}
    assert err.exit_code == 1


def test_integer_response_code_is_read_as_text() -> None:
    body = {"http_code": 400, "response_code": 400, "response_msg": "Bad.", "data": None}
    with pytest.raises(ClickSendError) as info:
        cs.parse_envelope(400, body)
    assert info.value.response_code == "400"


def test_401_says_to_reconnect_the_membrane_connection() -> None:
    body = b'{"http_code":401,"response_code":"UNAUTHORIZED","response_msg":"Authorization failed.","data":null}'
    with pytest.raises(ClickSendError) as info:
        cs.parse_envelope(401, body)
    assert str(info.value) == "Authorization failed."
    assert info.value.hint == (
        "ClickSend rejected the credentials held by the Membrane connection: reconnect it"
    )
    assert info.value.exit_code == 3


def test_429_is_rate_limited_with_retry_after() -> None:
    body = b'{"http_code":429,"response_code":"HTTP_TOO_MANY_REQUESTS","response_msg":"Too many attempts.","data":null}'
    with pytest.raises(RateLimitedError) as info:
        cs.parse_envelope(429, body, {"Retry-After": "27", "x-ratelimit-remaining": "0"})
    assert info.value.retry_after == 27.0
    assert "Too many attempts." in str(info.value)


def test_429_without_retry_after_uses_ratelimit_reset() -> None:
    with pytest.raises(RateLimitedError) as info:
        cs.parse_envelope(429, b"", {"ratelimit-reset": "33"})
    assert info.value.retry_after == 33.0


def test_429_without_any_header_has_no_retry_after() -> None:
    with pytest.raises(RateLimitedError) as info:
        cs.parse_envelope(429, b"{}")
    assert info.value.retry_after is None


def test_success_status_with_failure_code_is_an_error() -> None:
    body = {
        "http_code": 403,
        "response_code": "FORBIDDEN",
        "response_msg": "Suspended.",
        "data": None,
    }
    with pytest.raises(ClickSendError) as info:
        cs.parse_envelope(200, body)
    assert info.value.http_status == 403
    assert info.value.response_code == "FORBIDDEN"


def test_not_json_success_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        cs.parse_envelope(200, b"<html>gateway</html>")


def test_json_that_is_not_an_object_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        cs.parse_envelope(200, b"[1, 2]")


def test_non_json_error_page_is_a_clicksend_error_with_its_status() -> None:
    with pytest.raises(ClickSendError) as info:
        cs.parse_envelope(502, b"<html>Bad gateway</html>")
    assert info.value.http_status == 502
    assert "502" in str(info.value)


def test_204_with_no_body_is_a_success() -> None:
    assert cs.parse_envelope(204, b"").data is None


def test_invalid_endpoint_is_recognised_only_on_its_404_body() -> None:
    body = b'{"http_code":404,"response_code":"NOT_FOUND","response_msg":"Invalid endpoint. Please try again.","data":null}'
    other = b'{"http_code":404,"response_code":"NOT_FOUND","response_msg":"Receipt record not found.","data":null}'
    assert cs.is_invalid_endpoint(404, body)
    assert not cs.is_invalid_endpoint(404, other)
    assert not cs.is_invalid_endpoint(200, body)
    assert not cs.is_invalid_endpoint(404, b"not json")


# --------------------------------------------------------------------------- send / price


def test_send_current_example() -> None:
    result = cs.parse_send_result(data_of("sms_send.current.json"))
    assert result.total_price == Decimal("0.0792")
    assert result.currency is not None
    assert (result.currency.code, result.currency.symbol) == ("AUD", "$")
    assert result.currency.name == "Australian Dollars"
    assert (result.total_count, result.queued_count, result.blocked_count) == (1, 1, 0)
    [msg] = result.messages
    assert msg.message_id == "1ABC3200-C38C-6308-BE4B-C7C51D01DCF0"
    assert msg.status == "SUCCESS" and msg.accepted
    assert msg.price == Decimal("0.0792")
    assert msg.parts == 1
    # "1721099039," (stray comma in the docs) is still a date
    assert msg.date == utc(1721099039)
    assert msg.schedule == utc(1721099039)
    assert msg.sender == "+61431111112"
    assert msg.custom_string is None  # "" means none
    assert (msg.country, msg.carrier) == ("AU", "Vodafone")
    assert result.all_accepted


def test_send_legacy_example_uses_currency_without_underscore_and_numeric_prices() -> None:
    result = cs.parse_send_result(data_of("sms_send.legacy_apiary.json"))
    assert result.currency is not None and result.currency.code == "USD"
    assert result.total_price == Decimal("0.28")
    assert [m.price for m in result.messages] == [Decimal("0.07")] * 4
    assert result.messages[0].message_id == "BF7AD270-0DE2-418B-B606-71D527D9C1AE"
    assert result.messages[0].custom_string == "this is a test"
    assert result.messages[2].carrier is None
    assert result.blocked_count == 0
    assert result.total_count == 4


def test_price_current_example_has_empty_schedule_and_no_date() -> None:
    result = cs.parse_send_result(data_of("sms_price.current.json"))
    [msg] = result.messages
    assert msg.schedule is None
    assert msg.date is None
    assert msg.price == Decimal("0.0792")
    assert result.total_price == Decimal("0.079")
    assert result.currency is not None and result.currency.code == "AUD"


def test_price_legacy_example() -> None:
    result = cs.parse_send_result(data_of("sms_price.legacy_apiary.json"))
    assert len(result.messages) == 4
    assert result.total_price == Decimal("0.2264")
    assert all(m.message_id is None for m in result.messages)
    assert result.messages[1].schedule == utc(1436876011)
    assert result.currency is None


def test_mixed_send_with_a_rejected_minimal_message() -> None:
    data = {
        "total_price": 0.0792,
        "total_count": 2,
        "queued_count": 1,
        "blocked_count": 0,
        "messages": [
            {
                "to": "+61400",
                "body": "hi",
                "from": "",
                "schedule": "",
                "message_id": "abcdef01-0000-4000-8000-000000000000",
                "custom_string": "k1",
                "is_shared_system_number": False,
                "status": "INVALID_RECIPIENT",
            },
            {"to": "+61411111111", "body": "hi", "status": "SUCCESS", "message_price": "0.0792"},
        ],
        "_currency": {"currency_name_short": "AUD"},
    }
    result = cs.parse_send_result(data)
    bad, good = result.messages
    assert not bad.accepted and bad.status == "INVALID_RECIPIENT"
    assert bad.message_id == "ABCDEF01-0000-4000-8000-000000000000"
    assert (bad.parts, bad.price, bad.date, bad.schedule, bad.sender) == (0, None, None, None, None)
    assert good.accepted
    assert not result.all_accepted


def test_unknown_and_missing_statuses_are_failures() -> None:
    result = cs.parse_send_result(
        {"messages": [{"to": "1", "status": "COUNTRY_NOT_ENABLED"}, {"to": "2"}]}
    )
    assert [m.accepted for m in result.messages] == [False, False]
    assert result.messages[1].status == "UNKNOWN"
    assert result.total_price == Decimal(0)
    assert result.total_count == 2


def test_send_result_without_messages_is_malformed() -> None:
    for data in (None, [], "{}", {"total_price": 1}):
        with pytest.raises(MalformedResponseError):
            cs.parse_send_result(data)


# --------------------------------------------------------------------------- history


def test_history_legacy_paginator() -> None:
    page = cs.parse_history_page(data_of("sms_history.legacy_apiary.json"))
    assert (page.page, page.last_page, page.total, page.per_page) == (1, 1, 6, 15)
    assert not page.has_next
    assert len(page.items) == 6
    first = page.items[0]
    assert first.message_id == "4E90F4C3-43A3-489D-9AB8-DA1F4332A0C3"
    assert first.direction == "out"
    assert first.parts == 1  # "1.00"
    assert first.price == Decimal("0.070000")
    assert first.date == utc(1436932432)  # "1436932432"
    assert first.schedule == utc(1436879372)
    assert first.status == "Completed"
    assert first.status_code is None
    assert first.sender == "sendlist"
    assert first.custom_string == "this is a test"
    assert first.carrier is None


def test_history_current_bare_list() -> None:
    page = cs.parse_history_page(data_of("sms_history.current.json"))
    [msg] = page.items
    assert msg.message_id == "1EF11A95-31A2-6B70-A3E2-750B2DF4583F"
    assert msg.status == "Sent"
    assert msg.status_code == "201"
    assert msg.status_text == "Message delivered to the handset"
    assert msg.schedule == utc(1715660441)
    assert msg.custom_string is None
    assert (page.page, page.last_page, page.total) == (1, 1, 1)


def test_empty_paginator_with_last_page_zero_is_one_empty_page() -> None:
    page = cs.parse_history_page(
        {"total": 0, "per_page": 15, "current_page": 1, "last_page": 0, "data": []}
    )
    assert page == Page([], page=1, last_page=1, total=0, per_page=15)
    assert not page.has_next


@pytest.mark.parametrize("data", [None, [], "{}", {}, "nonsense", 7])
def test_empty_shapes_give_an_empty_page(data: Any) -> None:
    page = cs.parse_history_page(data)
    assert page.items == [] and not page.has_next


def test_paginator_reports_next_page() -> None:
    page = cs.parse_history_page(
        {"total": "40", "per_page": "15", "current_page": "2", "last_page": "3", "data": []}
    )
    assert (page.page, page.last_page, page.total, page.has_next) == (2, 3, 40, True)


def test_history_records_without_an_id_or_not_objects_are_skipped() -> None:
    page = cs.parse_history_page(
        [{"body": "no id"}, "junk", {"message_id": "a-1", "direction": "in"}]
    )
    [msg] = page.items
    assert msg.message_id == "A-1" and msg.direction == "in"


# --------------------------------------------------------------------------- inbound


def test_inbound_list_current_uses_timestamp_send() -> None:
    page = cs.parse_inbound_page(data_of("sms_inbound_list.current.json"))
    [msg] = page.items
    assert msg.message_id == "D2F2BCC3-6558-4DAA-858E-AD7529CC809C"
    assert msg.date == utc(1722997250)
    assert msg.sender == "+61123456789"
    assert msg.to == "+61113456789"
    assert msg.body == "reply to msg on 7 aug 2024"
    assert msg.original_message_id == "1EF54639-F16D-681E-947A-4F4FCDFD2B87"
    assert msg.original_body == "test msg"
    assert msg.custom_string is None


def test_inbound_list_legacy_string_timestamps() -> None:
    page = cs.parse_inbound_page(data_of("sms_inbound_list.legacy_apiary.json"))
    assert [m.date for m in page.items] == [utc(1436174407), utc(1436174406), utc(1436174405)]
    assert page.items[0].custom_string == "22PKU978RF"
    assert page.total == 3


def test_inbound_get_examples() -> None:
    current = cs.parse_inbound(data_of("sms_inbound_get.current.json"))
    assert current.message_id == "F892B812-24E3-404B-A1CB-D714BBB2B127"
    assert current.date == utc(1723012981)
    assert current.original_message_id == "1EF54878-1137-62F4-9EAC-CBF078A1262E"
    legacy = cs.parse_inbound(data_of("sms_inbound_get.legacy_apiary.json"))
    assert legacy.date == utc(1457947468)
    assert legacy.custom_string == "custom_string"


def test_inbound_test_create_examples() -> None:
    current = cs.parse_inbound(data_of("sms_inbound_test_create.current.json"))
    assert current.date == utc(1722580202)
    assert current.custom_string == "Test custom string "
    legacy = cs.parse_inbound(data_of("sms_inbound_test_create.legacy_apiary.json"))
    assert legacy.custom_string is None


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("sms_inbound_read_all.current.json", 0),  # data "{}"
        ("sms_inbound_read_all.legacy_apiary.json", 0),  # data []
        ("sms_inbound_read_one.current.json", 1),  # data 1
        ("sms_inbound_read_one.legacy_apiary.json", 0),
        ("sms_receipts_read.current.json", 0),
        ("sms_receipts_read.legacy_apiary.json", 0),
        ("sms_cancel_all.current.json", 2),
        ("sms_cancel_all.legacy_apiary.json", 5),
    ],
)
def test_counts_of_mark_read_and_cancel_all(name: str, count: int) -> None:
    assert cs.parse_count(cs.parse_envelope(200, raw(name))) == count


def test_count_falls_back_to_the_number_in_the_message() -> None:
    env = cs.Envelope(200, "SUCCESS", "3 sms messages have been cancelled.", None)
    assert cs.parse_count(env) == 3


# --------------------------------------------------------------------------- receipts


def test_receipts_list_current() -> None:
    page = cs.parse_receipts_page(data_of("sms_receipts_list.current.json"))
    assert page.per_page == 16  # a doc quirk, kept
    [r] = page.items
    assert r.message_id == "D6D16B28-46AC-484A-AB0A-A08CD08EF75C"
    assert r.status_code == "201" and r.delivered and not r.failed
    assert r.status_text == "Success: Message received on handset."
    assert r.date == utc(1722565661) and r.sent_at == utc(1722565661)
    assert r.error_code is None and r.custom_string is None
    assert r.message_type == "sms"


def test_receipts_list_legacy_uses_underscore_message_type() -> None:
    page = cs.parse_receipts_page(data_of("sms_receipts_list.legacy_apiary.json"))
    assert len(page.items) == 3
    assert all(r.message_type == "sms" and r.delivered for r in page.items)
    assert page.items[1].date == utc(1442381829)


def test_receipt_get_examples() -> None:
    current = cs.parse_receipt(data_of("sms_receipt_get.current.json"))
    assert current.delivered
    legacy = cs.parse_receipt(data_of("sms_receipt_get.legacy_apiary.json"))
    assert legacy.status_code == "Completed"
    assert not legacy.delivered and not legacy.failed
    assert legacy.error_code == "errorcode"
    assert legacy.date == utc(1451200622) and legacy.sent_at == utc(1450854013)


def test_integer_status_code_becomes_text() -> None:
    r = cs.parse_receipt(data_of("sms_receipts_test_create.current.json"))
    assert r.status_code == "201" and r.delivered
    assert r.error_code == "0"
    legacy = cs.parse_receipt(data_of("sms_receipts_test_create.legacy_apiary.json"))
    assert legacy.sent_at is None and legacy.date == utc(1441958441)


def test_failed_receipt() -> None:
    r = cs.parse_receipt({"message_id": "x", "status_code": 301, "error_code": 8})
    assert r.failed and r.error_code == "8"


# --------------------------------------------------------------------------- templates


def test_templates_list_current_list_wrapping_a_misspelt_paginator() -> None:
    page = cs.parse_templates_page(data_of("sms_templates_list.current.json"))
    [t] = page.items
    assert (t.template_id, t.name, t.body) == (
        "587713",
        "qowiei_1920",
        "this_is_a_test_template wew21",
    )
    assert page.total == 1  # from "totlal"


def test_templates_list_legacy() -> None:
    page = cs.parse_templates_page(data_of("sms_templates_list.legacy_apiary.json"))
    assert [t.template_id for t in page.items] == [str(i) for i in range(1, 11)]
    assert page.items[0].name == "My Awesome Template"


@pytest.mark.parametrize(
    ("name", "tid", "tname"),
    [
        ("sms_template_get.current.json", "587713", "Template 501916"),
        ("sms_template_create.current.json", "589242", "TTemplate 501916"),
        ("sms_template_create.legacy_apiary.json", "25", "Template 501916"),
        ("sms_template_update.current.json", "587916", "Template XYZ"),
        ("sms_template_update.legacy_apiary.json", "25", "I am updated"),
    ],
)
def test_single_template_examples(name: str, tid: str, tname: str) -> None:
    t = cs.parse_template(data_of(name))
    assert (t.template_id, t.name) == (tid, tname)


def test_template_body_keeps_crlf_and_unicode() -> None:
    t = cs.parse_template(data_of("sms_template_create.current.json"))
    assert t.body == "This is a test template.\r\nnew line 漢字 here."


@pytest.mark.parametrize(
    "name", ["sms_template_delete.current.json", "sms_template_delete.legacy_apiary.json"]
)
def test_template_delete_examples_are_successes(name: str) -> None:
    assert cs.parse_envelope(200, raw(name)).response_msg == "Your template has been deleted."


def test_template_without_id_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        cs.parse_template({"template_name": "x"})


# --------------------------------------------------------------------------- account


def test_account_current() -> None:
    a = cs.parse_account(data_of("account_get.current.json"))
    assert (a.user_id, a.username) == ("116", "johndoe1")
    assert a.balance == Decimal("4.998000")
    assert a.currency is not None and a.currency.code == "AUD"
    assert a.currency.format(a.balance) == "$4.9980 AUD"
    assert a.account_name == "The Awesome Company"
    assert a.email == "johndoe1@awesome.com"
    assert (a.country, a.default_country_sms, a.timezone) == ("US", "US", "Australia/Melbourne")
    assert a.part_cap == 6
    assert not a.unicode_enabled
    assert "F3702045-EB2C-0091-C211-7728048DCAE2" not in repr(a)


def test_account_legacy() -> None:
    a = cs.parse_account(data_of("account_get.legacy_apiary.json"))
    assert a.balance == Decimal("1117.461060")
    assert a.part_cap == 8
    assert a.user_id == "3819"
    assert "IJVEGTCF-VOHU-GSVF-KNKK-XHTARJXMQTXK" not in repr(a)


def test_account_with_nonsense_values_falls_back_to_defaults() -> None:
    a = cs.parse_account(
        {"balance": "abc", "setting_sms_message_char_limit": -3, "setting_unicode_sms": "1"}
    )
    assert a.balance == Decimal(0)
    assert a.part_cap == 6
    assert a.unicode_enabled
    assert a.currency is None


def test_account_that_is_not_an_object_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        cs.parse_account([])


# --------------------------------------------------------------------------- robustness

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", "{}", "1.00", "1721099039,", "nan", "1e999999", "-5", "201"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            [
                "data",
                "messages",
                "message_id",
                "to",
                "body",
                "status",
                "date",
                "schedule",
                "message_parts",
                "message_price",
                "total_price",
                "_currency",
                "currency",
                "currency_name_short",
                "current_page",
                "last_page",
                "total",
                "totlal",
                "per_page",
                "timestamp",
                "timestamp_send",
                "status_code",
                "template_id",
                "balance",
                "setting_sms_message_char_limit",
                "count",
                "response_code",
                "response_msg",
                "http_code",
                "custom_string",
                "direction",
                "from",
            ]
        )
        | st.text(max_size=5),
        inner,
        max_size=6,
    ),
    max_leaves=25,
)

PARSERS = [
    cs.parse_send_result,
    cs.parse_history_page,
    cs.parse_inbound_page,
    cs.parse_inbound,
    cs.parse_receipts_page,
    cs.parse_receipt,
    cs.parse_templates_page,
    cs.parse_template,
    cs.parse_account,
]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=json_values)
def test_any_json_gives_a_model_or_a_typed_error(value: Any) -> None:
    for parser in PARSERS:
        with contextlib.suppress(SmstuiError):
            parser(value)
    for status in (200, 400, 404, 429, 500):
        try:
            env = cs.parse_envelope(status, json.dumps(value))
            cs.parse_count(env)
        except SmstuiError:
            pass


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=40), status=st.integers(100, 599))
def test_any_bytes_give_an_envelope_or_a_typed_error(body: bytes, status: int) -> None:
    with contextlib.suppress(SmstuiError):
        cs.parse_envelope(status, body, {"Retry-After": body.decode("latin-1")})


@settings(max_examples=200, deadline=None)
@given(value=json_values)
def test_message_payloads_wrapped_in_a_paginator_never_crash(value: Any) -> None:
    wrapped = {"data": [value, {"message_id": "x", "date": value, "message_parts": value}]}
    for parser in (cs.parse_history_page, cs.parse_inbound_page, cs.parse_receipts_page):
        page = parser(wrapped)
        assert "X" in [item.message_id for item in page.items]
        for item in page.items:
            when = getattr(item, "date", None)
            assert when is None or when.tzinfo is UTC
