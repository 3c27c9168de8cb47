"""MembraneClient: every Membrane endpoint smstui uses (membrane-api.md §3).

Transport rules (headers, retries, error mapping) live in ``membrane_http``; JSON -> model
parsing in ``membrane_parse``. This module only knows paths and payloads.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from smstui.core.errors import MalformedResponseError, SmstuiError, UsageError
from smstui.core.membrane.auth import TokenProvider
from smstui.core.membrane.http import READ_METHODS, HttpCore, Sleep, error_for, membrane_error_body
from smstui.core.membrane.parse import (
    action_run_id_of,
    items_and_cursor,
    parse_action,
    parse_action_result,
    parse_connection,
    parse_connection_request,
    parse_connector,
    parse_proxy_response,
    passed_through_answer,
)
from smstui.core.models import (
    Action,
    ActionResult,
    Connection,
    ConnectionRequest,
    Connector,
    ProxyResponse,
)

CLICKSEND_CONNECTOR_QUERY = "clicksend-sms"
#: Membrane holds a long poll (``?wait=true``) at most this long (membrane-api §3)
MAX_LONG_POLL = 60
#: a long poll may answer only when its wait is over: read for this much longer than the wait
LONG_POLL_MARGIN = 15.0
#: guards against a server that keeps returning a cursor forever
MAX_PAGES = 100


#: headers a raw request may not set: they are Membrane's (or the transport's), not ClickSend's
_OWN_HEADERS = frozenset(
    {"authorization", "host", "content-length", "connection", "membrane-api-version"}
)


def long_poll_read_timeout(wait: float) -> float:
    """How long to read a long poll that asks the server to wait ``wait`` seconds."""
    return wait + LONG_POLL_MARGIN


def _seg(value: str) -> str:
    return quote(value, safe="")


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


class MembraneClient:
    def __init__(
        self,
        base_url: str,
        tokens: TokenProvider,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
        connect_timeout: float = 5.0,
        max_retries: int = 3,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = HttpCore(
            self.base_url,
            tokens,
            transport=transport,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            sleep=sleep,
            rng=rng,
        )

    @property
    def request_count(self) -> int:
        """Requests sent so far, retries included."""
        return self._http.request_count

    @property
    def server_date(self) -> tuple[str, float] | None:
        """The last answer's ``Date`` header and the local time it arrived (or None)."""
        return self._http.server_date

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> MembraneClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"MembraneClient({self.base_url!r})"

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        retry: bool | None = None,
        connection_id: str | None = None,
        read_timeout: float | None = None,
    ) -> Any:
        response = await self._http.send(
            method, path, params=params, json_body=json, retry=retry, read_timeout=read_timeout
        )
        return self._http.decode(response, connection_id=connection_id)

    async def _all_items(
        self, path: str, params: dict[str, Any], what: str
    ) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page_params = dict(params, cursor=cursor)
            page, cursor = items_and_cursor(await self._call("GET", path, params=page_params), what)
            items.extend(page)
            if not cursor or cursor in seen:
                return items
            seen.add(cursor)
        raise MalformedResponseError(f"Membrane kept paginating {what} past {MAX_PAGES} pages")

    # ------------------------------------------------------------------ connectors, connections

    async def search_connectors(self, q: str = CLICKSEND_CONNECTOR_QUERY) -> list[Connector]:
        body = await self._call("GET", "/search", params={"q": q, "elementType": "connector"})
        items, _ = items_and_cursor(body, "search answer")
        found = []
        for item in items:
            element = item.get("element")
            # vendor texts spell it both "connector" and "Connector"
            kind = item.get("elementType", "connector")
            if isinstance(element, dict) and str(kind).lower() == "connector":
                found.append(parse_connector(element))
        return found

    async def create_connection_request(
        self, connector_id: str | None = None, connection_id: str | None = None
    ) -> ConnectionRequest:
        """Ask for a URL the user opens to connect (or, with ``connection_id``, reconnect)."""
        payload = {
            k: v
            for k, v in {"connectorId": connector_id, "connectionId": connection_id}.items()
            if v
        }
        return parse_connection_request(
            await self._call("POST", "/connection-requests", json=payload)
        )

    async def get_connection_request(self, request_id: str) -> ConnectionRequest:
        body = await self._call("GET", f"/connection-requests/{_seg(request_id)}")
        return parse_connection_request(body)

    async def list_connections(self, connector_id: str | None = None) -> list[Connection]:
        items = await self._all_items(
            "/connections", {"connectorId": connector_id, "limit": 100}, "connection list"
        )
        return [parse_connection(i) for i in items]

    async def get_connection(
        self, connection_id: str, wait: bool = False, timeout: int = 30
    ) -> Connection:
        """The connection; with ``wait``, a long poll: Membrane answers when the state changes
        or after ``timeout`` seconds, so the read timeout must outlast that wait."""
        path = f"/connections/{_seg(connection_id)}"
        if not wait:
            return parse_connection(await self._call("GET", path))
        timeout = max(1, min(MAX_LONG_POLL, int(timeout)))
        body = await self._call(
            "GET",
            path,
            params={"wait": "true", "timeout": timeout},
            read_timeout=long_poll_read_timeout(timeout),
        )
        return parse_connection(body)

    async def ensure_connection(self, app_url: str = "clicksend.com") -> Connection:
        """Find or create the connection for an app (may answer BUILDING or needing the user)."""
        body = await self._call("POST", "/connections/ensure", json={"appUrl": app_url})
        return parse_connection(body)

    # ------------------------------------------------------------------ actions

    async def list_actions(
        self, connection_id: str, intent: str | None = None, limit: int = 50
    ) -> list[Action]:
        params = {"connectionId": connection_id, "intent": intent, "limit": limit}
        items, _ = items_and_cursor(await self._call("GET", "/actions", params=params), "actions")
        return [parse_action(i) for i in items]

    async def act(
        self,
        connection_id: str,
        key: str | None,
        input: Mapping[str, Any],
        *,
        action_id: str | None = None,
    ) -> ActionResult:
        """``POST /act``: by ``action_id`` when known, else by ``key``.

        ``key`` finds only saved (workspace- or integration-level) actions; ``id`` finds
        catalog actions too (membrane-api §3.6), so an id always wins. ``/act`` takes exactly
        one selector. A failed run's error carries the ``actionRunId`` Membrane gave it.
        """
        if action_id:
            selector = {"id": action_id}
        elif key and key.strip():
            selector = {"key": key}
        else:
            raise UsageError("An action key or id is required")
        payload = {"connectionId": connection_id, **selector, "input": dict(input)}
        return await self._run(connection_id, "/act", None, payload)

    async def run_action(
        self, action_id: str, connection_id: str, input: Mapping[str, Any]
    ) -> ActionResult:
        return await self._run(
            connection_id,
            f"/actions/{_seg(action_id)}/run",
            {"connectionId": connection_id},
            {"input": dict(input)},
        )

    async def _run(
        self, connection_id: str, path: str, params: dict[str, str] | None, payload: Any
    ) -> ActionResult:
        response = await self._http.send("POST", path, params=params, json_body=payload)
        try:
            body = self._http.decode(response, connection_id=connection_id)
        except SmstuiError as err:
            err.action_run_id = action_run_id_of(response)
            raise
        return parse_action_result(body)

    # ------------------------------------------------------------------ proxies

    async def request(
        self,
        connection_id: str,
        path: str,
        method: str = "GET",
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
        path_parameters: Mapping[str, str] | None = None,
    ) -> ProxyResponse:
        """Structured proxy: ``POST /connections/{id}/request``."""
        method = method.upper()
        payload: dict[str, Any] = {"path": path, "method": method}
        if query:
            payload["query"] = {k: str(v) for k, v in query.items()}
        if headers:
            payload["headers"] = dict(headers)
        if data is not None:
            payload["data"] = data
        if path_parameters:
            payload["pathParameters"] = dict(path_parameters)
        # The outer call is a POST, but when the inner call is a read, repeating it is harmless.
        response = await self._http.send(
            "POST",
            f"/connections/{_seg(connection_id)}/request",
            json_body=payload,
            retry=method in READ_METHODS,
        )
        if response.status_code >= 400 and membrane_error_body(response) is None:
            passed = passed_through_answer(response.status_code, _json_or_none(response))
            if passed is not None:
                return passed
        return parse_proxy_response(self._http.decode(response, connection_id=connection_id))

    async def proxy_request(
        self,
        connection_id: str,
        path: str,
        method: str = "GET",
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
    ) -> ProxyResponse:
        """What ``request`` sends, through the transparent proxy (membrane-api §3.8, which
        the SDK confirms): ClickSend's own status, headers and body, unless Membrane failed.

        A text ``data`` goes as-is, anything else as JSON; headers go on to ClickSend, except
        the ones that would replace Membrane's own (the proxy drops them anyway).
        """
        passed = {k: v for k, v in (headers or {}).items() if k.lower() not in _OWN_HEADERS}
        content = None
        if isinstance(data, str):
            content, data = data.encode(), None
            if not any(k.lower() == "content-type" for k in passed):
                passed["Content-Type"] = "text/plain; charset=utf-8"
        url = f"/connections/{_seg(connection_id)}/proxy/{path.lstrip('/')}"
        response = await self._http.send(
            method.upper(), url, params=query, json_body=data, content=content, headers=passed
        )
        if response.status_code >= 400 and membrane_error_body(response) is not None:
            raise error_for(response, self._http.scrub_secret, connection_id=connection_id)
        body: Any = None
        if response.content:
            body = _json_or_none(response)
            if body is None:
                body = response.text
        return ProxyResponse(
            status=response.status_code, headers=dict(response.headers), body=body, route="proxy"
        )

    async def proxy(
        self,
        connection_id: str,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """Transparent proxy: ClickSend's own answer, any status, unless Membrane itself failed."""
        url = f"/connections/{_seg(connection_id)}/proxy/{path.lstrip('/')}"
        response = await self._http.send(method, url, params=params, json_body=json)
        if response.status_code >= 400 and membrane_error_body(response) is not None:
            raise error_for(response, self._http.scrub_secret, connection_id=connection_id)
        return response
