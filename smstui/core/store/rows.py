"""Row types of the message store and the rule for merging delivery states."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from smstui.core.models import Direction, HistoryMessage
from smstui.core.store.query import Cursor

#: gateway status codes after which a message's fate no longer changes
FINAL_STATUS_CODES = frozenset({"201", "301"})
#: the columns of a message's delivery state: a change of any of them (a receipt merged,
#: history listing a new status) is one a watching app shows. Both schemas' migrations that
#: count such changes are written from it: changing it takes a new migration, not an edit
DELIVERY_COLUMNS = (
    "status",
    "status_code",
    "status_text",
    "error_code",
    "error_text",
    "receipt_at",
)


def to_unix(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def from_unix(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def history_read_flag(
    direction: str, date: int | None, *, inbound_read: bool, unread_from: int | None
) -> int:
    """The ``read`` a history record is stored with when it is new to the store. Outgoing:
    read. Inbound: read (a first sync of months must not flood the unread view; replies
    arrive unread through the unread list) unless ``inbound_read`` is false, or it is dated
    at or after ``unread_from``: the start of the last unread-list pass that settled, so a
    reply that arrived after that pass had looked is not stored read before any pass has
    seen it (it would never count as new: the unread list's upsert leaves ``read`` alone)."""
    if direction == "out":
        return 1
    if not inbound_read:
        return 0
    return 0 if unread_from is not None and (date or 0) >= unread_from else 1


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One row of the local message table (outbound or inbound)."""

    message_id: str
    account: str
    direction: Direction
    to: str
    sender: str
    body: str
    status: str
    date: datetime
    schedule: datetime | None
    parts: int
    price: Decimal | None
    status_code: str | None
    status_text: str | None
    error_code: str | None
    error_text: str | None
    receipt_at: datetime | None
    custom_string: str | None
    reply_to: str | None  # the outbound message id an inbound message answers
    read: bool
    updated_at: datetime
    channel: str = "sms"  # "sms" | "mms" | "voice"
    #: the operator whose smstui sent this message (None: not sent from here, or from
    #: before operators were recorded; never guessed)
    sent_by: str | None = None
    #: who marked the conversation with this message's number handled, and when (None: not
    #: handled, or a reply came after the mark)
    handled_by: str | None = None
    handled_at: datetime | None = None

    @property
    def cursor(self) -> Cursor:
        return Cursor(int(self.date.timestamp()), self.message_id)


@dataclass(frozen=True, slots=True)
class StorePage:
    """``next``: pass as ``after=`` for the following (older) rows; None when there are none.
    ``prev``: pass as ``before=`` for the preceding (newer) rows; None when there are none."""

    rows: list[StoredMessage]
    next: Cursor | None
    prev: Cursor | None = None


#: the conversation a row belongs to: the other party's number
_NUMBER = """CASE WHEN m.direction = 'in' THEN m."from" ELSE m."to" END"""
#: the handled mark of the row's conversation (two probes of a small primary key)
_HANDLED = (
    f"(SELECT h.operator FROM handled h WHERE h.account = m.account AND h.number = {_NUMBER}), "
    f"(SELECT h.at FROM handled h WHERE h.account = m.account AND h.number = {_NUMBER})"
)


def columns(read: str = "m.read") -> str:
    """The columns ``row_of`` reads from table ``m``; ``read`` is the expression telling
    whether the row is read (the team store's depends on the operator: ``dialect``)."""
    return (
        'm.message_id, m.account, m.direction, m."to", m."from", m.body, m.status, m.date, '
        "m.schedule, m.parts, m.price, m.status_code, m.status_text, m.error_code, "
        f"m.error_text, m.receipt_at, m.custom_string, m.reply_to, {read}, m.updated_at, "
        f"m.channel, m.sent_by, {_HANDLED}"
    )


#: SQLite's (the flag is the one reader's)
COLUMNS = columns()


def _price(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def row_of(r: tuple[Any, ...]) -> StoredMessage:
    return StoredMessage(
        message_id=r[0],
        account=r[1],
        direction=r[2],
        to=r[3],
        sender=r[4],
        body=r[5],
        status=r[6],
        date=datetime.fromtimestamp(r[7], UTC),
        schedule=from_unix(r[8]),
        parts=r[9],
        price=_price(r[10]),
        status_code=r[11],
        status_text=r[12],
        error_code=r[13],
        error_text=r[14],
        receipt_at=from_unix(r[15]),
        custom_string=r[16],
        reply_to=r[17],
        read=bool(r[18]),
        updated_at=datetime.fromtimestamp(r[19], UTC),
        channel=r[20],
        sent_by=r[21],
        handled_by=r[22],
        handled_at=from_unix(r[23]),
    )


def receipt_wins(
    old_code: str | None, old_at: int | None, new_code: str | None, new_at: int | None
) -> bool:
    """Whether a receipt (new) may overwrite the delivery state a message already has (old)."""
    if old_at is not None and new_at is not None and new_at < old_at:
        return False  # receipts arrive out of order; an older one never overwrites a newer one
    # a final state is only replaced by a strictly newer receipt or another final state
    return not (
        old_code in FINAL_STATUS_CODES
        and new_code not in FINAL_STATUS_CODES
        and (old_at is None or new_at is None or new_at <= old_at)
    )


def page_of(
    raw: list[tuple[Any, ...]], limit: int, *, after: Cursor | None, before: Cursor | None
) -> StorePage:
    """A keyset page from up to ``limit + 1`` raw rows (the extra row says there is more),
    read forwards from ``after`` or backwards from ``before``: the same for every store."""
    more = len(raw) > limit
    rows = [row_of(r) for r in raw[:limit]]
    if before is not None:
        rows.reverse()
        return StorePage(
            rows=rows,
            next=rows[-1].cursor if rows else before,
            prev=rows[0].cursor if rows and more else None,
        )
    return StorePage(
        rows=rows,
        next=rows[-1].cursor if rows and more else None,
        prev=rows[0].cursor if rows and after is not None else None,
    )


def history_rows(
    account: str, items: list[HistoryMessage], *, inbound_read: bool, unread_from: int | None
) -> list[tuple[Any, ...]]:
    """The parameters of both stores' history upsert, one tuple a record. A new row takes its
    delivery state as is (receipt_wins over no state is always true); an existing one keeps
    it and merges it afterwards: one write a row instead of an insert and an update (each
    moving the stats rollup). The last value feeds the ``senders`` lookup of ``sent_by``."""
    now = int(time.time())
    return [
        (
            m.message_id.upper(),
            account,
            m.direction,
            m.to,
            m.sender,
            m.body,
            m.status,
            to_unix(m.date) or 0,
            to_unix(m.schedule),
            m.parts,
            None if m.price is None else str(m.price),
            m.status_code,
            m.status_text,
            m.error_code,
            m.error_text,
            m.custom_string,
            history_read_flag(
                m.direction,
                to_unix(m.date),
                inbound_read=inbound_read,
                unread_from=unread_from,
            ),
            now,
            m.channel,
            m.sent_by,
            m.custom_string,
        )
        for m in items
    ]
