"""Compose's debounced price estimate, shown before anything is sent (the user sees the cost
of a resend from History before confirming it)."""

from __future__ import annotations

from support.sandbox_app import sandbox_app
from textual.pilot import Pilot
from textual.widgets import Static

#: two AU mobiles that are not ClickSend test numbers: billed at the sandbox's AU rate
NUMBERS = "+61491570998, +61491570999"
#: longer than Compose's PRICE_DELAY (0.8 s of quiet before the estimate is asked for)
QUIET = 1.2


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_price_estimate_appears_after_typing_stops_and_nothing_is_sent() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click("#recipients")
        await pilot.press(*NUMBERS)
        await pilot.click("#body")
        await pilot.press(*"Hello")
        await pilot.pause(QUIET)
        await settle(pilot)
        estimate = str(app.query_one("#price", Static).render())
        # one GSM-7 part to each of two numbers at AUD 0.0792 a part
        assert estimate == "Estimate: 0.1584 AUD for 2 part(s)"
        assert world.clicksend.received == []


async def test_price_estimate_is_cleared_while_the_message_is_being_edited() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click("#recipients")
        await pilot.press(*NUMBERS)
        await pilot.click("#body")
        await pilot.press(*"Hello")
        await pilot.pause(QUIET)
        await settle(pilot)
        await pilot.press("!")  # an edit makes the old figure stale at once
        await pilot.pause()
        assert str(app.query_one("#price", Static).render()) == ""
