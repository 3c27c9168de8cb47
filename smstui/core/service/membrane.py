"""Membrane itself, for the tools that work on it directly: actions and raw requests.

The cached connection id costs zero requests; the route learnt for raw requests is kept per
connection by the session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smstui.core.membrane.client import MembraneClient
    from smstui.core.membrane.request_route import RouteMemory
    from smstui.core.service.workspace import Workspace


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
