"""SmsService against a fake Membrane proxy built on httpx.MockTransport.

``FakeProxy`` plays Membrane's transparent proxy in front of ClickSend: the connector's base
URL either is ``https://rest.clicksend.test`` (paths need ``/v3``) or already ends in ``/v3``
(paths must not repeat it). ClickSend itself only knows ``/v3/...`` routes and answers
anything else with its 404 "Invalid endpoint" envelope, as the live API does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from smstui.core.clicksend.prefix_learning import InMemoryPrefix
from smstui.core.clicksend.sms import SmsService
from smstui.core.errors import ClickSendError, SendOutcomeUnknown, SmstuiError, ValidationError
from smstui.core.models import OutgoingSms

FIXTURES = Path(__file__).parent / "fixtures" / "clicksend"
CONN = "conn_test"
INVALID_ENDPOINT = {
    "http_code": 404,
    "response_code": "NOT_FOUND",
    "response_msg": "Invalid endpoint. Please try again.",
    "data": None,
}

Route = Callable[[httpx.Request], httpx.Response]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_bytes())


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Route:
    return lambda request: httpx.Response(status, json=body, headers=headers)


def ok(data: Any, msg: str = "Here are your data.") -> Route:
    return answer({"http_code": 200, "response_code": "SUCCESS", "response_msg": msg, "data": data})


def echo_send(status_for: Callable[[dict[str, Any]], str] = lambda m: "SUCCESS") -> Route:
    """A /sms/send that answers one message per message received."""

    def route(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)["messages"]
        messages = [
            {
                "to": m["to"],
                "body": m["body"],
                "status": status_for(m),
                "message_id": f"id-{i}",
                "message_price": "0.0792",
                "message_parts": 1,
                "custom_string": m.get("custom_string", ""),
            }
            for i, m in enumerate(sent)
        ]
        data = {
            "total_price": round(0.0792 * len(sent), 4),
            "total_count": len(sent),
            "queued_count": len(sent),
            "blocked_count": 0,
            "messages": messages,
            "_currency": {"currency_name_short": "AUD", "currency_prefix_d": "$"},
        }
        return ok(data, "Messages queued for delivery.")(request)

    return route


class FakeProxy:
    """What SmsService needs from MembraneClient: ``proxy()`` -> ClickSend's raw answer."""

    def __init__(
        self, base_has_v3: bool = False, routes: dict[tuple[str, str], Route] | None = None
    ):
        self.base_has_v3 = base_has_v3
        self.routes: dict[tuple[str, str], Route] = dict(routes or {})
        self.calls: list[tuple[str, str]] = []  # (method, path as the service gave it)
        self.requests: list[httpx.Request] = []  # as ClickSend saw them
        base = "https://rest.clicksend.test" + ("/v3" if base_has_v3 else "")
        self.http = httpx.AsyncClient(transport=httpx.MockTransport(self._handle), base_url=base)
        self.fail_next: dict[tuple[str, str], SmstuiError] = {}

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.raw_path.decode().split("?", 1)[0]
        if path.startswith("/v3/"):
            route = self.routes.get((request.method, path[3:]))
            if route is not None:
                return route(request)
        return httpx.Response(404, json=INVALID_ENDPOINT)

    async def proxy(
        self,
        connection_id: str,
        method: str,
        path: str,
        params: Any = None,
        json: Any = None,
    ) -> httpx.Response:
        assert connection_id == CONN
        self.calls.append((method, path))
        error = self.fail_next.pop((method, path), None)
        if error is not None:
            raise error
        return await self.http.request(method, path, params=params, json=json)

    def sends(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/sms/send")]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def service(
    fake: FakeProxy, prefix: str | None = "/v3", clock: float = 1_800_000_000
) -> SmsService:
    return SmsService(fake, CONN, prefix_memory=InMemoryPrefix(prefix), clock=lambda: clock)


def sms(to: str = "+61411111111", body: str = "hi", **kw: Any) -> OutgoingSms:
    return OutgoingSms(to=to, body=body, **kw)


ACCOUNT = {("GET", "/account"): ok(fixture("account_get.current.json")["data"])}


# --------------------------------------------------------------------------- send


async def test_send_builds_clicksend_body_with_every_field() -> None:
    fake = FakeProxy(routes={("POST", "/sms/send"): answer(fixture("sms_send.current.json"))})
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    result = await service(fake).send(
        [sms(body="hello\nthere", sender="Acme", schedule=when, custom_string="k-1", country="AU")]
    )
    assert fake.calls == [("POST", "/v3/sms/send")]
    assert fake.body() == {
        "messages": [
            {
                "to": "+61411111111",
                "body": "hello\nthere",
                "from": "Acme",
                "schedule": int(when.timestamp()),
                "custom_string": "k-1",
                "country": "AU",
                "source": "smstui",
            }
        ]
    }
    [msg] = result.messages
    assert msg.message_id == "1ABC3200-C38C-6308-BE4B-C7C51D01DCF0"
    assert msg.price == Decimal("0.0792") and msg.accepted
    assert result.currency is not None and result.currency.code == "AUD"


async def test_send_leaves_out_absent_optional_fields() -> None:
    fake = FakeProxy(routes={("POST", "/sms/send"): echo_send()})
    await service(fake).send([sms()])
    assert fake.body() == {"messages": [{"to": "+61411111111", "body": "hi", "source": "smstui"}]}


async def test_send_of_nothing_is_a_validation_error_and_sends_nothing() -> None:
    fake = FakeProxy(routes={("POST", "/sms/send"): echo_send()})
    with pytest.raises(ValidationError):
        await service(fake).send([])
    assert fake.requests == []


async def test_a_200_send_can_carry_one_rejected_and_one_accepted_message() -> None:
    fake = FakeProxy(
        routes={
            ("POST", "/sms/send"): echo_send(
                lambda m: "INVALID_RECIPIENT" if m["to"] == "+6100" else "SUCCESS"
            )
        }
    )
    result = await service(fake).send([sms(to="+6100"), sms(to="+61411111111")])
    assert [m.status for m in result.messages] == ["INVALID_RECIPIENT", "SUCCESS"]
    assert [m.accepted for m in result.messages] == [False, True]
    assert not result.all_accepted


@pytest.mark.parametrize(("count", "requests"), [(1000, 1), (1001, 2), (2500, 3)])
async def test_sends_are_split_into_requests_of_at_most_1000(count: int, requests: int) -> None:
    fake = FakeProxy(routes={("POST", "/sms/send"): echo_send()})
    messages = [sms(to=f"+614{i:08d}") for i in range(count)]
    result = await service(fake).send(messages)
    sizes = [len(json.loads(r.content)["messages"]) for r in fake.sends()]
    assert len(sizes) == requests and max(sizes) <= 1000 and sum(sizes) == count
    assert [m.to for m in result.messages] == [m.to for m in messages]
    assert result.total_count == count
    assert result.total_price == Decimal("0.0792") * count


async def test_a_failing_later_batch_reports_the_earlier_accepted_messages() -> None:
    calls = 0

    def second_fails(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 2:
            return answer(
                {
                    "http_code": 500,
                    "response_code": "INTERNAL_SERVER_ERROR",
                    "response_msg": "Server error.",
                    "data": None,
                },
                500,
            )(request)
        return echo_send()(request)

    fake = FakeProxy(routes={("POST", "/sms/send"): second_fails})
    with pytest.raises(ClickSendError) as info:
        await service(fake).send([sms(to=f"+614{i:08d}") for i in range(1500)])
    partial = info.value.partial  # type: ignore[attr-defined]
    assert len(partial.messages) == 1000
    assert all(m.accepted for m in partial.messages)
    assert "1000 earlier messages" in str(info.value)


async def test_an_unknown_outcome_in_a_later_batch_keeps_its_type_and_the_partial() -> None:
    fake = FakeProxy(routes={("POST", "/sms/send"): echo_send()})
    svc = service(fake)
    original = fake.proxy
    sent = 0

    async def flaky(*args: Any, **kwargs: Any) -> httpx.Response:
        nonlocal sent
        sent += 1
        if sent == 2:
            raise SendOutcomeUnknown("Timed out after sending.")
        return await original(*args, **kwargs)

    fake.proxy = flaky  # type: ignore[method-assign]
    with pytest.raises(SendOutcomeUnknown) as info:
        await svc.send([sms(to=f"+614{i:08d}") for i in range(1001)])
    assert len(info.value.partial.messages) == 1000  # type: ignore[attr-defined]


async def test_an_unreadable_success_answer_to_a_send_is_an_unknown_outcome() -> None:
    fake = FakeProxy(routes={("POST", "/sms/send"): ok("{}")})
    with pytest.raises(SendOutcomeUnknown):
        await service(fake).send([sms()])


async def test_send_rejected_for_credentials_says_reconnect() -> None:
    body = {
        "http_code": 401,
        "response_code": "UNAUTHORIZED",
        "response_msg": "Authorization failed.",
        "data": None,
    }
    fake = FakeProxy(routes={("POST", "/sms/send"): answer(body, 401)})
    with pytest.raises(ClickSendError) as info:
        await service(fake).send([sms()])
    assert "reconnect" in info.value.hint
    assert not hasattr(info.value, "partial")


async def test_price_posts_the_same_body_to_sms_price() -> None:
    fake = FakeProxy(
        routes={("POST", "/sms/price"): answer(fixture("sms_price.legacy_apiary.json"))}
    )
    result = await service(fake).price([sms(custom_string="c")])
    assert fake.calls == [("POST", "/v3/sms/price")]
    assert fake.body() == {
        "messages": [{"to": "+61411111111", "body": "hi", "custom_string": "c", "source": "smstui"}]
    }
    assert result.total_price == Decimal("0.2264")
    assert fake.sends() == []


# --------------------------------------------------------------------------- history


@pytest.mark.parametrize(("asked", "sent"), [(1, 15), (15, 15), (50, 50), (100, 100), (1000, 100)])
async def test_history_clamps_limit_to_15_100(asked: int, sent: int) -> None:
    fake = FakeProxy(
        routes={("GET", "/sms/history"): answer(fixture("sms_history.legacy_apiary.json"))}
    )
    await service(fake).history(limit=asked)
    assert fake.requests[0].url.params["limit"] == str(sent)


async def test_history_sends_filters_and_parses_the_page() -> None:
    fake = FakeProxy(
        routes={("GET", "/sms/history"): answer(fixture("sms_history.legacy_apiary.json"))}
    )
    start = datetime(2024, 1, 1, tzinfo=UTC)
    page = await service(fake).history(
        page=2,
        limit=20,
        date_from=start,
        date_to=1_710_000_000,
        q="status:Scheduled",
        order_by="date:desc",
    )
    params = fake.requests[0].url.params
    assert dict(params) == {
        "page": "2",
        "limit": "20",
        "date_from": str(int(start.timestamp())),
        "date_to": "1710000000",
        "q": "status:Scheduled",
        "order_by": "date:desc",
    }
    assert len(page.items) == 6
    assert page.items[0].parts == 1 and page.items[0].price == Decimal("0.070000")


async def test_find_by_custom_string_walks_pages_and_filters_client_side() -> None:
    def history(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        # a server that ignores q: every page holds other messages too
        records = [
            {"message_id": f"p{page}-a", "custom_string": "want", "status": "Sent"},
            {"message_id": f"p{page}-b", "custom_string": "other", "status": "Sent"},
        ]
        return ok(
            {"current_page": page, "last_page": 3, "total": 6, "per_page": 100, "data": records}
        )(request)

    fake = FakeProxy(routes={("GET", "/sms/history"): history})
    since = datetime(2025, 5, 1, tzinfo=UTC)
    found = await service(fake).find_by_custom_string("want", since)
    assert [m.message_id for m in found] == ["P1-A", "P2-A", "P3-A"]
    assert [r.url.params["page"] for r in fake.requests] == ["1", "2", "3"]
    assert fake.requests[0].url.params["q"] == "custom_string:want"
    assert fake.requests[0].url.params["date_from"] == str(int(since.timestamp()))
    assert fake.requests[0].url.params["limit"] == "100"


async def test_find_by_custom_string_with_a_comma_does_not_use_q() -> None:
    fake = FakeProxy(
        routes={("GET", "/sms/history"): ok([{"message_id": "x", "custom_string": "a,b"}])}
    )
    found = await service(fake).find_by_custom_string("a,b", None)
    assert [m.message_id for m in found] == ["X"]
    assert "q" not in fake.requests[0].url.params
    assert "date_from" not in fake.requests[0].url.params


# --------------------------------------------------------------------------- inbound / receipts


async def test_inbound_list_get_and_mark_read() -> None:
    fake = FakeProxy(
        routes={
            ("GET", "/sms/inbound"): answer(fixture("sms_inbound_list.current.json")),
            ("GET", "/sms/inbound/1EF54878-1137-62F4-9EAC-CBF078A1262E"): answer(
                fixture("sms_inbound_get.current.json")
            ),
            ("PUT", "/sms/inbound-read"): answer(fixture("sms_inbound_read_all.current.json")),
            ("PUT", "/sms/inbound-read/D2F2BCC3-6558-4DAA-858E-AD7529CC809C"): answer(
                fixture("sms_inbound_read_one.current.json")
            ),
        }
    )
    svc = service(fake, clock=1_722_565_660)
    page = await svc.inbound(limit=5)
    assert fake.requests[-1].url.params["limit"] == "15"
    assert page.items[0].message_id == "D2F2BCC3-6558-4DAA-858E-AD7529CC809C"
    one = await svc.get_inbound("1EF54878-1137-62F4-9EAC-CBF078A1262E")
    assert one.sender == "+61426123123"
    assert await svc.mark_inbound_read(message_id=page.items[0].message_id) == 1
    assert fake.requests[-1].method == "PUT"
    assert await svc.mark_inbound_read() == 0
    assert fake.body() == {"date_before": 1_722_565_660}  # "until now", said explicitly
    await svc.mark_inbound_read(date_before=datetime(2024, 1, 1, tzinfo=UTC))
    assert fake.body() == {"date_before": 1_704_067_200}


async def test_receipts_list_get_and_mark_read() -> None:
    fake = FakeProxy(
        routes={
            ("GET", "/sms/receipts"): answer(fixture("sms_receipts_list.legacy_apiary.json")),
            ("GET", "/sms/receipts/D6D16B28-46AC-484A-AB0A-A08CD08EF75C"): answer(
                fixture("sms_receipt_get.current.json")
            ),
            ("PUT", "/sms/receipts-read"): answer(fixture("sms_receipts_read.legacy_apiary.json")),
        }
    )
    svc = service(fake, clock=1_700_000_000)
    page = await svc.receipts(page=1, limit=100)
    assert [r.delivered for r in page.items] == [True, True, True]
    receipt = await svc.get_receipt("d6d16b28-46ac-484a-ab0a-a08cd08ef75c".upper())
    assert receipt.status_text == "Success: Message received on handset."
    assert await svc.mark_receipts_read(date_before=1_600_000_000) == 0
    assert fake.body() == {"date_before": 1_600_000_000}


async def test_missing_receipt_is_a_not_found_error() -> None:
    body = {
        "http_code": 404,
        "response_code": "NOT_FOUND",
        "response_msg": "Receipt record not found.",
        "data": None,
    }
    fake = FakeProxy(routes={("GET", "/sms/receipts/ABC"): answer(body, 404)})
    with pytest.raises(ClickSendError) as info:
        await service(fake).get_receipt("ABC")
    assert str(info.value) == "Receipt record not found."
    assert info.value.exit_code == 4


# --------------------------------------------------------------------------- cancel


async def test_cancel_one_and_cancel_all() -> None:
    fake = FakeProxy(
        routes={
            ("PUT", "/sms/307EF035-B7CE-4321-93CD-0753597B7293/cancel"): answer(
                fixture("sms_cancel.legacy_apiary.json")
            ),
            ("PUT", "/sms/cancel-all"): answer(fixture("sms_cancel_all.current.json")),
        }
    )
    svc = service(fake)
    await svc.cancel("307EF035-B7CE-4321-93CD-0753597B7293")
    assert fake.requests[-1].content == b""
    assert await svc.cancel_all() == 2
    assert fake.body() == {}
    assert await svc.cancel_all(custom_string="campaign-7") == 2
    assert fake.body() == {"custom_string": "campaign-7"}


async def test_ids_cannot_change_the_route() -> None:
    fake = FakeProxy()
    with pytest.raises(ClickSendError):
        await service(fake).cancel("../cancel-all")
    assert fake.calls == [("PUT", "/v3/sms/..%2Fcancel-all/cancel")]


# --------------------------------------------------------------------------- templates


async def test_template_crud() -> None:
    fake = FakeProxy(
        routes={
            ("GET", "/sms/templates"): answer(fixture("sms_templates_list.current.json")),
            ("GET", "/sms/templates/587916"): answer(fixture("sms_template_get.current.json")),
            ("POST", "/sms/templates"): answer(fixture("sms_template_create.current.json")),
            ("PUT", "/sms/templates/587916"): answer(fixture("sms_template_update.current.json")),
            ("DELETE", "/sms/templates/587916"): answer(
                fixture("sms_template_delete.current.json")
            ),
        }
    )
    svc = service(fake)
    page = await svc.list_templates()
    assert [t.template_id for t in page.items] == ["587713"]
    created = await svc.create_template("TTemplate 501916", "body")
    assert fake.body() == {"template_name": "TTemplate 501916", "body": "body"}
    assert created.template_id == "589242"
    updated = await svc.update_template(587916, name="Template XYZ", body="new")
    assert fake.body() == {"template_name": "Template XYZ", "body": "new"}
    assert updated.name == "Template XYZ"
    got = await svc.get_template("587916")
    assert got.name == "Template 501916"
    await svc.delete_template(587916)
    assert fake.calls[-1] == ("DELETE", "/v3/sms/templates/587916")


async def test_update_template_fills_the_missing_field_from_the_server() -> None:
    fake = FakeProxy(
        routes={
            ("GET", "/sms/templates/587916"): answer(fixture("sms_template_get.current.json")),
            ("PUT", "/sms/templates/587916"): answer(fixture("sms_template_update.current.json")),
        }
    )
    await service(fake).update_template("587916", name="Renamed")
    assert fake.body() == {
        "template_name": "Renamed",
        "body": "This is a test updated template.\r\nnew line 漢字 here.",
    }


async def test_bad_request_on_create_template_carries_field_messages() -> None:
    fake = FakeProxy(
        routes={
            ("POST", "/sms/templates"): answer(
                fixture("error_400_bad_request.sdk_schema_example.json"), 400
            )
        }
    )
    with pytest.raises(ClickSendError) as info:
        await service(fake).create_template("", "")
    assert info.value.http_status == 400
    assert "Name field is required." in str(info.value)


# --------------------------------------------------------------------------- account

API_KEY = "F3702045-EB2C-0091-C211-7728048DCAE2"


async def test_account_reads_balance_and_never_exposes_the_api_key() -> None:
    fake = FakeProxy(routes={("GET", "/account"): answer(fixture("account_get.current.json"))})
    account = await service(fake).account()
    assert account.balance == Decimal("4.998000")
    assert account.currency is not None and account.currency.code == "AUD"
    assert account.part_cap == 6
    assert API_KEY not in repr(account)
    assert API_KEY not in str(vars(account) if hasattr(account, "__dict__") else account)


@pytest.mark.parametrize("status", [200, 500])
async def test_account_failure_carrying_the_account_never_exposes_the_api_key(status: int) -> None:
    body = fixture("account_get.current.json")
    body.update(http_code=500, response_code="INTERNAL_SERVER_ERROR", response_msg="Oops.")
    fake = FakeProxy(routes={("GET", "/account"): answer(body, status)})
    with pytest.raises(ClickSendError) as info:
        await service(fake).account()
    err = info.value
    for text in (str(err), repr(err), repr(err.args), repr(err.data), err.hint, repr(vars(err))):
        assert API_KEY not in text


async def test_account_read_used_to_confirm_the_prefix_does_not_leak_the_key() -> None:
    body = fixture("account_get.current.json")
    body.update(response_code="FAILED", response_msg="Nope.")
    fake = FakeProxy(routes={("GET", "/account"): answer(body)})
    with pytest.raises(ClickSendError) as info:
        await service(fake, prefix=None).cancel_all()
    assert API_KEY not in repr(vars(info.value))
    assert fake.calls == [("GET", "/v3/account")]  # the write never happened


# --------------------------------------------------------------------------- prefix learning


async def test_read_learns_v3_when_the_base_url_lacks_it() -> None:
    memory = InMemoryPrefix()
    fake = FakeProxy(base_has_v3=False, routes={("GET", "/sms/inbound"): ok([])})
    svc = SmsService(fake, CONN, prefix_memory=memory)
    await svc.inbound()
    assert fake.calls == [("GET", "/v3/sms/inbound")]
    assert memory.prefix == "/v3" and svc.prefix_confirmed


async def test_read_retries_once_without_v3_and_remembers_it() -> None:
    memory = InMemoryPrefix()
    fake = FakeProxy(base_has_v3=True, routes={("GET", "/sms/inbound"): ok([])})
    svc = SmsService(fake, CONN, prefix_memory=memory)
    await svc.inbound()
    await svc.inbound()
    assert fake.calls == [
        ("GET", "/v3/sms/inbound"),  # -> base/v3/v3/sms/inbound: Invalid endpoint
        ("GET", "/sms/inbound"),
        ("GET", "/sms/inbound"),  # learnt: no more probing
    ]
    assert memory.prefix == ""


async def test_a_remembered_prefix_is_used_across_restarts_without_probing() -> None:
    memory = InMemoryPrefix()
    fake = FakeProxy(
        base_has_v3=True,
        routes={("GET", "/account"): ok({}), **{("POST", "/sms/send"): echo_send()}},
    )
    await SmsService(fake, CONN, prefix_memory=memory).account()
    fake.calls.clear()
    restarted = SmsService(fake, CONN, prefix_memory=memory)
    await restarted.send([sms()])
    assert fake.calls == [("POST", "/sms/send")]


@pytest.mark.parametrize(("base_has_v3", "prefix"), [(False, "/v3"), (True, "")])
async def test_first_write_confirms_the_prefix_with_one_cheap_read(
    base_has_v3: bool, prefix: str
) -> None:
    memory = InMemoryPrefix()
    fake = FakeProxy(
        base_has_v3=base_has_v3, routes={**ACCOUNT, ("POST", "/sms/send"): echo_send()}
    )
    svc = SmsService(fake, CONN, prefix_memory=memory)
    await svc.send([sms()])
    await svc.send([sms()])
    reads = [c for c in fake.calls if c[0] == "GET"]
    sends = [c for c in fake.calls if c[0] == "POST"]
    assert sends == [("POST", f"{prefix}/sms/send")] * 2  # never sent with a wrong prefix
    assert len(fake.sends()) == 2
    assert reads[-1] == ("GET", f"{prefix}/account")
    assert len(reads) == (2 if base_has_v3 else 1)  # the guess, plus at most one retry
    assert memory.prefix == prefix


async def test_concurrent_first_writes_confirm_the_prefix_once() -> None:
    fake = FakeProxy(routes={**ACCOUNT, ("PUT", "/sms/cancel-all"): ok({"count": 0})})
    svc = service(fake, prefix=None)
    await asyncio.gather(svc.cancel_all(), svc.cancel_all(), svc.cancel_all())
    assert fake.calls.count(("GET", "/v3/account")) == 1
    assert fake.calls.count(("PUT", "/v3/sms/cancel-all")) == 3


async def test_a_failing_confirmation_read_means_nothing_is_sent() -> None:
    body = {
        "http_code": 401,
        "response_code": "UNAUTHORIZED",
        "response_msg": "Authorization failed.",
        "data": None,
    }
    fake = FakeProxy(
        routes={("GET", "/account"): answer(body, 401), ("POST", "/sms/send"): echo_send()}
    )
    svc = service(fake, prefix=None)
    with pytest.raises(ClickSendError) as info:
        await svc.send([sms()])
    assert info.value.http_status == 401
    assert fake.sends() == []
    assert not svc.prefix_confirmed


async def test_when_neither_prefix_works_there_is_only_one_extra_read_ever() -> None:
    memory = InMemoryPrefix()
    fake = FakeProxy(routes={})  # every path is an invalid endpoint
    svc = SmsService(fake, CONN, prefix_memory=memory)
    with pytest.raises(ClickSendError) as first:
        await svc.history()
    assert "base URL" in first.value.hint
    with pytest.raises(ClickSendError):
        await svc.history()
    with pytest.raises(ClickSendError):
        await svc.send([sms()])
    assert fake.calls == [
        ("GET", "/v3/sms/history"),
        ("GET", "/sms/history"),
        ("GET", "/v3/sms/history"),
        ("GET", "/v3/account"),
    ]
    assert fake.sends() == []
    assert memory.prefix is None


async def test_invalid_endpoint_after_confirmation_is_a_real_error() -> None:
    fake = FakeProxy(base_has_v3=False, routes={("GET", "/sms/inbound"): ok([])})
    svc = service(fake, prefix="/v3")
    with pytest.raises(ClickSendError) as info:
        await svc.history()  # no /sms/history route in this fake
    assert info.value.http_status == 404
    assert fake.calls == [("GET", "/v3/sms/history")]
    assert svc.prefix == "/v3"


async def test_a_wrong_remembered_prefix_is_not_silently_relearnt() -> None:
    fake = FakeProxy(base_has_v3=False, routes={("GET", "/sms/inbound"): ok([])})
    svc = service(fake, prefix="")
    with pytest.raises(ClickSendError):
        await svc.inbound()
    assert fake.calls == [("GET", "/sms/inbound")]


async def test_membrane_failures_pass_through_unchanged() -> None:
    fake = FakeProxy(routes={("GET", "/sms/inbound"): ok([])})
    fake.fail_next[("GET", "/v3/sms/inbound")] = SmstuiError("Membrane is down.")
    with pytest.raises(SmstuiError, match=r"Membrane is down\."):
        await service(fake).inbound()
