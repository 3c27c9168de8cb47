"""The ``Backend`` the app runs on: the core stack (client, resolver, service, store, outbox).

Constructing it touches only local files (SQLite store, connection cache): the first frame
never waits for the network. ``connect()`` resolves the connection (zero requests when it is
cached) and is awaited in a worker after mount.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from smstui.core.config import Settings
from smstui.core.errors import ConfigError
from smstui.core.models import Account, OutgoingSms, Template
from smstui.core.store import MessageStore
from smstui.ui.backend import Quote, RecipientResult

if TYPE_CHECKING:
    # httpx, the Membrane client and the sandbox load in the connect worker, after the
    # first frame: they are most of smstui's import time
    import httpx

    from smstui.core.connection import ConnectionCache, ConnectionResolver, ConnectUI
    from smstui.core.membrane import MembraneClient
    from smstui.core.outbox import Outbox
    from smstui.core.sms_service import SmsService

DRAFT_KEY = "compose"
SANDBOX_URL = "http://sandbox.smstui.invalid"


def _outcome(state: str) -> str:
    if state == "accepted":
        return "accepted"
    if state in ("rejected", "failed"):
        return "rejected"
    return "unknown"


class CoreBackend:
    def __init__(
        self,
        *,
        client_factory: Callable[[], MembraneClient],
        store: MessageStore,
        api_url: str,
        identity: str,
        sandbox: bool,
        default_region: str = "AU",
        connection_id: str | None = None,
    ) -> None:
        self._client_factory = client_factory
        self._client: MembraneClient | None = None
        self._store = store
        self._cache_obj: ConnectionCache | None = None
        self._api_url = api_url
        self._identity = identity
        self._sandbox = sandbox
        self._default_region = default_region
        self._explicit_connection = connection_id
        self.service: SmsService | None = None
        self.outbox: Outbox | None = None
        self.resolver: ConnectionResolver | None = None

    @property
    def client(self) -> MembraneClient:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    @property
    def _cache(self) -> ConnectionCache:
        if self._cache_obj is None:
            from smstui.core.connection import ConnectionCache

            self._cache_obj = ConnectionCache()
        return self._cache_obj

    @classmethod
    def from_settings(
        cls, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> CoreBackend:
        """Build from settings; on the sandbox the transport is the in-process world."""
        sandbox = settings.use_sandbox
        api_url = SANDBOX_URL if sandbox else settings.api_url
        if not sandbox:
            from smstui.core.auth import token_provider_for

            token_provider_for(settings)  # fail now on unusable credentials, not mid-connect

        def make_client() -> MembraneClient:
            from smstui.core.auth import StaticToken, token_provider_for
            from smstui.core.membrane import MembraneClient

            if not sandbox:
                return MembraneClient(api_url, token_provider_for(settings), transport=transport)
            world_transport = transport
            if world_transport is None:
                from smstui.core.sandbox.world import SandboxWorld

                world_transport = SandboxWorld().transport()
            return MembraneClient(api_url, StaticToken("sandbox-token"), transport=world_transport)

        identity = "sandbox" if sandbox else settings.identity()
        return cls(
            client_factory=make_client,
            store=MessageStore(account=identity[:16]),
            api_url=api_url,
            identity=identity,
            sandbox=sandbox,
            default_region=settings.default_region,
            connection_id=None if sandbox else settings.connection_id,
        )

    def _resolver(self, ui: ConnectUI | None) -> ConnectionResolver:
        from smstui.core.connection import ConnectionResolver

        return ConnectionResolver(
            self.client,
            self._cache,
            self._api_url,
            self._identity,
            ui,
            connection_id=self._explicit_connection,
        )

    # ------------------------------------------------------------------ properties

    @property
    def sandbox(self) -> bool:
        return self._sandbox

    @property
    def default_region(self) -> str:
        return self._default_region

    @property
    def store(self) -> MessageStore:
        return self._store

    def _service(self) -> SmsService:
        if self.service is None:
            raise ConfigError(
                "Not connected to ClickSend yet",
                hint="Wait for the connection, or use ctrl+p › Switch connection.",
            )
        return self.service

    # ------------------------------------------------------------------ network

    async def connect(self, ui: ConnectUI | None = None) -> None:
        self.resolver = self._resolver(ui)
        connection_id = await self.resolver.resolve()
        self._use(connection_id)

    async def reconnect(self, ui: ConnectUI | None = None) -> None:
        self.resolver = self._resolver(ui)
        connection_id = await self.resolver.reconnect()
        self._use(connection_id)

    def _use(self, connection_id: str) -> None:
        from smstui.core.outbox import Outbox
        from smstui.core.sms_service import SmsService

        memory = self._cache.prefix_memory(self._api_url, self._identity)
        self.service = SmsService(self.client, connection_id, prefix_memory=memory)
        self.outbox = Outbox(self._store, self.service)

    async def account(self) -> Account:
        return await self._service().account()

    async def sync(self) -> int:
        from smstui.core.sync import sync_all

        report = await sync_all(self._service(), self._store)
        return report.history_messages + report.inbound + report.receipts

    async def price(self, messages: Sequence[OutgoingSms]) -> Quote:
        result = await self._service().price(messages)
        currency = result.currency.code if result.currency else ""
        parts = sum(m.parts for m in result.messages)
        return Quote(total=result.total_price, currency=currency, parts=parts)

    async def send(self, messages: Sequence[OutgoingSms]) -> list[RecipientResult]:
        self._service()
        assert self.outbox is not None
        results = await self.outbox.send(list(messages))
        return [
            RecipientResult(
                to=r.to,
                outcome=_outcome(r.outcome),  # type: ignore[arg-type]
                message_id=r.message_id,
                reason=r.reason or r.status or "",
            )
            for r in results
        ]

    async def cancel(self, message_id: str) -> bool:
        from smstui.core.sync import sync_all

        await self._service().cancel(message_id)
        await sync_all(self._service(), self._store, inbound=False, receipts=False)
        return True

    async def mark_read(self, message_ids: Sequence[str]) -> None:
        # local first: the unread mark goes at once even if the server call then fails
        self._store.mark_inbound_read(message_ids)
        for message_id in message_ids:
            await self._service().mark_inbound_read(message_id=message_id)

    async def refresh_templates(self) -> list[Template]:
        templates: list[Template] = []
        page_no = 1
        while True:
            page = await self._service().list_templates(page=page_no, limit=100)
            templates.extend(page.items)
            if not page.has_next:
                break
            page_no += 1
        self._store.replace_templates(templates)
        return templates

    async def create_template(self, name: str, body: str) -> Template:
        template = await self._service().create_template(name, body)
        await self.refresh_templates()
        return template

    async def update_template(self, template_id: str, name: str, body: str) -> Template:
        template = await self._service().update_template(template_id, name=name, body=body)
        await self.refresh_templates()
        return template

    async def delete_template(self, template_id: str) -> bool:
        await self._service().delete_template(template_id)
        await self.refresh_templates()
        return True

    async def aclose(self) -> None:
        try:
            if self._client is not None:
                await self._client.aclose()
        finally:
            self._store.close()

    # ------------------------------------------------------------------ local

    def templates(self) -> list[Template]:
        return self._store.templates()

    def load_draft(self) -> dict[str, str]:
        raw = self._store.load_draft(DRAFT_KEY)
        if not raw:
            return {}
        try:
            data: Any = json.loads(raw)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def save_draft(self, draft: dict[str, str]) -> None:
        self._store.save_draft(DRAFT_KEY, json.dumps(draft))
