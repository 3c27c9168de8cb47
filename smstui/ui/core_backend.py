"""The ``Backend`` the app runs on: an adapter over the core ``Session`` (the same stack,
store and connection cache the CLI uses).

Constructing it does nothing: the session (which imports httpx and the Membrane client) is
built on first use, after the first frame. ``connect()`` resolves the connection (zero
requests when it is cached) and is awaited in a worker after mount.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from smstui.core.config import Settings
from smstui.ui.backend import Outcome, Quote, RecipientResult, SyncResult

if TYPE_CHECKING:
    # httpx, the Membrane client and the sandbox load after the first frame: they are most of
    # smstui's import time
    import httpx

    from smstui.core.clicksend.poll_rules import PollRules
    from smstui.core.delivery.outbox import OutboxResult
    from smstui.core.doctor import CheckResult
    from smstui.core.membrane.client import MembraneClient
    from smstui.core.membrane.connection import ConnectUI
    from smstui.core.models import Account, AutomationRule, OutgoingSms, Template
    from smstui.core.sandbox import SandboxWorld
    from smstui.core.session import ResolverOptions, Session
    from smstui.core.store.contract import Store as MessageStore

DRAFT_KEY = "compose"


def _outcome(state: str) -> Outcome:
    if state == "accepted":
        return "accepted"
    if state in ("rejected", "failed", "failed_unknown"):
        return "rejected"
    return "unknown"


def recipient_result(r: OutboxResult) -> RecipientResult:
    return RecipientResult(
        to=r.to,
        outcome=_outcome(r.outcome),
        message_id=r.message_id,
        reason=r.reason or r.status or "",
        outbox_id=r.outbox_id,
    )


class CoreBackend:
    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        world: SandboxWorld | None = None,
        resolver_options: ResolverOptions | None = None,
    ) -> None:
        self._settings = settings
        self._transport = transport
        self._world = world
        self._resolver_options = resolver_options
        self._session: Session | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        world: SandboxWorld | None = None,
        resolver_options: ResolverOptions | None = None,
    ) -> CoreBackend:
        """On the sandbox the transport is ``world``'s (default: a fresh in-process world);
        ``resolver_options`` set how connecting polls (tests)."""
        if not settings.use_sandbox:
            from smstui.core.membrane.auth import token_provider_for

            token_provider_for(settings)  # fail now on unusable credentials, not mid-connect
        return cls(settings, transport=transport, world=world, resolver_options=resolver_options)

    # ------------------------------------------------------------------ properties

    @property
    def session(self) -> Session:
        """The core session (built on first use: it imports httpx and the client)."""
        if self._session is None:
            from smstui.core.session import build_session

            self._session = build_session(
                self._settings,
                transport=self._transport,
                world=self._world,
                resolver_options=self._resolver_options,
            )
        return self._session

    @property
    def client(self) -> MembraneClient:
        return self.session.client

    @property
    def sandbox(self) -> bool:
        return self._settings.use_sandbox

    @property
    def default_region(self) -> str:
        return self._settings.default_region

    @property
    def store(self) -> MessageStore:
        return self.session.store()

    # ------------------------------------------------------------------ network

    async def connect(self, ui: ConnectUI | None = None) -> None:
        session = self.session
        session.use_ui(ui)
        await session.service()

    async def reconnect(
        self, ui: ConnectUI | None = None, connection_id: str | None = None
    ) -> None:
        """Reconnect THE SAME connection (``connection_id``: the one that failed; default the
        explicit or cached one) rather than creating another."""
        session = self.session
        resolver = session.use_ui(ui)
        await resolver.reconnect(connection_id)  # caches the id it settles on (unless explicit)
        session.drop_service()
        await session.service()

    async def account(self) -> Account:
        return await (await self.session.service()).account()

    async def sync(self) -> SyncResult:
        """Sync the store, then revisit sends whose outcome is unknown."""
        report = await self.session.sync()
        reconciled = [recipient_result(r) for r in await self.session.reconcile_all()]
        changed = report.history_messages + report.inbound + report.receipts
        return SyncResult(
            changed=changed,
            reconciled=reconciled,
            channel_failures=dict(report.channel_failures),
            channels_unavailable=(*report.channel_failures, *report.channels_skipped),
        )

    async def poll_rules(self) -> PollRules | None:
        return await self.session.poll_rules()

    async def create_poll_rules(self) -> list[AutomationRule]:
        return await self.session.create_poll_rules()

    async def doctor(self) -> list[CheckResult]:
        from smstui.core.doctor import run_checks

        return await run_checks(self.session)

    async def price(self, messages: Sequence[OutgoingSms]) -> Quote:
        result = await (await self.session.service()).price(messages)
        currency = result.currency.code if result.currency else ""
        parts = sum(m.parts for m in result.messages)
        return Quote(total=result.total_price, currency=currency, parts=parts)

    async def send(self, messages: Sequence[OutgoingSms]) -> list[RecipientResult]:
        outbox = await self.session.outbox()
        return [recipient_result(r) for r in await outbox.send(list(messages))]

    async def cancel(self, message_id: str) -> bool:
        await (await self.session.service()).cancel(message_id)
        await self.session.sync(inbound=False, receipts=False)
        return True

    async def mark_read(self, message_ids: Sequence[str]) -> None:
        # local first: the unread mark goes at once even if the server call then fails
        self.store.mark_inbound_read(message_ids)
        service = await self.session.service()
        for message_id in message_ids:
            await service.mark_inbound_read(message_id=message_id)

    async def refresh_templates(self) -> list[Template]:
        service = await self.session.service()
        templates: list[Template] = []
        page_no = 1
        while True:
            page = await service.list_templates(page=page_no, limit=100)
            templates.extend(page.items)
            if not page.has_next:
                break
            page_no += 1
        self.store.replace_templates(templates)
        return templates

    async def create_template(self, name: str, body: str) -> Template:
        template = await (await self.session.service()).create_template(name, body)
        await self.refresh_templates()
        return template

    async def update_template(self, template_id: str, name: str, body: str) -> Template:
        service = await self.session.service()
        template = await service.update_template(template_id, name=name, body=body)
        await self.refresh_templates()
        return template

    async def delete_template(self, template_id: str) -> bool:
        await (await self.session.service()).delete_template(template_id)
        await self.refresh_templates()
        return True

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.aclose()

    # ------------------------------------------------------------------ local

    def templates(self) -> list[Template]:
        return self.store.templates()

    def load_draft(self) -> dict[str, str]:
        raw = self.store.load_draft(DRAFT_KEY)
        if not raw:
            return {}
        try:
            data: Any = json.loads(raw)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def save_draft(self, draft: dict[str, str]) -> None:
        self.store.save_draft(DRAFT_KEY, json.dumps(draft))
