"""What a command needs at run time: settings, output, and the core stack, built lazily.

A command that only prints paths never opens a network client or the database. The stack is
built here from the core's public pieces (client -> resolver -> service, store), following
docs/ARCHITECTURE.md; with ``--sandbox`` (or no credentials) the client talks to an in-process
sandbox world, fresh for each CLI process.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import Any

from smstui.cli.output import Output
from smstui.core.auth import StaticToken, token_provider_for
from smstui.core.config import Settings, load_settings
from smstui.core.connection import ConnectionCache, ConnectionResolver, ConnectUI
from smstui.core.membrane import MembraneClient
from smstui.core.sms_service import SmsService
from smstui.core.store import MessageStore


def settings_from_args(args: argparse.Namespace) -> Settings:
    flags: dict[str, object] = {
        "sandbox": True if getattr(args, "sandbox", False) else None,
        "connection_id": getattr(args, "connection", None),
    }
    return load_settings(flags)


@dataclass
class Runtime:
    args: argparse.Namespace
    out: Output
    settings: Settings
    world: Any = field(default=None, repr=False)  # the sandbox world, when in sandbox mode
    _client: MembraneClient | None = field(default=None, repr=False)
    _resolver: ConnectionResolver | None = field(default=None, repr=False)
    _service: SmsService | None = field(default=None, repr=False)
    _store: MessageStore | None = field(default=None, repr=False)

    @property
    def stdin_is_tty(self) -> bool:
        return sys.stdin.isatty()

    def connection_cache(self) -> tuple[ConnectionCache, str, str]:
        return ConnectionCache(), self.settings.api_url, self.settings.identity()

    async def client(self) -> MembraneClient:
        if self._client is None:
            if self.settings.use_sandbox:
                from smstui.core import sandbox

                self.world = sandbox.SandboxWorld()
                self._client = MembraneClient(
                    self.settings.api_url, StaticToken("sandbox"), transport=self.world.transport()
                )
            else:
                self._client = MembraneClient(
                    self.settings.api_url, token_provider_for(self.settings)
                )
        return self._client

    async def resolver(self, ui: ConnectUI | None = None) -> ConnectionResolver:
        if self._resolver is None or ui is not None:
            cache, api_url, identity = self.connection_cache()
            self._resolver = ConnectionResolver(
                await self.client(),
                cache,
                api_url,
                identity,
                ui,
                connection_id=self.settings.connection_id,
            )
        return self._resolver

    async def connection_id(self) -> str:
        return await (await self.resolver()).resolve()

    async def service(self) -> SmsService:
        if self._service is None:
            cache, api_url, identity = self.connection_cache()
            self._service = SmsService(
                await self.client(),
                await self.connection_id(),
                prefix_memory=cache.prefix_memory(api_url, identity),
            )
        return self._service

    async def store(self) -> MessageStore:
        if self._store is None:
            account = "sandbox" if self.settings.use_sandbox else self.settings.identity()
            self._store = MessageStore(account=account)
        return self._store

    async def aclose(self) -> None:
        if self._store is not None:
            self._store.close()
        if self._client is not None:
            await self._client.aclose()
