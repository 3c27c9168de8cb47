"""stats: messages per day (sent, delivered, failed, inbound) and spend, from the local store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from smstui.cli.argtree import command, sync_flag
from smstui.cli.output import cell
from smstui.cli.runtime import Runtime
from smstui.core.errors import UsageError
from smstui.core.when import WHEN_HELP, parse_when

if TYPE_CHECKING:
    from smstui.core.service.history import DayStats, StatsReport

#: days shown when --since is not given (today and the 13 before it)
DEFAULT_DAYS = 14
BAR_WIDTH = 24


def _range(rt: Runtime, tz: tzinfo | None, now: datetime) -> tuple[date, date]:
    from smstui.core.service.history import local_day

    a = rt.args
    until = parse_when(a.until, future=False, now=now) if a.until else now
    last = local_day(until, tz)
    # an --until at exactly midnight ends the day before (so 2024-05-01..2024-06-01 is May)
    if (
        a.until
        and (until.astimezone(tz) if tz else until.astimezone()).time() == datetime.min.time()
    ):
        last -= timedelta(days=1)
    if a.since:
        first = local_day(parse_when(a.since, future=False, now=now), tz)
    else:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise UsageError("--until is before --since")
    return first, last


async def _currency(rt: Runtime) -> str | None:
    """The account's currency (read when syncing), else the one remembered from before."""
    known = None
    if rt.args.sync:
        account = await rt.ws.account()
        known = account.currency.code if account.currency is not None else None
    return rt.ws.history.currency(known)


def _doc(s: DayStats, *, with_date: bool) -> dict[str, object]:
    doc: dict[str, object] = {"date": s.day.isoformat()} if with_date else {}
    doc.update(
        sent=s.sent, delivered=s.delivered, failed=s.failed, inbound=s.inbound, spend=s.spend
    )
    return doc


def _human(rt: Runtime, report: StatsReport, currency: str | None) -> None:
    from smstui.core.service.history import bars

    sent_bars = bars([d.sent for d in report.days], BAR_WIDTH)
    money = f"SPEND ({currency})" if currency else "SPEND"
    rows = [
        [d.day.isoformat(), d.sent, d.delivered, d.failed, d.inbound, f"{d.spend:.4f}", bar]
        for d, bar in zip(report.days, sent_bars, strict=True)
    ]
    t = report.totals
    rows.append(["total", t.sent, t.delivered, t.failed, t.inbound, f"{t.spend:.4f}", ""])
    rt.out.table(["DATE", "SENT", "DELIVERED", "FAILED", "INBOUND", money, "SENT"], rows)
    rt.out.note(
        f"days in {cell(report.tz_name)} time; failed = status Failed, receipt 300-302 or refused"
    )


async def stats(rt: Runtime) -> int:
    tz: tzinfo | None = UTC if rt.args.utc else None
    first, last = _range(rt, tz, datetime.now(UTC))
    history = rt.ws.history
    rt.ws.open_store()  # a store that cannot be used is said before any request
    if rt.args.sync:
        await rt.ws.messages.sync(reconcile=False)
    if rt.args.rebuild:
        wrong = history.rebuild_stats()
        rt.out.note(
            "Rebuilt the stats rollup from the stored messages: "
            + (f"{wrong} rollup rows were off." if wrong else "it was already exact.")
        )
    currency = await _currency(rt)
    report = history.daily_stats(first, last, tz)
    if rt.out.json_mode:
        rt.out.emit_json(
            {
                "days": [_doc(d, with_date=True) for d in report.days],
                "totals": _doc(report.totals, with_date=False),
                "currency": currency,
                "timezone": report.tz_name,
            }
        )
    else:
        _human(rt, report, currency)
    return 0


def register(sub: Any) -> None:
    p = command(
        sub,
        "stats",
        "messages per day (sent, delivered, failed, inbound) and spend, with bars",
        "  smstui stats\n  smstui stats --since 2024-05-01 --until 2024-06-01 --utc\n"
        "  smstui --json stats --since 30d --no-sync\n  smstui stats --rebuild --no-sync",
        handler=stats,
    )
    p.add_argument("--since", metavar="WHEN", help="first day (default: 13 days ago). " + WHEN_HELP)
    p.add_argument(
        "--until", metavar="WHEN", help="last day (default: today; midnight = exclusive)"
    )
    p.add_argument("--utc", action="store_true", help="count days in UTC (default: local time)")
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="recompute the per-day totals kept with the messages first "
        "(if stats ever disagree with `smstui history`)",
    )
    sync_flag(p)
