"""MembraneClient against httpx.MockTransport: headers, errors, retries, writes, paging."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from smstui.core.errors import (
    ConnectionUnusable,
    MalformedResponseError,
    MembraneAuthError,
    MembraneError,
    MembraneNotFound,
    NetworkError,
    RateLimitedError,
    RequestTimeout,
    SendOutcomeUnknown,
)
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient

TOKEN = "pat-supersecret-token-0042"
BASE = "https://membrane.test"

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers from a script and records what it saw."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer


class Sleeps:
    def __init__(self) -> None:
        self.waited: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


def make(rec: Recorder, sleeps: Sleeps | None = None, **kw: object) -> MembraneClient:
    return MembraneClient(
        BASE,
        StaticToken(TOKEN),
        transport=httpx.MockTransport(rec),
        sleep=sleeps or Sleeps(),
        **kw,  # type: ignore[arg-type]
    )


def ok(body: object, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def merr(status: int, type_: str, key: str | None = None, message: str = "nope") -> httpx.Response:
    body: dict[str, object] = {"type": type_, "message": message}
    if key:
        body["key"] = key
    return httpx.Response(status, json=body)


CONN = {"id": "c1", "name": "ClickSend", "state": "READY", "connected": True}


async def test_headers_on_every_request() -> None:
    rec = Recorder(ok(CONN))
    async with make(rec) as client:
        await client.ensure_connection()
    req = rec.requests[0]
    assert req.method == "POST"
    assert str(req.url) == f"{BASE}/connections/ensure"
    assert req.headers["authorization"] == f"Bearer {TOKEN}"
    assert req.headers["membrane-api-version"] == "2025-10-21"
    assert req.headers["content-type"] == "application/json"
    assert json.loads(req.content) == {"appUrl": "clicksend.com"}
    assert client.request_count == 1


async def test_get_has_no_json_content_type() -> None:
    rec = Recorder(ok(CONN))
    async with make(rec) as client:
        conn = await client.get_connection("c1", wait=True, timeout=30)
    assert conn.id == "c1" and conn.usable
    req = rec.requests[0]
    assert "content-type" not in req.headers
    assert req.url.path == "/connections/c1"
    assert dict(req.url.params) == {"wait": "true", "timeout": "30"}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, MembraneAuthError),
        (403, MembraneAuthError),
        (404, MembraneNotFound),
        (400, MembraneError),
    ],
)
async def test_membrane_error_body_maps_to_type(status: int, cls: type[Exception]) -> None:
    rec = Recorder(merr(status, "bad_request", "not_found", "Connection with id 'x' not found"))
    async with make(rec) as client:
        with pytest.raises(cls) as info:
            await client.get_connection("x")
    err = info.value
    assert isinstance(err, MembraneError)
    assert err.status == status
    assert err.type == "bad_request" and err.key == "not_found"
    assert "Connection with id 'x' not found" in str(err)


async def test_caused_by_error_message_is_included() -> None:
    body = {
        "type": "action_run",
        "message": "Action failed",
        "causedByError": {"message": "upstream 500"},
    }
    async with make(Recorder(ok(body, 500))) as client:
        with pytest.raises(MembraneError) as info:
            await client.act("c1", "send-sms", {})
    assert "Action failed" in str(info.value)
    assert "upstream 500" in str(info.value)
    assert info.value.type == "action_run"


async def test_unknown_error_body_gives_status_and_trimmed_text() -> None:
    long = "<html>" + "x" * 1000 + "</html>"
    async with make(Recorder(httpx.Response(418, text=long))) as client:
        with pytest.raises(MembraneError) as info:
            await client.ensure_connection()
    assert info.value.type is None
    assert "418" in str(info.value)
    assert len(str(info.value)) < 400


async def test_json_without_known_type_is_not_a_membrane_error() -> None:
    async with make(Recorder(ok({"type": "weird", "message": "m"}, 400))) as client:
        with pytest.raises(MembraneError) as info:
            await client.ensure_connection()
    assert info.value.type is None
    assert "400" in str(info.value)


@pytest.mark.parametrize(
    "response",
    [httpx.Response(200, text="<html>hi</html>"), ok(["a", "list"]), ok({"items": "nope"})],
)
async def test_malformed_success_bodies(response: httpx.Response) -> None:
    async with make(Recorder(response)) as client:
        with pytest.raises(MalformedResponseError):
            await client.list_connections()


async def test_malformed_connection_without_id() -> None:
    async with make(Recorder(ok({"name": "x"}))) as client:
        with pytest.raises(MalformedResponseError):
            await client.get_connection("c1")


async def test_get_retries_429_honouring_retry_after_seconds() -> None:
    rec = Recorder(ok({}, 429, **{"Retry-After": "7"}), ok(CONN))
    sleeps = Sleeps()
    async with make(rec, sleeps) as client:
        conn = await client.get_connection("c1")
    assert conn.id == "c1"
    assert sleeps.waited == [7.0]
    assert client.request_count == 2


async def test_get_retry_after_as_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=20)
    rec = Recorder(ok({}, 503, **{"Retry-After": format_datetime(when, usegmt=True)}), ok(CONN))
    sleeps = Sleeps()
    async with make(rec, sleeps) as client:
        await client.get_connection("c1")
    assert len(sleeps.waited) == 1
    assert 15 <= sleeps.waited[0] <= 20


async def test_get_retry_uses_clicksend_ratelimit_reset() -> None:
    rec = Recorder(ok({}, 429, **{"ratelimit-reset": "12"}), ok(CONN))
    sleeps = Sleeps()
    async with make(rec, sleeps) as client:
        await client.get_connection("c1")
    assert sleeps.waited == [12.0]


async def test_get_backoff_grows_then_gives_up_with_rate_limit() -> None:
    rec = Recorder(ok({}, 429))
    sleeps = Sleeps()
    async with make(rec, sleeps, max_retries=3) as client:
        with pytest.raises(RateLimitedError):
            await client.get_connection("c1")
    assert client.request_count == 4
    assert len(sleeps.waited) == 3
    # exponential with jitter: 0.5..1, 1..2, 2..4
    for attempt, waited in enumerate(sleeps.waited):
        base = 0.5 * 2**attempt
        assert base <= waited <= 2 * base


async def test_get_5xx_after_retries_raises_membrane_error() -> None:
    rec = Recorder(httpx.Response(502, text="bad gateway"))
    async with make(rec, max_retries=2) as client:
        with pytest.raises(MembraneError) as info:
            await client.list_connections()
    assert info.value.status == 502
    assert client.request_count == 3


async def test_500_is_not_retried() -> None:
    rec = Recorder(merr(500, "internal"), ok(CONN))
    async with make(rec) as client:
        with pytest.raises(MembraneError):
            await client.get_connection("c1")
    assert client.request_count == 1


async def test_get_retries_connect_error_and_timeouts() -> None:
    rec = Recorder(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), ok(CONN))
    sleeps = Sleeps()
    async with make(rec, sleeps) as client:
        await client.get_connection("c1")
    assert client.request_count == 3
    assert len(sleeps.waited) == 2


async def test_get_timeouts_exhausted_raise_request_timeout() -> None:
    rec = Recorder(httpx.ReadTimeout("slow"))
    async with make(rec, max_retries=1) as client:
        with pytest.raises(RequestTimeout):
            await client.get_connection("c1")
    assert client.request_count == 2


async def test_post_read_timeout_not_retried_outcome_unknown() -> None:
    rec = Recorder(httpx.ReadTimeout("timed out"), ok({"output": 1}))
    async with make(rec) as client:
        with pytest.raises(SendOutcomeUnknown):
            await client.act("c1", "send-sms", {"to": "+61411111111"})
    assert client.request_count == 1


@pytest.mark.parametrize(
    "exc", [httpx.RemoteProtocolError("dropped"), httpx.ReadError("reset"), httpx.WriteTimeout("w")]
)
async def test_proxy_write_lost_answer_is_outcome_unknown(exc: Exception) -> None:
    rec = Recorder(exc)
    async with make(rec) as client:
        with pytest.raises(SendOutcomeUnknown):
            await client.proxy("c1", "POST", "/v3/sms/send", json={"messages": []})
    assert client.request_count == 1


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("no route")])
async def test_post_connect_error_did_not_reach_server(exc: Exception) -> None:
    rec = Recorder(exc)
    async with make(rec) as client:
        with pytest.raises(NetworkError) as info:
            await client.proxy("c1", "POST", "/v3/sms/send", json={"messages": []})
    assert info.value.may_have_reached_server is False
    assert not isinstance(info.value, SendOutcomeUnknown)
    assert client.request_count == 1


async def test_post_429_raises_rate_limited_without_retry() -> None:
    rec = Recorder(ok({"response_code": "HTTP_TOO_MANY_REQUESTS"}, 429, **{"Retry-After": "25"}))
    sleeps = Sleeps()
    async with make(rec, sleeps) as client:
        with pytest.raises(RateLimitedError) as info:
            await client.proxy("c1", "POST", "/v3/sms/send", json={"messages": []})
    assert info.value.retry_after == 25.0
    assert client.request_count == 1
    assert sleeps.waited == []


async def test_post_503_not_retried_returned_from_proxy() -> None:
    rec = Recorder(httpx.Response(503, text="down"), ok({}))
    async with make(rec) as client:
        response = await client.proxy("c1", "POST", "/v3/sms/send", json={})
    assert response.status_code == 503
    assert client.request_count == 1


async def test_proxy_returns_clicksend_errors_untouched() -> None:
    body = {"http_code": 400, "response_code": "BAD_REQUEST", "response_msg": "x", "data": None}
    rec = Recorder(ok(body, 400))
    async with make(rec) as client:
        response = await client.proxy("c1", "GET", "v3/account", params={"page": 1, "x": None})
    assert response.status_code == 400
    assert response.json() == body
    req = rec.requests[0]
    assert req.url.path == "/connections/c1/proxy/v3/account"
    assert dict(req.url.params) == {"page": "1"}


async def test_proxy_path_joining_and_id_quoting() -> None:
    rec = Recorder(ok({}))
    async with make(rec) as client:
        await client.proxy("a/b c", "GET", "/sms/history")
    assert rec.requests[0].url.raw_path.startswith(b"/connections/a%2Fb%20c/proxy/sms/history")


async def test_proxy_membrane_not_found_raises() -> None:
    rec = Recorder(merr(404, "bad_request", "not_found", "Connection not found"))
    async with make(rec) as client:
        with pytest.raises(MembraneNotFound):
            await client.proxy("gone", "GET", "/v3/account")


async def test_proxy_defunct_connection_raises_unusable() -> None:
    rec = Recorder(merr(400, "connection", "connection_is_defunct", "Connection is defunct"))
    async with make(rec) as client:
        with pytest.raises(ConnectionUnusable) as info:
            await client.proxy("c9", "GET", "/v3/account")
    assert info.value.connection_id == "c9"


async def test_list_connections_follows_cursor_until_empty() -> None:
    rec = Recorder(
        ok({"items": [{"id": "a"}, {"id": "b"}], "cursor": "p2"}),
        ok({"items": [{"id": "c"}], "cursor": "p3"}),
        ok({"items": [], "cursor": ""}),
    )
    async with make(rec) as client:
        conns = await client.list_connections(connector_id="k1")
    assert [c.id for c in conns] == ["a", "b", "c"]
    assert [r.url.params.get("cursor") for r in rec.requests] == [None, "p2", "p3"]
    assert all(r.url.params["connectorId"] == "k1" for r in rec.requests)


async def test_list_connections_stops_on_missing_cursor() -> None:
    rec = Recorder(ok({"items": [{"id": "a"}]}), ok({"items": [{"id": "never"}]}))
    async with make(rec) as client:
        assert [c.id for c in await client.list_connections()] == ["a"]
    assert client.request_count == 1


async def test_list_connections_stops_on_repeated_cursor() -> None:
    rec = Recorder(ok({"items": [{"id": "a"}], "cursor": "same"}))
    async with make(rec) as client:
        conns = await client.list_connections()
    assert client.request_count == 2
    assert [c.id for c in conns] == ["a", "a"]


@pytest.mark.parametrize(
    ("answer", "body", "raw"),
    [
        ({"status": 200, "headers": {"a": "b"}, "data": {"x": 1}}, {"x": 1}, None),
        ({"status": "201", "body": {"y": 2}}, {"y": 2}, None),
        ({"statusCode": 202, "response": 3}, None, {"statusCode": 202, "response": 3}),
    ],
)
async def test_structured_proxy_key_variants(
    answer: dict[str, object], body: object, raw: object
) -> None:
    rec = Recorder(ok(answer))
    async with make(rec) as client:
        result = await client.request("c1", "/v3/account", query={"limit": "10"})
    assert result.body == body
    assert result.raw == raw
    assert result.status in (200, 201, 202)
    sent = json.loads(rec.requests[0].content)
    assert sent == {"path": "/v3/account", "method": "GET", "query": {"limit": "10"}}
    assert rec.requests[0].url.path == "/connections/c1/request"


async def test_structured_proxy_write_not_retried_but_read_is() -> None:
    rec = Recorder(httpx.Response(503), ok({"status": 200, "data": {}}))
    async with make(rec) as client:
        await client.request("c1", "/v3/account")
        assert client.request_count == 2
        rec.answers = [httpx.ReadTimeout("t")]
        with pytest.raises(SendOutcomeUnknown):
            await client.request("c1", "/v3/sms/send", method="post", data={"messages": []})
    assert client.request_count == 3


async def test_search_connectors_and_requests() -> None:
    rec = Recorder(
        ok(
            {
                "items": [
                    {
                        "elementType": "connector",
                        "element": {"id": "k1", "key": "clicksend-sms", "name": "ClickSend"},
                    }
                ]
            }
        ),
        ok({"requestId": "r1", "status": "pending", "url": "https://ui/x"}),
        ok({"requestId": "r1", "status": "success", "resultConnectionId": "c5"}),
    )
    async with make(rec) as client:
        (connector,) = await client.search_connectors("clicksend-sms")
        req = await client.create_connection_request(connector_id=connector.id)
        done = await client.get_connection_request(req.request_id)
    assert connector.id == "k1" and connector.name == "ClickSend"
    assert dict(rec.requests[0].url.params) == {"q": "clicksend-sms", "elementType": "connector"}
    assert json.loads(rec.requests[1].content) == {"connectorId": "k1"}
    assert req.url == "https://ui/x" and req.status == "pending"
    assert done.result_connection_id == "c5"


async def test_actions_endpoints() -> None:
    rec = Recorder(
        ok({"items": [{"id": "a1", "key": "send-sms", "inputSchema": {"type": "object"}}]}),
        ok({"output": {"ok": True}, "actionRunId": "run1"}),
        ok({"output": [1]}),
    )
    async with make(rec) as client:
        (action,) = await client.list_actions("c1", intent="send sms", limit=10)
        acted = await client.act("c1", "send-sms", {"to": "x"})
        ran = await client.run_action("a1", "c1", {"to": "y"})
    assert action.key == "send-sms" and action.input_schema == {"type": "object"}
    assert dict(rec.requests[0].url.params) == {
        "connectionId": "c1",
        "intent": "send sms",
        "limit": "10",
    }
    assert json.loads(rec.requests[1].content) == {
        "connectionId": "c1",
        "key": "send-sms",
        "input": {"to": "x"},
    }
    assert acted.output == {"ok": True} and acted.action_run_id == "run1"
    assert rec.requests[2].url.path == "/actions/a1/run"
    assert rec.requests[2].url.params["connectionId"] == "c1"
    assert json.loads(rec.requests[2].content) == {"input": {"to": "y"}}
    assert ran.output == [1]


async def test_connection_parsing_of_states() -> None:
    body = {
        "id": "c2",
        "state": "CLIENT_ACTION_REQUIRED",
        "connected": False,
        "clientAction": {"type": "connect", "description": "Reconnect", "uiUrl": "https://ui/c2"},
        "errors": [{"message": "token expired"}],
    }
    async with make(Recorder(ok(body))) as client:
        conn = await client.get_connection("c2")
    assert not conn.usable
    assert conn.client_action is not None and conn.client_action.ui_url == "https://ui/c2"
    assert conn.error == "token expired"


# ------------------------------------------------------------------ secrets never leak


def _echo_token(request: httpx.Request) -> httpx.Response:
    auth = request.headers["authorization"]
    return httpx.Response(500, text=f"internal error while handling {auth}")


def _echo_token_membrane(request: httpx.Request) -> httpx.Response:
    auth = request.headers["authorization"]
    return httpx.Response(
        401,
        json={
            "type": "bad_request",
            "key": "not_authenticated",
            "message": f"bad token {auth}",
            "causedByError": {"message": f"jwt {TOKEN}"},
        },
    )


def _raise_with_token(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"failed for {request.headers['authorization']}")


def _timeout_with_token(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout(f"timeout for {request.headers['authorization']}")


def _malformed_with_token(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text=f"not json {TOKEN}")


def _rate_limited_with_token(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        429, json={"type": "bad_request", "key": "rate_limit_exceeded", "message": TOKEN}
    )


@pytest.mark.parametrize(
    ("handler", "method"),
    [
        (_echo_token, "GET"),
        (_echo_token_membrane, "GET"),
        (_echo_token_membrane, "POST"),
        (_raise_with_token, "GET"),
        (_raise_with_token, "POST"),
        (_timeout_with_token, "GET"),
        (_timeout_with_token, "POST"),
        (_malformed_with_token, "GET"),
        (_rate_limited_with_token, "GET"),
        (_rate_limited_with_token, "POST"),
    ],
)
async def test_token_never_in_exception_or_logs(
    handler: Handler, method: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with make(Recorder(handler), max_retries=1) as client:
        with pytest.raises(Exception) as info:
            if method == "GET":
                await client.get_connection("c1")
            else:
                await client.act("c1", "send-sms", {})
    err = info.value
    for text in (str(err), repr(err), getattr(err, "hint", ""), caplog.text):
        assert TOKEN not in text
    assert TOKEN not in repr(client)
    assert caplog.records or method == "POST"  # the GET path logs its retry


async def test_proxy_membrane_error_scrubs_token() -> None:
    async with make(Recorder(_echo_token_membrane)) as client:
        with pytest.raises(MembraneAuthError) as info:
            await client.proxy("c1", "GET", "/v3/account")
    assert TOKEN not in str(info.value)
    assert "***" in str(info.value)
