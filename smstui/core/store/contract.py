"""The store contract: exactly what the service layer, sync, the outboxes and bulk jobs use of
a message store and its outbox table, so that SQLite (``MessageStore``, one person) and
PostgreSQL (``PostgresStore``, a team) are interchangeable behind ``core/session.py``.

Both implementations are synchronous: list widgets read pages while they paint (no event
loop turn to await in), sync writes on a writer thread of its own, and an SQLite call and a
pooled PostgreSQL round trip on a LAN both take about a millisecond. An async contract would
have forced every reader through ``to_thread`` for SQLite's sake and gained nothing.

Semantics every implementation keeps (the shared tests run against both):

- every message row is scoped to ``account``; sync cursors are keyed by name only (the
  callers put the account in the name where it matters); drafts by name, and on the team
  store by operator too (two operators never overwrite each other's draft);
- a message row's ``read`` is this store's operator's (the team store keeps reads per
  operator), its ``sent_by`` is whoever's smstui recorded the send (None for what ClickSend
  lists that nobody here sent), its ``handled_by``/``handled_at`` its conversation's mark;
- ``page`` is keyset paging in (date DESC, message_id DESC) order, never OFFSET;
- a receipt never overwrites a newer or final delivery state (``rows.receipt_wins``), and a
  receipt for a message not stored yet waits until the message arrives;
- a write method has committed when it returns (the outbox and sync rely on it);
- an outbox claim (``claim_resend``, ``start_attempt``, ``give_up``, ``set_outcome`` with
  ``only_from``) is a compare-and-set that at most one process wins, whatever the machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from smstui.core.models import (
    DeliveryReceipt,
    HistoryMessage,
    InboundMessage,
    OutgoingSms,
    Template,
)
from smstui.core.store.query import Cursor, MessageFilter
from smstui.core.store.rows import StoredMessage, StorePage

if TYPE_CHECKING:
    from smstui.core.store.marks import HandledMark
    from smstui.core.store.optouts import KeywordScan, OptOut, Source
    from smstui.core.store.outbox_table import OutboxRow, OutboxState

NO_FILTER = MessageFilter()

#: one row of per-day totals: (day number since 1970-01-01, sent, delivered, failed, inbound,
#: spend in millionths); a day may appear more than once (the halves are added up)
DayRow = tuple[int, int, int, int, int, int]


@runtime_checkable
class OutboxStore(Protocol):
    """The outbox rows of one ``kind`` of message ("sms", "mms", "voice")."""

    kind: str

    def add(
        self,
        items: Iterable[tuple[str, OutgoingSms]],
        *,
        now: int,
        extras: Sequence[str | None] | None = None,
    ) -> list[OutboxRow]: ...

    def get_many(self, ids: list[int]) -> list[OutboxRow]: ...

    def get(self, row_id: int) -> OutboxRow | None: ...

    def in_states(self, states: Iterable[OutboxState]) -> list[OutboxRow]: ...

    def all(self) -> list[OutboxRow]: ...

    def set_outcome(
        self,
        row_id: int,
        state: OutboxState,
        *,
        message_id: str | None = None,
        status: str | None = None,
        reason: str | None = None,
        only_from: Sequence[OutboxState] | None = None,
    ) -> bool: ...

    def claim_resend(self, row: OutboxRow, *, now: int) -> bool: ...

    def start_attempt(self, rows: Sequence[OutboxRow], *, now: int) -> set[int]: ...

    def give_up(self, row: OutboxRow, *, reason: str) -> bool: ...


@runtime_checkable
class OptOutStore(Protocol):
    """The opt-out list of the store's account (``optouts.OptOutTable`` on both stores).

    An undone opt-out keeps its row with ``removed_at`` set, and a stop or start word is
    weighed by when the reply was sent: a STOP older than the START that undid it never
    opts the number out again, whatever order the replies are read in. Writes and the
    reply scan are serialised per account across processes; adding a number twice is
    harmless."""

    def active(self) -> list[OptOut]: ...

    def count(self) -> int: ...

    def get(self, number: str) -> OptOut | None: ...

    def among(self, numbers: list[str]) -> set[str]: ...

    def add(
        self, number: str, *, at: int, source: Source, reply_id: str | None = None
    ) -> OptOut | None: ...

    def add_many(self, numbers: list[str], *, at: int, source: Source) -> list[OptOut]: ...

    def remove(self, number: str, *, at: int, by: str = "manual") -> bool: ...

    def scan_replies(self, stop: frozenset[str], start: frozenset[str]) -> KeywordScan:
        """Apply the keyword replies stored since the last scan (by any process) once."""
        ...


@runtime_checkable
class HandedStore(Protocol):
    """Which new replies one consumer was handed (``handed.HandedReplies`` on both stores);
    ``claim`` is a compare-and-set that one process wins, whatever the machine."""

    consumer: str

    def start(self, *, now: int | None = None) -> None: ...

    def pending(self) -> list[StoredMessage]: ...

    def claim(self, message_id: str) -> bool: ...

    def was_handed(self, message_id: str) -> bool: ...

    def settle(self) -> None: ...


class Watching(Protocol):
    """A running watch for other processes' changes (``Store.watch``)."""

    def close(self) -> None: ...


@runtime_checkable
class Store(Protocol):
    """A message store: messages, receipts, drafts, templates, sync cursors, stats, outbox."""

    account: str
    #: who is at this store (the ``operator`` setting): what outgoing messages record as
    #: ``sent_by``, whose handled marks these are, and (team store) whose reads
    operator: str

    #: "sqlite" or "postgresql"
    backend: str

    def describe(self) -> str:
        """Where the data lives, safe to show (a path, or a URL without its password)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...

    # reading messages
    def get(self, message_id: str) -> StoredMessage | None: ...

    def page(
        self,
        after: Cursor | None = None,
        limit: int = 50,
        filters: MessageFilter = NO_FILTER,
        *,
        before: Cursor | None = None,
    ) -> StorePage: ...

    def count(self, filters: MessageFilter = NO_FILTER) -> int: ...

    def key_at(self, index: int, filters: MessageFilter = NO_FILTER) -> Cursor | None: ...

    def conversation(self, number: str) -> list[StoredMessage]: ...

    # writing messages (committed on return)
    def upsert_history(
        self,
        messages: Iterable[HistoryMessage],
        *,
        inbound_read: bool = True,
        unread_from: int | None = None,
    ) -> int: ...

    def upsert_inbound(self, messages: Iterable[InboundMessage]) -> int: ...

    def apply_receipts(self, receipts: Iterable[DeliveryReceipt]) -> int: ...

    def mark_inbound_read(self, message_ids: Iterable[str], *, read: bool = True) -> int:
        """Mark replies read (or unread) for this store's operator: on the team store the
        other operators' unread replies stay unread (``marks``)."""
        ...

    # who handled which conversation (a reply arriving after the mark clears it)
    def mark_handled(
        self, number: str, *, handled: bool = True, at: int | None = None
    ) -> HandledMark | None:
        """Mark the conversation with ``number`` handled by this operator (now, or at Unix
        time ``at``), or clear its mark (``handled=False``); the mark now in place."""
        ...

    def handled_mark(self, number: str) -> HandledMark | None: ...

    def handled_stamp(self) -> int:
        """Moves whenever a conversation is marked handled or its mark goes."""
        ...

    def delivery_stamp(self) -> int:
        """Moves whenever a message changes its delivery state (a receipt, a new status),
        whichever process stored it; one row read, however many messages."""
        ...

    def record_senders(self, custom_strings: Iterable[str]) -> None:
        """This operator sends the messages that will carry these custom strings without
        the outbox (bulk batches): a message stored with one of them gets ``sent_by``."""
        ...

    def pending_receipts(self) -> int: ...

    # full-text upkeep during a bulk write (a sync)
    def deferred_index(self, *, index_at_end: bool = True) -> AbstractContextManager[None]: ...

    def index_pending(self) -> None: ...

    # one sync at a time per ClickSend account across every process using this store
    def sync_lock(self, key: str) -> AbstractContextManager[bool]:
        """Within the block, whether this process holds the sync of ``key`` (an account and
        connection); False: another process is syncing it now, so skip this round and read
        what it stores. Released when the block ends (or the process dies)."""
        ...

    # drafts, templates, sync cursors
    def save_draft(self, key: str, text: str) -> None: ...

    def load_draft(self, key: str) -> str | None: ...

    def clear_draft(self, key: str) -> None: ...

    def replace_templates(self, templates: list[Template]) -> None: ...

    def templates(self) -> list[Template]: ...

    def get_cursor(self, name: str) -> str | None: ...

    def set_cursor(self, name: str, value: str) -> None: ...

    # stats (``stats.daily_stats`` turns these rows into a report)
    def day_rows(
        self, start: int, end: int, segments: list[tuple[int, int]], *, direct: bool
    ) -> list[DayRow]: ...

    def rebuild_rollup(self) -> int: ...

    # the outbox
    def outbox_table(self, kind: str = "sms") -> OutboxStore: ...

    # the operator's desk: opt-outs, followed replies, replies new since a front-end looked
    def optout_table(self) -> OptOutStore: ...

    def handed_replies(self, consumer: str) -> HandedStore: ...

    def reply_watermark(self) -> int:
        """Where the message table ends now, as rows are numbered in the order they were
        committed (SQLite's rowid, PostgreSQL's ``seq``): a mark for ``unread_replies_after``."""
        ...

    def unread_replies_after(self, mark: int) -> tuple[list[StoredMessage], int]:
        """Unread replies stored (by any process) after ``mark``, oldest first, and the new
        mark."""
        ...

    # live: other processes' changes
    def watch(self, on_change: Callable[[str], None]) -> Watching:
        """Call ``on_change`` (on a thread of the watch's) after a change is committed to
        the store by any process, this one's included: "messages", "outbox", "handled"
        (a conversation marked handled or not), or "poll" (something may have changed: read
        again). Close the watch when done."""
        ...


__all__ = ["NO_FILTER", "DayRow", "HandedStore", "OptOutStore", "OutboxStore", "Store", "Watching"]
