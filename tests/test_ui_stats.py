"""The Stats tab on the sandbox: the numbers it shows are the store's ``daily_stats``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from support.sandbox_app import sandbox_app, store_of
from textual.pilot import Pilot
from textual.widgets import Input, Select, Sparkline, Static

from smstui.core.store.stats import daily_stats, local_day
from smstui.ui.app import SmsApp
from smstui.ui.tabs.stats import StatsTab
from smstui.ui.widgets.tab_bar import TabBar


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_stats(pilot: Pilot[None]) -> StatsTab:
    await settle(pilot)  # connected and synced
    await pilot.click("#tabs", offset=pilot.app.query_one("#tabs", TabBar).offset_of("stats"))
    await settle(pilot)
    return pilot.app.query_one(StatsTab)


def shown(app: SmsApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_stats_after_a_sync_show_the_same_totals_as_daily_stats() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_stats(pilot)
        assert tab.report is not None
        first, last = tab.report.first, tab.report.last
        assert (last - first).days == 13  # the default: the last 14 days
        direct = daily_stats(store_of(app), first, last, None)
        assert tab.report == direct
        assert direct.totals.sent > 0 and direct.totals.inbound > 0  # the seed has both
        totals = shown(app, "#stats-totals")
        assert f"Sent {direct.totals.sent} " in totals
        assert f"Inbound {direct.totals.inbound} " in totals
        assert f"Spend {direct.totals.spend:.4f} AUD" in totals
        sent_chart = app.query_one("#chart-sent", Sparkline)
        assert list(sent_chart.data or []) == [float(d.sent) for d in direct.days]


async def test_a_sync_that_brings_a_reply_updates_the_inbound_total() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_stats(pilot)
        assert tab.report is not None
        before = tab.report.totals.inbound
        world.add_inbound("+61422222222", "one more reply")
        await pilot.press("ctrl+r")
        await settle(pilot)
        await settle(pilot)
        assert tab.report.totals.inbound == before + 1


async def test_choosing_seven_days_shows_seven_days_ending_today() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_stats(pilot)
        app.query_one("#stats-range", Select).value = 7
        await settle(pilot)
        assert tab.report is not None and len(tab.report.days) == 7
        assert tab.report.last == local_day(datetime.now(UTC), None)


async def test_a_custom_range_in_utc_matches_daily_stats_in_utc() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_stats(pilot)
        last = datetime.now(UTC).date()
        first = last - timedelta(days=29)
        app.query_one("#stats-range", Select).value = 0
        await pilot.pause()
        await pilot.click("#stats-utc")
        await settle(pilot)
        for selector, day in (("#stats-from", first), ("#stats-to", last)):
            box = app.query_one(selector, Input)
            await pilot.click(box)
            await pilot.press(*day.isoformat())
        await pilot.click("#stats-show")
        await settle(pilot)
        assert tab.report == daily_stats(store_of(app), first, last, UTC)
        assert "(30 days, UTC)" in shown(app, "#stats-totals")


async def test_a_custom_range_ending_before_it_starts_is_reported_inline() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_stats(pilot)
        shown_before = tab.report
        app.query_one("#stats-range", Select).value = 0
        await pilot.pause()
        app.query_one("#stats-from", Input).value = "2025-03-10"
        app.query_one("#stats-to", Input).value = "2025-03-01"
        await pilot.click("#stats-show")
        await settle(pilot)
        assert "To is before From" in shown(app, "#stats-error")
        assert tab.report is shown_before


async def test_a_date_that_is_not_a_date_is_reported_inline() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_stats(pilot)
        app.query_one("#stats-range", Select).value = 0
        await pilot.pause()
        await pilot.click("#stats-from")
        await pilot.press(*"yesterday", "enter")
        await settle(pilot)
        assert "From must be a date like" in shown(app, "#stats-error")
