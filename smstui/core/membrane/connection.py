"""Which Membrane connection reaches ClickSend: found, made or repaired with the user's help.

A connection remembered in ``connection_cache`` costs zero requests. Resolution prefers
``POST /connections/ensure`` (the vendor's newest flow) and falls back to connector search +
a connection request when the server does not offer ``ensure``. URLs are printed through the
``ConnectUI``, never opened in a browser, so it works over SSH.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from smstui.core.errors import (
    ConnectionUnusable,
    MembraneError,
    NotFoundError,
)
from smstui.core.membrane.client import CLICKSEND_CONNECTOR_QUERY, MembraneClient
from smstui.core.membrane.connection_cache import ConnectionCache
from smstui.core.models import Connection, ConnectionRequest

log = logging.getLogger("smstui.connection")

CLICKSEND_APP_URL = "clicksend.com"
_FAILED_STATES = frozenset({"CONFIGURATION_ERROR", "SETUP_FAILED", "DISCONNECTING"})
#: how long one long poll asks Membrane to hold the answer while a connection is BUILDING
LONG_POLL_WAIT = 30


def _ensure_refused(status: int) -> bool:
    """``ensure`` refused for a reason the older flow may not share: fall back to it.

    A server without the route answers 404/405/501, one that does not accept our payload 400,
    and a workspace whose token may not create connections this way 403 ``access_denied``
    (seen in vendor texts, unverified). Only a rejected token (401) is final, and a rate
    limit or a server failure is not a refusal (the older flow would meet the same).
    """
    return status == 501 or (400 <= status < 500 and status not in (401, 408, 429))


# --------------------------------------------------------------------------- UI hooks


class ConnectUI(Protocol):
    """How the resolver talks to the user. Methods may be plain or async."""

    def show_url(self, url: str, description: str) -> None | Awaitable[None]: ...

    def status(self, text: str) -> None | Awaitable[None]: ...

    def choose(self, connections: list[Connection]) -> Connection | Awaitable[Connection]: ...


class NullConnectUI:
    """Says nothing and picks the first READY connection (tests, non-interactive runs)."""

    def __init__(self) -> None:
        self.urls: list[tuple[str, str]] = []
        self.statuses: list[str] = []

    def show_url(self, url: str, description: str) -> None:
        self.urls.append((url, description))

    def status(self, text: str) -> None:
        self.statuses.append(text)

    def choose(self, connections: list[Connection]) -> Connection:
        return connections[0]


async def _call_ui(result: Any) -> Any:
    return await result if inspect.isawaitable(result) else result


# --------------------------------------------------------------------------- resolver


class ConnectionResolver:
    def __init__(
        self,
        client: MembraneClient,
        cache: ConnectionCache,
        api_url: str,
        identity: str,
        ui: ConnectUI | None = None,
        *,
        connection_id: str | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        poll_interval: float = 2.0,
        deadline: float = 600.0,
        long_poll_wait: int = LONG_POLL_WAIT,
    ) -> None:
        self._client = client
        self._cache = cache
        self._api_url = api_url
        self._identity = identity
        self._ui: ConnectUI = ui or NullConnectUI()
        self._explicit = connection_id
        self._sleep = sleep
        self._clock = clock
        self._poll_interval = poll_interval
        self._deadline = deadline
        self._long_poll_wait = long_poll_wait

    @property
    def explicit(self) -> bool:
        return self._explicit is not None

    async def resolve(self) -> str:
        """The connection id to use: explicit, else cached (no requests), else found or made."""
        if self._explicit:
            return self._explicit
        cached = self._cache.get(self._api_url, self._identity)
        if cached is not None:
            return cached.connection_id
        connection_id = await self._find_or_create()
        self._cache.put(self._api_url, self._identity, connection_id)
        return connection_id

    def drop_cached(self) -> None:
        self._cache.forget(self._api_url, self._identity)

    def on_connection_gone(self) -> None:
        """The cached connection answered 404 or is unusable: resolve afresh next time."""
        if not self._explicit:
            self.drop_cached()

    async def reconnect(self, connection_id: str | None = None) -> str:
        """Re-connect THE SAME connection (new credentials) rather than creating another."""
        target = connection_id or self._explicit
        if target is None:
            cached = self._cache.get(self._api_url, self._identity)
            target = cached.connection_id if cached else None
        if target is None:
            return await self.resolve()
        request = await self._client.create_connection_request(connection_id=target)
        result = await self._follow_request(request, "Reconnect ClickSend in Membrane")
        if not self._explicit:
            self._cache.put(self._api_url, self._identity, result)
        return result

    # ------------------------------------------------------------------ flows

    async def _find_or_create(self) -> str:
        try:
            connection = await self._client.ensure_connection(CLICKSEND_APP_URL)
        except MembraneError as exc:
            if not _ensure_refused(exc.status):
                raise
            log.info("connections/ensure refused (HTTP %s): searching instead", exc.status)
            return await self._via_connector()
        return await self._settle(connection)

    async def _settle(self, connection: Connection) -> str:
        """Follow one connection through its states until it is READY (or give up).

        While Membrane builds the connection, one long poll (``wait=true``) waits for the
        change; while the user is busy in a browser, a plain read every ``poll_interval``.
        """
        end = self._clock() + self._deadline
        shown: str | None = None
        while True:
            state = (connection.state or "").upper()
            if connection.usable:
                return connection.id
            action = connection.client_action
            needs_user = action is not None and bool(action.ui_url)
            # A disconnected connection is often also isDefunct; while Membrane offers a
            # client action the user can still repair it, so only give up without one.
            if state in _FAILED_STATES or (connection.is_defunct and not needs_user):
                raise self._unusable(connection)
            if state == "BUILDING":
                if self._clock() >= end:
                    raise ConnectionUnusable(
                        "The ClickSend connection is still being set up in Membrane",
                        connection_id=connection.id,
                        state=state,
                        hint="Try again in a minute.",
                    )
                await _call_ui(self._ui.status("Membrane is setting up the ClickSend connection…"))
                connection = await self._long_poll(connection.id, end)
                continue
            # CLIENT_ACTION_REQUIRED, or disconnected without a state: the user must act.
            if action is None or not action.ui_url:
                raise self._unusable(connection)
            if action.ui_url != shown:
                shown = action.ui_url
                description = action.description or "Open this link to connect ClickSend"
                await _call_ui(self._ui.show_url(action.ui_url, description))
            await _call_ui(self._ui.status("Waiting for the ClickSend connection…"))
            if self._clock() >= end:
                raise ConnectionUnusable(
                    "Timed out waiting for the ClickSend connection to be completed",
                    connection_id=connection.id,
                    state=state or None,
                    ui_url=action.ui_url,
                    hint=f"Open {action.ui_url} and run smstui again.",
                )
            await self._sleep(self._poll_interval)
            connection = await self._client.get_connection(connection.id)

    async def _long_poll(self, connection_id: str, end: float) -> Connection:
        started = self._clock()
        # never wait past the deadline (``--timeout``) just because one poll is long
        wait = max(1, min(self._long_poll_wait, math.ceil(end - started)))
        connection = await self._client.get_connection(connection_id, wait=True, timeout=wait)
        # A server that ignores ``wait`` answers long before the wait is over: pace it like a
        # plain poll so that a slow build never turns into a storm of requests.
        still_building = (connection.state or "").upper() == "BUILDING"
        if still_building and self._clock() - started < wait / 2:
            await self._sleep(self._poll_interval)
        return connection

    async def _via_connector(self) -> str:
        connectors = await self._client.search_connectors(CLICKSEND_CONNECTOR_QUERY)
        if not connectors:
            raise NotFoundError(
                "No ClickSend connector found in this Membrane workspace",
                hint="Add the ClickSend app to the workspace in the Membrane console.",
            )
        connector = connectors[0]
        connections = await self._client.list_connections(connector_id=connector.id)
        ready = [c for c in connections if c.usable]
        if len(ready) == 1:
            return ready[0].id
        if ready:
            chosen: Connection = await _call_ui(self._ui.choose(ready))
            return chosen.id
        # An existing broken connection is repaired in place rather than duplicated.
        waiting = [c for c in connections if (c.state or "").upper() == "CLIENT_ACTION_REQUIRED"]
        existing = waiting[0] if waiting else (connections[0] if connections else None)
        if existing is not None:
            request = await self._client.create_connection_request(connection_id=existing.id)
        else:
            request = await self._client.create_connection_request(connector_id=connector.id)
        return await self._follow_request(request, "Open this link to connect ClickSend")

    async def _follow_request(self, request: ConnectionRequest, description: str) -> str:
        # Polled answers may omit the url: keep the first one for error hints.
        url = request.url
        if url:
            await _call_ui(self._ui.show_url(url, description))
        end = self._clock() + self._deadline
        while request.status == "pending":
            if self._clock() >= end:
                raise ConnectionUnusable(
                    "Timed out waiting for the ClickSend connection to be completed",
                    connection_id=request.result_connection_id or "",
                    state="pending",
                    ui_url=url,
                    hint="Open the link, finish connecting, then run smstui again.",
                )
            await self._sleep(self._poll_interval)
            request = await self._client.get_connection_request(request.request_id)
        if request.status == "success" and request.result_connection_id:
            return request.result_connection_id
        reason = request.error or f"the connection request ended as '{request.status}'"
        raise ConnectionUnusable(
            f"Connecting ClickSend failed: {reason}",
            connection_id=request.result_connection_id or "",
            state=request.status,
            ui_url=url,
            hint="Run smstui again to get a new link.",
        )

    @staticmethod
    def _unusable(connection: Connection) -> ConnectionUnusable:
        state = connection.state or ("DEFUNCT" if connection.is_defunct else "DISCONNECTED")
        detail = f": {connection.error}" if connection.error else ""
        ui_url = connection.client_action.ui_url if connection.client_action else None
        return ConnectionUnusable(
            f"The ClickSend connection cannot be used ({state}){detail}",
            connection_id=connection.id,
            state=state,
            ui_url=ui_url,
            hint="Reconnect ClickSend in Membrane (or run the reconnect flow), then try again.",
        )
