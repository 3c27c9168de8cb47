"""The app on accounts that differ from the default sandbox: no POLL rules (an Inbox banner
that offers to create them) and a refused voice channel (replies still shown, a note)."""

from __future__ import annotations

from support.sandbox_app import sandbox_app, store_of, toasts_of
from textual.pilot import Pilot
from textual.widgets import Static

from smstui.core.sandbox import SandboxWorld
from smstui.ui.app import SmsApp
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.widgets.poll_banner import PollRuleBanner
from smstui.ui.widgets.virtual_list import VirtualList


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _world(**kw: object) -> SandboxWorld:
    world = SandboxWorld(seed=1, **kw)  # type: ignore[arg-type]
    world.failure_rate = 0.0
    return world


async def _open_inbox(pilot: Pilot[None]) -> PollRuleBanner:
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, SmsApp)
    app.action_show_tab("inbox")
    await settle(pilot)
    return app.query_one(PollRuleBanner)


def _banner_text(app: SmsApp) -> str:
    return str(app.query_one("#poll-banner-text", Static).render())


async def test_fresh_account_inbox_says_why_it_stays_empty() -> None:
    app, _ = sandbox_app(_world(fresh_account=True))
    async with app.run_test(size=(120, 40)) as pilot:
        banner = await _open_inbox(pilot)
        assert banner.display
        text = _banner_text(app)
        assert "replies and delivery receipts" in text and "POLL" in text


async def test_default_account_shows_no_banner() -> None:
    app, _ = sandbox_app(_world())
    async with app.run_test(size=(120, 40)) as pilot:
        banner = await _open_inbox(pilot)
        assert not banner.display


async def test_creating_the_rules_asks_first_then_replies_arrive() -> None:
    world = _world(fresh_account=True)
    reply = world.add_inbound("+61412345678", "hidden until polled")
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        banner = await _open_inbox(pilot)
        await pilot.click("#poll-create")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert world.clicksend.automations.poll_copies("inbound") == 0  # nothing yet
        await pilot.click("#yes")
        await settle(pilot)
        assert world.clicksend.automations.poll_copies("inbound") == 1
        assert world.clicksend.automations.poll_copies("receipt") == 1
        assert not banner.display
        assert store_of(app).get(reply) is not None


async def test_declining_creates_nothing() -> None:
    world = _world(fresh_account=True)
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        banner = await _open_inbox(pilot)
        await pilot.click("#poll-create")
        await pilot.pause()
        await pilot.click("#no")
        await settle(pilot)
        assert world.clicksend.automations.rules["inbound"] == {}
        assert banner.display


async def test_refused_voice_still_shows_replies_and_notes_it_once() -> None:
    world = _world(refused_channels={"voice": "403"})
    reply = world.add_inbound("+61412345678", "reply on a voice-less account")
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await _open_inbox(pilot)
        listed = app.query_one("#inbox-list", VirtualList)
        assert listed.row_count > 0 and store_of(app).get(reply) is not None
        assert "voice unavailable" in app.status_bar.connection_text
        warned = [m for _, m in toasts_of(app) if "voice not synced" in m]
        assert len(warned) == 1
        await pilot.press("ctrl+r")
        await settle(pilot)
        warned = [m for _, m in toasts_of(app) if "voice not synced" in m]
        assert len(warned) == 1  # remembered: not asked, not told again
        assert "voice unavailable" in app.status_bar.connection_text
