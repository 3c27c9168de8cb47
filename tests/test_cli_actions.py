"""`smstui actions run` against the sandbox: catalog actions found by id, answers without output,
the actionRunId of every run and every failed run, and an empty key refused locally."""

from __future__ import annotations

import json

import pytest

from smstui.cli import main
from smstui.core.sandbox import SandboxWorld
from smstui.core.sandbox.actions import find_action


@pytest.fixture
def world() -> SandboxWorld:
    return SandboxWorld(seed=4)


def run(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    code = main(["--sandbox", *argv], world=world)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def log(world: SandboxWorld) -> list[tuple[str, str]]:
    with world.lock:
        return list(world.request_log)


def test_a_catalog_action_runs_by_the_id_its_listing_gives(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.catalog_actions = True
    code, out, err = run(world, capsys, "--json", "actions", "run", "list-sms-templates")
    assert code == 0, err
    doc = json.loads(out)
    spec = find_action("list-sms-templates")
    assert spec is not None and doc["action_id"] == spec.id
    assert doc["action_run_id"] == world.action_runs[-1]
    assert isinstance(doc["output"], dict)
    assert log(world).count(("GET", "/actions")) == 1
    assert log(world).count(("POST", "/act")) == 1


def test_human_output_shows_the_action_run_id(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.catalog_actions = True
    code, out, err = run(world, capsys, "actions", "run", "list-sms-templates")
    assert code == 0, err
    assert f"action run: {world.action_runs[-1]}" in err
    assert "data" in json.loads(out)  # stdout holds the output alone


def delete_args(world: SandboxWorld) -> tuple[str, ...]:
    template_id = next(iter(world.clicksend.templates))
    return ("actions", "run", "delete-sms-template", "--input", f'{{"template_id": {template_id}}}')


def test_an_answer_without_output_is_a_success(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.bare_action_answers = True
    code, out, err = run(world, capsys, "--json", *delete_args(world))
    assert code == 0, err
    doc = json.loads(out)
    assert doc["output"] is None and doc["action_run_id"] == world.action_runs[-1]


def test_human_output_says_there_was_no_output(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.bare_action_answers = True
    code, out, err = run(world, capsys, *delete_args(world))
    assert code == 0, err
    assert out.strip() == "(no output)"
    assert f"action run: {world.action_runs[-1]}" in err


def test_a_failed_run_shows_its_action_run_id(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("actions", "run", "delete-sms-template", "--input", '{"template_id": 999999}')
    code, out, err = run(world, capsys, "--json", *args)
    assert code == 1
    doc = json.loads(out)
    assert doc["action_run_id"] == world.action_runs[-1]
    code, out, err = run(world, capsys, *args)
    assert code == 1 and out == ""
    assert "Template not found" in err
    assert f"action run: {world.action_runs[-1]}" in err


def test_a_key_the_listing_does_not_know_falls_back_to_key(
    world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(world, capsys, "--json", "actions", "run", "no-such-action")
    assert code == 4
    assert "Action 'no-such-action' not found" in json.loads(out)["message"]
    assert log(world)[-2:] == [("GET", "/actions"), ("POST", "/act")]


@pytest.mark.parametrize("key", ["", "  "])
def test_an_empty_key_is_refused_without_a_request(
    key: str, world: SandboxWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(world, capsys, "actions", "run", key)
    assert code == 2 and out == ""
    assert "action key is empty" in err
    assert log(world) == []
