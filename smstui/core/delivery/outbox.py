"""Exactly-once sending on top of a send API that has no idempotency key.

Every message gets its own token (sent as ClickSend's ``custom_string``) and is committed to the
outbox as ``pending`` before the request goes out. When the outcome is unknown (timeout, dropped
connection, 5xx, or a crash mid-send), ``reconcile`` looks the token up in ClickSend history:
found means sent; not found after a window means it never arrived, so it is resent exactly once.
After that the user decides (``failed_unknown``); smstui never resends on its own again.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from smstui.core.errors import (
    AuthError,
    ClickSendError,
    ConnectionUnusable,
    MembraneError,
    NetworkError,
    RateLimitedError,
    SendOutcomeUnknown,
    SmstuiError,
    UsageError,
)
from smstui.core.models import HistoryMessage, OutgoingSms, SendResult, SentMessage
from smstui.core.store.contract import OutboxStore, Store
from smstui.core.store.outbox_table import OutboxRow, OutboxState

__all__ = ["Outbox", "OutboxResult", "OutboxRow", "OutboxState", "SendService", "new_token"]

TOKEN_PREFIX = "smstui-"
#: ClickSend's maximum messages per /sms/send request
BATCH_SIZE = 1000
#: how long after an attempt a message missing from history is taken as never sent
DEFAULT_WINDOW = 120.0
#: history is searched from this long before the attempt (clock skew between us and ClickSend)
LOOKUP_SLACK = 600
#: 1 send + 1 automatic resend, never more
MAX_ATTEMPTS = 2
#: states reconciliation may change; anything else was settled (perhaps by another process)
UNSETTLED: tuple[OutboxState, ...] = ("pending", "unknown")
#: per-message refusals that depend only on the message itself, so a price request (which
#: sends nothing) answers them exactly as the lost send was answered. INSUFFICIENT_CREDIT is
#: not one (it depends on the balance at the time), nor is anything time-dependent.
CERTAIN_REFUSALS = frozenset(
    {
        "INVALID_RECIPIENT",
        "COUNTRY_NOT_ENABLED",
        "INVALID_SENDER_ID",
        "EMPTY_MESSAGE",
        "INVALID_LANG",
        "INVALID_VOICE",
        "SUBJECT_REQUIRED",
        "INVALID_MEDIA_FILE",
    }
)


class SendService(Protocol):
    async def send(self, messages: Sequence[OutgoingSms]) -> SendResult: ...

    async def price(self, messages: Sequence[OutgoingSms]) -> SendResult: ...

    async def ready_to_write(self) -> None:
        """Everything a send waits for before its request leaves (prefix confirmation)."""

    async def find_by_custom_string(
        self, custom_string: str, since: datetime | None
    ) -> list[HistoryMessage]: ...


def new_token() -> str:
    """A recognisable, unguessable per-message custom_string: ``smstui-`` + 20 url-safe chars."""
    return TOKEN_PREFIX + secrets.token_urlsafe(15)


@dataclass(frozen=True, slots=True)
class OutboxResult:
    outbox_id: int
    token: str
    to: str
    outcome: OutboxState
    message_id: str | None = None
    status: str | None = None
    reason: str | None = None
    #: what ClickSend's answer to this very send said the message costs (none when the
    #: outcome came from a later history lookup, or the answer was lost)
    parts: int = 0
    price: Decimal | None = None
    currency: str | None = None
    #: the operator whose smstui recorded the send
    sent_by: str | None = None

    @classmethod
    def of(
        cls, row: OutboxRow, answer: tuple[SentMessage, str | None] | None = None
    ) -> OutboxResult:
        sent, currency = answer if answer is not None else (None, None)
        return cls(
            row.id,
            row.token,
            row.to,
            row.state,
            row.message_id,
            row.status,
            row.reason,
            parts=sent.parts if sent is not None else 0,
            price=sent.price if sent is not None else None,
            currency=currency,
            sent_by=row.sent_by,
        )


def classify_error(err: Exception) -> tuple[OutboxState, str]:
    """What a failed send request means for its messages: may they have gone out?"""
    reason = str(err) or type(err).__name__
    if isinstance(err, SendOutcomeUnknown):
        return "unknown", reason
    if isinstance(err, NetworkError):
        return ("unknown" if err.may_have_reached_server else "failed"), reason
    if isinstance(err, ClickSendError):
        # ClickSend answered: 4xx refuses the whole request; a 5xx may follow a partial send
        return ("unknown" if err.http_status >= 500 else "rejected"), reason
    if isinstance(err, MembraneError):
        return ("unknown" if err.status >= 500 else "failed"), reason
    if isinstance(err, RateLimitedError | AuthError | ConnectionUnusable | UsageError):
        return "failed", reason  # refused before anything was sent
    return "unknown", reason  # anything else: assume it may have gone out, and check


class Outbox:
    def __init__(
        self,
        store: Store,
        service: SendService,
        *,
        window: float = DEFAULT_WINDOW,
        clock: Callable[[], float] = time.time,
        token_factory: Callable[[], str] = new_token,
        batch_size: int = BATCH_SIZE,
        after_commit: Callable[[list[OutboxRow]], None] | None = None,
    ) -> None:
        self.store = store
        self.table: OutboxStore = store.outbox_table()
        self.service = service
        self.window = window
        self.clock = clock
        self.token_factory = token_factory
        self.batch_size = max(1, min(batch_size, BATCH_SIZE))
        #: called after the outbox rows are committed and before the request (crash tests)
        self.after_commit = after_commit
        # rows this process is sending right now: reconcile must not treat them as crashed
        self._in_flight: set[int] = set()
        # ClickSend's per-message answer (parts, price) and the currency, by row, from the
        # moment it is recorded until the row's result is handed back (never longer)
        self._answers: dict[int, tuple[SentMessage, str | None]] = {}

    async def send(self, messages: list[OutgoingSms]) -> list[OutboxResult]:
        """Record, then send; one result per message, in order."""
        if not messages:
            return []
        now = int(self.clock())
        rows = self.table.add(((self.token_factory(), m) for m in messages), now=now)
        return await self._send_rows(rows)

    def not_final(self) -> list[OutboxRow]:
        return self.table.in_states(UNSETTLED)

    async def resume(self) -> list[OutboxResult]:
        """At start-up: settle everything a previous run left pending or unknown."""
        return await self.reconcile()

    async def reconcile(self, now: float | None = None) -> list[OutboxResult]:
        """Settle every row left pending or unknown (here or by another process).

        Per row: found in history -> accepted. Not found, while the settle window since the
        request really left is still open -> unknown (ClickSend may not list it yet). Not
        found after the window: a price request (which sends nothing) tells whether ClickSend
        refuses this message anyway -> rejected, not resent; otherwise the one automatic
        resend, claimed atomically. After that resend -> failed_unknown (the user decides).
        Any doubt (an unreadable or partial history answer, a failed price check) leaves the
        row unknown for the next pass: doubt is never taken as "not sent".
        """
        results: list[OutboxResult] = []
        for row in self.not_final():
            if row.id in self._in_flight:
                continue
            # read the clock before the lookup: "not found" is evidence only when it was
            # looked up after the window closed, whatever a slow lookup costs
            checked_at = self.clock() if now is None else now
            attempted = row.attempted_at or row.created_at
            since = datetime.fromtimestamp(attempted.timestamp() - LOOKUP_SLACK, UTC)
            try:
                found = await self.service.find_by_custom_string(row.token, since)
            except SmstuiError:
                results.append(self._mark_unknown(row, "could not check history yet"))
                continue
            sent = [m for m in found if m.custom_string == row.token and m.direction == "out"]
            if sent:
                results.append(self._accept_from_history(row, sent[0]))
            elif checked_at - attempted.timestamp() < self.window:
                # ClickSend may not list it yet: wait before concluding it never arrived
                results.append(self._mark_unknown(row, row.reason or "waiting for history"))
            elif row.attempts >= MAX_ATTEMPTS:
                self.table.give_up(row, reason="not found after one automatic resend")
                results.append(self._result(row.id))
            else:
                results.extend(await self._settle_missing(row))
        return results

    async def _settle_missing(self, row: OutboxRow) -> list[OutboxResult]:
        """``row`` is not in history after the window: refused for certain, or resent once."""
        try:
            refusal = await self._certain_refusal(row)
        except SmstuiError:
            return [self._mark_unknown(row, "could not check whether ClickSend refuses it")]
        if refusal is not None:
            self.table.set_outcome(
                row.id,
                "rejected",
                status=refusal,
                reason=(
                    f"{refusal}: ClickSend refuses this message (checked without sending "
                    "after the answer to its send was lost); not resent"
                ),
                only_from=UNSETTLED,
            )
            return [self._result(row.id)]
        if not self.table.claim_resend(row, now=int(self.clock())):
            return [self._result(row.id)]  # another process settled or resent it
        claimed = self.table.get(row.id)
        assert claimed is not None
        return await self._send_rows([claimed])

    async def _certain_refusal(self, row: OutboxRow) -> str | None:
        """The status ClickSend would refuse ``row`` with, from a price request; ``None`` when
        it would take it (or gives no certain answer)."""
        result = await self._price_batch([row])
        if len(result.messages) != 1:
            return None
        priced = result.messages[0]
        status = (priced.status or "").upper()
        return status if not priced.accepted and status in CERTAIN_REFUSALS else None

    async def _price_batch(self, batch: list[OutboxRow]) -> SendResult:
        """A price request for ``batch`` (``ChannelOutbox`` prices MMS/voice instead)."""
        return await self.service.price([r.outgoing() for r in batch])

    # ------------------------------------------------------------------ internals

    async def _send_rows(self, rows: list[OutboxRow]) -> list[OutboxResult]:
        results: list[OutboxResult] = []
        for start in range(0, len(rows), self.batch_size):
            batch = rows[start : start + self.batch_size]
            ids = {r.id for r in batch}
            self._in_flight |= ids
            try:
                if self.after_commit is not None:
                    self.after_commit(batch)
                await self._send_own(batch)
                results.extend(self._result(r.id, self._answers.get(r.id)) for r in batch)
            finally:
                self._in_flight -= ids
                for i in ids:
                    self._answers.pop(i, None)
        return results

    async def _send_own(self, batch: list[OutboxRow]) -> None:
        """Send the rows of ``batch`` that are still ours when the request leaves."""
        try:
            await self.service.ready_to_write()
        except Exception as err:  # nothing was written: the messages certainly did not leave
            reason = f"not sent: {err or type(err).__name__}"
            for r in batch:
                self.table.set_outcome(r.id, "failed", reason=reason, only_from=UNSETTLED)
            return
        # nothing awaits between this stamp and the request: the window counts from here
        mine = self.table.start_attempt(batch, now=int(self.clock()))
        own = [r for r in batch if r.id in mine]
        if not own:
            return
        try:
            result = await self._send_batch(own)
        except Exception as err:
            state, reason = classify_error(err)
            for r in own:
                self.table.set_outcome(r.id, state, reason=reason)
        else:
            self._record(own, result)

    async def _send_batch(self, batch: list[OutboxRow]) -> SendResult:
        """The one request for ``batch`` (``ChannelOutbox`` sends MMS/voice instead)."""
        return await self.service.send([r.outgoing() for r in batch])

    def _record(self, batch: list[OutboxRow], result: SendResult) -> None:
        by_token = {m.custom_string: m for m in result.messages if m.custom_string}
        positional = len(result.messages) == len(batch)
        currency = result.currency.code if result.currency else None
        accepted: list[HistoryMessage] = []
        for i, row in enumerate(batch):
            sent = by_token.get(row.token) or (result.messages[i] if positional else None)
            if sent is not None:
                self._answers[row.id] = (sent, currency)
            if sent is None:
                self.table.set_outcome(row.id, "unknown", reason="missing from ClickSend's answer")
            elif sent.accepted and sent.message_id:
                self.table.set_outcome(
                    row.id, "accepted", message_id=sent.message_id.upper(), status=sent.status
                )
                accepted.append(self._history_of(row, sent))
            elif sent.accepted:
                self.table.set_outcome(row.id, "unknown", reason="accepted without a message id")
            else:
                self.table.set_outcome(row.id, "rejected", status=sent.status, reason=sent.status)
        if accepted:
            # History shows it at once; the next sync refreshes it with ClickSend's own record
            self.store.upsert_history(accepted)

    def _history_of(self, row: OutboxRow, sent: SentMessage) -> HistoryMessage:
        assert sent.message_id is not None
        return HistoryMessage(
            message_id=sent.message_id,
            direction="out",
            to=sent.to or row.to,
            sender=sent.sender or row.sender or "",
            body=row.body,
            status="Scheduled" if row.schedule else "Queued",
            date=sent.date or row.attempted_at or row.created_at,
            schedule=row.schedule,
            parts=sent.parts,
            price=sent.price,
            custom_string=row.token,
            country=sent.country,
            carrier=sent.carrier,
            sent_by=row.sent_by,
        )

    def _accept_from_history(self, row: OutboxRow, found: HistoryMessage) -> OutboxResult:
        self.table.set_outcome(
            row.id,
            "accepted",
            message_id=found.message_id.upper(),
            status=found.status,
            reason="found in ClickSend history",
        )
        # ClickSend's record, with who sent it from here (its history cannot say)
        self.store.upsert_history([replace(found, sent_by=row.sent_by)])
        return self._result(row.id)

    def _mark_unknown(self, row: OutboxRow, reason: str) -> OutboxResult:
        if row.state != "unknown" or row.reason != reason:
            self.table.set_outcome(row.id, "unknown", reason=reason, only_from=UNSETTLED)
        return self._result(row.id)

    def _result(
        self, row_id: int, answer: tuple[SentMessage, str | None] | None = None
    ) -> OutboxResult:
        row = self.table.get(row_id)
        assert row is not None
        return OutboxResult.of(row, answer)
