"""The Doctor screen: reached from the command palette and the connection screen."""

from __future__ import annotations

from support.sandbox_app import sandbox_app
from test_ui_flows import settle, wait_until
from textual.widgets import Static

from smstui.core.doctor import CHECKS
from smstui.core.sandbox import SandboxWorld
from smstui.ui.screens.connect import ConnectScreen
from smstui.ui.screens.doctor import DoctorScreen


def doctor_text(screen: DoctorScreen) -> str:
    return str(screen.query_one("#doctor-results", Static).render())


async def test_palette_doctor_shows_every_check_passing_on_the_sandbox() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(130, 45)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"doctor")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, DoctorScreen) and app.screen.results is not None,
        )
        screen = app.screen
        assert isinstance(screen, DoctorScreen) and screen.results is not None
        assert [r.check for r in screen.results] == list(CHECKS)
        text = doctor_text(screen)
        assert "All 13 checks passed" in text and "✖" not in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DoctorScreen)


async def test_doctor_on_a_fresh_account_lists_what_fails_with_the_fix() -> None:
    app, _ = sandbox_app(SandboxWorld(seed=1, fresh_account=True))
    async with app.run_test(size=(130, 45)) as pilot:
        await settle(pilot)
        app.action_doctor()
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, DoctorScreen) and app.screen.results is not None,
        )
        screen = app.screen
        assert isinstance(screen, DoctorScreen) and screen.results is not None
        assert [r.check for r in screen.results if not r.ok] == [
            "poll_rule_inbound",
            "poll_rule_receipt",
            "voice",
        ]
        text = doctor_text(screen)
        assert "✖ voice" in text and "fix: " in text and "3 of 13 check(s) failed" in text


async def test_connection_screen_has_a_doctor_button() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(130, 45)) as pilot:
        await settle(pilot)
        app.action_connection()
        await pilot.pause()
        assert isinstance(app.screen, ConnectScreen)
        await pilot.click("#doctor")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, DoctorScreen) and app.screen.results is not None,
        )
        assert isinstance(app.screen, DoctorScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConnectScreen)  # back where the user was
