"""Move in: copy a local SQLite store into the team's PostgreSQL database (``store migrate``).

Every table a person's store holds is copied (messages of every account, receipts waiting for
their message, templates, drafts, sync cursors, outbox rows) in batches, each batch one
transaction. A row the team database already has is left as it is (the team's copy may be
newer: another operator synced it), so running it again copies nothing and changes nothing.
After each batch the rows are looked up again by their keys: ``verified`` counts the source
rows the team database holds, and must equal ``source`` for every table.

Outbox rows are matched by their token (ids are the database's own); the stats rollup is
kept by the messages' trigger as they arrive. The opt-out list and the replies handed to a
command move in with the rest; the desk's cursors do not (they count SQLite rowids, which
mean nothing among the team's rows): the team store's first scan reads every reply it holds
(applying a stop word twice changes nothing), and a follower starts afresh there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from smstui.core.store.message_store import MessageStore
from smstui.core.store.postgres.connection import Conn
from smstui.core.store.postgres.store import PostgresStore

#: rows per batch (one transaction each)
BATCH = 1000

#: (table, key column(s), columns copied): the SQLite and PostgreSQL tables share these names
TABLES: tuple[tuple[str, str | tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "messages",
        "message_id",
        ("message_id", "account", "direction", '"to"', '"from"', "body", "status", "date",
         "schedule", "parts", "price", "status_code", "status_text", "error_code", "error_text",
         "receipt_at", "custom_string", "reply_to", "read", "updated_at", "channel", "sent_by"),
    ),
    (
        "receipts_pending",
        "message_id",
        ("message_id", "status_code", "status_text", "error_code", "error_text", "receipt_at",
         "custom_string"),
    ),
    ("templates", "template_id", ("template_id", "account", "name", "body", "position")),
    ("drafts", "key", ("key", "text", "updated_at")),
    ("sync_cursors", "name", ("name", "value")),
    (
        "outbox",
        "token",
        ("token", "account", '"to"', "sender", "body", "schedule", "country",
         "user_custom_string", "state", "attempts", "created_at", "attempted_at", "message_id",
         "status", "reason", "updated_at", "kind", "extra", "sent_by"),
    ),
    # after the messages: a reply copied in as new must not clear a mark copied before it
    ("handled", ("account", "number"), ("account", "number", "operator", "at")),
    ("senders", "custom_string", ("custom_string", "operator")),
    (
        "optouts",
        ("account", "number"),
        ("account", "number", "date", "reply_id", "source", "removed_at", "removed_by"),
    ),
    (
        "replies_handed",
        ("account", "consumer", "message_id"),
        ("account", "consumer", "message_id", "handed_at"),
    ),
)  # fmt: skip

#: sync cursors that stay behind: positions in the SQLite message table (see above)
LOCAL_CURSORS = ("optouts:%", "follow:%")

#: tables whose rows belong to one operator on the team store: the one moving in
PER_OPERATOR = frozenset({"drafts"})

#: called after every batch: (table, rows done, rows in the table)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class TableCopy:
    table: str
    source: int  # rows in the SQLite store
    copied: int  # rows new to the team database
    verified: int  # source rows the team database holds now

    @property
    def complete(self) -> bool:
        return self.verified == self.source


def _source_batches(
    store: MessageStore, table: str, columns: tuple[str, ...], size: int
) -> list[list[tuple[Any, ...]]]:
    """The table's rows in rowid order, ``size`` at a time (read once: a store is small
    enough for memory next to the copy, and the source must not change meanwhile)."""

    # the desk's tables are WITHOUT ROWID: their primary key orders them instead
    order = (
        "rowid" if table not in ("optouts", "replies_handed", "handled", "senders") else "account"
    )
    skip = " AND ".join(f"name NOT LIKE '{c}'" for c in LOCAL_CURSORS)
    where = f" AND {skip}" if table == "sync_cursors" else ""

    def read(c: sqlite3.Connection) -> list[list[tuple[Any, ...]]]:
        if order != "rowid":
            everything = c.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns[:3])}"
            ).fetchall()
            return [
                [tuple(r) for r in everything[i : i + size]]
                for i in range(0, len(everything), size)
            ]
        batches: list[list[tuple[Any, ...]]] = []
        last = -1
        while True:
            rows = c.execute(
                f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE rowid > ?{where} "
                "ORDER BY rowid LIMIT ?",
                (last, size),
            ).fetchall()
            if not rows:
                return batches
            last = rows[-1][0]
            batches.append([tuple(r[1:]) for r in rows])

    return store.run_read(read)


def _copy_batch(
    table: str,
    key: str | tuple[str, ...],
    columns: tuple[str, ...],
    operator: str | None,
    rows: list[tuple[Any, ...]],
    c: Conn,
) -> tuple[int, int]:
    """Insert the rows the target lacks; (how many were new, how many it holds now).
    ``operator``: the table is per operator, and these rows are that operator's."""
    if isinstance(key, tuple):
        ats = [columns.index(k) for k in key]
        keys: list[Any] = [tuple(r[a] for a in ats) for r in rows]
        conflict = ", ".join(key)
    else:
        at = columns.index(key)
        keys = [r[at] for r in rows]
        conflict = key
    if operator is not None:
        columns, conflict = ("operator", *columns), f"operator, {key}"
        rows = [(operator, *r) for r in rows]
    marks = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
        f"ON CONFLICT ({conflict}) DO NOTHING"
    )
    before = _present(c, table, key, keys, operator)
    with c.cursor() as cur:
        cur.executemany(sql, rows)
    after = _present(c, table, key, keys, operator)
    return after - before, after


def _present(
    c: Conn, table: str, key: str | tuple[str, ...], keys: list[Any], operator: str | None
) -> int:
    params: list[Any]
    if isinstance(key, tuple):
        # a composite key of text columns: the keys as one array per column
        arrays = ", ".join(["%s::text[]"] * len(key))
        sql = (
            f"SELECT COUNT(*) FROM {table} WHERE ({', '.join(key)}) IN "
            f"(SELECT * FROM unnest({arrays}))"
        )
        params = [list(column) for column in zip(*keys, strict=True)] if keys else []
        if not keys:
            return 0
    else:
        sql = f"SELECT COUNT(*) FROM {table} WHERE {key} = ANY(%s)"
        params = [keys]
    if operator is not None:
        sql += " AND operator = %s"
        params.append(operator)
    row = c.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def move_in(
    source: Path,
    url: str,
    *,
    operator: str = "",
    batch: int = BATCH,
    on_progress: Progress | None = None,
) -> list[TableCopy]:
    """Copy the SQLite store at ``source`` into the PostgreSQL database at ``url``; its
    drafts become ``operator``'s."""
    batch = max(1, batch)
    report: list[TableCopy] = []
    with MessageStore(source) as local, PostgresStore(url, operator=operator) as team:
        for table, key, columns in TABLES:
            batches = _source_batches(local, table, columns, batch)
            total = sum(len(b) for b in batches)
            copied = verified = done = 0
            for rows in batches:
                scope = operator if table in PER_OPERATOR else None
                new, held = team.run_write(partial(_copy_batch, table, key, columns, scope, rows))
                copied += new
                verified += held
                done += len(rows)
                if on_progress is not None:
                    on_progress(table, done, total)
            if on_progress is not None and total == 0:
                on_progress(table, 0, 0)
            report.append(TableCopy(table, total, copied, verified))
    return report
