"""The Console tab on a Membrane without the structured request route: the answer comes through
the transparent proxy, shown the same way, and the route is remembered across app runs."""

from __future__ import annotations

from support.sandbox_app import sandbox_app
from textual.pilot import Pilot
from textual.widgets import Input, Static

from smstui.core.explorer.request_console import MASK
from smstui.core.sandbox import SandboxWorld
from smstui.ui.widgets.tab_bar import TabBar


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def request(pilot: Pilot[None], path: str) -> None:
    await settle(pilot)
    await pilot.click("#tabs", offset=pilot.app.query_one("#tabs", TabBar).offset_of("console"))
    await settle(pilot)
    box = pilot.app.query_one("#console-path", Input)
    await pilot.click(box)
    box.value = ""
    await pilot.press(*path, "f5")
    await settle(pilot)


def shown(pilot: Pilot[None], selector: str) -> str:
    return str(pilot.app.query_one(selector, Static).render())


def structured_calls(world: SandboxWorld) -> int:
    with world.lock:
        return sum(1 for _, p in world.request_log if p.endswith("/request"))


def no_structured_route() -> SandboxWorld:
    world = SandboxWorld(seed=1)
    world.structured_request_route = False
    return world


async def test_the_answer_comes_through_the_transparent_proxy_masked() -> None:
    world = no_structured_route()
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        await request(pilot, "/v3/account")
        status = shown(pilot, "#console-status")
        assert status.startswith("HTTP 200") and "via the transparent proxy" in status
        assert app.query_one("#console-status").has_class("-ok")
        body = shown(pilot, "#console-body-view")
        assert f'"api_key": "{MASK}"' in body
        assert world.clicksend.api_key not in body


async def test_the_next_app_run_goes_straight_to_the_transparent_proxy() -> None:
    world = no_structured_route()
    first, _ = sandbox_app(world)
    async with first.run_test(size=(120, 40)) as pilot:
        await request(pilot, "/v3/account")
    assert structured_calls(world) == 1
    second, _ = sandbox_app(world)
    async with second.run_test(size=(120, 40)) as pilot:
        await request(pilot, "/v3/sms/templates")
        assert shown(pilot, "#console-status").startswith("HTTP 200")
    assert structured_calls(world) == 1


async def test_a_clicksend_404_through_the_fallback_shows_as_a_failure() -> None:
    app, _ = sandbox_app(no_structured_route())
    async with app.run_test(size=(120, 40)) as pilot:
        await request(pilot, "/v3/no/such/thing")
        assert shown(pilot, "#console-status").startswith("HTTP 404")
        assert app.query_one("#console-status").has_class("-bad")
