"""Lenient parsers: Membrane JSON -> models. Wrong-shaped answers raise MalformedResponseError."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from smstui.core.errors import MalformedResponseError
from smstui.core.models import (
    Action,
    ActionResult,
    ClientAction,
    Connection,
    ConnectionRequest,
    Connector,
    ProxyResponse,
)


def expect_dict(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise MalformedResponseError(f"Membrane sent an unexpected {what} (not an object)")
    return body


def items_and_cursor(body: Any, what: str) -> tuple[list[dict[str, Any]], str | None]:
    page = expect_dict(body, what)
    items = page.get("items")
    if not isinstance(items, list):
        raise MalformedResponseError(f"Membrane sent an unexpected {what} (no items list)")
    cursor = page.get("cursor")
    return [i for i in items if isinstance(i, dict)], (str(cursor) if cursor else None)


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _error_text(value: Any) -> str | None:
    if isinstance(value, dict):
        return _str(value.get("message")) or _str(value.get("type"))
    return _str(value)


def parse_connector(element: dict[str, Any]) -> Connector:
    ident = _str(element.get("id"))
    if not ident:
        raise MalformedResponseError("Membrane sent a connector without an id")
    return Connector(
        id=ident, key=_str(element.get("key")) or "", name=_str(element.get("name")) or ""
    )


def parse_connection(body: Any) -> Connection:
    data = expect_dict(body, "connection")
    ident = _str(data.get("id"))
    if not ident:
        raise MalformedResponseError("Membrane sent a connection without an id")
    action = data.get("clientAction")
    client_action = None
    if isinstance(action, dict):
        client_action = ClientAction(
            type=_str(action.get("type")) or "connect",
            description=_str(action.get("description")) or "",
            ui_url=_str(action.get("uiUrl")),
        )
    errors = data.get("errors")
    error = None
    if isinstance(errors, list) and errors:
        error = "; ".join(t for t in (_error_text(e) for e in errors) if t) or None
    error = error or _error_text(data.get("requestError")) or _error_text(data.get("error"))
    connected = data.get("connected")
    if connected is None and data.get("disconnected") is not None:
        connected = not data.get("disconnected")
    return Connection(
        id=ident,
        name=_str(data.get("name")) or "",
        state=_str(data.get("state")),
        connector_id=_str(data.get("connectorId")),
        connected=connected if isinstance(connected, bool) else None,
        is_defunct=data.get("isDefunct") is True,
        client_action=client_action,
        error=error,
    )


def parse_connection_request(body: Any) -> ConnectionRequest:
    data = expect_dict(body, "connection request")
    ident = _str(data.get("requestId")) or _str(data.get("id"))
    if not ident:
        raise MalformedResponseError("Membrane sent a connection request without a requestId")
    return ConnectionRequest(
        request_id=ident,
        status=(_str(data.get("status")) or "pending").lower(),
        url=_str(data.get("url")),
        result_connection_id=_str(data.get("resultConnectionId")),
        error=_error_text(data.get("resultError")),
    )


def parse_action(data: dict[str, Any]) -> Action:
    ident = _str(data.get("id"))
    key = _str(data.get("key"))
    if not ident and not key:
        raise MalformedResponseError("Membrane sent an action without id or key")
    schema = data.get("inputSchema")
    return Action(
        # empty when Membrane gave no id: such an action can only be run by its key
        id=ident or "",
        key=key or "",
        name=_str(data.get("name")) or "",
        description=_str(data.get("description")) or "",
        input_schema=schema if isinstance(schema, dict) else None,
    )


def parse_action_result(body: Any) -> ActionResult:
    # An answer without "output" is a success too: an action whose ClickSend call returns
    # nothing (a delete, a cancel) may well leave it out.
    data = expect_dict(body, "action result")
    return ActionResult(output=data.get("output"), action_run_id=_str(data.get("actionRunId")))


def action_run_id_of(response: httpx.Response) -> str | None:
    """The ``actionRunId`` of an answer (``/act`` error bodies carry one too), if any."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return _str(body.get("actionRunId")) if isinstance(body, dict) else None


def parse_proxy_response(body: Any) -> ProxyResponse:
    # membrane-api §3.7: the keys of the structured proxy's answer are unverified (probably
    # {status, headers, data}); accept the body under "data" or "body", and when neither is
    # there keep the whole answer as ``raw`` so nothing is lost.
    data = expect_dict(body, "proxy answer")
    status = data.get("status")
    if status is None:
        status = data.get("statusCode")
    try:
        code = int(status) if status is not None and not isinstance(status, bool) else None
    except (TypeError, ValueError, OverflowError):  # JSON's Infinity is a float int() refuses
        code = None
    headers_in = data.get("headers")
    headers = (
        {str(k): str(v) for k, v in headers_in.items()} if isinstance(headers_in, dict) else {}
    )
    if "data" in data:
        return ProxyResponse(status=code, headers=headers, body=data["data"])
    if "body" in data:
        return ProxyResponse(status=code, headers=headers, body=data["body"])
    return ProxyResponse(status=code, headers=headers, body=None, raw=data)


#: keys of ClickSend's own envelope (clicksend-api §1): an answer holding them came from ClickSend
_CLICKSEND_ENVELOPE = frozenset({"http_code", "response_code", "response_msg"})


def passed_through_answer(status: int, body: Any) -> ProxyResponse | None:
    """A failed structured-proxy answer that is ClickSend's own answer passed through, if so.

    Unverified (membrane-api §3.7): the structured proxy probably answers 200 with the upstream
    status inside (``{status, headers, data}``), but it may mirror the upstream status on the
    HTTP answer as well. A body wrapped that way, or ClickSend's envelope itself, is then the
    answer to show (a ClickSend 404 for an unknown record, say), not a Membrane failure. The
    caller has already ruled out Membrane's ErrorData (``type``): anything else is Membrane's.
    """
    if not isinstance(body, dict):
        return None
    if ("status" in body or "statusCode" in body) and ("data" in body or "body" in body):
        answer = parse_proxy_response(body)
        return answer if answer.status is not None else replace(answer, status=status)
    if body.keys() >= _CLICKSEND_ENVELOPE:
        return ProxyResponse(status=status, body=body)
    return None
