"""Which Membrane route carries a raw ClickSend request, learnt once per connection.

The structured proxy ``POST /connections/{id}/request`` (what ``membrane request`` calls) is
not confirmed by Membrane's SDK (membrane-api §3.7); the transparent proxy
``/connections/{id}/proxy/<path>`` is (§3.8). A request tries the structured route first; when
that route answers 404 because it does not exist, the same request goes through the transparent
proxy, and the route that worked is remembered per connection (``connections.json``, like the
learnt /v3 prefix), so later requests go straight to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import quote

from smstui.core.errors import MembraneNotFound, UsageError
from smstui.core.membrane.client import MembraneClient
from smstui.core.models import ProxyResponse

STRUCTURED = "request"
TRANSPARENT = "proxy"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class RouteMemory(Protocol):
    def route_for(self, connection_id: str) -> str | None: ...

    def remember_route(self, connection_id: str, route: str) -> None: ...


def fill_path(path: str, params: Mapping[str, str] | None) -> str:
    """``/v3/sms/templates/{id}`` with ``{"id": "12"}`` filled in, as the structured proxy's
    ``pathParameters`` does; each value is one path segment."""
    values = params or {}

    def fill(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            raise UsageError(
                f"path parameter '{name}' has no value",
                hint=f"Add --path-param {name}=VALUE.",
            )
        return quote(str(values[name]), safe="")

    return _PLACEHOLDER.sub(fill, path)


async def send_request(
    client: MembraneClient,
    connection_id: str,
    path: str,
    *,
    method: str = "GET",
    query: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    data: Any = None,
    path_parameters: Mapping[str, str] | None = None,
    memory: RouteMemory | None = None,
) -> ProxyResponse:
    """One raw request through the route that works for this connection (see the module)."""
    known = memory.route_for(connection_id) if memory is not None else None

    async def transparent() -> ProxyResponse:
        return await client.proxy_request(
            connection_id,
            fill_path(path, path_parameters),
            method=method,
            query=query,
            headers=headers,
            data=data,
        )

    if known == TRANSPARENT:
        return await transparent()
    try:
        response = await client.request(
            connection_id,
            path,
            method=method,
            query=query,
            headers=headers,
            data=data,
            path_parameters=path_parameters,
        )
    except MembraneNotFound:
        # A ClickSend 404 is not this: ``client.request`` returns ClickSend's answers, wrapped
        # or passed through, as answers. This 404 is Membrane's: the route is missing, or the
        # connection is gone (the two look alike). The transparent proxy tells them apart: for
        # a gone connection it fails the same way and that error is raised, nothing learnt.
        # A 404 is a refusal (even a ClickSend 404 we could not recognise means nothing was
        # done), so sending the request again through the other route cannot send twice.
        response = await transparent()
        if memory is not None:
            memory.remember_route(connection_id, TRANSPARENT)
        return response
    if memory is not None and known != STRUCTURED:
        memory.remember_route(connection_id, STRUCTURED)
    return response
