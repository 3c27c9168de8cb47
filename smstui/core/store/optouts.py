"""The opt-out list: numbers that asked not to be messaged, kept in the store (SQLite or the team's PostgreSQL: one implementation, ``dialect``).

A number is opted out by a reply whose whole body is a stop word (``smstui.core.stop_words``),
by the user (``optouts add``) or by an imported CSV; a start word or ``optouts remove`` undoes
it. Replies are read from the message table by ``scan_replies``, which walks only the rows
added since its last run (a cursor in ``sync_cursors`` over SQLite's rowid, PostgreSQL's
``seq``): whoever stored the reply (a
sync of the TUI, of the CLI, of ``inbox --follow``), the next scan applies it.

Undone opt-outs keep their row with ``removed_at`` set, so that the order of events is decided
by when the replies were sent, not by when smstui happened to read them: a STOP older than the
START that undid it never opts the number out again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from smstui.core.errors import ValidationError
from smstui.core.phone import check_number
from smstui.core.stop_words import MAX_KEYWORD_BODY, classify
from smstui.core.store.dialect import SQLITE, Dialect, SqlStore
from smstui.core.store.rows import from_unix

Source = Literal["reply", "manual", "import"]

#: SQLite's bound-parameter limit is 999 on old builds: look numbers up in chunks (on both
#: stores, so that one code path is tested)
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class OptOut:
    """One opted-out number: since when, and why (the reply's id when a reply did it)."""

    number: str
    date: datetime
    source: str  # "reply" | "manual" | "import"
    reply_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "date": self.date.isoformat(),
            "source": self.source,
            "reply_id": self.reply_id,
        }


@dataclass(frozen=True, slots=True)
class KeywordScan:
    """What one scan of new replies changed."""

    added: list[OptOut] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def number_key(raw: str) -> str:
    """How a number is kept: E.164 when it reads as one, else as given (a reply's sender is
    ClickSend's E.164 already; this only guards against a stray space or dash)."""
    try:
        return check_number(raw, None).e164
    except ValidationError:
        return raw.strip()


def _row(r: tuple[Any, ...]) -> OptOut:
    date = from_unix(int(r[1]))
    assert date is not None
    return OptOut(number=r[0], date=date, source=r[2], reply_id=r[3])


class OptOutTable:
    """Typed access to the ``optouts`` table of one account of a store (``contract.OptOutStore``):
    ``MessageStore.optout_table()`` on SQLite, ``PostgresStore.optout_table()`` on PostgreSQL.

    Every write takes the account's opt-out lock first (PostgreSQL: an advisory lock held to
    the commit; SQLite's ``BEGIN IMMEDIATE`` already is one), so two processes scanning the
    same replies, or adding the number a scan is undoing, run one after the other and each
    decides on what the other committed."""

    def __init__(self, store: SqlStore, dialect: Dialect = SQLITE) -> None:
        self.store = store
        self.dialect = dialect

    @property
    def _cursor(self) -> str:
        return f"optouts:{self.store.account}"

    def _sql(self, query: str) -> str:
        return self.dialect.sql(query)

    def _lock(self, c: Any) -> None:
        self.dialect.take_lock(c, f"smstui-{self._cursor}")

    # ------------------------------------------------------------------ reading

    def active(self) -> list[OptOut]:
        """Every opted-out number, most recent first."""
        raw = self.store.run_read(
            lambda c: c.execute(
                self._sql(
                    "SELECT number, date, source, reply_id FROM optouts WHERE account = ? "
                    "AND removed_at IS NULL ORDER BY date DESC, number"
                ),
                (self.store.account,),
            ).fetchall()
        )
        return [_row(r) for r in raw]

    def count(self) -> int:
        return int(
            self.store.run_read(
                lambda c: c.execute(
                    self._sql(
                        "SELECT COUNT(*) FROM optouts WHERE account = ? AND removed_at IS NULL"
                    ),
                    (self.store.account,),
                ).fetchone()[0]
            )
        )

    def get(self, number: str) -> OptOut | None:
        r = self.store.run_read(
            lambda c: c.execute(
                self._sql(
                    "SELECT number, date, source, reply_id FROM optouts WHERE account = ? "
                    "AND number = ? AND removed_at IS NULL"
                ),
                (self.store.account, number_key(number)),
            ).fetchone()
        )
        return None if r is None else _row(r)

    def among(self, numbers: list[str]) -> set[str]:
        """The numbers of ``numbers`` (E.164) that are opted out."""
        wanted = sorted(set(numbers))

        def read(c: Any) -> set[str]:
            found: set[str] = set()
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                found.update(
                    r[0]
                    for r in c.execute(
                        self._sql(
                            f"SELECT number FROM optouts WHERE account = ? "
                            f"AND removed_at IS NULL AND number IN ({marks})"
                        ),
                        [self.store.account, *chunk],
                    )
                )
            return found

        return self.store.run_read(read) if wanted else set()

    # ------------------------------------------------------------------ writing

    def add(
        self, number: str, *, at: int, source: Source, reply_id: str | None = None
    ) -> OptOut | None:
        """Opt ``number`` out as of ``at`` (Unix time); the new entry, or None when it was
        opted out already or a later start word undid it (see the module doc)."""
        key = number_key(number)

        def write(c: Any) -> OptOut | None:
            self._lock(c)
            return self._add(c, key, at, source, reply_id)

        return self.store.run_write(write)

    def add_many(self, numbers: list[str], *, at: int, source: Source) -> list[OptOut]:
        """``add`` for many numbers in one transaction (a CSV import): the entries added."""
        keys = list(dict.fromkeys(number_key(n) for n in numbers))

        def write(c: Any) -> list[OptOut]:
            self._lock(c)
            return [e for k in keys if (e := self._add(c, k, at, source, None)) is not None]

        return self.store.run_write(write)

    def remove(self, number: str, *, at: int, by: str = "manual") -> bool:
        """Undo the opt-out of ``number`` as of ``at``; False when it was not opted out (or
        opted out after ``at``)."""
        key = number_key(number)

        def write(c: Any) -> bool:
            self._lock(c)
            return self._remove(c, key, at, by, tombstone=False)

        return self.store.run_write(write)

    def _add(self, c: Any, key: str, at: int, source: str, reply_id: str | None) -> OptOut | None:
        account = self.store.account
        old = c.execute(
            self._sql("SELECT removed_at FROM optouts WHERE account = ? AND number = ?"),
            (account, key),
        ).fetchone()
        if old is not None and (old[0] is None or at < old[0]):
            return None  # opted out already, or this stop word is older than the start word
        c.execute(
            self._sql(
                "INSERT INTO optouts (account, number, date, reply_id, source, removed_at, "
                "removed_by) VALUES (?, ?, ?, ?, ?, NULL, NULL) ON CONFLICT (account, number) "
                "DO UPDATE SET date = excluded.date, reply_id = excluded.reply_id, "
                "source = excluded.source, removed_at = NULL, removed_by = NULL"
            ),
            (account, key, at, reply_id, source),
        )
        return _row((key, at, source, reply_id))

    def _remove(self, c: Any, key: str, at: int, by: str, *, tombstone: bool) -> bool:
        account = self.store.account
        old = c.execute(
            self._sql("SELECT date, removed_at FROM optouts WHERE account = ? AND number = ?"),
            (account, key),
        ).fetchone()
        set_removed = self._sql(
            "UPDATE optouts SET removed_at = ?, removed_by = ? WHERE account = ? AND number = ?"
        )
        if old is None:
            if tombstone:
                # remember the start word: an older stop word met later must not win
                c.execute(
                    self._sql(
                        "INSERT INTO optouts (account, number, date, reply_id, source, "
                        "removed_at, removed_by) VALUES (?, ?, ?, NULL, 'reply', ?, ?) "
                        "ON CONFLICT (account, number) DO NOTHING"
                    ),
                    (account, key, at, at, by),
                )
            return False
        date, removed_at = old
        if removed_at is not None:
            if at > removed_at:
                c.execute(set_removed, (at, by, account, key))
            return False
        if at < date:
            return False  # a start word older than the stop word it would undo
        c.execute(set_removed, (at, by, account, key))
        return True

    # ------------------------------------------------------------------ replies

    def scan_replies(self, stop: frozenset[str], start: frozenset[str]) -> KeywordScan:
        """Apply every reply stored since the last scan whose whole body is a keyword.

        One write transaction: the cursor moves with the changes it caused. Replies are
        applied in the order they were sent. The first scan of a store reads every reply
        already there (a STOP received before this smstui version still counts).
        """
        account = self.store.account
        name = self._cursor
        pos = self.dialect.position

        def write(c: Any) -> KeywordScan:
            self._lock(c)  # a second process scanning waits, then starts from our cursor
            raw = c.execute(
                self._sql("SELECT value FROM sync_cursors WHERE name = ?"), (name,)
            ).fetchone()
            after = int(raw[0]) if raw is not None else 0
            top = c.execute(f"SELECT MAX({pos}) FROM messages").fetchone()[0]
            if top is None or top <= after:
                return KeywordScan()
            rows = c.execute(
                self._sql(
                    f'SELECT message_id, "from", body, date FROM messages WHERE {pos} > ? '
                    f"AND {pos} <= ? AND account = ? AND direction = 'in' "
                    "AND length(body) <= ? ORDER BY date, message_id"
                ),
                (after, top, account, MAX_KEYWORD_BODY),
            ).fetchall()
            scan = KeywordScan()
            for message_id, sender, body, date in rows:
                kind = classify(body, stop, start)
                if kind is None or not sender:
                    continue
                key = number_key(sender)
                if kind == "stop":
                    added = self._add(c, key, int(date), "reply", message_id)
                    if added is not None:
                        scan.added.append(added)
                elif self._remove(c, key, int(date), message_id, tombstone=True):
                    scan.removed.append(key)
            c.execute(
                self._sql(
                    "INSERT INTO sync_cursors (name, value) VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
                ),
                (name, str(top)),
            )
            return scan

        return self.store.run_write(write)
