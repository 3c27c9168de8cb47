"""What differs between the SQLite and the PostgreSQL SQL of the operator's desk (opt-outs,
followed replies, the reply watermark), so that one implementation of their rules serves
both stores and the two cannot drift apart.

The statements are written with ``?`` placeholders and in the SQL both databases accept
(``INSERT ... ON CONFLICT``); the dialect names the column giving the order rows were added
to ``messages`` and the lock a write takes first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from smstui.core.store.rows import columns

T = TypeVar("T")


class SqlStore(Protocol):
    """A store that runs a function in one read or write transaction on its connection."""

    account: str
    #: who is at this store (``operator`` in the settings; "" when nobody said)
    operator: str

    def run_read(self, fn: Callable[[Any], T]) -> T: ...

    def run_write(self, fn: Callable[[Any], T]) -> T: ...


@dataclass(frozen=True, slots=True)
class Dialect:
    #: the ``messages`` column numbering rows in the order they were committed
    position: str
    #: the driver's placeholder for ``?``
    placeholder: str
    #: a statement taking a transaction-scoped lock named by its one parameter, or None when
    #: write transactions are serialised already (SQLite: ``BEGIN IMMEDIATE``)
    lock: str | None
    #: an expression true when row ``m`` is read for this store's operator
    read: str = "m.read"
    #: the condition of an unread reply (as an index can serve it)
    unread: str = "m.direction = 'in' AND m.read = 0"

    @property
    def columns(self) -> str:
        """``rows.columns`` with this dialect's read state."""
        return columns(self.read)

    def sql(self, query: str) -> str:
        return query if self.placeholder == "?" else query.replace("?", self.placeholder)

    def take_lock(self, c: Any, name: str) -> None:
        """Serialise the read-modify-write transactions of ``name`` across processes."""
        if self.lock is not None:
            c.execute(self.lock, (name,))


SQLITE = Dialect(position="rowid", placeholder="?", lock=None)

#: whether this connection's operator (the setting ``smstui.operator``, see
#: postgres/connection.py) read reply ``m``. A scalar subquery with LIMIT, not EXISTS: the
#: planner turns an EXISTS into a hash of every read of the operator (a first page of 50 rows
#: went from 0.6 to 11 ms at 300,000 rows), while this stays one primary-key probe a row
_READ_BY_ME = (
    "(SELECT 1 FROM reads r WHERE r.account = m.account "
    "AND r.operator = current_setting('smstui.operator', true) "
    "AND r.message_id = m.message_id LIMIT 1)"
)
#: whether this connection's operator made reply ``m``, read for everyone, unread again for
#: themselves (schema V5): one primary-key probe, as above
_UNREAD_BY_ME = (
    "(SELECT 1 FROM unreads u WHERE u.account = m.account "
    "AND u.operator = current_setting('smstui.operator', true) "
    "AND u.message_id = m.message_id LIMIT 1)"
)
# ``seq`` is an identity column the messages' insert trigger hands out in commit order (see
# postgres/schema.py): a scan that read up to N never misses a row committed later below N.
# Reads are per operator: flag 1 is read for everyone, flag 0 read once this operator's row
# is in ``reads`` (V3), flag 2 read unless this operator's row is in ``unreads`` (V5). The
# unread condition names ``read <> 1`` and ``direction = 'in'`` on their own: the partial
# index ``messages_unread_for_some`` serves them in date order.
POSTGRES = Dialect(
    position="seq",
    placeholder="%s",
    lock="SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
    read=(
        f"(CASE m.read WHEN 1 THEN true WHEN 0 THEN {_READ_BY_ME} IS NOT NULL "
        f"ELSE {_UNREAD_BY_ME} IS NULL END)"
    ),
    unread=(
        "m.direction = 'in' AND m.read <> 1 AND (CASE m.read "
        f"WHEN 0 THEN {_READ_BY_ME} IS NULL ELSE {_UNREAD_BY_ME} IS NOT NULL END)"
    ),
)
