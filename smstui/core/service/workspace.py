"""``Workspace``: one ClickSend account reached through Membrane, as both front-ends use it.

Constructing it does nothing: the core session (which imports httpx and the Membrane client)
is built on first use, after the first frame. ``connect()`` resolves the connection (zero
requests when it is cached). Each subject has a part: ``messages``, ``drafts``, ``templates``,
``contacts``, ``campaigns``, ``history``, ``membrane``, ``optouts``, ``replies``, ``rules``;
the workspace itself answers for the connection and the account (connect, reconnect,
account, POLL rules, doctor).
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING

from smstui.core.config import Settings

if TYPE_CHECKING:
    import httpx

    from smstui.core.clicksend.poll_rules import PollRules
    from smstui.core.doctor import CheckResult
    from smstui.core.doctor_fixes import Repair
    from smstui.core.membrane.connection import ConnectUI
    from smstui.core.models import Account, AutomationRule
    from smstui.core.sandbox import SandboxWorld
    from smstui.core.service.bulk import BulkPart
    from smstui.core.service.campaigns import CampaignsPart
    from smstui.core.service.contacts import ContactsPart
    from smstui.core.service.drafts import DraftsPart
    from smstui.core.service.history import HistoryPart
    from smstui.core.service.membrane import MembranePart
    from smstui.core.service.messages import MessagesPart
    from smstui.core.service.optouts import OptOutsPart
    from smstui.core.service.replies import RepliesPart
    from smstui.core.service.rules import RulesPart
    from smstui.core.service.templates import TemplatesPart
    from smstui.core.session import ResolverOptions, Session
    from smstui.core.store.contract import Store

#: the store key of the Compose draft
DRAFT_KEY = "compose"


class Workspace:
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
        self._core: Session | None = None
        self._screen_thread: int | None = None
        self._core_lock = threading.Lock()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        world: SandboxWorld | None = None,
        resolver_options: ResolverOptions | None = None,
    ) -> Workspace:
        """On the sandbox the transport is ``world``'s (default: a fresh in-process world);
        ``resolver_options`` set how connecting polls (tests). Unusable credentials fail here,
        not in the middle of connecting."""
        if not settings.use_sandbox:
            from smstui.core.membrane.auth import token_provider_for

            token_provider_for(settings)
        return cls(settings, transport=transport, world=world, resolver_options=resolver_options)

    # ------------------------------------------------------------------ for the parts

    def _session(self) -> Session:
        """The core session (built on first use: it imports httpx and the client). For the
        parts of this package only: front-ends use the parts."""
        if self._core is None:
            # built once even when two threads ask at once (the app's loop and the thread
            # opening the team store): two sessions would mean a store opened in one and
            # read through the other
            with self._core_lock:
                if self._core is None:
                    from smstui.core.session import build_session

                    core = build_session(
                        self._settings,
                        transport=self._transport,
                        world=self._world,
                        resolver_options=self._resolver_options,
                    )
                    core.screen_thread = self._screen_thread
                    self._core = core
        return self._core

    def _store(self) -> Store:
        return self._session().store()

    # ------------------------------------------------------------------ facts

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def sandbox(self) -> bool:
        return self._settings.use_sandbox

    @property
    def default_region(self) -> str:
        return self._settings.default_region

    @property
    def started(self) -> bool:
        """Whether the core session exists yet (nothing has been opened before that)."""
        return self._core is not None

    @property
    def world(self) -> SandboxWorld | None:
        """The sandbox world this workspace talks to (None off the sandbox)."""
        return self._session().world if self.sandbox else None

    def open_store(self) -> None:
        """Open the local store now (raises ``StoreError`` when it cannot be used)."""
        self._store()

    @property
    def team(self) -> bool:
        """The store is the team's PostgreSQL database (opening it is a network call)."""
        return bool(self._settings.database_url)

    def keep_team_store_off(self, thread: int) -> None:
        """Never open the team store on ``thread`` (the screen's loop): the front-end opens
        it with ``open_store`` on a thread of its own, and until then a read on ``thread``
        raises ``StoreUnreachable`` ("connecting") at once instead of freezing the screen
        while the server is connected to (``Session.screen_thread``)."""
        self._screen_thread = thread
        if self._core is not None:
            self._core.screen_thread = thread

    # ------------------------------------------------------------------ parts

    @cached_property
    def messages(self) -> MessagesPart:
        from smstui.core.service.messages import MessagesPart

        return MessagesPart(self)

    @cached_property
    def drafts(self) -> DraftsPart:
        from smstui.core.service.drafts import DraftsPart

        return DraftsPart(self)

    @cached_property
    def templates(self) -> TemplatesPart:
        from smstui.core.service.templates import TemplatesPart

        return TemplatesPart(self)

    @cached_property
    def contacts(self) -> ContactsPart:
        from smstui.core.service.contacts import ContactsPart

        return ContactsPart(self)

    @cached_property
    def campaigns(self) -> CampaignsPart:
        from smstui.core.service.campaigns import CampaignsPart

        return CampaignsPart(self)

    @cached_property
    def history(self) -> HistoryPart:
        from smstui.core.service.history import HistoryPart

        return HistoryPart(self)

    @cached_property
    def optouts(self) -> OptOutsPart:
        from smstui.core.service.optouts import OptOutsPart

        return OptOutsPart(self)

    @cached_property
    def replies(self) -> RepliesPart:
        from smstui.core.service.replies import RepliesPart

        return RepliesPart(self)

    @cached_property
    def rules(self) -> RulesPart:
        from smstui.core.service.rules import RulesPart

        return RulesPart(self)

    @cached_property
    def membrane(self) -> MembranePart:
        from smstui.core.service.membrane import MembranePart

        return MembranePart(self)

    @cached_property
    def bulk(self) -> BulkPart:
        from smstui.core.service.bulk import BulkPart

        return BulkPart(self)

    # ------------------------------------------------------------------ connection and account

    async def connect(self, ui: ConnectUI | None = None) -> None:
        session = self._session()
        session.use_ui(ui)
        await session.service()

    async def reconnect(
        self, ui: ConnectUI | None = None, connection_id: str | None = None
    ) -> None:
        """Reconnect THE SAME connection (``connection_id``: the one that failed; default the
        explicit or cached one) rather than creating another."""
        session = self._session()
        resolver = session.use_ui(ui)
        await resolver.reconnect(connection_id)  # caches the id it settles on (unless explicit)
        session.drop_service()
        await session.service()

    async def connection_id(self) -> str:
        return await self._session().connection_id()

    async def account(self) -> Account:
        return await (await self._session().service()).account()

    async def poll_rules(self) -> PollRules | None:
        """Whether ClickSend lists replies and receipts (remembered with the connection)."""
        return await self._session().poll_rules()

    async def create_poll_rules(self) -> list[AutomationRule]:
        return await self._session().create_poll_rules()

    async def doctor(self) -> list[CheckResult]:
        """Every check of ``smstui doctor`` (read-only), in order."""
        from smstui.core.doctor import run_checks

        return await run_checks(self._session())

    async def repair(self, repair: Repair, results: list[CheckResult]) -> str:
        """Run one of ``smstui doctor --fix``'s safe repairs; what it did."""
        return await repair.run(self._session(), results)

    async def aclose(self) -> None:
        if self._core is not None:
            await self._core.aclose()
