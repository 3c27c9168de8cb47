"""How the Membrane tools (actions, console) reach the client and the connection id.

The backend is moving onto ``smstui.core.session``: when it offers ``backend.session`` that is
used; until then the client and resolver ``CoreBackend`` keeps after ``connect()``. Either way
the cached connection id costs zero requests, and a tab opened before the app finished
connecting waits for that first connect instead of starting a second one.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from smstui.core.errors import ConfigError

if TYPE_CHECKING:
    from textual.app import App

    from smstui.core.membrane.client import MembraneClient
    from smstui.core.membrane.request_route import RouteMemory

NOT_CONNECTED = ConfigError(
    "Not connected to ClickSend yet",
    hint="Wait for the connection, or use ctrl+p › Switch connection.",
)


async def wait_for_connect(app: App[Any]) -> None:
    """Let the app's start-up connect worker finish (it reports its own errors)."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for worker in list(app.workers):
        if worker.group == "connect" and worker.is_running:
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()


async def membrane(app: App[Any]) -> tuple[MembraneClient, str]:
    """``(client, connection_id)`` for the app's backend, after any start-up connect."""
    await wait_for_connect(app)
    backend: Any = getattr(app, "backend", None)
    session = getattr(backend, "session", None)
    if session is not None:
        return session.client, await session.connection_id()
    resolver = getattr(backend, "resolver", None)
    client = getattr(backend, "client", None)
    if resolver is None or client is None:
        raise NOT_CONNECTED
    return client, await resolver.resolve()


def known_secrets(app: App[Any]) -> tuple[str, ...]:
    """Credential values history files must never hold (typed into a header, say)."""
    settings = getattr(getattr(getattr(app, "backend", None), "session", None), "settings", None)
    names = ("token", "workspace_secret")
    return tuple(v for v in (getattr(settings, n, None) for n in names) if isinstance(v, str) and v)


def request_routes(app: App[Any]) -> RouteMemory | None:
    """Where the raw-request route learnt per connection is kept (the session's cache)."""
    session = getattr(getattr(app, "backend", None), "session", None)
    routes = getattr(session, "request_routes", None)
    return routes() if callable(routes) else None
