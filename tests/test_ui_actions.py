"""The Actions tab driven as a user would on the in-process sandbox."""

from __future__ import annotations

import json
from typing import Any

from support.sandbox_app import sandbox_app
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, OptionList, Select, Static, TextArea

from smstui.core.models import Action
from smstui.core.sandbox import SandboxWorld
from smstui.ui.tabs.actions import ActionsTab
from smstui.ui.widgets.json_tree import JsonTree
from smstui.ui.widgets.schema_form import SchemaForm
from smstui.ui.widgets.tab_bar import TabBar

AU_OK = "+61411111111"
AU_OK_2 = "+61422222222"


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_actions(pilot: Pilot[None]) -> ActionsTab:
    await settle(pilot)
    await pilot.click("#tabs", offset=pilot.app.query_one("#tabs", TabBar).offset_of("actions"))
    await settle(pilot)
    return pilot.app.query_one(ActionsTab)


async def search(pilot: Pilot[None], intent: str) -> None:
    await pilot.click("#action-search")
    await pilot.press(*intent, "enter")
    await settle(pilot)


async def type_in(pilot: Pilot[None], form: SchemaForm, key: str, text: str) -> None:
    widget = form.widget_for(key)
    assert isinstance(widget, Input), key
    widget.focus()
    await pilot.pause()
    await pilot.press(*text)


def tree_values(tree: JsonTree) -> list[Any]:
    out: list[Any] = []
    stack = [tree.root]
    while stack:
        node = stack.pop()
        out.append(node.data)
        stack.extend(node.children)
    return out


def tree_labels(tree: JsonTree) -> str:
    out: list[str] = []
    stack = [tree.root]
    while stack:
        node = stack.pop()
        out.append(str(node.label))
        stack.extend(node.children)
    return "\n".join(out)


async def send_sms_form(pilot: Pilot[None]) -> tuple[ActionsTab, SchemaForm]:
    tab = await open_actions(pilot)
    await search(pilot, "send sms")
    assert tab.current is not None and tab.current.key == "send-sms"
    form = pilot.app.query_one(SchemaForm)
    return tab, form


async def test_searching_by_intent_puts_the_matching_action_first() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_actions(pilot)
        assert len(tab.actions) == 10
        await search(pilot, "delivery receipts")
        assert tab.actions[0].key == "get-delivery-receipts"
        assert app.query_one("#action-list", OptionList).highlighted == 0
        heading = str(app.query_one("#action-heading", Static).render())
        assert "get-delivery-receipts" in heading


async def test_typing_in_the_search_box_searches_after_a_pause() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_actions(pilot)
        await pilot.click("#action-search")
        await pilot.press(*"cancel scheduled")
        await pilot.pause(0.6)  # past the debounce; the search then runs in a worker
        await settle(pilot)
        assert tab.actions[0].key == "cancel-scheduled-sms"


async def test_send_sms_form_with_an_added_row_sends_both_and_shows_the_message_ids() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 50)) as pilot:
        tab, form = await send_sms_form(pilot)
        before = len(world.clicksend.received)
        await type_in(pilot, form, "messages[0].to", AU_OK)
        await type_in(pilot, form, "messages[0].body", "first from the explorer")
        await pilot.click(form.query_one(".add-row"))
        await settle(pilot)
        await type_in(pilot, form, "messages[1].to", AU_OK_2)
        await type_in(pilot, form, "messages[1].body", "second from the explorer")
        await pilot.click("#run-action")
        await settle(pilot)
        sent = world.clicksend.received[before:]
        assert [(m["to"], m["body"]) for m in sent] == [
            (AU_OK, "first from the explorer"),
            (AU_OK_2, "second from the explorer"),
        ]
        ids = {r.message_id for r in world.clicksend.messages if r.body.endswith("explorer")}
        shown = tree_values(app.query_one("#action-output", JsonTree))
        assert ids and ids <= {v for v in shown if isinstance(v, str)}
        assert "Done" in str(app.query_one("#run-status", Static).render())
        assert not tab.running


async def test_a_missing_required_field_is_marked_beside_it_and_nothing_is_sent() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        _, form = await send_sms_form(pilot)
        before = len(world.clicksend.received)
        await type_in(pilot, form, "messages[0].to", AU_OK)
        await pilot.press("f5")
        await settle(pilot)
        assert "is required" in form.error_text("messages[0].body")
        assert form.error_text("messages[0].to") == ""
        assert len(world.clicksend.received) == before
        assert not app.query_one("#action-output", JsonTree).has_value


async def test_removing_the_only_row_shows_the_minimum_next_to_the_group() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        _, form = await send_sms_form(pilot)
        before = len(world.clicksend.received)
        await pilot.click(form.query_one(".remove-row"))
        await settle(pilot)
        assert form.widget_for("messages[0].to") is None
        await pilot.press("f5")
        await settle(pilot)
        assert "at least 1 item" in form.error_text("messages")
        assert len(world.clicksend.received) == before


async def test_a_number_field_holding_words_is_marked_and_nothing_runs() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_actions(pilot)
        await search(pilot, "sms history")
        form = app.query_one(SchemaForm)
        page = form.widget_for("page")
        assert isinstance(page, Input) and page.value == "1"  # the schema's default
        page.value = ""
        await type_in(pilot, form, "page", "two")
        await pilot.press("f5")
        await settle(pilot)
        assert "must be an integer" in form.error_text("page")
        assert not app.query_one("#action-output", JsonTree).has_value
        assert tab.current is not None and tab.current.key == "get-sms-history"


async def test_invalid_json_in_the_raw_editor_is_reported_under_it_and_nothing_is_sent() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send_sms_form(pilot)
        before = len(world.clicksend.received)
        await pilot.click("#raw-toggle")
        await settle(pilot)
        editor = app.query_one("#raw-input", TextArea)
        assert editor.display
        editor.load_text('{"messages": [{"to": "+61411111111", "body": "hi"}')
        await pilot.press("f5")
        await settle(pilot)
        error = str(app.query_one("#raw-error", Static).render())
        assert "not valid JSON" in error and "line 1" in error
        assert len(world.clicksend.received) == before


async def test_raw_json_that_breaks_the_schema_names_the_path_under_the_editor() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await send_sms_form(pilot)
        before = len(world.clicksend.received)
        await pilot.press("ctrl+t")
        await settle(pilot)
        app.query_one("#raw-input", TextArea).load_text('{"messages": [{"to": "+61411111111"}]}')
        await pilot.click("#run-action")
        await settle(pilot)
        assert "messages[0].body: is required" in str(app.query_one("#raw-error", Static).render())
        assert len(world.clicksend.received) == before


async def test_values_typed_in_the_form_carry_over_to_the_raw_editor_and_back() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        _, form = await send_sms_form(pilot)
        await type_in(pilot, form, "messages[0].to", AU_OK)
        await pilot.press("ctrl+t")
        await settle(pilot)
        raw = json.loads(app.query_one("#raw-input", TextArea).text)
        assert raw["messages"] == [{"to": AU_OK}]
        assert raw["shorten_urls"] is False
        await pilot.press("ctrl+t")
        await settle(pilot)
        again = app.query_one(SchemaForm).widget_for("messages[0].to")
        assert isinstance(again, Input) and again.value == AU_OK


async def test_a_schema_the_form_cannot_show_opens_the_raw_editor_with_inline_errors() -> None:
    app, _ = sandbox_app()
    schema = {
        "type": "object",
        "properties": {"target": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
        "required": ["target"],
    }
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_actions(pilot)
        await tab.show_action(Action(id="x" * 24, key="custom-thing", input_schema=schema))
        await settle(pilot)
        assert app.query_one("#raw-input", TextArea).display
        assert app.query_one("#raw-toggle", Checkbox).disabled
        assert not app.query(SchemaForm)
        app.query_one("#raw-input", TextArea).load_text('{"target": true}')
        await pilot.press("f5")
        await settle(pilot)
        assert "target: must match exactly one" in str(app.query_one("#raw-error", Static).render())


async def test_hostile_text_in_an_action_output_is_shown_literally() -> None:
    world = SandboxWorld(seed=1)
    hostile = "[bold red]PWNED[/] \x1b]52;c;ZXZpbA==\x07 \u202eevil"
    world.clicksend.add_template(hostile, hostile)
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_actions(pilot)
        await search(pilot, "list sms templates")
        await pilot.click("#run-action")
        await settle(pilot)
        labels = tree_labels(app.query_one("#action-output", JsonTree))
        assert "[bold red]PWNED[/]" in labels
        assert "\x1b" not in labels and "\x07" not in labels and "\u202e" not in labels


async def test_copy_puts_the_output_json_on_the_clipboard() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_actions(pilot)
        await search(pilot, "list sms templates")
        await pilot.click("#run-action")
        await settle(pilot)
        await pilot.click("#copy-output")
        copied = json.loads(app.clipboard)
        assert copied == app.query_one("#action-output", JsonTree).value
        assert isinstance(copied, dict) and copied


async def test_run_with_no_action_chosen_sends_nothing() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_actions(pilot)
        tab.current = None
        tab.action_run()
        await settle(pilot)
        assert not tab.running
        assert world.clicksend.received == []


async def test_every_sandbox_action_opens_as_a_form_with_a_field_for_each_input() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_actions(pilot)
        for action in list(tab.actions):
            await tab.show_action(action)
            await settle(pilot)
            form = app.query_one(SchemaForm)
            schema = action.input_schema or {}
            for name, sub in schema.get("properties", {}).items():
                key = f"{name}[0].to" if sub.get("type") == "array" else name
                assert form.widget_for(key) is not None, (action.key, key)
            assert not app.query_one("#raw-input", TextArea).display


async def test_enum_choices_and_checkboxes_reach_the_input_typed() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_actions(pilot)
        await search(pilot, "sms history")
        form = app.query_one(SchemaForm)
        order = form.widget_for("order")
        assert isinstance(order, Select) and order.value == "asc"  # the schema's default
        order.value = "desc"
        await type_in(pilot, form, "limit", "0")  # "15" + "0" typed after the default
        await pilot.pause()
        assert form.to_input() == {"page": 1, "limit": 150, "order": "desc"}
        await pilot.press("f5")
        await settle(pilot)
        assert "must be at most 100" in form.error_text("limit")
