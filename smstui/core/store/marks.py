"""What an operator marks in the store: replies read, conversations handled, and the sends
they started outside the outbox (bulk batches: ``record_senders``).

One implementation for both stores (``dialect``):

- **Read.** On SQLite (one person's store) reading a reply sets its ``read`` flag, as it
  always did. On the team store reads are per operator (postgres/schema.py, V3): the flag
  stays 1 for what is read for everyone (history's backlog, and what was read before the
  store had reads per operator) and an operator's read is a row of ``reads``; operator A
  reading a reply leaves it unread for operator B. A reply read for everyone that A makes
  unread again gets the flag 2 and A's row of ``unreads`` (V5): unread for A, read for
  everyone else, whenever they join.
- **Handled.** A conversation (the other party's number) marked handled by an operator, at a
  time: one mark per number, the latest wins. A reply that arrives after the mark clears it
  (a trigger on the message table, in both schemas): the customer wrote again, so the
  conversation is not handled any more, whoever looks.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smstui.core.store.dialect import SQLITE, Dialect, SqlStore
from smstui.core.store.rows import from_unix


@dataclass(frozen=True, slots=True)
class HandledMark:
    """Conversation ``number`` was marked handled by ``operator`` at ``at`` (UTC)."""

    number: str
    operator: str
    at: datetime

    def to_json(self) -> dict[str, str]:
        return {"number": self.number, "handled_by": self.operator, "at": self.at.isoformat()}


def mark_read(
    store: SqlStore, message_ids: Iterable[str], *, read: bool = True, dialect: Dialect = SQLITE
) -> int:
    """Mark replies read (or unread again) for the store's operator; how many replies of the
    store's account were among ``message_ids``."""
    ids = sorted({i.upper() for i in message_ids})
    if not ids:
        return 0
    if dialect is SQLITE:
        return store.run_write(lambda c: _flag(c, store.account, ids, read))
    return store.run_write(lambda c: _per_operator(c, store, ids, read))


def _flag(c: Any, account: str, ids: list[str], read: bool) -> int:
    cur = c.executemany(
        "UPDATE messages SET read = ? WHERE message_id = ? AND account = ? AND direction = 'in'",
        [(1 if read else 0, i, account) for i in ids],
    )
    return int(cur.rowcount)


_REPLIES = "m.message_id = ANY(%s) AND m.account = %s AND m.direction = 'in'"


def _per_operator(c: Any, store: SqlStore, ids: list[str], read: bool) -> int:
    now = int(time.time())
    me, account = store.operator, store.account
    found = int(
        c.execute(f"SELECT COUNT(*) FROM messages m WHERE {_REPLIES}", (ids, account)).fetchone()[0]
    )
    if read:
        c.execute(
            "INSERT INTO reads (account, operator, message_id, at) "
            f"SELECT m.account, %s, m.message_id, %s FROM messages m WHERE {_REPLIES} "
            "AND m.read = 0 ON CONFLICT (account, operator, message_id) DO NOTHING",
            (me, now, ids, account),
        )
        # a reply read for everyone that this operator had made unread again (flag 2)
        c.execute(
            "DELETE FROM unreads WHERE account = %s AND operator = %s AND message_id = ANY(%s)",
            (account, me, ids),
        )
        return found
    # unread again for this operator only (schema V5): a reply read for everyone gets the flag
    # 2 and this operator's row of ``unreads`` (an operator who joins later finds it read); a
    # reply that came in as new loses this operator's read
    c.execute(
        "INSERT INTO unreads (account, operator, message_id, at) "
        f"SELECT m.account, %s, m.message_id, %s FROM messages m WHERE {_REPLIES} "
        "AND m.read <> 0 ON CONFLICT (account, operator, message_id) DO NOTHING",
        (me, now, ids, account),
    )
    c.execute(f"UPDATE messages m SET read = 2 WHERE {_REPLIES} AND m.read = 1", (ids, account))
    c.execute(
        "DELETE FROM reads WHERE account = %s AND operator = %s AND message_id = ANY(%s)",
        (account, me, ids),
    )
    return found


def record_senders(
    store: SqlStore, custom_strings: Iterable[str], *, dialect: Dialect = SQLITE
) -> None:
    """Record the store's operator as the sender of the messages that will carry these
    custom strings (sends that skip the outbox: bulk batches); the first sender recorded
    for a custom string keeps it. A message a sync stores with one of them gets it as
    ``sent_by``. Nothing is recorded for a store without an operator."""
    rows = [(s, store.operator) for s in dict.fromkeys(custom_strings)]
    if not rows or not store.operator:
        return
    sql = dialect.sql(
        "INSERT INTO senders (custom_string, operator) VALUES (?, ?) "
        "ON CONFLICT (custom_string) DO NOTHING"
    )
    store.run_write(lambda c: c.cursor().executemany(sql, rows))


def mark_handled(
    store: SqlStore,
    number: str,
    *,
    handled: bool = True,
    at: int | None = None,
    dialect: Dialect = SQLITE,
) -> HandledMark | None:
    """Mark the conversation with ``number`` handled by the store's operator (again, if it
    was: the newest mark wins), or clear its mark (``handled=False``, whoever made it).
    Returns the mark now in place (None when cleared)."""
    stamp = int(time.time()) if at is None else at

    def write(c: Any) -> HandledMark | None:
        if not handled:
            c.execute(
                dialect.sql("DELETE FROM handled WHERE account = ? AND number = ?"),
                (store.account, number),
            )
            return None
        c.execute(
            dialect.sql(
                "INSERT INTO handled (account, number, operator, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (account, number) DO UPDATE SET operator = excluded.operator, "
                "at = excluded.at"
            ),
            (store.account, number, store.operator, stamp),
        )
        return _mark(number, store.operator, stamp)

    return store.run_write(write)


def handled_mark(store: SqlStore, number: str, *, dialect: Dialect = SQLITE) -> HandledMark | None:
    """The handled mark of the conversation with ``number`` (None: not handled)."""
    row = store.run_read(
        lambda c: c.execute(
            dialect.sql("SELECT operator, at FROM handled WHERE account = ? AND number = ?"),
            (store.account, number),
        ).fetchone()
    )
    return None if row is None else _mark(number, str(row[0]), int(row[1]))


def handled_stamp(store: SqlStore, *, dialect: Dialect = SQLITE) -> int:
    """A number that moves whenever a conversation of the account is marked handled or its
    mark goes (what a watching app compares: ``team.change_mark``). The table holds a mark
    per conversation being handled, so reading all of it is a short scan."""
    q = dialect.sql("SELECT COUNT(*) + COALESCE(SUM(at), 0) FROM handled WHERE account = ?")
    return int(store.run_read(lambda c: c.execute(q, (store.account,)).fetchone()[0]))


def _mark(number: str, operator: str, at: int) -> HandledMark:
    when = from_unix(at)
    assert when is not None
    return HandledMark(number, operator, when)
