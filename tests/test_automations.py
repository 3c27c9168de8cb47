"""Automation rules: SmsService against the sandbox, the POLL gate, several POLL rules."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from smstui.core.clicksend.automations_parse import parse_rule, parse_rules_page
from smstui.core.clicksend.sms import SmsService, has_enabled_poll_rule
from smstui.core.errors import ClickSendError, ValidationError
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.models import AutomationRule
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld

START = 1_760_000_000.0


async def _no_sleep(_: float) -> None:
    return None


def _world(**kw: object) -> SandboxWorld:
    w = SandboxWorld(seed=3, clock=lambda: START, history_size=5, **kw)  # type: ignore[arg-type]
    w.failure_rate = 0.0
    return w


async def _service(world: SandboxWorld) -> AsyncIterator[SmsService]:
    async with MembraneClient(
        "https://membrane.sandbox.invalid",
        StaticToken("sandbox-token-123456"),
        transport=world.transport(),
        sleep=_no_sleep,
    ) as client:
        yield SmsService(client, DEFAULT_CONNECTION_ID)


@pytest.fixture
def world() -> SandboxWorld:
    return _world()


@pytest.fixture
async def service(world: SandboxWorld) -> AsyncIterator[SmsService]:
    async for s in _service(world):
        yield s


def _rule(action: str = "POLL", enabled: bool = True) -> AutomationRule:
    return AutomationRule("1", "r", "inbound", action, "", "", enabled)


def test_only_an_enabled_poll_rule_counts() -> None:
    assert has_enabled_poll_rule([_rule("URL"), _rule("POLL")])
    assert not has_enabled_poll_rule([_rule("POLL", enabled=False), _rule("AUTO_REPLY")])
    assert not has_enabled_poll_rule([])


async def test_default_sandbox_has_one_enabled_poll_rule_of_each_kind(
    service: SmsService,
) -> None:
    for kind in ("inbound", "receipt"):
        rules = await service.automation_rules(kind)
        assert [(r.kind, r.action, r.enabled) for r in rules] == [(kind, "POLL", True)]
        assert has_enabled_poll_rule(rules)


async def test_fresh_account_has_no_rules_and_create_poll_rule_adds_one() -> None:
    async for service in _service(_world(fresh_account=True)):
        assert await service.automation_rules("inbound") == []
        created = await service.create_poll_rule("inbound")
        assert (created.action, created.enabled, created.kind) == ("POLL", True, "inbound")
        rules = await service.automation_rules("inbound")
        assert [r.rule_id for r in rules] == [created.rule_id]
        assert await service.automation_rules("receipt") == []


async def test_update_disables_a_rule_and_keeps_its_other_fields(service: SmsService) -> None:
    (rule,) = await service.automation_rules("receipt")
    updated = await service.update_automation_rule("receipt", rule.rule_id, enabled=False)
    assert updated.enabled is False
    assert (updated.name, updated.action) == (rule.name, rule.action)
    assert not has_enabled_poll_rule(await service.automation_rules("receipt"))


async def test_delete_removes_the_rule_and_a_second_delete_is_not_found(
    service: SmsService,
) -> None:
    (rule,) = await service.automation_rules("inbound")
    await service.delete_automation_rule("inbound", rule.rule_id)
    assert await service.automation_rules("inbound") == []
    with pytest.raises(ClickSendError):
        await service.delete_automation_rule("inbound", rule.rule_id)


async def test_rules_are_read_across_pages(world: SandboxWorld, service: SmsService) -> None:
    for i in range(120):
        world.clicksend.automations.add("inbound", {"rule_name": f"r{i}", "action": "URL"})
    rules = await service.automation_rules("inbound")
    assert len(rules) == 121
    assert len({r.rule_id for r in rules}) == 121


async def test_an_unknown_kind_is_refused_locally(world: SandboxWorld, service: SmsService) -> None:
    before = len(world.request_log)
    with pytest.raises(ValidationError):
        await service.automation_rules("voice")
    assert len(world.request_log) == before


async def test_without_a_poll_rule_clicksend_lists_no_replies(
    world: SandboxWorld, service: SmsService
) -> None:
    world.add_inbound("+61412345678", "yes please")
    assert (await service.inbound()).items
    (rule,) = await service.automation_rules("inbound")
    await service.update_automation_rule("inbound", rule.rule_id, enabled=False)
    assert (await service.inbound()).items == []


async def test_several_poll_rules_list_each_reply_once_per_rule() -> None:
    world = _world(poll_rules=3)
    world.add_inbound("+61412345678", "only once")
    async for service in _service(world):
        items = (await service.inbound()).items
        assert [m.body for m in items if m.body == "only once"] == ["only once"] * 3


def test_parsers_read_every_id_spelling_and_lenient_enabled() -> None:
    listing = {
        "data": [
            {"sms_inbound_rule_id": 1, "rule_name": "a", "action": "poll", "enabled": "1"},
            {"inbound_rule_id": "9", "action": "URL", "enabled": 0, "message_search_term": "HI"},
            {"rule_name": "no id"},
        ]
    }
    rules = parse_rules_page("inbound", listing).items
    assert [(r.rule_id, r.action, r.enabled, r.keyword) for r in rules] == [
        ("1", "POLL", True, ""),
        ("9", "URL", False, "HI"),
    ]
    receipt = parse_rule("receipt", {"receipt_rule_id": 5, "action": "EMAIL_FIXED", "enabled": 1})
    assert (receipt.rule_id, receipt.kind, receipt.keyword) == ("5", "receipt", "")


@pytest.mark.parametrize(
    ("how", "status"), [("403", 403), ("404", 404), ("not_enabled", 400)], ids=str
)
async def test_a_refused_channel_answers_as_clicksend_would(how: str, status: int) -> None:
    world = _world(refused_channels={"voice": how})
    async for service in _service(world):
        with pytest.raises(ClickSendError) as caught:
            await service.read("/voice/history")
        assert caught.value.http_status == status
        assert (await service.read("/mms/history")).data is not None


def test_fresh_account_refuses_voice() -> None:
    assert _world(fresh_account=True).refused_channels == {"voice": "not_enabled"}
    with pytest.raises(ValueError):
        _world(refused_channels={"fax": "403"})
