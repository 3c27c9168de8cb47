"""What the terminal app needs from the core, in one place.

The widgets talk to a ``Backend`` and never to httpx or Membrane directly. Store reads
are synchronous and local (SQLite, milliseconds) so list widgets may call them while painting;
everything that may touch the network is ``async`` and is only ever awaited inside a worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from decimal import Decimal

    from smstui.core.clicksend.poll_rules import PollRules
    from smstui.core.doctor import CheckResult
    from smstui.core.membrane.connection import ConnectUI
    from smstui.core.models import Account, AutomationRule, OutgoingSms, Template
    from smstui.core.session import Session
    from smstui.core.store.contract import Store as MessageStore

ConnectionState = Literal["offline", "connecting", "ready", "error"]
Outcome = Literal["accepted", "rejected", "unknown"]


@dataclass(frozen=True, slots=True)
class RecipientResult:
    """What happened to one recipient of a send."""

    to: str
    outcome: Outcome
    message_id: str | None = None
    reason: str = ""  # rejection status or why the outcome is unknown
    price: Decimal | None = None
    outbox_id: int | None = None  # the outbox row, so a later reconcile can update this line


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one sync run changed: new store rows, and sends whose outcome was revisited."""

    changed: int
    reconciled: list[RecipientResult]
    #: MMS/voice channels that failed or were refused in this run: why (reported once)
    channel_failures: dict[str, str] = field(default_factory=dict)
    #: every channel not synced now: the failures above and those still remembered
    channels_unavailable: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Quote:
    """A price estimate for a set of messages."""

    total: Decimal
    currency: str
    parts: int


class Backend(Protocol):
    """Everything the UI does with the core (see ``smstui.ui.core_backend``)."""

    @property
    def sandbox(self) -> bool: ...

    @property
    def default_region(self) -> str: ...

    @property
    def session(self) -> Session:
        """The core session (client, resolver, service, store, outbox): adapters for other
        tabs are built from it. Building it loads httpx, so never touch it before the first
        frame."""
        ...

    # -- network (awaited in workers only)
    async def connect(self, ui: ConnectUI | None = None) -> None: ...
    async def reconnect(
        self, ui: ConnectUI | None = None, connection_id: str | None = None
    ) -> None: ...
    async def account(self) -> Account: ...
    async def sync(self) -> SyncResult: ...
    async def poll_rules(self) -> PollRules | None:
        """Whether ClickSend lists replies and receipts (remembered with the connection)."""
        ...

    async def create_poll_rules(self) -> list[AutomationRule]: ...
    async def doctor(self) -> list[CheckResult]:
        """Every check of ``smstui doctor`` (read-only), in order."""
        ...

    async def price(self, messages: Sequence[OutgoingSms]) -> Quote: ...
    async def send(self, messages: Sequence[OutgoingSms]) -> list[RecipientResult]: ...
    async def cancel(self, message_id: str) -> bool: ...
    async def mark_read(self, message_ids: Sequence[str]) -> None: ...
    async def create_template(self, name: str, body: str) -> Template: ...
    async def update_template(self, template_id: str, name: str, body: str) -> Template: ...
    async def delete_template(self, template_id: str) -> bool: ...
    async def refresh_templates(self) -> list[Template]: ...
    async def aclose(self) -> None: ...

    # -- local store (fast, synchronous)
    @property
    def store(self) -> MessageStore: ...
    def templates(self) -> list[Template]: ...
    def load_draft(self) -> dict[str, str]: ...
    def save_draft(self, draft: dict[str, str]) -> None: ...
