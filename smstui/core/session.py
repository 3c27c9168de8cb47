"""Builds the stack: settings -> token provider -> MembraneClient -> resolver -> SmsService,
plus the local ``MessageStore``, the ``Outbox`` and sync, so that the CLI and the TUI build it
one way.

On the sandbox (``settings.use_sandbox``) the client talks to an in-process ``SandboxWorld``
through its transport, so nothing leaves the machine. Opening a session touches only local
files lazily (the store opens on first use); nothing is requested until a service is needed.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from smstui.core.clicksend import poll_rules
from smstui.core.clicksend.account_facts import Facts, InMemoryFacts
from smstui.core.clicksend.poll_rules import PollRules
from smstui.core.clicksend.sms import SmsService
from smstui.core.config import Settings, app_dirs
from smstui.core.delivery.outbox import Outbox, OutboxResult, SendService
from smstui.core.delivery.outbox_channels import ChannelKind, ChannelOutbox
from smstui.core.delivery.sync import ProgressCallback, sync_all
from smstui.core.delivery.sync_terms import PauseGate, SyncReport
from smstui.core.errors import (
    ConnectionUnusable,
    MembraneNotFound,
    StoreError,
    StoreUnreachable,
)
from smstui.core.membrane.auth import StaticToken, TokenProvider, token_provider_for
from smstui.core.membrane.client import MembraneClient
from smstui.core.membrane.connection import LONG_POLL_WAIT, ConnectionResolver, ConnectUI
from smstui.core.membrane.connection_cache import ConnectionCache, RouteMemory
from smstui.core.models import AutomationRule
from smstui.core.privacy import tighten
from smstui.core.store.contract import Store
from smstui.core.store.message_store import MessageStore

if TYPE_CHECKING:
    from smstui.core.sandbox import SandboxWorld

CHANNEL_KINDS: tuple[ChannelKind, ...] = ("mms", "voice")

#: seconds a team database that could not be reached is not asked again (each attempt may
#: wait for the server's connect timeout; the app's lists read many times a second)
STORE_RETRY_AFTER = 3.0
#: what a store call says after ``aclose`` (a thread finishing late, as the app exits)
STORE_CLOSED = "The message store is closed: smstui is shutting down."
SANDBOX_API_URL = "http://sandbox.smstui.invalid"
SANDBOX_IDENTITY = "sandbox"
#: the sandbox accepts any bearer; a fixed one keeps requests shaped like real ones
SANDBOX_TOKEN = "sandbox-token"

Sleep = Callable[[float], Awaitable[None]]


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


@dataclass(frozen=True, slots=True)
class ResolverOptions:
    """How long and how often connecting waits (``smstui connect --poll/--timeout``)."""

    poll_interval: float = 2.0
    deadline: float = 600.0
    sleep: Sleep = asyncio.sleep
    #: seconds one long poll asks Membrane to wait while the connection is BUILDING
    long_poll_wait: int = LONG_POLL_WAIT


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
    store_path: Path | None = None
    resolver_options: ResolverOptions = field(default_factory=ResolverOptions)
    _service: SmsService | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _outbox: Outbox | None = field(default=None, repr=False)
    _channel_outboxes: dict[str, ChannelOutbox] = field(default_factory=dict, repr=False)
    _facts: Facts | None = field(default=None, repr=False)
    #: one thread opens the store at a time (the app's retry worker and its lists)
    _store_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: when the team database last could not be reached, and why
    _store_failed: tuple[float, StoreUnreachable] | None = field(default=None, repr=False)
    #: the thread drawing the screen (the app's loop), or None (the command line): a team
    #: store is never opened on it. Opening connects to the server, and a host that drops
    #: packets instead of refusing them holds the connect for its whole timeout (5 s, then
    #: the pool's); on the screen's loop that froze the app. The app opens it on a thread of
    #: its own instead, and a read on the screen meanwhile says "connecting" at once.
    screen_thread: int | None = field(default=None, repr=False)
    #: ``aclose`` ran: the store is not opened again (a thread finishing late, such as the
    #: app's off-loop reads, would open a pool nobody closes)
    _closed: bool = field(default=False, repr=False)

    # ------------------------------------------------------------------ connection

    @property
    def account(self) -> str:
        """The store's account key: every row is scoped to the workspace it came from."""
        return SANDBOX_IDENTITY if self.on_sandbox else self.identity

    async def connection_id(self) -> str:
        return await self.resolver.resolve()

    def use_ui(
        self, ui: ConnectUI | None, options: ResolverOptions | None = None
    ) -> ConnectionResolver:
        """Talk to the user through ``ui`` when connecting from now on (a connect screen or
        ``smstui connect``); same client, cache and explicit id."""
        if options is not None:
            self.resolver_options = options
        self.resolver = _resolver(
            self.client,
            self.cache,
            self.api_url,
            self.identity,
            self.settings.connection_id,
            self.resolver_options,
            ui,
        )
        return self.resolver

    def request_routes(self) -> RouteMemory:
        """Which Membrane route carries raw requests, remembered per connection."""
        return self.cache.route_memory(self.api_url, self.identity)

    def forget_connection(self) -> None:
        """Drop the cached connection (and the service built on it)."""
        self.resolver.on_connection_gone()
        self.drop_service()

    def drop_service(self) -> None:
        """Rebuild the service on the next ``service()`` (after a reconnect), keeping the cache."""
        self._service = None
        self._outbox = None
        self._channel_outboxes.clear()

    # ------------------------------------------------------------------ account facts

    def facts(self) -> Facts:
        """What was learnt about the account (POLL rules, refused channels), kept with the
        connection; an in-process sandbox is new in every process, so it remembers in memory."""
        if self._facts is None:
            if self.on_sandbox and self.api_url == SANDBOX_API_URL:
                self._facts = InMemoryFacts()
            else:
                self._facts = self.cache.facts(self.api_url, self.identity)
        return self._facts

    async def poll_rules(self, *, refresh: bool = False) -> PollRules | None:
        """Whether ClickSend lists replies and receipts (remembered; see ``poll_rules``).
        None when the account would not show its rules."""
        return await poll_rules.read(await self.service(), self.facts(), refresh=refresh)

    async def create_poll_rules(
        self, kinds: tuple[str, ...] = ("inbound", "receipt")
    ) -> list[AutomationRule]:
        """Create the POLL rules that lack (after the user agreed)."""
        return await poll_rules.create_missing(await self.service(), self.facts(), kinds)

    # ------------------------------------------------------------------ the stack

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

    def store(self) -> Store:
        """The store for this account, opened on first use: the local SQLite file, or the
        team's PostgreSQL database when ``database_url`` is set (``store.contract``)."""
        if self._store is not None:
            return self._store
        if self._closed:
            raise StoreError(STORE_CLOSED)
        failed = self._store_failed
        if self.settings.database_url and threading.get_ident() == self.screen_thread:
            raise failed[1] if failed is not None else self._connecting()
        recent = failed is not None and time.monotonic() - failed[0] < STORE_RETRY_AFTER
        # an unreachable server is said again at once while it was just tried (or is being
        # tried on another thread) instead of every read waiting for its connect timeout
        if failed is not None and (recent or not self._store_lock.acquire(blocking=False)):
            raise failed[1]
        if failed is None:
            self._store_lock.acquire()
        try:
            if self._store is None:
                opened = self._open_store()
                if self._closed:  # closed while this thread was opening it
                    opened.close()
                    raise StoreError(STORE_CLOSED)
                self._store = opened
            return self._store
        finally:
            self._store_lock.release()

    def _open_store(self) -> Store:
        # files left readable by others (an older smstui, another tool) are tightened
        # first: the store, exports, bulk jobs and caches hold customers' messages
        tighten(app_dirs())
        if not self.settings.database_url:
            return MessageStore(
                self.store_path, account=self.account, operator=self.settings.operator_name
            )
        try:
            from smstui.core.team_store import open_team_store

            store = open_team_store(
                self.settings.database_url,
                account=self.account,
                operator=self.settings.operator_name,
                screen_thread=self.screen_thread,
            )
        except StoreUnreachable as err:
            self._store_failed = (time.monotonic(), err)
            raise
        self._store_failed = None
        return store

    def _connecting(self) -> StoreUnreachable:
        from smstui.core.database_url import mask_url

        where = mask_url(self.settings.database_url or "")
        return StoreUnreachable(
            f"Connecting to the team database {where}: no answer yet.",
            hint="The app goes on as soon as it answers.",
            path=where,
            problem="unreachable",
        )

    async def outbox(self, service: SendService | None = None) -> Outbox:
        """The session's Outbox (one per session: it knows which rows it is sending now).

        With ``service`` (a wrapper around ``service()``), a separate Outbox on the same store.
        """
        if service is not None:
            return Outbox(self.store(), service)
        if self._outbox is None:
            self._outbox = Outbox(self.store(), await self.service())
        return self._outbox

    async def channel_outbox(self, kind: ChannelKind) -> ChannelOutbox:
        """The session's exactly-once outbox for MMS or voice (one per kind, like ``outbox``)."""
        if kind not in self._channel_outboxes:
            from smstui.core.clicksend.mms_voice import MmsVoiceService

            service = MmsVoiceService(await self.service())
            self._channel_outboxes[kind] = ChannelOutbox(self.store(), service, kind)
        return self._channel_outboxes[kind]

    async def reconcile_all(self) -> list[OutboxResult]:
        """Revisit every send whose outcome is unknown: SMS, then MMS and voice."""
        results = await (await self.outbox()).reconcile()
        for kind in CHANNEL_KINDS:
            results += await (await self.channel_outbox(kind)).reconcile()
        return results

    async def sync(
        self,
        *,
        history: bool = True,
        inbound: bool = True,
        receipts: bool = True,
        mms: bool = True,
        voice: bool = True,
        concurrency: int = 4,
        on_progress: ProgressCallback | None = None,
        gate: PauseGate | None = None,
    ) -> SyncReport:
        """Bring the store up to date with ClickSend (see ``smstui.core.delivery.sync.sync_all``).

        On the team store one process syncs an account's connection at a time; the others
        skip the round (``SyncReport.skipped``): ClickSend lists a reply only until it is
        marked read, and the one that syncs stores it for everyone."""
        service = await self.service()
        store = self.store()
        with store.sync_lock(f"{self.account}:{await self.connection_id()}") as ours:
            if not ours:
                return SyncReport(skipped=True)
            return await sync_all(
                service,
                store,
                history=history,
                inbound=inbound,
                receipts=receipts,
                mms=mms,
                voice=voice,
                concurrency=concurrency,
                on_progress=on_progress,
                gate=gate,
                facts=self.facts(),
            )

    async def aclose(self) -> None:
        self._closed = True
        if self._store is not None:
            self._store.close()
            self._store = None
        await self.client.aclose()

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _resolver(
    client: MembraneClient,
    cache: ConnectionCache,
    api_url: str,
    identity: str,
    connection_id: str | None,
    opts: ResolverOptions,
    ui: ConnectUI | None,
) -> ConnectionResolver:
    return ConnectionResolver(
        client,
        cache,
        api_url,
        identity,
        ui,
        connection_id=connection_id,
        sleep=opts.sleep,
        poll_interval=opts.poll_interval,
        deadline=opts.deadline,
        long_poll_wait=opts.long_poll_wait,
    )


async def open_session(
    settings: Settings,
    *,
    world: SandboxWorld | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    ui: ConnectUI | None = None,
    cache: ConnectionCache | None = None,
    store_path: Path | None = None,
    resolver_options: ResolverOptions | None = None,
) -> Session:
    """``build_session`` for async callers (the CLI); see there."""
    return build_session(
        settings,
        world=world,
        transport=transport,
        ui=ui,
        cache=cache,
        store_path=store_path,
        resolver_options=resolver_options,
    )


def build_session(
    settings: Settings,
    *,
    world: SandboxWorld | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    ui: ConnectUI | None = None,
    cache: ConnectionCache | None = None,
    store_path: Path | None = None,
    resolver_options: ResolverOptions | None = None,
) -> Session:
    """Build the stack without any I/O (a TUI can call it before its first frame).

    Nothing is requested until ``await session.service()``; the store opens on first use.

    ``world`` is the sandbox to use when ``settings.use_sandbox`` (default: a fresh one);
    ``store_path`` overrides the store's default location (tests).
    """
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
    options = resolver_options or ResolverOptions()
    resolver = _resolver(client, cache, api_url, identity, settings.connection_id, options, ui)
    return Session(
        settings=settings,
        client=client,
        resolver=resolver,
        cache=cache,
        api_url=api_url,
        identity=identity,
        on_sandbox=settings.use_sandbox,
        world=world if settings.use_sandbox else None,
        store_path=store_path,
        resolver_options=options,
    )
