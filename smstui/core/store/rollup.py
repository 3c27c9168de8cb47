"""The stats rollup: per-account totals for every 15-minute slot of UTC time, kept by triggers.

A year of stats used to be one GROUP BY over every message of the year (4-5 s at a million
rows). Summing the rollup instead reads at most 35,040 slots a year, whatever the message count.

Why 15-minute slots and not days: stats count *local* days, and a local day is not a set of UTC
days. Every UTC offset in use (and every daylight-saving change, which happens at a local
clock time in whole minutes of such an offset) is a multiple of 15 minutes (India +5:30, Nepal
+5:45, Lord Howe's half-hour DST), so a slot always lies inside one local day; summing slots
into local days gives exactly what the per-message query gives. ``stats.daily_stats`` checks
that for the zone and range asked and falls back to the per-message query if not (historic
local mean time offsets such as +0:09:21).

The triggers keep the rollup exact on every write: insert adds a message's contribution,
delete subtracts it, and an update of a counted column (a receipt moving a message from sent to
delivered or failed, a new price, a status change) subtracts the old contribution and adds the
new one. The definitions below are those of ``smstui.core.store.stats`` (see its docstring); this
SQL is frozen in a migration, so a change of definition needs a new migration that drops and
recreates the triggers and calls ``rebuild``.
"""

from __future__ import annotations

import sqlite3

#: seconds per rollup slot (a divisor of every UTC offset in use; see the module doc)
SLOT = 900
#: statuses ClickSend's history defines (clicksend-api.md §2.3), plus the ones smstui writes
KNOWN = ("Queued", "Completed", "Scheduled", "WaitApproval", "Failed", "Cancelled",
         "CancelledAfterReview", "Received", "Sent", "Delivered", "SUCCESS", "")  # fmt: skip
NOT_SENT = ("Scheduled", "Cancelled", "CancelledAfterReview")
#: spend is summed in integer millionths (ClickSend quotes 4 decimals), never floats
MICRO = 1_000_000


def _one_of(lhs: str, values: tuple[str, ...]) -> str:
    """``lhs IN values`` spelled as ORed equalities: the same truth (NULL included), but in a
    trigger ``IN`` builds a temporary index on every row: 30 us a row instead of 10."""
    # constants of this module, never user text
    return "(" + " OR ".join(f"{lhs} = '{v}'" for v in values) + ")"


def measures(m: str) -> list[str]:
    """The five counted values of one message row named ``m`` (a table alias, ``new`` or
    ``old``): sent, delivered, failed, inbound, spend in millionths. ``status`` is compared
    with NOCASE explicitly (a trigger's ``new.status`` must not depend on column collation)."""
    status = f"{m}.status COLLATE NOCASE"
    out = f"{m}.direction = 'out'"
    sent = f"{out} AND NOT {_one_of(status, NOT_SENT)}"
    retry = _one_of(f"{m}.status_code", ("300", "301", "302"))
    # IFNULL: a comparison with a NULL status_code is NULL, which SUM skips but a slot
    # column must count as 0
    return [
        f"IFNULL({sent}, 0)",
        f"IFNULL({out} AND {m}.status_code = '201', 0)",
        f"IFNULL({out} AND {m}.status_code IS NOT '201' AND (NOT {_one_of(status, KNOWN)} "
        f"OR {status} = 'Failed' OR {retry}), 0)",
        f"IFNULL({m}.direction = 'in', 0)",
        f"(CASE WHEN {sent} AND {m}.price IS NOT NULL "
        f"THEN CAST(ROUND(CAST({m}.price AS REAL) * {MICRO}) AS INTEGER) ELSE 0 END)",
    ]


_NAMES = ("sent", "delivered", "failed", "inbound", "spend")


def _add(row: str, sign: str) -> str:
    """An upsert adding (``+``) or subtracting (``-``) the measures of ``row`` to its slot."""
    values = ", ".join(f"{sign}{v}" for v in measures(row))
    updates = ", ".join(f"{n} = {n} + excluded.{n}" for n in _NAMES)
    return (
        "INSERT INTO stats_slots (account, slot, sent, delivered, failed, inbound, spend) "
        f"VALUES ({row}.account, {row}.date / {SLOT}, {values}) "
        f"ON CONFLICT (account, slot) DO UPDATE SET {updates};"
    )


def _quote(column: str) -> str:
    return f'"{column}"'


_COUNTED = ("account", "direction", "status", "status_code", "price", "date")

#: rebuilds every slot from the messages (inside the caller's write transaction)
REBUILD = [
    "DELETE FROM stats_slots",
    "INSERT INTO stats_slots (account, slot, sent, delivered, failed, inbound, spend) "
    f"SELECT m.account, m.date / {SLOT}, "
    + ", ".join(f"SUM({v})" for v in measures("m"))
    + f" FROM messages m GROUP BY m.account, m.date / {SLOT}",
]

#: migration 4 -> 5: the table, its triggers, and the rollup of the messages already stored
MIGRATION = "\n".join(
    [
        """
CREATE TABLE stats_slots (
    account   TEXT NOT NULL,
    slot      INTEGER NOT NULL,
    sent      INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    failed    INTEGER NOT NULL DEFAULT 0,
    inbound   INTEGER NOT NULL DEFAULT 0,
    spend     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account, slot)
) WITHOUT ROWID;""",
        f"CREATE TRIGGER messages_stats_ai AFTER INSERT ON messages BEGIN {_add('new', '+')} END;",
        f"CREATE TRIGGER messages_stats_ad AFTER DELETE ON messages BEGIN {_add('old', '-')} END;",
        # the WHEN keeps the many upserts that change nothing counted (a history page synced
        # again) from touching the rollup at all
        f"CREATE TRIGGER messages_stats_au AFTER UPDATE OF {', '.join(_quote(c) for c in _COUNTED)}"
        " ON messages WHEN "
        + " OR ".join(f"old.{_quote(c)} IS NOT new.{_quote(c)}" for c in _COUNTED)
        + f" BEGIN {_add('old', '-')} {_add('new', '+')} END;",
        *(s + ";" for s in REBUILD),
    ]
)


def rebuild(c: sqlite3.Connection) -> None:
    """Recompute the whole rollup from the messages (call inside a write transaction)."""
    for statement in REBUILD:
        c.execute(statement)


def differences(c: sqlite3.Connection) -> int:
    """How many rollup rows are wrong, missing or extra compared with the messages (0: the
    rollup is exact; a slot with wrong counts counts twice). All-zero slots count as absent."""
    fresh = (
        f"SELECT m.account AS account, m.date / {SLOT} AS slot, "
        + ", ".join(f"SUM({v}) AS {n}" for v, n in zip(measures("m"), _NAMES, strict=True))
        + f" FROM messages m GROUP BY m.account, m.date / {SLOT}"
    )
    nonzero = " OR ".join(f"{n} != 0" for n in _NAMES)
    cols = ", ".join(("account", "slot", *_NAMES))
    sql = (
        f"SELECT COUNT(*) FROM ("
        f"SELECT {cols} FROM ({fresh}) WHERE {nonzero} "
        f"EXCEPT SELECT {cols} FROM stats_slots WHERE {nonzero}) "
    )
    missing = int(c.execute(sql).fetchone()[0])
    extra = (
        f"SELECT COUNT(*) FROM (SELECT {cols} FROM stats_slots WHERE {nonzero} "
        f"EXCEPT SELECT {cols} FROM ({fresh}) WHERE {nonzero})"
    )
    return missing + int(c.execute(extra).fetchone()[0])
