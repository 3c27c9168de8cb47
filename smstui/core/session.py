"""Builds the stack: settings -> token provider -> MembraneClient -> resolver -> SmsService.

On the sandbox (``settings.use_sandbox``) the client talks to an in-process ``SandboxWorld``
through its transport, so nothing leaves the machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from smstui.core.auth import StaticToken, TokenProvider, token_provider_for
from smstui.core.config import Settings
from smstui.core.connection import ConnectionCache, ConnectionResolver, ConnectUI
from smstui.core.errors import ConnectionUnusable, MembraneNotFound
from smstui.core.membrane import MembraneClient
from smstui.core.sms_service import SmsService

if TYPE_CHECKING:
    from smstui.core.sandbox import SandboxWorld

SANDBOX_API_URL = "http://sandbox.smstui.invalid"
SANDBOX_IDENTITY = "sandbox"
#: the sandbox accepts any bearer; a fixed one keeps requests shaped like real ones
SANDBOX_TOKEN = "sandbox-token"


class _ForgettingProxy:
    """Passes proxy calls to the client; when Membrane says the connection is gone or
    unusable, drops the cached id so the next start resolves it again."""

    def __init__(self, client: MembraneClient, on_gone: Callable[[], None]) -> None:
        self._client = client
        self._on_gone = on_gone

    async def proxy(
        self,
        connection_id: str,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        try:
            return await self._client.proxy(connection_id, method, path, params=params, json=json)
        except (MembraneNotFound, ConnectionUnusable):
            self._on_gone()
            raise


@dataclass(eq=False)
class Session:
    settings: Settings
    client: MembraneClient
    resolver: ConnectionResolver
    cache: ConnectionCache
    api_url: str
    identity: str
    on_sandbox: bool
    world: SandboxWorld | None = None
    _service: SmsService | None = field(default=None, repr=False)

    async def connection_id(self) -> str:
        return await self.resolver.resolve()

    async def service(self) -> SmsService:
        """The SmsService on the resolved connection (cached id: zero resolution requests)."""
        if self._service is None:
            connection_id = await self.resolver.resolve()
            self._service = SmsService(
                _ForgettingProxy(self.client, self.forget_connection),
                connection_id,
                prefix_memory=self.cache.prefix_memory(self.api_url, self.identity),
            )
        return self._service

    def forget_connection(self) -> None:
        """Drop the cached connection (and the service built on it)."""
        self.resolver.on_connection_gone()
        self._service = None

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def open_session(
    settings: Settings,
    *,
    world: SandboxWorld | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    ui: ConnectUI | None = None,
    cache: ConnectionCache | None = None,
) -> Session:
    """Build the stack. Nothing is requested until ``await session.service()``."""
    cache = cache or ConnectionCache()
    tokens: TokenProvider
    if settings.use_sandbox:
        if world is None:
            from smstui.core.sandbox import SandboxWorld

            world = SandboxWorld()
        api_url, identity = SANDBOX_API_URL, SANDBOX_IDENTITY
        tokens = StaticToken(SANDBOX_TOKEN)
        transport = transport or world.transport()
    else:
        api_url, identity = settings.api_url, settings.identity()
        tokens = token_provider_for(settings)
    client = MembraneClient(api_url, tokens, transport=transport)
    resolver = ConnectionResolver(
        client, cache, api_url, identity, ui, connection_id=settings.connection_id
    )
    return Session(
        settings=settings,
        client=client,
        resolver=resolver,
        cache=cache,
        api_url=api_url,
        identity=identity,
        on_sandbox=settings.use_sandbox,
        world=world if settings.use_sandbox else None,
    )
