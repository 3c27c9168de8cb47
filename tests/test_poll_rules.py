"""Replies and receipts need a POLL rule: the cached check, the CLI warning, creating rules,
and one stored copy of each message when ClickSend lists it once per POLL rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.sandbox_session import quiet_world, sandbox_session

from smstui.cli import main
from smstui.core.clicksend import poll_rules
from smstui.core.clicksend.account_facts import InMemoryFacts
from smstui.core.errors import ClickSendError
from smstui.core.sandbox import SandboxWorld
from smstui.core.store.query import MessageFilter


def _world(**kw: object) -> SandboxWorld:
    return quiet_world(seed=5, history_size=5, **kw)


def _rule_requests(world: SandboxWorld) -> list[str]:
    return [p for _, p in world.request_log if "/automations/" in p]


async def test_fresh_account_lacks_both_rules_and_the_answer_is_remembered(
    tmp_path: Path,
) -> None:
    world = _world(fresh_account=True)
    async for session in sandbox_session(world, tmp_path):
        rules = await session.poll_rules()
        assert rules is not None and rules.missing == ("inbound", "receipt")
        asked = len(_rule_requests(world))
        assert asked == 2
        assert await session.poll_rules() == rules
        assert len(_rule_requests(world)) == asked  # remembered: no new request


async def test_create_poll_rules_makes_only_the_missing_ones(tmp_path: Path) -> None:
    world = _world()
    (rule,) = world.clicksend.automations.rules["receipt"].values()
    rule["enabled"] = 0
    async for session in sandbox_session(world, tmp_path):
        created = await session.create_poll_rules()
        assert [(r.kind, r.action, r.enabled) for r in created] == [("receipt", "POLL", True)]
        assert world.clicksend.automations.poll_copies("inbound") == 1  # not duplicated
        rules = await session.poll_rules()
        assert rules is not None and rules.missing == ()


async def test_an_account_that_hides_its_rules_claims_nothing(tmp_path: Path) -> None:
    from smstui.core.sandbox import Fault

    world = _world()
    async for session in sandbox_session(world, tmp_path):
        await session.service()
        world.inject(Fault(path="/automations/sms/inbound", status=403))
        assert await session.poll_rules() is None


def test_a_missing_rule_is_asked_again_sooner_than_a_found_one() -> None:
    now = [0.0]
    facts = InMemoryFacts(clock=lambda: now[0])
    poll_rules._remember(facts, poll_rules.PollRules(inbound=False, receipt=True))
    now[0] = poll_rules.MISSING_TTL + 1
    assert facts.recall(poll_rules.FACT) is None
    poll_rules._remember(facts, poll_rules.PollRules(inbound=True, receipt=True))
    now[0] += poll_rules.MISSING_TTL + 1
    assert facts.recall(poll_rules.FACT) == {"inbound": True, "receipt": True}


def test_the_warning_names_what_is_missing_and_the_fix() -> None:
    rules = poll_rules.PollRules(inbound=False, receipt=True)
    warning = rules.cli_warning()
    assert warning is not None and "replies" in warning and "smstui doctor --fix" in warning
    assert "\n" not in warning
    assert rules.cli_warning(("receipt",)) is None


async def test_several_poll_rules_keep_one_stored_copy_of_each_reply(tmp_path: Path) -> None:
    world = _world(poll_rules=3)
    replies = [world.add_inbound("+61412345678", f"reply {i}") for i in range(4)]
    async for session in sandbox_session(world, tmp_path):
        report = await session.sync()
        assert report.inbound == len(replies)
        stored = session.store().page(limit=500, filters=MessageFilter(direction="in")).rows
        ids = [m.message_id for m in stored if m.message_id in replies]
        assert sorted(ids) == sorted(replies)


async def test_create_poll_rule_refused_by_clicksend_raises(tmp_path: Path) -> None:
    from smstui.core.sandbox import Fault

    world = _world(fresh_account=True)
    async for session in sandbox_session(world, tmp_path):
        await session.service()
        world.inject(Fault(path="/automations/sms/inbound", status=403))
        with pytest.raises(ClickSendError):
            await session.create_poll_rules()


# --------------------------------------------------------------------------- CLI


def _run(
    capsys: pytest.CaptureFixture[str], world: SandboxWorld, *argv: str
) -> tuple[int, str, str]:
    code = main(["--sandbox", *argv], world=world)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.mark.parametrize("command", ["inbox", "receipts", "history"])
def test_cli_warns_once_on_stderr_and_json_stays_clean(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, err = _run(capsys, _world(fresh_account=True), "--json", command)
    assert code == 0
    json.loads(out)  # stdout is only the JSON document
    warnings = [line for line in err.splitlines() if "POLL" in line]
    assert len(warnings) == 1 and "smstui doctor --fix" in warnings[0]


@pytest.mark.parametrize("command", ["inbox", "receipts", "history"])
def test_cli_says_nothing_when_the_rules_exist(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, _, err = _run(capsys, _world(), command)
    assert code == 0
    assert "POLL" not in err


def test_inbox_warns_about_the_inbound_rule_only(capsys: pytest.CaptureFixture[str]) -> None:
    world = _world()
    for rule in world.clicksend.automations.rules["receipt"].values():
        rule["enabled"] = 0
    _, _, err = _run(capsys, world, "inbox")
    assert "POLL" not in err
    _, _, err = _run(capsys, world, "receipts")
    assert "delivery receipts" in err and "POLL" in err
