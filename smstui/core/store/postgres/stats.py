"""Per-day totals on PostgreSQL: the same two halves as ``stats.sqlite_day_rows`` (the
rollup's 15-minute slots, or the messages themselves, plus the outbox's refused sends), with
the day buckets of ``stats.day_expr`` and the measures of ``postgres.schema``."""

from __future__ import annotations

from typing import Any

from smstui.core.store.contract import DayRow
from smstui.core.store.postgres.connection import Conn
from smstui.core.store.postgres.schema import REBUILD, measures
from smstui.core.store.rollup import SLOT
from smstui.core.store.stats import day_expr

_NAMES = ("sent", "delivered", "failed", "inbound", "spend")


def _day(column: str, segments: list[tuple[int, int]]) -> tuple[str, list[int]]:
    # stats.day_expr writes SQLite's ``?`` placeholders and no other '?'
    sql, params = day_expr(column, segments)
    return sql.replace("?", "%s"), params


def day_rows(
    c: Conn, account: str, start: int, end: int, segments: list[tuple[int, int]], direct: bool
) -> list[DayRow]:
    if direct:
        day, day_params = _day("m.date", segments)
        sums = ", ".join(f"SUM({v})::bigint" for v in measures("m"))
        part = (
            f"SELECT {day} AS day, {sums} FROM messages m "
            "WHERE m.account = %s AND m.date >= %s AND m.date < %s GROUP BY 1"
        )
        params: list[Any] = [*day_params, account, start, end]
    else:
        day, day_params = _day(f"(s.slot * {SLOT})", segments)
        sums = ", ".join(f"SUM(s.{n})::bigint" for n in _NAMES)
        part = (
            f"SELECT {day} AS day, {sums} FROM stats_slots s "
            "WHERE s.account = %s AND s.slot >= %s AND s.slot < %s GROUP BY 1"
        )
        params = [*day_params, account, start // SLOT, end // SLOT]
    outbox_day, outbox_params = _day("COALESCE(o.attempted_at, o.created_at)", segments)
    outbox = (
        f"SELECT {outbox_day} AS day, COUNT(*), 0, COUNT(*), 0, 0 FROM outbox o "
        "WHERE o.account = %s AND o.state = 'rejected' "
        "AND COALESCE(o.attempted_at, o.created_at) >= %s "
        "AND COALESCE(o.attempted_at, o.created_at) < %s GROUP BY 1"
    )
    q = f"{part} UNION ALL {outbox}"
    raw = c.execute(q, [*params, *outbox_params, account, start, end]).fetchall()
    return [tuple(int(v or 0) for v in r) for r in raw]  # type: ignore[misc]


def rollup_disagreements(c: Conn) -> int:
    """How many of the rollup's slots are wrong, missing or extra against the messages
    (reads only: ``smstui store check``)."""
    fresh = (
        f"SELECT m.account AS account, m.date / {SLOT} AS slot, "
        + ", ".join(f"SUM({v})::bigint AS {n}" for v, n in zip(measures("m"), _NAMES, strict=True))
        + f" FROM messages m GROUP BY m.account, m.date / {SLOT}"
    )
    nonzero = " OR ".join(f"{n} != 0" for n in _NAMES)
    cols = ", ".join(("account", "slot", *_NAMES))
    # a slot whose sums differ is in both differences: counted once, by its key
    differ = " UNION ".join(
        f"SELECT account, slot FROM (SELECT {cols} FROM {a} WHERE {nonzero} "
        f"EXCEPT SELECT {cols} FROM {b} WHERE {nonzero}) d{i}"
        for i, (a, b) in enumerate(
            ((f"({fresh}) f", "stats_slots"), ("stats_slots", f"({fresh}) f"))
        )
    )
    return int(c.execute(f"SELECT COUNT(*) FROM ({differ}) k").fetchone()[0])  # type: ignore[index]


def rollup_totals(c: Conn) -> tuple[dict[str, int], dict[str, int]]:
    """The measures summed over every message, and over the rollup: equal when it agrees."""
    from_messages = ", ".join(f"COALESCE(SUM({v}), 0)::bigint" for v in measures("m"))
    from_rollup = ", ".join(f"COALESCE(SUM({n}), 0)::bigint" for n in _NAMES)
    m = c.execute(f"SELECT {from_messages} FROM messages m").fetchone() or ()
    r = c.execute(f"SELECT {from_rollup} FROM stats_slots").fetchone() or ()
    return dict(zip(_NAMES, map(int, m), strict=True)), dict(zip(_NAMES, map(int, r), strict=True))


def rebuild_rollup(c: Conn) -> int:
    """Recompute the rollup; how many slots were wrong, missing or extra before."""
    wrong = rollup_disagreements(c)
    for statement in REBUILD:
        c.execute(statement)
    return wrong
