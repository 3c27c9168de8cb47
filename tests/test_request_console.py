"""The raw request console model: parsing, the proxy call against the sandbox, showing answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support.membrane_client import sandbox_client

from smstui.core.errors import UsageError
from smstui.core.explorer.request_console import (
    MASK,
    RequestSpec,
    body_from_text,
    format_response,
    parse_lines,
    parse_pairs,
    send,
)
from smstui.core.membrane.client import MembraneClient
from smstui.core.models import ProxyResponse
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld

NOW = 1_760_000_000.0


@pytest.fixture
def world() -> SandboxWorld:
    return SandboxWorld(seed=3, clock=lambda: NOW)


@pytest.fixture
async def client(world: SandboxWorld) -> AsyncIterator[MembraneClient]:
    async with sandbox_client(world, token="sandbox") as c:
        yield c


# --------------------------------------------------------------------------- parsing


def test_query_pairs_keep_their_value_exactly() -> None:
    assert parse_pairs(["limit=5", "q= a=b"], "=", "query") == {"limit": "5", "q": " a=b"}


def test_header_pairs_are_trimmed() -> None:
    assert parse_pairs(["Accept:  text/plain "], ":", "header") == {"Accept": "text/plain"}


def test_a_pair_without_separator_is_a_usage_error_naming_it() -> None:
    with pytest.raises(UsageError, match="'limit5' must look like KEY=VALUE"):
        parse_pairs(["limit5"], "=", "query")


def test_console_lines_skip_blanks_and_comments() -> None:
    text = "# paging\nlimit=5\n\n  page=2\n"
    assert parse_lines(text, "=", "query") == {"limit": "5", "page": "2"}


def test_json_body_text_is_parsed() -> None:
    assert body_from_text('{"a": 1}') == {"a": 1}


def test_non_json_body_text_is_sent_as_text() -> None:
    assert body_from_text("hello") == "hello"


def test_raw_body_text_is_never_parsed() -> None:
    assert body_from_text('{"a": 1}', raw=True) == '{"a": 1}'


def test_blank_body_means_no_body() -> None:
    assert body_from_text("  \n") is None


def test_spec_from_the_console_boxes() -> None:
    spec = RequestSpec.from_text(
        "post",
        "/v3/sms/templates",
        query_text="x=1",
        headers_text="Accept: application/json",
        body_text='{"template_name": "t", "body": "b"}',
    )
    assert spec.method == "POST"
    assert spec.query == {"x": "1"} and spec.headers == {"Accept": "application/json"}
    assert spec.data == {"template_name": "t", "body": "b"}


@pytest.mark.parametrize(
    ("method", "path"), [("FETCH", "/v3/account"), ("GET", "v3/account"), ("GET", "/v3/a b")]
)
def test_a_bad_method_or_path_is_refused(method: str, path: str) -> None:
    with pytest.raises(UsageError):
        RequestSpec.from_text(method, path)


# --------------------------------------------------------------------------- the call


async def test_a_get_through_the_sandbox_returns_clicksends_answer(
    client: MembraneClient,
) -> None:
    response = await send(client, DEFAULT_CONNECTION_ID, RequestSpec("GET", "/v3/sms/templates"))
    assert response.status == 200
    assert response.body["data"]["data"][0]["template_name"] == "Appointment reminder"


async def test_query_parameters_reach_clicksend(client: MembraneClient) -> None:
    spec = RequestSpec("GET", "/v3/sms/history", query={"limit": "16"})
    response = await send(client, DEFAULT_CONNECTION_ID, spec)
    assert response.body["data"]["per_page"] == 16


async def test_a_post_sends_the_parsed_json_body_once(
    client: MembraneClient, world: SandboxWorld
) -> None:
    spec = RequestSpec.from_text(
        "POST",
        "/v3/sms/send",
        body_text='{"messages": [{"to": "+61411111111", "body": "hi"}]}',
    )
    response = await send(client, DEFAULT_CONNECTION_ID, spec)
    assert response.status == 200
    assert [m["body"] for m in world.clicksend.received] == ["hi"]


# --------------------------------------------------------------------------- showing answers


def test_a_json_body_is_shown_pretty_with_status_and_sorted_headers() -> None:
    view = format_response(
        ProxyResponse(200, {"X-B": "2", "content-type": "application/json"}, {"a": [1]})
    )
    assert view.status_line == "HTTP 200" and view.ok and view.is_json
    assert view.body == '{\n  "a": [\n    1\n  ]\n}'
    assert view.headers == [("content-type", "application/json"), ("X-B", "2")]


def test_an_answer_without_data_or_body_is_shown_whole() -> None:
    raw = {"status": 502, "error": "upstream"}
    view = format_response(ProxyResponse(502, {}, None, raw=raw))
    assert view.whole_answer and not view.ok
    assert '"error": "upstream"' in view.body


def test_text_bodies_are_made_inert() -> None:
    view = format_response(ProxyResponse(200, {}, "ok\x1b]52;c;aGk=\x07\nnext"))
    assert "\x1b" not in view.body and "\\x1b" in view.body
    assert view.body.endswith("\nnext")


def test_json_strings_with_bidi_controls_are_escaped() -> None:
    view = format_response(ProxyResponse(200, {}, {"body": "a\u202eb"}))
    assert "\u202e" not in view.body and "\\u202e" in view.body


def test_json_text_bodies_are_pretty_printed() -> None:
    view = format_response(ProxyResponse(400, {}, '{"response_code": "BAD"}'))
    assert view.is_json and '"response_code": "BAD"' in view.body


def test_credential_fields_in_an_answer_are_masked() -> None:
    body = {"data": {"_subaccount": {"api_key": "ABCD-1234-SECRET", "username": "u"}}}
    view = format_response(ProxyResponse(200, {"Set-Cookie": "s=1"}, body))
    assert "ABCD-1234-SECRET" not in view.body and MASK in view.body
    assert '"username": "u"' in view.body
    assert ("Set-Cookie", MASK) in view.headers


def test_an_unknown_status_is_said_so() -> None:
    assert format_response(ProxyResponse(None)).status_line == "HTTP status unknown"
