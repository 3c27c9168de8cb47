"""Keyword rules (ClickSend's inbound automations) through ``ws.rules``, against the sandbox,
which answers AUTO_REPLY rules like ClickSend would (see clicksend_automations' doc)."""

from __future__ import annotations

import pytest

from smstui.core.config import load_settings
from smstui.core.errors import LastPollRuleError, NotFoundError, ValidationError
from smstui.core.sandbox import SandboxWorld
from smstui.core.service import Workspace

CUSTOMER = "+61412345691"


@pytest.fixture
async def ws():
    world = SandboxWorld(seed=11)
    settings = load_settings(flags={"sandbox": True}, env={})
    workspace = Workspace.from_settings(settings, world=world)
    try:
        yield workspace
    finally:
        await workspace.aclose()


def _world(ws: Workspace) -> SandboxWorld:
    assert ws.world is not None
    return ws.world


def _answers_to(world: SandboxWorld, number: str) -> list[str]:
    return [m.body for m in world.clicksend.messages if m.to == number]


async def test_list_shows_the_poll_rules_of_both_kinds(ws: Workspace) -> None:
    rules = await ws.rules.list()
    assert [(r.kind, r.action, r.enabled) for r in rules] == [
        ("inbound", "POLL", True),
        ("receipt", "POLL", True),
    ]


async def test_auto_reply_rule_answers_messages_starting_with_the_keyword(ws: Workspace) -> None:
    world = _world(ws)
    rule = await ws.rules.add_auto_reply(" INFO ", "Open 9-5 weekdays")
    assert (rule.action, rule.keyword, rule.search_type, rule.reply, rule.enabled) == (
        "AUTO_REPLY",
        "INFO",
        1,
        "Open 9-5 weekdays",
        True,
    )
    assert rule.rule_id in {r.rule_id for r in await ws.rules.list()}
    balance = world.balance
    world.add_inbound(CUSTOMER, "info please")
    world.add_inbound("+61412345692", "Can I get INFO?")  # does not start with it
    await ws.messages.sync()
    assert _answers_to(world, CUSTOMER) == ["Open 9-5 weekdays"]
    assert _answers_to(world, "+61412345692") == []
    assert world.balance < balance  # an auto reply is billed like any SMS
    # recorded like a sent message: smstui's own history shows it, outbound, to the customer
    conversation = ws.history.conversation(CUSTOMER)
    assert sorted((m.direction, m.body) for m in conversation) == [
        ("in", "info please"),
        ("out", "Open 9-5 weekdays"),
    ]


async def test_a_disabled_rule_stays_quiet_and_answers_again_once_enabled(ws: Workspace) -> None:
    world = _world(ws)
    rule = await ws.rules.add_auto_reply("HOURS", "9-5")
    disabled = await ws.rules.disable(rule.rule_id)
    assert not disabled.enabled and disabled.reply == "9-5"  # the answer survives the update
    world.add_inbound(CUSTOMER, "hours?")
    await ws.messages.sync()
    assert _answers_to(world, CUSTOMER) == []
    assert (await ws.rules.enable(rule.rule_id)).enabled
    await ws.messages.sync()
    assert _answers_to(world, CUSTOMER) == []  # what came while it was off is not answered
    world.advance(5)
    world.add_inbound(CUSTOMER, "Hours")
    await ws.messages.sync()
    assert _answers_to(world, CUSTOMER) == ["9-5"]


async def test_delete_an_auto_reply_rule(ws: Workspace) -> None:
    rule = await ws.rules.add_auto_reply("MENU", "See example.test/menu")
    await ws.rules.delete(rule.rule_id)
    assert rule.rule_id not in {r.rule_id for r in await ws.rules.list()}
    with pytest.raises(NotFoundError):
        await ws.rules.delete(rule.rule_id)


async def test_the_last_poll_rule_needs_confirmation(ws: Workspace) -> None:
    [inbound_poll] = [r for r in await ws.rules.list() if r.kind == "inbound"]
    with pytest.raises(LastPollRuleError) as info:
        await ws.rules.disable(inbound_poll.rule_id)
    assert "replies" in str(info.value) and "stop" in str(info.value).lower()
    with pytest.raises(LastPollRuleError):
        await ws.rules.delete(inbound_poll.rule_id)
    assert (await ws.rules.find(inbound_poll.rule_id)).enabled  # nothing changed
    await ws.rules.disable(inbound_poll.rule_id, confirm=True)
    rules = await ws.poll_rules()
    assert rules is not None and not rules.inbound and rules.receipt
    # a disabled POLL rule is no longer "the last one": deleting it needs no confirmation
    await ws.rules.delete(inbound_poll.rule_id)


async def test_a_poll_rule_with_another_enabled_one_goes_without_asking() -> None:
    world = SandboxWorld(seed=11, poll_rules=2)
    ws = Workspace.from_settings(load_settings(flags={"sandbox": True}, env={}), world=world)
    try:
        receipt_rules = [r for r in await ws.rules.list() if r.kind == "receipt"]
        assert len(receipt_rules) == 2
        await ws.rules.delete(receipt_rules[0].rule_id, kind="receipt")
        with pytest.raises(LastPollRuleError):
            await ws.rules.delete(receipt_rules[1].rule_id, kind="receipt")
    finally:
        await ws.aclose()


@pytest.mark.parametrize(
    ("keyword", "reply", "field"), [("", "x", "keyword"), ("INFO", " \n", "reply")]
)
async def test_bad_rules_are_refused_before_clicksend_sees_them(
    ws: Workspace, keyword: str, reply: str, field: str
) -> None:
    before = len(_world(ws).request_log)
    with pytest.raises(ValidationError) as info:
        await ws.rules.add_auto_reply(keyword, reply)
    assert info.value.field == field
    assert len(_world(ws).request_log) == before
