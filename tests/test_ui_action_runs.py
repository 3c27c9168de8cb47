"""The Actions tab runs actions the way Membrane resolves them: by the listed id (catalog actions
are not found by key), shows every run's actionRunId, failed ones too, and answers without output."""

from __future__ import annotations

from support.sandbox_app import sandbox_app
from textual.pilot import Pilot
from textual.widgets import Input, Static

from smstui.core.sandbox import SandboxWorld
from smstui.ui.tabs.actions import ActionsTab
from smstui.ui.widgets.json_tree import JsonTree
from smstui.ui.widgets.schema_form import SchemaForm
from smstui.ui.widgets.tab_bar import TabBar


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def choose(pilot: Pilot[None], intent: str, key: str) -> ActionsTab:
    await settle(pilot)
    await pilot.click("#tabs", offset=pilot.app.query_one("#tabs", TabBar).offset_of("actions"))
    await settle(pilot)
    await pilot.click("#action-search")
    await pilot.press(*intent, "enter")
    await settle(pilot)
    tab = pilot.app.query_one(ActionsTab)
    assert tab.current is not None and tab.current.key == key
    return tab


async def fill_template_id(pilot: Pilot[None], value: str) -> None:
    widget = pilot.app.query_one(SchemaForm).widget_for("template_id")
    assert isinstance(widget, Input)
    widget.focus()
    await pilot.pause()
    await pilot.press(*value)


def status(pilot: Pilot[None]) -> str:
    return str(pilot.app.query_one("#run-status", Static).render())


def act_calls(world: SandboxWorld) -> int:
    with world.lock:
        return world.request_log.count(("POST", "/act"))


async def test_a_catalog_action_runs_by_its_id_and_shows_the_run_id() -> None:
    world = SandboxWorld(seed=1)
    world.catalog_actions = True
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 50)) as pilot:
        await choose(pilot, "list sms templates", "list-sms-templates")
        await pilot.press("f5")
        await settle(pilot)
        assert act_calls(world) == 1
        assert status(pilot) == f"Done · run {world.action_runs[-1]}"
        tree = app.query_one("#action-output", JsonTree)
        assert isinstance(tree.value, dict)
        assert f"run {world.action_runs[-1]}" in str(tree.root.label)


async def test_a_failed_run_shows_its_run_id() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 50)) as pilot:
        await choose(pilot, "delete sms template", "delete-sms-template")
        await fill_template_id(pilot, "999999")
        await pilot.press("f5")
        await settle(pilot)
        assert act_calls(world) == 1
        run_id = world.action_runs[-1]
        assert status(pilot) == f"Failed · run {run_id} (see the notification)."
        assert any(f"Action run: {run_id}" in str(n.message) for n in app._notifications)


async def test_an_answer_without_output_is_shown_as_done() -> None:
    world = SandboxWorld(seed=1)
    world.bare_action_answers = True
    template_id = next(iter(world.clicksend.templates))
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 50)) as pilot:
        await choose(pilot, "delete sms template", "delete-sms-template")
        await fill_template_id(pilot, str(template_id))
        await pilot.press("f5")
        await settle(pilot)
        assert template_id not in world.clicksend.templates
        assert status(pilot) == f"Done · run {world.action_runs[-1]}"
        tree = app.query_one("#action-output", JsonTree)
        assert tree.value is None
        assert (
            str(tree.root.label) == f"delete-sms-template: no output · run {world.action_runs[-1]}"
        )
