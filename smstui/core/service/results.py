"""What the service layer answers with: per-recipient outcomes, sync summaries, quotes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from decimal import Decimal

    from smstui.core.delivery.outbox import OutboxResult
    from smstui.core.models import SendResult

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
    #: ClickSend's own status word for the message (QUEUED, INVALID_RECIPIENT ...), if known
    status: str | None = None
    #: the outbox's exact state (accepted, rejected, failed, unknown, failed_unknown, pending);
    #: ``outcome`` folds it into three
    state: str = ""
    #: parts and currency from ClickSend's answer to this send (0 / None when not known)
    parts: int = 0
    currency: str | None = None


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
        price=r.price,
        outbox_id=r.outbox_id,
        status=r.status,
        state=r.outcome,
        parts=r.parts,
        currency=r.currency,
    )


def quote_of(result: SendResult) -> Quote:
    currency = result.currency.code if result.currency else ""
    parts = sum(m.parts for m in result.messages)
    return Quote(total=result.total_price, currency=currency, parts=parts)
