"""Stats: messages per day (sent, delivered, failed, inbound) and spend, from the local store.

Nothing here touches the network: the numbers are ``daily_stats`` over the store, computed
in a thread worker, and recomputed after every sync (the app calls ``reload``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Sparkline, Static

from smstui.core.service.history import DayStats, StatsReport, bars, local_day
from smstui.ui.messages import StoreChanged
from smstui.ui.tabs.base import SmsTab

RANGES: list[tuple[str, int]] = [
    ("Last 7 days", 7),
    ("Last 14 days", 14),
    ("Last 30 days", 30),
    ("Last 90 days", 90),
    ("Custom from/to", 0),
]
DEFAULT_DAYS = 14
SERIES = ("sent", "delivered", "failed", "inbound", "spend")
TABLE_BAR = 20


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} must be a date like 2025-03-14") from None


def money(amount: object, currency: str | None) -> str:
    return f"{amount:.4f} {currency}" if currency else f"{amount:.4f}"


def totals_text(report: StatsReport, currency: str | None) -> Text:
    t = report.totals
    text = Text(end="")
    for name, value, style in (
        ("Sent", t.sent, "bold"),
        ("Delivered", t.delivered, "bold green"),
        ("Failed", t.failed, "bold red"),
        ("Inbound", t.inbound, "bold cyan"),
    ):
        text.append(f"{name} ")
        text.append(str(value), style=style)
        text.append(" · ")
    text.append("Spend ")
    text.append(money(t.spend, currency), style="bold yellow")
    days = len(report.days)
    text.append(
        f"   {report.first:%d %b %Y} – {report.last:%d %b %Y} ({days} day{'s' if days != 1 else ''}, {report.tz_name})",
        style="dim",
    )
    return text


def table_text(report: StatsReport, currency: str | None) -> Text:
    """One line a day, newest first, with the sent bar (the exact numbers behind the charts)."""
    days = list(reversed(report.days))
    sent_bars = bars([d.sent for d in days], TABLE_BAR)
    text = Text("day          sent  deliv  failed  inbound  spend\n", style="bold", end="")
    for d, bar in zip(days, sent_bars, strict=True):
        text.append(
            f"{d.day:%a %d %b}  {d.sent:>5}  {d.delivered:>5}  {d.failed:>6}  {d.inbound:>7}"
            f"  {money(d.spend, currency):<14} "
        )
        text.append(bar + "\n", style="blue")
    return text


def _series(days: list[DayStats], name: str) -> list[float]:
    return [float(getattr(d, name)) for d in days]


class StatsTab(Vertical, SmsTab):
    RELOADS_ON = frozenset({StoreChanged})
    DEFAULT_CSS = """
    StatsTab { padding: 0 1; }
    StatsTab #stats-controls { height: 1; margin: 0 0 1 0; }
    StatsTab #stats-range { width: 20; }
    StatsTab #stats-controls > Input { width: 14; margin: 0 0 0 1; }
    StatsTab #stats-controls > Checkbox, StatsTab #stats-controls > Button { margin: 0 0 0 1; }
    StatsTab #stats-error { color: $error; height: auto; }
    StatsTab #stats-error.-empty { display: none; }
    StatsTab #stats-totals { height: auto; margin: 0 0 1 0; }
    StatsTab #stats-body { height: 1fr; }
    StatsTab .chart-label { height: 1; color: $text-muted; }
    StatsTab Sparkline { height: 2; margin: 0 0 0 0; }
    StatsTab #chart-sent > .sparkline--max-color { color: $primary; }
    StatsTab #chart-delivered > .sparkline--max-color { color: $success; }
    StatsTab #chart-failed > .sparkline--max-color { color: $error; }
    StatsTab #chart-inbound > .sparkline--max-color { color: $accent; }
    StatsTab #chart-spend > .sparkline--max-color { color: $warning; }
    StatsTab #stats-table { margin: 1 0 0 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "refresh", "Refresh", id="stats.refresh"),
        Binding("u", "toggle_utc", "UTC/local", id="stats.utc"),
    ]

    def __init__(self) -> None:
        super().__init__(id="stats-tab")
        self.report: StatsReport | None = None
        self.currency: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="stats-controls"):
            yield Select(
                RANGES, value=DEFAULT_DAYS, allow_blank=False, id="stats-range", compact=True
            )
            yield Input(placeholder="from YYYY-MM-DD", id="stats-from", compact=True)
            yield Input(placeholder="to YYYY-MM-DD", id="stats-to", compact=True)
            yield Checkbox("UTC", id="stats-utc", compact=True)
            yield Button("Show", id="stats-show", compact=True)
        yield Static("", id="stats-error", classes="-empty")
        yield Static("Computing…", id="stats-totals")
        with VerticalScroll(id="stats-body"):
            for name in SERIES:
                yield Label("", id=f"label-{name}", classes="chart-label")
                yield Sparkline([], id=f"chart-{name}")
            yield Static("", id="stats-table")

    def on_mount(self) -> None:
        self._custom_inputs(False)
        self.focus_default()
        self.reload()

    def focus_default(self) -> None:
        self.query_one("#stats-range").focus()

    # ------------------------------------------------------------------ the range

    @property
    def tz(self) -> tzinfo | None:
        """UTC when ticked, else the system's local zone (``None`` to ``daily_stats``)."""
        return UTC if self.query_one("#stats-utc", Checkbox).value else None

    def _custom_inputs(self, shown: bool) -> None:
        for selector in ("#stats-from", "#stats-to", "#stats-show"):
            self.query_one(selector).display = shown

    def chosen_range(self, today: date | None = None) -> tuple[date, date]:
        """``(first, last)`` from the controls (ValueError says what is wrong)."""
        days = self.query_one("#stats-range", Select).value
        if days == 0:
            first = parse_day(self.query_one("#stats-from", Input).value, "From")
            last = parse_day(self.query_one("#stats-to", Input).value, "To")
            if last < first:
                raise ValueError("To is before From")
            if (last - first).days > 3660:
                raise ValueError("Choose at most ten years")
            return first, last
        last = today or local_day(datetime.now(UTC), self.tz)
        return last - timedelta(days=int(cast("int", days)) - 1), last

    def show_range(self, first: date, last: date, *, utc: bool | None = None) -> None:
        """Switch to a custom range (what typing From/To and pressing Show does)."""
        if utc is not None:
            box = self.query_one("#stats-utc", Checkbox)
            with box.prevent(Checkbox.Changed):
                box.value = utc
        select = self.query_one("#stats-range", Select)
        with select.prevent(Select.Changed):
            select.value = 0
        self.query_one("#stats-from", Input).value = first.isoformat()
        self.query_one("#stats-to", Input).value = last.isoformat()
        self._custom_inputs(True)
        self.reload()

    @on(Select.Changed, "#stats-range")
    def _range_changed(self, event: Select.Changed) -> None:
        custom = event.value == 0
        self._custom_inputs(custom)
        if not custom:
            self.reload()

    @on(Checkbox.Changed, "#stats-utc")
    def _utc_changed(self) -> None:
        self.reload()

    @on(Button.Pressed, "#stats-show")
    @on(Input.Submitted, "#stats-from, #stats-to")
    def _custom_chosen(self) -> None:
        self.reload()

    def action_refresh(self) -> None:
        self.reload()

    def action_toggle_utc(self) -> None:
        box = self.query_one("#stats-utc", Checkbox)
        box.value = not box.value

    # ------------------------------------------------------------------ computing

    def reload(self) -> None:
        """Recompute for the chosen range (after a sync, a range change or F5)."""
        error = self.query_one("#stats-error", Static)
        try:
            first, last = self.chosen_range()
        except ValueError as err:
            error.update(Text(f"✖ {err}", end=""))
            error.remove_class("-empty")
            return
        error.update("")
        error.add_class("-empty")
        self._compute(first, last, self.tz)

    def _currency(self) -> str | None:
        account = self.app.account
        known = account.currency.code if account and account.currency else None
        return self.app.ws.history.currency(known)

    @work(exclusive=True, group="stats", exit_on_error=False)
    async def _compute(self, first: date, last: date, tz: tzinfo | None) -> None:
        body = self.query_one("#stats-body")
        body.loading = True
        try:
            report = await self.app.guarded(
                "Computing stats",
                asyncio.to_thread(self.app.ws.history.daily_stats, first, last, tz),
            )
            currency = await self.app.guarded(
                "Reading the currency", asyncio.to_thread(self._currency)
            )
        finally:
            body.loading = False
        if report is not None:
            self.show(report, currency)

    def show(self, report: StatsReport, currency: str | None) -> None:
        self.report, self.currency = report, currency
        self.query_one("#stats-totals", Static).update(totals_text(report, currency))
        totals = report.totals
        for name in SERIES:
            values = _series(report.days, name)
            peak = max(values, default=0.0)
            if name == "spend":
                words = f"Spend per day   total {money(totals.spend, currency)}"
            else:
                words = (
                    f"{name.capitalize()} per day   total {getattr(totals, name)}, peak {int(peak)}"
                )
            self.query_one(f"#label-{name}", Label).update(words)
            self.query_one(f"#chart-{name}", Sparkline).data = values
        self.query_one("#stats-table", Static).update(table_text(report, currency))
