"""Membrane itself, for the tools that work on it directly: connections, actions and raw
requests.

The cached connection id costs zero requests; the route learnt for raw requests is kept per
connection by the session. ``checked_key``, ``mask_secret_fields``, ``TRANSPARENT`` and the
request console's ``body_from_text`` / ``parse_pairs`` are the core's (re-exported for the
front-ends).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from smstui.core.explorer.request_console import body_from_text, parse_pairs
from smstui.core.membrane.action_runs import ActionRun, checked_key
from smstui.core.membrane.request_route import TRANSPARENT
from smstui.core.membrane.secret_fields import mask_secret_fields

if TYPE_CHECKING:
    from smstui.core.membrane.client import MembraneClient
    from smstui.core.membrane.connection import ConnectUI
    from smstui.core.membrane.request_route import RouteMemory
    from smstui.core.models import Action, Connection, ProxyResponse
    from smstui.core.service.workspace import Workspace

__all__ = [
    "TRANSPARENT",
    "ActionRun",
    "MembranePart",
    "body_from_text",
    "checked_key",
    "mask_secret_fields",
    "parse_pairs",
]


class MembranePart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    async def client_and_connection(self) -> tuple[MembraneClient, str]:
        """``(client, connection_id)``: resolves the connection if it is not cached."""
        session = self._ws._session()
        return session.client, await session.connection_id()

    def known_secrets(self) -> tuple[str, ...]:
        """Credential values that files must never hold (typed into a header, say)."""
        settings = self._ws.settings
        values = (settings.token, settings.workspace_secret)
        return tuple(v for v in values if isinstance(v, str) and v)

    def request_routes(self) -> RouteMemory:
        """Where the raw-request route learnt per connection is kept."""
        return self._ws._session().request_routes()

    # ------------------------------------------------------------------ connections

    def talk_through(
        self,
        ui: ConnectUI | None,
        *,
        poll_interval: float | None = None,
        deadline: float | None = None,
    ) -> None:
        """Connecting talks to the user through ``ui`` from now on (``smstui connect``),
        checking every ``poll_interval`` seconds and giving up after ``deadline``."""
        from smstui.core.session import ResolverOptions

        options = None
        if poll_interval is not None or deadline is not None:
            defaults = ResolverOptions()
            options = ResolverOptions(
                poll_interval=defaults.poll_interval if poll_interval is None else poll_interval,
                deadline=defaults.deadline if deadline is None else deadline,
            )
        self._ws._session().use_ui(ui, options)

    async def connections(self) -> list[Connection]:
        return await self._ws._session().client.list_connections()

    async def connection(self, connection_id: str) -> Connection:
        return await self._ws._session().client.get_connection(connection_id)

    async def current_connection(self, on_gone: Callable[[str], None]) -> Connection:
        """The connection to use, checked with Membrane. A remembered one that is gone
        (``on_gone`` hears its id) or needs attention is forgotten and found again, so the
        resolver walks a new one through its states; an explicit one is never replaced."""
        session = self._ws._session()
        from smstui.core.errors import MembraneNotFound

        remembered = session.cache.get(session.api_url, session.identity)
        connection_id = await session.resolver.resolve()
        try:
            connection = await session.client.get_connection(connection_id)
        except MembraneNotFound:
            if session.resolver.explicit or remembered is None:
                raise
            on_gone(connection_id)
            session.forget_connection()
            connection = await session.client.get_connection(await session.resolver.resolve())
        if connection.usable or session.resolver.explicit or remembered is None:
            return connection
        session.forget_connection()
        return await session.client.get_connection(await session.resolver.resolve())

    async def reconnect_same(self, connection_id: str) -> Connection:
        """Reconnect THE SAME connection (new credentials, same id), never a new one."""
        session = self._ws._session()
        return await session.client.get_connection(await session.resolver.reconnect(connection_id))

    async def use_connection(self, connection_id: str) -> Connection:
        """Remember ``connection_id`` as the one to use (checked with Membrane first)."""
        session = self._ws._session()
        connection = await session.client.get_connection(connection_id)
        session.cache.put(session.api_url, session.identity, connection.id)
        return connection

    def forget_connection(self) -> None:
        """Forget the remembered connection: the next command finds or creates one."""
        self._ws._session().resolver.drop_cached()

    # ------------------------------------------------------------------ actions, requests

    async def list_actions(self, intent: str | None = None, limit: int = 50) -> list[Action]:
        """The connection's actions, found by intent when one is given."""
        client, connection_id = await self.client_and_connection()
        return await client.list_actions(connection_id, intent=intent, limit=limit)

    async def run_action(self, action: Action, input: Mapping[str, Any]) -> ActionRun:
        """Run an action from a listing (by the id the listing gave: a catalog action is not
        found by its key). A run is a write Membrane does not retry: called once per press."""
        from smstui.core.membrane.action_runs import run_listed

        client, connection_id = await self.client_and_connection()
        return await run_listed(client, connection_id, action, input)

    async def run_action_by_key(self, key: str, input: Mapping[str, Any]) -> ActionRun:
        """Run the action named ``key`` as typed (``smstui actions run``): by the id the
        listing gives it, else by key."""
        from smstui.core.membrane.action_runs import run_by_key

        client, connection_id = await self.client_and_connection()
        return await run_by_key(client, connection_id, key, input)

    async def request(
        self,
        path: str,
        *,
        method: str = "GET",
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
        path_parameters: Mapping[str, str] | None = None,
    ) -> tuple[ProxyResponse, str | None]:
        """One raw ClickSend request through the route that works for this connection;
        with the route that was known for it before (to tell when one was just learnt)."""
        from smstui.core.membrane.request_route import send_request

        client, connection_id = await self.client_and_connection()
        routes = self.request_routes()
        known = routes.route_for(connection_id)
        response = await send_request(
            client,
            connection_id,
            path,
            method=method,
            query=query,
            headers=headers,
            data=data,
            path_parameters=path_parameters,
            memory=routes,
        )
        return response, known
