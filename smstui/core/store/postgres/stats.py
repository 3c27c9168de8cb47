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


def rebuild_rollup(c: Conn) -> int:
    """Recompute the rollup; how many slots were wrong, missing or extra before."""
    fresh = (
        f"SELECT m.account AS account, m.date / {SLOT} AS slot, "
        + ", ".join(f"SUM({v})::bigint AS {n}" for v, n in zip(measures("m"), _NAMES, strict=True))
        + f" FROM messages m GROUP BY m.account, m.date / {SLOT}"
    )
    nonzero = " OR ".join(f"{n} != 0" for n in _NAMES)
    cols = ", ".join(("account", "slot", *_NAMES))
    wrong = 0
    for a, b in ((f"({fresh}) f", "stats_slots"), ("stats_slots", f"({fresh}) f")):
        q = f"SELECT COUNT(*) FROM (SELECT {cols} FROM {a} WHERE {nonzero} EXCEPT SELECT {cols} FROM {b} WHERE {nonzero}) d"
        wrong += int(c.execute(q).fetchone()[0])  # type: ignore[index]
    for statement in REBUILD:
        c.execute(statement)
    return wrong
