"""The app on a team store that is not there: it opens on the read-only banner (never a
traceback), keeps the draft typed, refuses to send what the store cannot record, and clears
the banner by itself once the database answers again. A server restart mid-session (every
connection cut) is survived: the pool reconnects and nothing is sent twice."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from support.sandbox_app import toasts_of
from support.store_backends import PgServer
from support.tcp_gate import TcpGate, free_port, socket_of
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from smstui.core.config import load_settings
from smstui.core.sandbox import SandboxWorld
from smstui.core.service import DRAFT_KEY, Workspace
from smstui.ui.app import SmsApp
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.widgets.store_banner import StoreBanner

#: an upper bound for a loaded machine (the app retries every 5 s), never a measurement
WAIT = 60.0


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        await pilot.pause(0.02)


def _app(url: str, world: SandboxWorld) -> SmsApp:
    env = {"SMSTUI_DATABASE_URL": url, "SMSTUI_SANDBOX": "1"}
    app = SmsApp(Workspace.from_settings(load_settings(env=env), world=world), sync_interval=0)
    toasts_of(app)
    return app


def _banner(app: SmsApp) -> StoreBanner:
    return app.query_one(StoreBanner)


def _sends(world: SandboxWorld) -> int:
    return sum("/sms/send" in r[1] for r in world.request_log)


def _toasts(app: SmsApp) -> list[str]:
    return toasts_of(app).lines()


async def _type_draft(pilot: Pilot[None]) -> None:
    app = pilot.app
    await until(
        pilot, lambda: (c := app.tab_widget("compose")) is not None and c.is_mounted, "compose"
    )  # type: ignore[attr-defined]
    await pilot.click("#recipients")
    await pilot.press(*"0412345678")
    await pilot.click("#body")
    await pilot.press(*"Running late")


@pytest.fixture
def gate(pg_server: PgServer, pg_url: str) -> Iterator[tuple[TcpGate, str]]:
    """The test's database behind a port that can be shut and opened (shut at first)."""
    path, database = socket_of(pg_url)
    g = TcpGate(path)
    try:
        yield g, g.url(database)
    finally:
        g.close()


async def test_a_closed_port_opens_on_the_banner_keeps_the_draft_and_sends_nothing() -> None:
    world = SandboxWorld(seed=1)
    url = f"postgresql://ana:NEVER_SHOWN_pw@127.0.0.1:{free_port()}/team"
    app = _app(url, world)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: _banner(app).error is not None, "the banner")
        shown = str(_banner(app).render())
        assert "Team store" in shown and "127.0.0.1" in shown and "Read-only" in shown
        assert "NEVER_SHOWN_pw" not in shown
        await _type_draft(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any(t.startswith("Not sent") for t in _toasts(app)), "refused")
        [refusal] = [t for t in _toasts(app) if t.startswith("Not sent")]
        assert "127.0.0.1" in refusal and "Nothing was sent" in refusal
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.query_one("#recipients", Input).value == "0412345678"
        assert app.query_one("#body", TextArea).text == "Running late"
        assert _sends(world) == 0
        assert app.is_running
        assert not any("NEVER_SHOWN_pw" in t for t in _toasts(app))


async def test_the_banner_goes_when_the_database_comes_back(gate: tuple[TcpGate, str]) -> None:
    tcp, url = gate
    world = SandboxWorld(seed=1)
    world.reply_rate = 0.0
    app = _app(url, world)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: _banner(app).error is not None, "the banner")
        await _type_draft(pilot)
        tcp.open()  # the server answers again
        await until(pilot, lambda: _banner(app).error is None, "the banner gone")
        assert not _banner(app).has_class("-shown")
        await until(pilot, lambda: app.live.watching, "the store watched")
        assert app.query_one("#body", TextArea).text == "Running late"
        # and it works: the draft goes out once
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.click("#yes")
        await until(pilot, lambda: _sends(world) == 1, "sent")


async def _save_draft(url: str, world: SandboxWorld, draft: dict[str, str]) -> None:
    """A draft left in the team store by an earlier session."""
    env = {"SMSTUI_DATABASE_URL": url, "SMSTUI_SANDBOX": "1"}
    ws = Workspace.from_settings(load_settings(env=env), world=world)
    ws.drafts.save(DRAFT_KEY, draft)
    await ws.aclose()


async def test_a_host_that_does_not_answer_never_freezes_the_screen(
    gate: tuple[TcpGate, str],
) -> None:
    """Before, the store was opened on the screen's loop: a host that drops packets (instead
    of refusing them) froze the app for the connect timeout. Now the screen takes keys while
    it connects, and Compose waits for the store to show the draft saved there."""
    tcp, url = gate
    world = SandboxWorld(seed=1)
    tcp.open()
    await _save_draft(url, world, {"to": "0412345678", "body": "Saved yesterday"})
    tcp.shut()
    tcp.hold()
    app = _app(url, world)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: tcp.held >= 1, "the app connecting")
        await pilot.press("2")
        assert app.active_tab == "inbox"  # the key was taken...
        # ...while the connect still waits (on the loop, it would have timed out first)
        assert not app.store_settled.is_set()
        assert app.tab_widget("compose") is None  # built once its saved draft can be read
        tcp.release()
        await until(
            pilot,
            lambda: (c := app.tab_widget("compose")) is not None and c.is_built,
            "Compose built",
        )
        compose = app.tab_widget("compose")
        assert compose is not None
        assert compose.query_one("#body", TextArea).text == "Saved yesterday"
        assert compose.query_one("#recipients", Input).value == "0412345678"
        await until(pilot, lambda: _banner(app).error is None, "no banner")
        await until(pilot, lambda: app.live.watching, "the store watched")


async def test_a_draft_saved_before_an_outage_shows_when_the_database_is_back(
    gate: tuple[TcpGate, str],
) -> None:
    """Compose built on the banner (its draft unreadable) shows the saved draft once the
    database answers, if nothing was typed meanwhile (else the typed text stays: above)."""
    tcp, url = gate
    world = SandboxWorld(seed=1)
    tcp.open()
    await _save_draft(url, world, {"to": "0412345678", "body": "Saved yesterday"})
    tcp.shut()
    app = _app(url, world)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: _banner(app).error is not None, "the banner")
        await until(
            pilot,
            lambda: (c := app.tab_widget("compose")) is not None and c.is_built,
            "Compose built",
        )
        assert app.query_one("#body", TextArea).text == ""
        tcp.open()
        await until(pilot, lambda: _banner(app).error is None, "the banner gone")
        await until(
            pilot, lambda: app.query_one("#body", TextArea).text == "Saved yesterday", "draft"
        )
        assert app.query_one("#recipients", Input).value == "0412345678"


async def test_a_restart_mid_session_is_survived_and_nothing_is_sent_twice(
    gate: tuple[TcpGate, str],
) -> None:
    tcp, url = gate
    tcp.open()
    world = SandboxWorld(seed=1)
    world.reply_rate = 0.0
    app = _app(url, world)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: app.live.watching, "the store watched")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await _type_draft(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.click("#yes")
        await until(pilot, lambda: _sends(world) == 1, "sent")
        await until(pilot, lambda: any(t.startswith("Sent") for t in _toasts(app)), "sent toast")
        tcp.shut()  # every connection cut, as a restart does
        tcp.open()
        app.action_sync_now()  # reconciles the outbox on fresh connections
        await app.workers.wait_for_complete()
        await until(pilot, lambda: app.unread_count >= 0 and _banner(app).error is None, "ok")
        rows = app.ws._store().outbox_table().all()
        assert [r.state for r in rows] == ["accepted"]
        assert _sends(world) == 1  # never twice
        # the next send goes through the reconnected pool, once
        await pilot.click("#body")
        await pilot.press(*"On my way")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.click("#yes")
        await until(pilot, lambda: _sends(world) == 2, "sent again")
        await app.workers.wait_for_complete()
        rows = app.ws._store().outbox_table().all()
        assert sorted(r.state for r in rows) == ["accepted", "accepted"]
        assert _sends(world) == 2


async def test_an_outage_mid_session_shows_the_banner_until_the_database_is_back(
    gate: tuple[TcpGate, str],
) -> None:
    """The watch's slow poll notices the database gone (read off the loop) and the banner
    says so; when it answers again the banner goes by itself, with no key pressed."""
    tcp, url = gate
    tcp.open()
    world = SandboxWorld(seed=1)
    app = _app(url, world)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: app.live.watching, "the store watched")
        await app.workers.wait_for_complete()
        tcp.shut()
        await until(pilot, lambda: _banner(app).error is not None, "the banner")
        assert "Team store" in str(_banner(app).render())
        tcp.open()
        await until(pilot, lambda: _banner(app).error is None, "the banner gone")
        assert app.is_running
