"""Delivery stats per day, summed from the store's 15-minute rollup (``store_rollup``).

Definitions (one outbound message counts once, on the day it was submitted):

- **sent**: outbound messages handed to ClickSend: every status except ``Scheduled`` (not yet
  sent), ``Cancelled`` and ``CancelledAfterReview``; plus sends ClickSend refused at once (the
  outbox's ``rejected`` rows, which have no message row).
- **delivered**: receipt ``status_code`` 201 (received on the handset).
- **failed**: not delivered, and status ``Failed``, receipt 300/301/302, a status ClickSend's
  history does not define (a refusal such as ``INVALID_RECIPIENT``), or refused by the outbox.
  300 and 302 are temporary (ClickSend retries); a later 201 moves the message to delivered.
- **inbound**: received messages.
- **spend**: exact ``Decimal`` sum of the price of the *sent* messages. SQLite sums integer
  millionths (ClickSend quotes 4 decimals), never floats.

Days are calendar days in an explicit time zone: ``UTC``, a ``zoneinfo`` zone, or ``None`` for
the system's local zone. Day boundaries move with daylight saving (a 23- or 25-hour day still
counts as one day). A zone whose offsets are not whole quarter hours over the range (local mean
time before 1900, say) is counted from the messages themselves (``direct=True``), as is any
range when asked: both give the same figures (tests compare them on random data).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from smstui.core.store import rollup as store_rollup
from smstui.core.store.contract import DayRow, Store
from smstui.core.store.rollup import MICRO, SLOT, measures

if TYPE_CHECKING:
    from smstui.core.store.message_store import MessageStore

_MICRO = MICRO
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class DayStats:
    day: date
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    inbound: int = 0
    spend: Decimal = field(default_factory=lambda: Decimal("0"))

    def __add__(self, other: DayStats) -> DayStats:
        return DayStats(
            self.day,
            self.sent + other.sent,
            self.delivered + other.delivered,
            self.failed + other.failed,
            self.inbound + other.inbound,
            self.spend + other.spend,
        )


@dataclass(frozen=True, slots=True)
class StatsReport:
    """Every day of the range (zeros included), oldest first, and their totals."""

    first: date
    last: date
    tz_name: str
    days: list[DayStats]
    totals: DayStats  # ``day`` is ``first``


# --------------------------------------------------------------------------- time zones


def _midnight(day: date, tz: tzinfo | None) -> int:
    """Unix time at which ``day`` starts in ``tz`` (None: the system zone, via mktime)."""
    if tz is None:
        return int(datetime(day.year, day.month, day.day).timestamp())
    return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())


def _offset(ts: int, tz: tzinfo | None) -> int:
    moment = datetime.fromtimestamp(ts, UTC)
    local = moment.astimezone() if tz is None else moment.astimezone(tz)
    delta = local.utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def offset_segments(start: int, end: int, tz: tzinfo | None) -> list[tuple[int, int]]:
    """``[(from_ts, utc_offset), ...]`` covering ``[start, end)``: the zone's offset changes.

    A row's local day is ``(date + offset) // 86400`` with the offset of its own segment, so
    SQL buckets by day with a short CASE instead of calling a time-zone function per row.
    """
    segments = [(start, _offset(start, tz))]
    probe = start
    while probe < end:
        nxt = min(probe + 86400, end)
        if _offset(nxt, tz) != segments[-1][1]:
            lo, hi = probe, nxt  # the change happened in (lo, hi]: find the second
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(mid, tz) == segments[-1][1]:
                    lo = mid
                else:
                    hi = mid
            segments.append((hi, _offset(hi, tz)))
        probe = nxt
    return segments


def tz_label(tz: tzinfo | None) -> str:
    if tz is None:
        return "local"
    return str(getattr(tz, "key", None) or tz.tzname(None) or tz)


# --------------------------------------------------------------------------- the query


def day_expr(column: str, segments: list[tuple[int, int]]) -> tuple[str, list[int]]:
    if len(segments) == 1:
        return f"({column} + ?) / 86400", [segments[0][1]]
    cases = " ".join(f"WHEN {column} < ? THEN ?" for _ in segments[1:])
    params: list[int] = []
    for (_, offset), (next_start, _) in pairwise(segments):
        params += [next_start, offset]
    params.append(segments[-1][1])
    return f"({column} + CASE {cases} ELSE ? END) / 86400", params


# The messages half: one GROUP BY over every message of the range (``direct``), or over the
# range's 15-minute slots of the rollup. The outbox half groups on its own and Python adds the
# halves: the outbox has few rejected rows.
_MESSAGES = """
SELECT {day} AS day, {sums}
FROM messages m WHERE m.account = ? AND m.date >= ? AND m.date < ?
GROUP BY day
"""
_SLOTS = """
SELECT {day} AS day, SUM(s.sent), SUM(s.delivered), SUM(s.failed), SUM(s.inbound), SUM(s.spend)
FROM stats_slots s WHERE s.account = ? AND s.slot >= ? AND s.slot < ?
GROUP BY day
"""
_OUTBOX = """
SELECT {day} AS day, COUNT(*), 0, COUNT(*), 0, 0
FROM outbox o WHERE o.account = ? AND o.state = 'rejected'
    AND COALESCE(o.attempted_at, o.created_at) >= ?
    AND COALESCE(o.attempted_at, o.created_at) < ?
GROUP BY day
"""


def slots_fit(start: int, end: int, segments: list[tuple[int, int]]) -> bool:
    """Whether every rollup slot of ``[start, end)`` lies inside one local day (see
    ``store_rollup``): the range ends and every offset and offset change fall on a slot."""
    points = [start, end, *(at for at, _ in segments), *(off for _, off in segments)]
    return all(p % SLOT == 0 for p in points)


def _message_part(
    account: str, start: int, end: int, segments: list[tuple[int, int]], direct: bool
) -> tuple[str, list[Any]]:
    if direct:
        day, day_params = day_expr("m.date", segments)
        sums = ", ".join(f"SUM({v})" for v in measures("m"))
        return _MESSAGES.format(day=day, sums=sums), [*day_params, account, start, end]
    day, day_params = day_expr(f"(s.slot * {SLOT})", segments)
    return _SLOTS.format(day=day), [*day_params, account, start // SLOT, end // SLOT]


def sqlite_day_rows(
    store: MessageStore, start: int, end: int, segments: list[tuple[int, int]], *, direct: bool
) -> list[DayRow]:
    """``Store.day_rows`` on SQLite: the rollup's slots (or the messages) and the outbox."""
    messages_sql, messages_params = _message_part(store.account, start, end, segments, direct)
    outbox_day, outbox_params = day_expr("COALESCE(o.attempted_at, o.created_at)", segments)
    sql = messages_sql + " UNION ALL " + _OUTBOX.format(day=outbox_day)
    params: list[Any] = [*messages_params, *outbox_params, store.account, start, end]

    def read(c: sqlite3.Connection) -> list[DayRow]:
        return c.execute(sql, params).fetchall()

    return store.run_read(read)


def daily_stats(
    store: Store,
    first: date,
    last: date,
    tz: tzinfo | None = UTC,
    *,
    direct: bool = False,
) -> StatsReport:
    """Stats for each calendar day from ``first`` to ``last`` (inclusive) in ``tz``.

    ``direct``: count the messages themselves instead of the rollup (same figures, slower:
    the baseline of bench/stats.py, and what a zone off the quarter hour needs).
    """
    if last < first:
        raise ValueError("the last day comes before the first")
    start, end = _midnight(first, tz), _midnight(last + timedelta(days=1), tz)
    segments = offset_segments(start, end, tz)
    direct = direct or not slots_fit(start, end, segments)
    found: dict[date, DayStats] = {}
    for number, sent, delivered, failed, inbound, micros in store.day_rows(
        start, end, segments, direct=direct
    ):
        d = _EPOCH + timedelta(days=int(number))
        spend = Decimal(int(micros or 0)) / _MICRO
        part = DayStats(d, sent or 0, delivered or 0, failed or 0, inbound or 0, spend)
        found[d] = found[d] + part if d in found else part
    days = [
        found.get(first + timedelta(days=n), DayStats(first + timedelta(days=n)))
        for n in range((last - first).days + 1)
    ]
    totals = DayStats(first)
    for one in days:
        totals = totals + one
    return StatsReport(first, last, tz_label(tz), days, totals)


def rebuild_rollup(store: Store) -> int:
    """Recompute the stats rollup from the stored messages (``smstui stats --rebuild``).

    Returns how many rollup rows were wrong, missing or extra before (0: it was exact)."""
    return store.rebuild_rollup()


def sqlite_rebuild_rollup(store: MessageStore) -> int:
    def write(c: sqlite3.Connection) -> int:
        wrong = store_rollup.differences(c)
        store_rollup.rebuild(c)
        return wrong

    return store.run_write(write)


def local_day(moment: datetime, tz: tzinfo | None) -> date:
    """The calendar day ``moment`` falls on in ``tz`` (None: the system zone)."""
    return (moment.astimezone() if tz is None else moment.astimezone(tz)).date()


# --------------------------------------------------------------------------- bars

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bars(values: list[int] | list[Decimal] | list[float], width: int) -> list[str]:
    """One horizontal bar per value, the largest ``width`` cells long, in eighth-cell steps.

    Every non-zero value shows at least a sliver, so a quiet day is not mistaken for none.
    """
    width = max(1, width)
    top = max((float(v) for v in values), default=0.0)
    out = []
    for v in values:
        x = float(v)
        if top <= 0 or x <= 0:
            out.append("")
            continue
        eighths = max(1, round(x / top * width * 8))
        full, part = divmod(eighths, 8)
        out.append("█" * full + (_EIGHTHS[part] if part else ""))
    return out
