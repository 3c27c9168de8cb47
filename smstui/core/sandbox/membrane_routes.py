"""The Membrane REST surface of the sandbox: auth, search, connections, actions, proxies."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import actions as act
from .connections import CONNECTOR, CONNECTOR_ID, CONNECTOR_KEY, STATES, ConnectionRecord
from .http import Request, SandboxResponse, error_data, json_response

if TYPE_CHECKING:
    from .world import SandboxWorld

Route = Callable[["SandboxWorld", Request, re.Match[str]], SandboxResponse]

_ACT_FIELDS = frozenset(
    {"connectionId", "connectionKey", "key", "id", "api", "code", "input", "meta"}
)
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


class Problem(Exception):
    """Raised by handlers to answer a Membrane ErrorData."""

    def __init__(self, response: SandboxResponse) -> None:
        super().__init__(response.status)
        self.response = response


def _bad(message: str, key: str | None = None, data: Any = None) -> Problem:
    return Problem(error_data(400, "bad_request", key, message, data))


def _not_found(message: str) -> Problem:
    return Problem(error_data(404, "bad_request", "not_found", message))


def dispatch(world: SandboxWorld, req: Request) -> SandboxResponse:
    auth = req.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    token = token.strip()
    if (
        scheme.lower() != "bearer"
        or not token
        or (world.valid_tokens is not None and token not in world.valid_tokens)
    ):
        return error_data(401, "bad_request", "not_authenticated", "Invalid or expired token")
    for method, pattern, handler in _ROUTES:
        match = pattern.fullmatch(req.path)
        if match is not None and method in (req.method, "ANY"):
            try:
                return handler(world, req, match)
            except Problem as problem:
                return problem.response
    return error_data(404, "bad_request", "not_found", f"Cannot {req.method} {req.path}")


def _body(req: Request) -> dict[str, Any]:
    try:
        payload = req.json_body()
    except ValueError as exc:
        raise _bad("Request body is not valid JSON") from exc
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise _bad("Request body must be a JSON object")
    return payload


def _int(req: Request, name: str, default: int, low: int, high: int) -> int:
    raw = req.query.get(name)
    try:
        value = int(raw) if raw else default
    except ValueError as exc:
        raise _bad(f"'{name}' must be an integer") from exc
    if not low <= value <= high:
        raise _bad(f"'{name}' must be between {low} and {high}")
    return value


def _connection(world: SandboxWorld, connection_id: str) -> ConnectionRecord:
    record = world.connections.get(connection_id)
    if record is None or record.archived:
        raise _not_found(f"Connection with id '{connection_id}' not found")
    world.finish_build(record)
    return record


def _usable(world: SandboxWorld, connection_id: str) -> ConnectionRecord:
    record = _connection(world, connection_id)
    if record.state != "READY":
        raise Problem(
            error_data(
                400,
                "connection",
                "connection_is_defunct",
                f"Connection '{connection_id}' cannot be used (state {record.state}): reconnect it",
            )
        )
    return record


# --------------------------------------------------------------------------- search, connect


def _search(world: SandboxWorld, req: Request, _m: re.Match[str]) -> SandboxResponse:
    q = req.query.get("q", "")
    if not 1 <= len(q) <= 200:
        raise _bad("'q' must be 1-200 characters")
    kind = req.query.get("elementType")
    words = re.findall(r"[a-z0-9]+", q.lower())
    hit = any(w in ("clicksend", "clicksendsms") for w in words) or q.lower() == CONNECTOR_KEY
    items = []
    if hit and (kind or "connector").lower() == "connector":
        items.append({"elementType": world.search_element_type, "element": dict(CONNECTOR)})
    return json_response(200, {"items": items})


def _create_request(world: SandboxWorld, req: Request, _m: re.Match[str]) -> SandboxResponse:
    body = _body(req)
    connection_id = body.get("connectionId")
    if connection_id is not None:
        _connection(world, str(connection_id))
    else:
        connector = body.get("connectorId") or body.get("connectorKey")
        if connector is None:
            raise _bad("One of connectorId, connectorKey or connectionId is required")
        if connector not in (CONNECTOR_ID, CONNECTOR_KEY):
            raise _not_found(f"Connector with id '{connector}' not found")
    record = world.new_connection_request(connection_id)
    return json_response(201, record.json(world.ui_base))


def _reconnect(world: SandboxWorld, req: Request, m: re.Match[str]) -> SandboxResponse:
    _connection(world, m["id"])
    record = world.new_connection_request(m["id"])
    return json_response(201, record.json(world.ui_base))


def _get_request(world: SandboxWorld, req: Request, m: re.Match[str]) -> SandboxResponse:
    record = world.connection_requests.get(m["id"])
    if record is None:
        raise _not_found(f"Connection request with id '{m['id']}' not found")
    world.poll_connection_request(record)
    return json_response(200, record.json(world.ui_base))


# --------------------------------------------------------------------------- connections


def _list_connections(world: SandboxWorld, req: Request, _m: re.Match[str]) -> SandboxResponse:
    limit = _int(req, "limit", 100, 1, 1000)
    offset = _int(req, "cursor", 0, 0, 10**9)
    connector = req.query.get("connectorId")
    archived = req.query.get("includeArchived", "").lower() == "true"
    rows = [
        c
        for c in world.connections.values()
        if (archived or not c.archived) and connector in (None, "", CONNECTOR_ID, CONNECTOR_KEY)
    ]
    page = rows[offset : offset + limit]
    out: dict[str, Any] = {"items": [c.json(world.ui_base) for c in page]}
    if offset + limit < len(rows):
        out["cursor"] = str(offset + limit)
    return json_response(200, out)


def _get_connection(world: SandboxWorld, req: Request, m: re.Match[str]) -> SandboxResponse:
    record = _connection(world, m["id"])
    if req.query.get("wait", "").lower() == "true":
        timeout = _int(req, "timeout", 30, 1, 60)
        if record.state == "BUILDING" and record.ready_at is None:
            # no build time set: the build finishes "during" the wait, which answers at once
            world.set_connection_state(record.id, "READY")
        elif record.state == "BUILDING" and record.ready_at is not None:
            # Membrane holds the answer until the state changes or the timeout passes
            hold = max(0.0, min(record.ready_at - world.clock(), float(timeout)))
            return SandboxResponse(
                200, long_poll=hold, resume=lambda: world.connection_answer(record.id)
            )
    return json_response(200, record.json(world.ui_base))


def _delete_connection(world: SandboxWorld, req: Request, m: re.Match[str]) -> SandboxResponse:
    record = _connection(world, m["id"])
    record.archived = True
    record.updated_at = world.clock()
    return json_response(200, record.json(world.ui_base))


def _ensure(world: SandboxWorld, req: Request, _m: re.Match[str]) -> SandboxResponse:
    if not world.ensure_supported:  # an older Membrane without this route
        return error_data(404, "bad_request", "not_found", "Cannot POST /connections/ensure")
    if world.ensure_refusal is not None:
        status = world.ensure_refusal
        key = "access_denied" if status == 403 else None
        return error_data(status, "bad_request", key, "Not allowed to ensure connections")
    body = _body(req)
    app_url = body.get("appUrl")
    if not isinstance(app_url, str) or not app_url.strip():
        raise _bad("'appUrl' is required")
    host = urlsplit(app_url if "//" in app_url else f"//{app_url}").hostname or ""
    if host.removeprefix("www.") != "clicksend.com":
        raise _not_found(f"No connector found for app '{app_url}'")
    existing = next((c for c in world.connections.values() if not c.archived), None)
    if existing is not None:
        return json_response(200, existing.json(world.ui_base))
    name = body["name"] if isinstance(body.get("name"), str) else "ClickSend SMS"
    new_id = world.add_connection(state=world.ensure_initial_state, name=name)
    if world.ensure_initial_state == "BUILDING" and world.build_seconds > 0:
        world.set_building(new_id, world.build_seconds)
    return json_response(200, world.connections[new_id].json(world.ui_base))


# --------------------------------------------------------------------------- actions


def _list_actions(world: SandboxWorld, req: Request, m: re.Match[str]) -> SandboxResponse:
    connection_id = m["id"] if "id" in m.groupdict() else req.query.get("connectionId") or None
    if connection_id is not None:
        _connection(world, connection_id)
    intent = req.query.get("intent") or None
    if intent is not None and len(intent) > 200:
        raise _bad("'intent' must be at most 200 characters")
    limit = _int(req, "limit", 10 if intent else 100, 1, 1000)
    items = [a.json(connection_id) for a in act.rank(intent)[:limit]]
    return json_response(200, {"items": items})


def _act(world: SandboxWorld, req: Request, _m: re.Match[str]) -> SandboxResponse:
    body = _body(req)
    unknown = sorted(set(body) - _ACT_FIELDS)
    if unknown:
        raise _bad("Unrecognized key(s) in object: " + ", ".join(f"'{k}'" for k in unknown))
    selectors = [k for k in ("id", "key", "api", "code") if k in body]
    if len(selectors) != 1:
        raise _bad("Exactly one of 'id', 'key', 'api' or 'code' must be provided")
    connection_id = body.get("connectionId") or _by_key(world, body.get("connectionKey"))
    if not isinstance(connection_id, str):
        raise _bad("'connectionId' or 'connectionKey' is required")
    if selectors[0] == "code":
        raise _bad("Custom code actions are not available in the sandbox")
    if selectors[0] == "api":
        return _act_api(world, connection_id, body["api"])
    spec = _find_action(world, str(body[selectors[0]]), by_key=selectors[0] == "key")
    return _run(world, connection_id, spec, body.get("input"))


def _find_action(world: SandboxWorld, selector: str, *, by_key: bool) -> act.ActionSpec:
    """``key`` finds saved actions only; with ``world.catalog_actions`` the ClickSend actions
    are catalog actions, so only their ``id`` finds them (as on real Membrane)."""
    spec = act.find_action(selector)
    if spec is not None and world.catalog_actions and (by_key or selector != spec.id):
        spec = None
    if spec is None:
        raise _not_found(f"Action '{selector}' not found")
    return spec


def _by_key(world: SandboxWorld, key: Any) -> str | None:
    return next((c.id for c in world.connections.values() if key and c.key == key), None)


def _run_action(world: SandboxWorld, req: Request, m: re.Match[str]) -> SandboxResponse:
    body = _body(req)
    spec = _find_action(world, m["id"], by_key=False)
    connection_id = req.query.get("connectionId") or _by_key(world, req.query.get("connectionKey"))
    if connection_id is None:
        raise _bad("'connectionId' is required")
    return _run(world, connection_id, spec, body.get("input"))


def _run(
    world: SandboxWorld, connection_id: str, spec: act.ActionSpec, raw: Any
) -> SandboxResponse:
    _usable(world, connection_id)
    run_id = world.next_run_id()
    given = {} if raw is None else raw
    problems = act.validate(spec.input_schema, given)
    if problems:
        message = f"Invalid input for action '{spec.key}': " + "; ".join(problems)
        response = error_data(400, "bad_request", "invalid_input", message, {"errors": problems})
        return _with_run_id(response, run_id)
    method, path, query, data = spec.call(act.with_defaults(spec.input_schema, given))
    status, _headers, answer = world.call_clicksend(method, path, query, data)
    if status == 200 and isinstance(answer, dict):
        output = answer.get("data")
        if world.bare_action_answers and output in (None, [], {}):
            # an action whose ClickSend call returns nothing (a delete) may omit "output"
            return json_response(200, {"actionRunId": run_id})
        return json_response(200, {"output": output, "actionRunId": run_id})
    reason = answer.get("response_msg") if isinstance(answer, dict) else None
    response = error_data(
        400,
        "action_run",
        None,
        f"ClickSend answered HTTP {status}: {reason or 'no message'}",
        {"response": answer},
    )
    return _with_run_id(response, run_id)


def _with_run_id(response: SandboxResponse, run_id: str) -> SandboxResponse:
    payload = json.loads(response.body)
    payload["actionRunId"] = run_id
    response.body = json.dumps(payload).encode()
    return response


def _act_api(world: SandboxWorld, connection_id: str, api: Any) -> SandboxResponse:
    _usable(world, connection_id)
    if not isinstance(api, dict) or not isinstance(api.get("path"), str):
        raise _bad("'api.path' is required")
    method = str(api.get("method") or "GET").upper()
    query = {str(k): str(v) for k, v in (api.get("query") or {}).items()}
    status, headers, answer = world.call_clicksend(
        method, world.clicksend_path(api["path"]), query, api.get("body")
    )
    output = {"status": status, "headers": headers, "data": answer}
    return json_response(200, {"output": output, "actionRunId": world.next_run_id()})


# --------------------------------------------------------------------------- proxies


def _structured(world: SandboxWorld, req: Request, m: re.Match[str]) -> SandboxResponse:
    if not world.structured_request_route:  # a Membrane without this (unconfirmed) route
        return error_data(404, "bad_request", "not_found", f"Cannot POST {req.path}")
    _usable(world, m["id"])
    body = _body(req)
    path = body.get("path")
    if not isinstance(path, str) or not path:
        raise _bad("'path' is required")
    method = str(body.get("method") or "GET").upper()
    if method not in _METHODS:
        raise _bad(f"Unsupported method '{method}'")
    params = body.get("pathParameters") or {}
    if not isinstance(params, dict):
        raise _bad("'pathParameters' must be an object")

    def fill(match: re.Match[str]) -> str:
        name = match[1]
        if name not in params:
            raise _bad(f"Missing path parameter '{name}'")
        return str(params[name])

    path = re.sub(r"\{(\w+)\}", fill, path)
    query = {str(k): str(v) for k, v in (body.get("query") or {}).items()}
    status, headers, answer = world.call_clicksend(
        method, world.clicksend_path(path), query, body.get("data")
    )
    if world.structured_body_key is None:
        return json_response(200, answer)
    return json_response(
        200, {"status": status, "headers": headers, world.structured_body_key: answer}
    )


def _proxy(world: SandboxWorld, req: Request, m: re.Match[str]) -> SandboxResponse:
    _usable(world, m["id"])
    target = m["rest"] or "/"
    if re.match(r"/https?:/", target):  # a full URL may follow /proxy/
        target = urlsplit(target[1:].replace(":/", "://", 1).replace(":///", "://")).path
    return world.clicksend.handle(req.method, world.clicksend_path(target), req.query, req.body)


_ID = r"(?P<id>[^/]+)"
_ROUTES: list[tuple[str, re.Pattern[str], Route]] = [
    (method, re.compile(pattern), handler)
    for method, pattern, handler in (
        ("GET", "/search", _search),
        ("POST", "/connection-requests", _create_request),
        ("GET", f"/connection-requests/{_ID}", _get_request),
        ("GET", "/connections", _list_connections),
        ("POST", "/connections/ensure", _ensure),
        ("GET", f"/connections/{_ID}", _get_connection),
        ("DELETE", f"/connections/{_ID}", _delete_connection),
        ("POST", f"/connections/{_ID}/reconnect", _reconnect),
        ("GET", f"/connections/{_ID}/actions", _list_actions),
        ("POST", f"/connections/{_ID}/request", _structured),
        ("ANY", f"/connections/{_ID}/proxy(?P<rest>/.*)?", _proxy),
        ("GET", "/actions", _list_actions),
        ("POST", f"/actions/{_ID}/run", _run_action),
        ("POST", "/act", _act),
    )
]

__all__ = ["STATES", "dispatch"]
