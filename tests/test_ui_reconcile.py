"""A send whose answer was lost shows "unknown", and the next sync settles it without resending."""

from __future__ import annotations

from support.sandbox_app import sandbox_app
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from smstui.core.sandbox import Fault
from smstui.ui.widgets.virtual_list import VirtualList

AU_OK = "+61411111111"


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def send_with_lost_answer(pilot: Pilot[None]) -> None:
    await pilot.click("#recipients")
    await pilot.press(*AU_OK)
    pilot.app.query_one("#body", TextArea).focus()
    await pilot.press(*"Did it arrive?")
    await pilot.press("ctrl+s")
    await pilot.pause(0.2)
    await pilot.click("#yes")
    await settle(pilot)


async def test_unknown_send_becomes_accepted_after_sync_without_a_second_send() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        world.inject(Fault(kind="timeout_after", path=r"/sms/send$"))
        await send_with_lost_answer(pilot)
        compose = app.query_one("#compose-tab")
        assert [r.outcome for r in compose.last_results] == ["unknown"]  # type: ignore[attr-defined]
        assert "being reconciled" in str(app.query_one("#results", Static).render())

        await pilot.press("ctrl+r")  # sync now: sync, then reconcile the unknown send
        await settle(pilot)

        results = compose.last_results  # type: ignore[attr-defined]
        assert [r.outcome for r in results] == ["accepted"]
        assert results[0].message_id
        assert "accepted" in str(app.query_one("#results", Static).render())
        assert len(world.clicksend.received) == 1


async def test_reconciled_send_appears_in_history() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        world.inject(Fault(kind="timeout_after", path=r"/sms/send$"))
        await send_with_lost_answer(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        message_id = app.query_one("#compose-tab").last_results[0].message_id  # type: ignore[attr-defined]
        await pilot.press("escape")
        app.action_show_tab("history")
        await settle(pilot)
        history = app.query_one("#history-list", VirtualList)
        assert history.current is not None and history.current.message_id == message_id
        assert len(world.clicksend.received) == 1
