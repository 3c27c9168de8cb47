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

T = TypeVar("T")


class SqlStore(Protocol):
    """A store that runs a function in one read or write transaction on its connection."""

    account: str

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

    def sql(self, query: str) -> str:
        return query if self.placeholder == "?" else query.replace("?", self.placeholder)

    def take_lock(self, c: Any, name: str) -> None:
        """Serialise the read-modify-write transactions of ``name`` across processes."""
        if self.lock is not None:
            c.execute(self.lock, (name,))


SQLITE = Dialect(position="rowid", placeholder="?", lock=None)
# ``seq`` is an identity column the messages' insert trigger hands out in commit order (see
# postgres/schema.py): a scan that read up to N never misses a row committed later below N
POSTGRES = Dialect(
    position="seq",
    placeholder="%s",
    lock="SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
)
