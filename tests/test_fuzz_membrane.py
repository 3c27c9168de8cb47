"""Fuzz: Membrane's error parser, its model parsers and the whole client on any answer.

Whatever a server (or something pretending to be one) answers, the core raises only its own
typed errors, and no error text carries the bearer token even when the answer echoes it.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smstui.core.errors import SmstuiError
from smstui.core.membrane import parse as mp
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.membrane.http import error_for, membrane_error_body, retry_after_seconds

TOKEN = "tok_SECRET_fuzz_4f9a"

KEYS = st.sampled_from(
    [
        "type",
        "key",
        "message",
        "data",
        "causedByError",
        "items",
        "cursor",
        "id",
        "name",
        "state",
        "clientAction",
        "status",
        "output",
        "headers",
        "connectionId",
        "error",
        "url",
    ]
) | st.text(max_size=6)

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["internal", "bad_request", "connection", "rate_limit_exceeded", TOKEN]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=25,
)

STATUSES = st.sampled_from([200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504])
HEADER_VALUES = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30
) | st.sampled_from(["0", "-1", "1e309", "nan", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999"])

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def response(status: int, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=body, headers=headers or {})


@FUZZ
@given(status=STATUSES, value=JSON)
def test_error_for_any_json_is_a_typed_error_without_the_token(status: int, value: Any) -> None:
    err = error_for(response(status, json.dumps(value).encode()), TOKEN, connection_id="c1")
    assert isinstance(err, SmstuiError)
    assert TOKEN not in str(err) and TOKEN not in (err.hint or "")


@FUZZ
@given(status=STATUSES, body=st.binary(max_size=200))
def test_error_for_any_bytes_is_a_typed_error(status: int, body: bytes) -> None:
    assert isinstance(error_for(response(status, body), TOKEN), SmstuiError)


@FUZZ
@given(value=JSON)
def test_membrane_error_body_is_a_dict_with_a_known_type_or_none(value: Any) -> None:
    body = membrane_error_body(response(400, json.dumps(value).encode()))
    assert body is None or (isinstance(body, dict) and isinstance(body.get("type"), str))


@FUZZ
@given(retry=HEADER_VALUES, reset=HEADER_VALUES)
def test_retry_after_is_never_negative_and_never_raises(retry: str, reset: str) -> None:
    wait = retry_after_seconds(response(429, b"", {"retry-after": retry, "ratelimit-reset": reset}))
    assert wait is None or wait >= 0


def test_a_wait_that_is_not_a_finite_number_is_no_wait() -> None:
    # float() reads "inf" and "nan": a sync paused by such a header would never resume
    for junk in ("inf", "Infinity", "nan", "-inf"):
        assert retry_after_seconds(response(429, b"", {"retry-after": junk})) is None
        assert retry_after_seconds(response(429, b"", {"ratelimit-reset": junk})) is None
    both = {"retry-after": "inf", "ratelimit-reset": "12"}
    assert retry_after_seconds(response(429, b"", both)) == 12.0  # the next header counts


def test_a_proxy_answer_with_an_infinite_status_has_no_status() -> None:
    # found by the fuzz test below: JSON's Infinity is a float that int() refuses
    body = json.loads('{"status": Infinity, "data": {"ok": 1}}')
    answer = mp.parse_proxy_response(body)
    assert answer.status is None
    assert answer.body == {"ok": 1}


@FUZZ
@given(value=JSON)
def test_membrane_model_parsers_raise_only_typed_errors(value: Any) -> None:
    parsers = (
        mp.parse_connection,
        mp.parse_connection_request,
        mp.parse_action_result,
        mp.parse_proxy_response,
        lambda v: mp.items_and_cursor(v, "list"),
    )
    for parse in parsers:
        with contextlib.suppress(SmstuiError):
            parse(value)
    if isinstance(value, dict):
        for parse_element in (mp.parse_connector, mp.parse_action):
            with contextlib.suppress(SmstuiError):
                parse_element(value)


async def _no_sleep(_: float) -> None:
    return None


@FUZZ
@given(
    status=STATUSES,
    body=st.one_of(
        JSON.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=200),
        st.binary(max_size=50).map(lambda b: b + b" Bearer " + TOKEN.encode()),
    ),
)
async def test_the_client_raises_only_typed_errors_on_any_answer(status: int, body: bytes) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body)

    async with MembraneClient(
        "http://membrane.invalid",
        StaticToken(TOKEN),
        transport=httpx.MockTransport(answer),
        max_retries=1,
        sleep=_no_sleep,
    ) as client:
        calls = (
            lambda: client.list_connections(),
            lambda: client.get_connection("conn_1"),
            lambda: client.ensure_connection(),
            lambda: client.act("conn_1", "send-sms", {"to": "+61412345678"}),
            lambda: client.request("conn_1", "/v3/account"),
        )
        for call in calls:
            try:
                await call()
            except SmstuiError as err:
                assert TOKEN not in str(err)
