"""The sandbox's simulated ClickSend v3, driven over HTTP through the transparent proxy."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld

NOW = 1_760_000_000.0
PROXY = f"/connections/{DEFAULT_CONNECTION_ID}/proxy"
UUID_UPPER = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def make_world(**kwargs: Any) -> SandboxWorld:
    return SandboxWorld(seed=kwargs.pop("seed", 7), clock=lambda: NOW, **kwargs)


@pytest.fixture
def world() -> SandboxWorld:
    return make_world()


@pytest.fixture
async def client(world: SandboxWorld) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=world.transport(),
        base_url="https://api.sandbox.test",
        headers={"Authorization": "Bearer test-token"},
    ) as c:
        yield c


async def send(client: httpx.AsyncClient, *messages: dict[str, Any]) -> dict[str, Any]:
    r = await client.post(f"{PROXY}/v3/sms/send", json={"messages": list(messages)})
    assert r.status_code == 200
    data: dict[str, Any] = r.json()["data"]
    return data


async def history_for(client: httpx.AsyncClient, message_id: str) -> dict[str, Any]:
    r = await client.get(f"{PROXY}/v3/sms/history", params={"q": f"message_id:{message_id}"})
    rows = r.json()["data"]["data"]
    assert len(rows) == 1
    row: dict[str, Any] = rows[0]
    return row


# --------------------------------------------------------------------------- send


async def test_accepted_send_has_the_current_clicksend_shape(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    data = await send(client, {"to": "+61412345678", "body": "Hello there", "custom_string": "c1"})
    msg = data["messages"][0]
    assert msg["status"] == "SUCCESS"
    assert UUID_UPPER.match(msg["message_id"])
    assert msg["message_parts"] == 1
    assert msg["message_price"] == "0.0792"
    assert msg["custom_string"] == "c1"
    assert msg["country"] == "AU" and msg["carrier"]
    assert isinstance(msg["date"], int) and msg["schedule"] == msg["date"]
    assert data["total_price"] == pytest.approx(0.0792)
    assert data["_currency"]["currency_name_short"] == "AUD"
    assert (data["total_count"], data["queued_count"], data["blocked_count"]) == (1, 1, 0)
    assert world.balance == Decimal("25.00") - Decimal("0.0792")
    assert [m["to"] for m in world.clicksend.received] == ["+61412345678"]


async def test_local_number_is_parsed_with_the_country_hint(client: httpx.AsyncClient) -> None:
    data = await send(client, {"to": "0412 345 678", "body": "hi", "country": "AU"})
    assert data["messages"][0]["to"] == "+61412345678"
    assert data["messages"][0]["status"] == "SUCCESS"


async def test_invalid_recipient_comes_back_minimal_inside_a_200(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    data = await send(client, {"to": "+6112", "body": "hi", "custom_string": "x"})
    msg = data["messages"][0]
    assert msg["status"] == "INVALID_RECIPIENT"
    assert set(msg) == {
        "to",
        "body",
        "from",
        "schedule",
        "message_id",
        "custom_string",
        "is_shared_system_number",
        "status",
    }
    assert msg["schedule"] == "" and UUID_UPPER.match(msg["message_id"])
    assert data["blocked_count"] == 0 and data["queued_count"] == 0
    assert len(world.clicksend.received) == 1  # it reached /sms/send all the same
    assert world.balance == Decimal("25.00")


@pytest.mark.parametrize(
    ("message", "status"),
    [
        ({"to": "+61412345678", "body": "   "}, "EMPTY_MESSAGE"),
        ({"to": "+61412345678", "body": "hi", "from": "My Company"}, "INVALID_SENDER_ID"),
        ({"to": "+61412345678", "body": "hi", "from": "ABCDEFGHIJKL"}, "INVALID_SENDER_ID"),
        ({"to": "+61412345678", "body": "hi", "schedule": "tomorrow"}, "INVALID_SCHEDULE"),
    ],
)
async def test_per_message_rejections(
    client: httpx.AsyncClient, message: dict[str, Any], status: str
) -> None:
    data = await send(client, message)
    assert data["messages"][0]["status"] == status
    assert data["queued_count"] == 0


async def test_alphanumeric_sender_is_accepted(client: httpx.AsyncClient) -> None:
    data = await send(client, {"to": "+61412345678", "body": "hi", "from": "SmileDent"})
    assert data["messages"][0]["status"] == "SUCCESS"
    assert data["messages"][0]["from"] == "SmileDent"
    assert data["messages"][0]["is_shared_system_number"] is False


async def test_country_not_enabled_is_blocked_with_zero_parts(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.enabled_countries = {"US"}
    data = await send(
        client, {"to": "+61412345678", "body": "hi"}, {"to": "+14155552671", "body": "hi"}
    )
    blocked, ok = data["messages"]
    assert blocked["status"] == "COUNTRY_NOT_ENABLED"
    assert (blocked["message_parts"], blocked["message_price"]) == (0, "0.0000")
    assert ok["status"] == "SUCCESS" and ok["message_price"] == "0.0350"
    assert (data["blocked_count"], data["queued_count"]) == (1, 1)


@pytest.mark.parametrize(
    ("to", "body", "parts", "price"),
    [
        ("+61412345678", "a" * 160, 1, "0.0792"),
        ("+61412345678", "a" * 161, 2, "0.1584"),
        ("+61412345678", "é" * 71 + "漢", 2, "0.1584"),
        ("+447400123456", "hello", 1, "0.0450"),
        ("+64211234567", "hello", 1, "0.0990"),
        ("+16135550123", "a" * 400, 3, "0.1050"),
    ],
)
async def test_price_is_parts_times_country_rate(
    client: httpx.AsyncClient, to: str, body: str, parts: int, price: str
) -> None:
    r = await client.post(f"{PROXY}/v3/sms/price", json={"messages": [{"to": to, "body": body}]})
    msg = r.json()["data"]["messages"][0]
    assert (msg["message_parts"], msg["message_price"]) == (parts, price)


async def test_parts_are_capped_at_the_account_limit(client: httpx.AsyncClient) -> None:
    data = await send(client, {"to": "+61412345678", "body": "a" * 2000})
    assert data["messages"][0]["message_parts"] == 6


async def test_price_has_no_side_effects(client: httpx.AsyncClient, world: SandboxWorld) -> None:
    before = (await client.get(f"{PROXY}/v3/sms/history")).json()["data"]["total"]
    r = await client.post(
        f"{PROXY}/v3/sms/price", json={"messages": [{"to": "+61412345678", "body": "hi"}]}
    )
    assert r.json()["response_msg"] == "Here is some pricing."
    assert r.json()["data"]["messages"][0]["schedule"] == ""
    after = (await client.get(f"{PROXY}/v3/sms/history")).json()["data"]["total"]
    assert before == after
    assert world.balance == Decimal("25.00") and world.clicksend.received == []


async def test_test_numbers_are_free_and_never_get_a_receipt(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    data = await send(client, {"to": "+61411111111", "body": "test"})
    msg = data["messages"][0]
    assert (msg["status"], msg["message_parts"], msg["message_price"]) == ("SUCCESS", 0, "0.0000")
    assert data["total_price"] == 0 and isinstance(data["total_price"], int)
    assert world.balance == Decimal("25.00")
    world.advance(3600)
    r = await client.get(f"{PROXY}/v3/sms/receipts/{msg['message_id']}")
    assert r.status_code == 404
    assert r.json()["response_msg"] == "Receipt record not found."


async def test_test_numbers_still_need_their_country_enabled(
    client: httpx.AsyncClient,
) -> None:
    data = await send(client, {"to": "+8615555555555", "body": "test"})
    assert data["messages"][0]["status"] == "COUNTRY_NOT_ENABLED"


async def test_batch_beyond_the_balance_gets_insufficient_credit(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.balance = Decimal("0.10")
    data = await send(
        client, {"to": "+61412345678", "body": "a"}, {"to": "+61423456789", "body": "b"}
    )
    assert [m["status"] for m in data["messages"]] == ["INSUFFICIENT_CREDIT"] * 2
    assert data["queued_count"] == 0 and data["total_price"] == 0
    assert world.balance == Decimal("0.10")
    assert len(world.clicksend.received) == 2


async def test_more_than_1000_messages_is_refused(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    messages = [{"to": "+61412345678", "body": "x"}] * 1001
    r = await client.post(f"{PROXY}/v3/sms/send", json={"messages": messages})
    assert r.status_code == 400
    assert r.json()["response_code"] == "TOO_MANY_RECIPIENTS"
    assert world.clicksend.received == []


async def test_missing_messages_is_a_bad_request(client: httpx.AsyncClient) -> None:
    r = await client.post(f"{PROXY}/v3/sms/send", json={})
    assert r.status_code == 400
    assert r.json()["response_code"] == "BAD_REQUEST"


# --------------------------------------------------------------------------- lifecycle


async def test_status_moves_from_queued_to_sent_to_delivered(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.failure_rate = 0.0
    msg_id = (await send(client, {"to": "+61412345678", "body": "hi"}))["messages"][0]["message_id"]
    assert (await history_for(client, msg_id))["status"] == "Queued"
    world.advance(2)
    row = await history_for(client, msg_id)
    assert (row["status"], row["status_code"]) == ("Sent", "200")
    world.advance(world.receipt_delay)
    row = await history_for(client, msg_id)
    assert (row["status"], row["status_code"]) == ("Sent", "201")


async def test_failed_delivery_shows_in_history_and_receipt(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.failure_rate = 1.0
    msg_id = (await send(client, {"to": "+61412345678", "body": "hi"}))["messages"][0]["message_id"]
    world.advance(world.receipt_delay)
    row = await history_for(client, msg_id)
    assert (row["status"], row["status_code"]) == ("Failed", "301")
    assert row["error_code"] and row["error_text"]
    receipt = (await client.get(f"{PROXY}/v3/sms/receipts/{msg_id}")).json()["data"]
    # receipts carry integers (the SDK's SmsReceipt model); history strings, as documented
    assert receipt["status_code"] == 301 and str(receipt["error_code"]) == row["error_code"]


async def test_receipt_arrives_after_receipt_delay_and_can_be_marked_read(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.failure_rate = 0.0
    await client.put(f"{PROXY}/v3/sms/receipts-read", json={})  # clear the seeded ones
    msg_id = (await send(client, {"to": "+61412345678", "body": "hi", "custom_string": "r1"}))[
        "messages"
    ][0]["message_id"]
    r = await client.get(f"{PROXY}/v3/sms/receipts/{msg_id}")
    assert r.status_code == 404
    world.advance(world.receipt_delay)
    listed = (await client.get(f"{PROXY}/v3/sms/receipts")).json()["data"]
    assert [x["message_id"] for x in listed["data"]] == [msg_id]
    receipt = listed["data"][0]
    assert receipt["status_code"] == 201  # an integer, as the SDK's SmsReceipt model has it
    assert receipt["status_text"] == "Success: Message received on handset."
    assert receipt["custom_string"] == "r1" and receipt["message_type"] == "sms"
    assert receipt["timestamp"] == int(NOW + world.receipt_delay)
    r = await client.put(f"{PROXY}/v3/sms/receipts-read", json={"date_before": int(NOW)})
    assert (await client.get(f"{PROXY}/v3/sms/receipts")).json()["data"]["total"] == 1
    await client.put(f"{PROXY}/v3/sms/receipts-read", json={"date_before": int(NOW) + 3600})
    assert (await client.get(f"{PROXY}/v3/sms/receipts")).json()["data"]["total"] == 0
    # read receipts stay fetchable by id
    assert (await client.get(f"{PROXY}/v3/sms/receipts/{msg_id}")).status_code == 200


async def test_reply_arrives_after_reply_delay(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.reply_rate = 1.0
    world.failure_rate = 0.0
    await client.put(f"{PROXY}/v3/sms/inbound-read", json={})
    sent = (
        await send(
            client, {"to": "+61412345678", "body": "Confirm 3pm?", "custom_string": "appt-9"}
        )
    )["messages"][0]
    world.advance(world.reply_delay - 1)
    assert (await client.get(f"{PROXY}/v3/sms/inbound")).json()["data"]["total"] == 0
    world.advance(1)
    inbound = (await client.get(f"{PROXY}/v3/sms/inbound")).json()["data"]["data"]
    assert len(inbound) == 1
    reply = inbound[0]
    assert reply["from"] == "+61412345678"
    assert reply["original_message_id"] == sent["message_id"]
    assert reply["original_body"] == "Confirm 3pm?"
    assert reply["custom_string"] == "appt-9"
    assert isinstance(reply["timestamp"], int)
    one = await client.get(f"{PROXY}/v3/sms/inbound/{sent['message_id']}")
    assert one.json()["data"]["message_id"] == reply["message_id"]
    r = await client.put(f"{PROXY}/v3/sms/inbound-read/{reply['message_id']}")
    assert r.json()["data"] == 1
    assert (await client.get(f"{PROXY}/v3/sms/inbound")).json()["data"]["total"] == 0
    # still readable by the outbound id, and in history as a received message
    assert (await client.get(f"{PROXY}/v3/sms/inbound/{sent['message_id']}")).status_code == 200
    row = await history_for(client, reply["message_id"])
    assert (row["direction"], row["status"]) == ("in", "Received")


async def test_alpha_sender_never_gets_a_reply(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.reply_rate = 1.0
    await client.put(f"{PROXY}/v3/sms/inbound-read", json={})
    await send(client, {"to": "+61412345678", "body": "hi", "from": "SmileDent"})
    world.advance(3600)
    assert (await client.get(f"{PROXY}/v3/sms/inbound")).json()["data"]["total"] == 0


async def test_inbound_read_all_with_date_before_marks_only_older_ones(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    unread = (await client.get(f"{PROXY}/v3/sms/inbound")).json()["data"]["total"]
    assert unread > 0
    world.add_inbound("+61499999999", "late one")  # timestamp NOW: not before NOW
    r = await client.put(f"{PROXY}/v3/sms/inbound-read", json={"date_before": int(NOW)})
    assert r.json()["data"] == {}  # the SDK's model: an object or null, no count
    remaining = (await client.get(f"{PROXY}/v3/sms/inbound")).json()["data"]["data"]
    assert [m["body"] for m in remaining] == ["late one"]


async def test_add_inbound_links_to_our_latest_message_to_that_number(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    first = (await send(client, {"to": "+61412345678", "body": "one"}))["messages"][0]
    second = (await send(client, {"to": "+61412345678", "body": "two", "custom_string": "k"}))[
        "messages"
    ][0]
    assert first["message_id"] != second["message_id"]
    message_id = world.add_inbound("+61412345678", "Yes please")
    r = await client.get(f"{PROXY}/v3/sms/inbound/{second['message_id']}")
    reply = r.json()["data"]
    assert reply["message_id"] == message_id
    assert (reply["original_body"], reply["custom_string"]) == ("two", "k")


async def test_unknown_inbound_is_404(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{PROXY}/v3/sms/inbound/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and r.json()["response_code"] == "NOT_FOUND"


# --------------------------------------------------------------------------- schedule/cancel


async def test_scheduled_message_can_be_cancelled_once(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    data = await send(client, {"to": "+61412345678", "body": "later", "schedule": int(NOW) + 3600})
    msg = data["messages"][0]
    assert msg["schedule"] == int(NOW) + 3600
    assert (await history_for(client, msg["message_id"]))["status"] == "Scheduled"
    assert world.balance == Decimal("25.00") - Decimal("0.0792")
    r = await client.put(f"{PROXY}/v3/sms/{msg['message_id']}/cancel")
    assert r.status_code == 200 and r.json()["data"] is None
    assert (await history_for(client, msg["message_id"]))["status"] == "Cancelled"
    assert world.balance == Decimal("25.00")  # refunded
    again = await client.put(f"{PROXY}/v3/sms/{msg['message_id']}/cancel")
    assert again.status_code == 400
    assert "not scheduled" in again.json()["response_msg"]


async def test_sent_message_cannot_be_cancelled(client: httpx.AsyncClient) -> None:
    msg_id = (await send(client, {"to": "+61412345678", "body": "now"}))["messages"][0][
        "message_id"
    ]
    r = await client.put(f"{PROXY}/v3/sms/{msg_id}/cancel")
    assert r.status_code == 400


async def test_cancel_all_filters_by_custom_string(client: httpx.AsyncClient) -> None:
    later = int(NOW) + 7200
    await send(
        client,
        {"to": "+61412345678", "body": "a", "schedule": later, "custom_string": "camp-1"},
        {"to": "+61423456789", "body": "b", "schedule": later, "custom_string": "camp-1"},
        {"to": "+61434567890", "body": "c", "schedule": later, "custom_string": "camp-2"},
    )
    r = await client.put(f"{PROXY}/v3/sms/cancel-all", json={"custom_string": "camp-1"})
    assert r.json()["data"] == {"count": 2}
    assert r.json()["response_msg"] == "2 sms messages have been cancelled."
    rest = await client.get(f"{PROXY}/v3/sms/history", params={"q": "status:Scheduled"})
    assert {m["custom_string"] for m in rest.json()["data"]["data"]} >= {"camp-2"}
    assert "camp-1" not in {m["custom_string"] for m in rest.json()["data"]["data"]}


# --------------------------------------------------------------------------- history


@pytest.mark.parametrize("limit", ["14", "101", "abc"])
async def test_history_limit_outside_15_to_100_is_refused(
    client: httpx.AsyncClient, limit: str
) -> None:
    r = await client.get(f"{PROXY}/v3/sms/history", params={"limit": limit})
    assert r.status_code == 400 and r.json()["response_code"] == "BAD_REQUEST"


async def test_history_is_a_laravel_paginator(client: httpx.AsyncClient) -> None:
    first = (await client.get(f"{PROXY}/v3/sms/history", params={"limit": 15})).json()["data"]
    total = first["total"]
    assert total >= 40
    assert first["per_page"] == 15 and first["current_page"] == 1
    assert first["last_page"] == -(-total // 15)
    assert first["prev_page_url"] is None and first["next_page_url"].endswith("page=2")
    assert (first["from"], first["to"]) == (1, 15)
    seen: list[str] = []
    for page in range(1, first["last_page"] + 1):
        r = await client.get(f"{PROXY}/v3/sms/history", params={"limit": 15, "page": page})
        seen += [m["message_id"] for m in r.json()["data"]["data"]]
    assert len(seen) == total == len(set(seen))
    dates = [m["date"] for m in first["data"]]
    assert dates == sorted(dates)  # default order_by date:asc


async def test_history_search_and_order(client: httpx.AsyncClient) -> None:
    r = await client.get(
        f"{PROXY}/v3/sms/history",
        params={"q": "status:failed", "order_by": "date:desc", "limit": 100},
    )
    rows = r.json()["data"]["data"]
    assert rows and all(m["status"] == "Failed" for m in rows)
    assert [m["date"] for m in rows] == sorted((m["date"] for m in rows), reverse=True)
    to = rows[0]["to"]
    r = await client.get(f"{PROXY}/v3/sms/history", params={"q": f"to:{to},status:Failed"})
    assert all(m["to"] == to and m["status"] == "Failed" for m in r.json()["data"]["data"])


async def test_history_date_window(client: httpx.AsyncClient) -> None:
    start, end = int(NOW) - 3 * 86400, int(NOW) - 86400
    r = await client.get(
        f"{PROXY}/v3/sms/history", params={"date_from": start, "date_to": end, "limit": 100}
    )
    rows = r.json()["data"]["data"]
    assert rows and all(start <= m["date"] <= end for m in rows)


async def test_history_rejects_unknown_search_field(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{PROXY}/v3/sms/history", params={"q": "colour:red"})
    assert r.status_code == 400


async def test_empty_page_looks_like_live_clicksend(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{PROXY}/v3/sms/history", params={"q": "custom_string:nothing-here"})
    data = r.json()["data"]
    assert (data["total"], data["current_page"], data["last_page"], data["data"]) == (0, 1, 0, [])


def _every_row_oracle(world: SandboxWorld, q: str, order_by: str) -> list[dict[str, Any]]:
    """History as a plain reading of ClickSend's rules: every row's JSON, filtered, sorted."""
    cs = world.clicksend
    now = cs.now()
    rows = [m.history_json(now, cs.user) for m in cs.messages]
    rows += [r.history_json(cs.user) for r in cs.visible_inbound()]
    for term in filter(None, q.split(",")):
        field, _, value = term.partition(":")
        rows = [r for r in rows if str(r[field] or "").lower() == value.lower()]
    field, _, direction = (order_by or "date:asc").partition(":")
    rows.sort(
        key=lambda r: (r["date"] if field == "date" else str(r[field] or ""), r["message_id"])
    )
    return rows[::-1] if direction == "desc" else rows


@pytest.mark.parametrize(
    ("q", "order_by"),
    [
        ("", ""),
        ("", "date:desc"),
        ("", "status:asc"),
        ("", "from:desc"),
        ("", "body:asc"),
        ("status:sent", "to:asc"),
        ("status:Scheduled", "message_id:desc"),
    ],
)
async def test_history_pages_equal_filtering_every_rows_json(
    client: httpx.AsyncClient, world: SandboxWorld, q: str, order_by: str
) -> None:
    await send(client, {"to": "+61411111111", "body": "later", "schedule": int(NOW) + 600})
    world.advance(30)  # replies become visible: inbound rows join the listing
    expected = _every_row_oracle(world, q, order_by)
    params = {
        "limit": 15,
        **({"q": q} if q else {}),
        **({"order_by": order_by} if order_by else {}),
    }
    got: list[dict[str, Any]] = []
    for page in (1, 2, 3):
        r = await client.get(f"{PROXY}/v3/sms/history", params={**params, "page": page})
        got += r.json()["data"]["data"]
    assert got == expected[:45] and r.json()["data"]["total"] == len(expected)


async def test_history_builds_json_only_for_the_page_asked_for(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smstui.core.sandbox.records import SmsRecord

    built: list[str] = []
    original = SmsRecord.history_json

    def counting(self: SmsRecord, now: float, user: dict[str, Any]) -> dict[str, Any]:
        built.append(self.message_id)
        return original(self, now, user)

    monkeypatch.setattr(SmsRecord, "history_json", counting)
    r = await client.get(f"{PROXY}/v3/sms/history", params={"limit": 15, "order_by": "to:desc"})
    assert r.json()["data"]["total"] > 15
    outbound = [m["message_id"] for m in r.json()["data"]["data"] if m["direction"] == "out"]
    assert outbound and sorted(built) == sorted(outbound)


async def test_channel_history_honours_the_date_window(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    for path, extra in (
        ("mms", {"subject": "Hi"}),
        ("voice", {"voice": "female", "lang": "en-au"}),
    ):
        body: dict[str, Any] = {"messages": [{"to": "+61411111111", "body": "first", **extra}]}
        if path == "mms":
            body["media_file"] = "https://example.com/a.jpg"
        await client.post(f"{PROXY}/v3/{path}/send", json=body)
    world.advance(100)
    for path, extra in (
        ("mms", {"subject": "Hi"}),
        ("voice", {"voice": "female", "lang": "en-au"}),
    ):
        body = {"messages": [{"to": "+61411111111", "body": "second", **extra}]}
        if path == "mms":
            body["media_file"] = "https://example.com/a.jpg"
        await client.post(f"{PROXY}/v3/{path}/send", json=body)
        later = await client.get(
            f"{PROXY}/v3/{path}/history", params={"date_from": int(NOW) + 50, "limit": 100}
        )
        earlier = await client.get(
            f"{PROXY}/v3/{path}/history", params={"date_to": int(NOW) + 50, "limit": 100}
        )
        assert [m["body"] for m in later.json()["data"]["data"]] == ["second"]
        assert [m["body"] for m in earlier.json()["data"]["data"]] == ["first"]


# --------------------------------------------------------------------------- seed data


async def test_first_run_has_data_to_show(client: httpx.AsyncClient, world: SandboxWorld) -> None:
    history = (await client.get(f"{PROXY}/v3/sms/history", params={"limit": 100})).json()["data"]
    outbound = [m for m in history["data"] if m["direction"] == "out"]
    assert len(outbound) == 40
    statuses = {m["status"] for m in outbound}
    assert {"Sent", "Failed", "Scheduled"} <= statuses
    assert all(m["message_price"].count(".") == 1 for m in outbound)
    assert (await client.get(f"{PROXY}/v3/sms/inbound")).json()["data"]["total"] >= 1
    assert (await client.get(f"{PROXY}/v3/sms/receipts")).json()["data"]["total"] >= 1
    assert (await client.get(f"{PROXY}/v3/sms/templates")).json()["data"]["total"] == 3


async def test_history_size_is_configurable() -> None:
    world = make_world(history_size=0)
    async with httpx.AsyncClient(
        transport=world.transport(), base_url="http://x", headers={"Authorization": "Bearer t"}
    ) as c:
        r = await c.get(f"{PROXY}/v3/sms/history")
    assert r.json()["data"]["total"] == 0


# --------------------------------------------------------------------------- templates, account


async def test_template_crud(client: httpx.AsyncClient) -> None:
    r = await client.post(
        f"{PROXY}/v3/sms/templates", json={"template_name": "Welcome", "body": "Hi there"}
    )
    created = r.json()["data"]
    assert created["template_name"] == "Welcome" and isinstance(created["template_id"], int)
    tid = created["template_id"]
    r = await client.put(f"{PROXY}/v3/sms/templates/{tid}", json={"body": "Hello there"})
    assert r.json()["data"] == {
        "template_id": tid,
        "template_name": "Welcome",
        "body": "Hello there",
    }
    assert (await client.get(f"{PROXY}/v3/sms/templates/{tid}")).json()["data"][
        "body"
    ] == "Hello there"
    listed = (await client.get(f"{PROXY}/v3/sms/templates")).json()["data"]
    assert listed["total"] == 4 and listed["data"][-1]["template_id"] == tid
    r = await client.delete(f"{PROXY}/v3/sms/templates/{tid}")
    assert r.status_code == 200 and r.json()["data"] is None
    assert (await client.get(f"{PROXY}/v3/sms/templates/{tid}")).status_code == 404


async def test_template_create_requires_name_and_body(client: httpx.AsyncClient) -> None:
    r = await client.post(f"{PROXY}/v3/sms/templates", json={"body": "x"})
    assert r.status_code == 400
    assert "template_name" in r.json()["data"]


async def test_account_has_current_shape_and_a_fake_api_key(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.balance = Decimal("12.5")
    data = (await client.get(f"{PROXY}/v3/account")).json()["data"]
    assert data["balance"] == "12.500000"
    assert data["_currency"]["currency_name_short"] == "AUD"
    assert data["setting_sms_message_char_limit"] == 6
    assert data["_subaccount"]["api_key"] == world.clicksend.api_key
    assert UUID_UPPER.match(world.clicksend.api_key)


# --------------------------------------------------------------------------- prefix modes


async def test_v3_prefix_mode_needs_v3_in_the_path(client: httpx.AsyncClient) -> None:
    r = await client.post(f"{PROXY}/sms/send", json={"messages": []})
    assert r.status_code == 404
    assert r.json() == {
        "http_code": 404,
        "response_code": "NOT_FOUND",
        "response_msg": "Invalid endpoint. Please try again.",
        "data": None,
    }


async def test_empty_prefix_mode_has_v3_in_the_base_url() -> None:
    world = make_world(prefix="")
    async with httpx.AsyncClient(
        transport=world.transport(), base_url="http://x", headers={"Authorization": "Bearer t"}
    ) as c:
        ok = await c.get(f"{PROXY}/account")
        doubled = await c.get(f"{PROXY}/v3/account")
    assert ok.status_code == 200 and ok.json()["data"]["username"]
    assert doubled.status_code == 404
    assert doubled.json()["response_msg"] == "Invalid endpoint. Please try again."


async def test_wrong_method_is_clicksends_404(client: httpx.AsyncClient) -> None:
    r = await client.put(f"{PROXY}/v3/sms/history")
    assert r.status_code == 404 and r.json()["response_code"] == "NOT_FOUND"


async def test_rate_limit_headers_use_clicksends_spelling(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{PROXY}/v3/account")
    assert r.headers["x-ratelimit-limit"] == "6000"
    assert int(r.headers["x-ratelimit-remaining"]) < 6000
    assert "ratelimit-reset" in r.headers


# --------------------------------------------------------------------------- determinism


async def _snapshot(world: SandboxWorld) -> tuple[Any, ...]:
    async with httpx.AsyncClient(
        transport=world.transport(), base_url="http://x", headers={"Authorization": "Bearer t"}
    ) as c:
        history = (await c.get(f"{PROXY}/v3/sms/history", params={"limit": 100})).json()
        sent = (
            await c.post(
                f"{PROXY}/v3/sms/send",
                json={"messages": [{"to": "+61412345678", "body": f"n{i}"} for i in range(5)]},
            )
        ).json()
        world.advance(3600)
        inbound = (await c.get(f"{PROXY}/v3/sms/inbound")).json()
        receipts = (await c.get(f"{PROXY}/v3/sms/receipts", params={"limit": 100})).json()
    return history, sent, inbound, receipts


async def test_same_seed_gives_the_same_ids_and_data() -> None:
    assert await _snapshot(make_world(seed=3)) == await _snapshot(make_world(seed=3))


async def test_different_seeds_give_different_data() -> None:
    a = await _snapshot(make_world(seed=3))
    b = await _snapshot(make_world(seed=4))
    assert a[0] != b[0] and a[1] != b[1]
