"""What the service layer answers with: per-recipient outcomes, sync summaries, quotes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from datetime import datetime
    from decimal import Decimal

    from smstui.core.delivery.outbox import OutboxResult
    from smstui.core.models import SendResult
    from smstui.core.store.message_store import StoredMessage

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
    #: the operator whose smstui sent it (``operator`` in the settings)
    sent_by: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply (an inbound SMS) as the front-ends and scripts see it. ``body`` and ``sender``
    are untrusted text: show them through ``safe_text``, pass them to commands only as data."""

    message_id: str
    sender: str  # the replier's number
    to: str  # our number it was sent to
    body: str
    date: datetime
    original_message_id: str | None = None  # our message it answers
    custom_string: str | None = None  # our message's custom_string, echoed back

    def to_json(self) -> dict[str, str | None]:
        return {
            "message_id": self.message_id,
            "from": self.sender,
            "to": self.to,
            "body": self.body,
            "date": self.date.isoformat(),
            "original_message_id": self.original_message_id,
            "custom_string": self.custom_string,
        }


def reply_of(m: StoredMessage) -> Reply:
    return Reply(
        message_id=m.message_id,
        sender=m.sender,
        to=m.to,
        body=m.body,
        date=m.date,
        original_message_id=m.reply_to,
        custom_string=m.custom_string,
    )


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one sync run changed: new store rows, and sends whose outcome was revisited."""

    changed: int
    reconciled: list[RecipientResult]
    #: MMS/voice channels that failed or were refused in this run: why (reported once)
    channel_failures: dict[str, str] = field(default_factory=dict)
    #: every channel not synced now: the failures above and those still remembered
    channels_unavailable: tuple[str, ...] = ()
    #: unread replies stored since this workspace's previous sync, oldest first (the first
    #: sync of a workspace reports those it brought in): what a toast announces
    new_replies: tuple[Reply, ...] = ()
    #: numbers a STOP reply opted out, and numbers a START reply opted back in, in this sync
    opted_out: tuple[str, ...] = ()
    opted_in: tuple[str, ...] = ()


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
        sent_by=r.sent_by,
    )


def quote_of(result: SendResult) -> Quote:
    currency = result.currency.code if result.currency else ""
    parts = sum(m.parts for m in result.messages)
    return Quote(total=result.total_price, currency=currency, parts=parts)
