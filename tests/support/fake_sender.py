"""A fake ClickSend sender for the outbox: sends, prices and history lookups in memory, with
scripted errors and lost answers (shared by the outbox tests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from smstui.core.errors import SendOutcomeUnknown
from smstui.core.models import HistoryMessage, OutgoingSms, SendResult, SentMessage
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import OutboxTable

NOW = 1_700_000_000.0


class FakeSender:
    """ClickSend's send + history lookup; ``lose_answer`` keeps the message but drops the reply."""

    def __init__(self, store_path: Path | None = None) -> None:
        self.received: list[OutgoingSms] = []
        self.history: list[HistoryMessage] = []
        self.next_error: Exception | None = None
        self.lose_answer = False
        self.reject: set[str] = set()
        self.store_path = store_path
        self.seen_committed: list[bool] = []
        self.lookups = 0
        self.priced: list[OutgoingSms] = []
        self.ready_calls = 0
        #: awaited before a write leaves (a busy machine, a slow prefix confirmation...)
        self.before_write: Callable[[], Awaitable[None]] | None = None

    async def ready_to_write(self) -> None:
        self.ready_calls += 1
        if self.before_write is not None:
            await self.before_write()

    async def price(self, messages: Sequence[OutgoingSms]) -> SendResult:
        """Like ClickSend's price: the same per-message statuses, nothing sent."""
        self.priced.extend(messages)
        out = [
            SentMessage(
                m.to,
                m.body,
                "INVALID_RECIPIENT" if m.to in self.reject else "SUCCESS",
                custom_string=m.custom_string,
            )
            for m in messages
        ]
        return SendResult(out, Decimal("0"), None)

    async def send(self, messages: Sequence[OutgoingSms]) -> SendResult:
        if self.store_path is not None:
            # a second connection sees only committed data: the rows must already be there
            with MessageStore(self.store_path) as other:
                tokens = {r.token for r in OutboxTable(other).all()}
            self.seen_committed.append(all(m.custom_string in tokens for m in messages))
        if self.next_error is not None and not self.lose_answer:
            err, self.next_error = self.next_error, None
            raise err
        out = []
        for m in messages:
            if m.to in self.reject:
                out.append(
                    SentMessage(m.to, m.body, "INVALID_RECIPIENT", custom_string=m.custom_string)
                )
                continue
            self.received.append(m)
            mid = f"msg-{len(self.received)}"
            self.history.append(
                HistoryMessage(
                    mid.upper(),
                    "out",
                    m.to,
                    m.sender or "",
                    m.body,
                    "Sent",
                    datetime.fromtimestamp(NOW, UTC),
                    custom_string=m.custom_string,
                )
            )
            out.append(
                SentMessage(
                    m.to,
                    m.body,
                    "SUCCESS",
                    message_id=mid,
                    parts=1,
                    price=Decimal("0.077"),
                    custom_string=m.custom_string,
                )
            )
        if self.lose_answer:
            self.lose_answer = False
            raise self.next_error or SendOutcomeUnknown("timed out after sending")
        return SendResult(out, Decimal("0"), None)

    async def find_by_custom_string(
        self, custom_string: str, since: datetime | None
    ) -> list[HistoryMessage]:
        self.lookups += 1
        return [h for h in self.history if h.custom_string == custom_string]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def sms(to: str = "+61411111111", body: str = "hello", **kw: object) -> OutgoingSms:
    return OutgoingSms(to=to, body=body, **kw)  # type: ignore[arg-type]
