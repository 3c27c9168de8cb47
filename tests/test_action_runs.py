"""Running actions the way Membrane resolves them: by id from a listing, key only as a fallback,
answers without output, and the actionRunId of runs that worked and runs that failed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from support.membrane_client import recorded, request_log, sandbox_client

from smstui.core.errors import MembraneError, MembraneNotFound, UsageError
from smstui.core.membrane.action_runs import checked_key, run_by_key, run_listed
from smstui.core.membrane.client import MembraneClient
from smstui.core.sandbox import DEFAULT_CONNECTION_ID as CID
from smstui.core.sandbox import SandboxWorld
from smstui.core.sandbox.actions import find_action

NOW = 1_760_000_000.0


@pytest.fixture
def world() -> SandboxWorld:
    return SandboxWorld(seed=2, clock=lambda: NOW)


@pytest.fixture
async def client(world: SandboxWorld) -> AsyncIterator[MembraneClient]:
    async with sandbox_client(world) as c:
        yield c


# --------------------------------------------------------------------------- the sandbox


async def test_catalog_actions_are_not_found_by_key(
    client: MembraneClient, world: SandboxWorld
) -> None:
    world.catalog_actions = True
    with pytest.raises(MembraneNotFound):
        await client.act(CID, "list-sms-templates", {})
    with pytest.raises(MembraneNotFound):
        await client.run_action("list-sms-templates", CID, {})


async def test_catalog_actions_run_by_id(client: MembraneClient, world: SandboxWorld) -> None:
    world.catalog_actions = True
    spec = find_action("list-sms-templates")
    assert spec is not None
    result = await client.act(CID, None, {}, action_id=spec.id)
    assert result.action_run_id == world.action_runs[-1]
    assert isinstance(result.output, dict)


async def test_act_by_id_sends_only_the_id_selector() -> None:
    client, seen = recorded(httpx.Response(200, json={"output": 1, "actionRunId": "r1"}))
    async with client:
        await client.act("c1", "send-sms", {"a": 1}, action_id="act123")
    assert json.loads(seen[0].content) == {"connectionId": "c1", "id": "act123", "input": {"a": 1}}


# --------------------------------------------------------------------------- resolving a key


async def test_a_key_is_looked_up_in_one_listing_then_run_by_id(
    client: MembraneClient, world: SandboxWorld
) -> None:
    world.catalog_actions = True
    run = await run_by_key(client, CID, "list-sms-templates", {})
    spec = find_action("list-sms-templates")
    assert spec is not None and run.action_id == spec.id
    assert run.result.action_run_id == world.action_runs[-1]
    assert request_log(world) == [("GET", "/actions"), ("POST", "/act")]


async def test_a_key_the_listing_does_not_know_is_run_by_key() -> None:
    listing = {"items": [{"id": "a1", "key": "send-sms"}]}
    client, seen = recorded(
        httpx.Response(200, json=listing),
        httpx.Response(200, json={"output": {"ok": True}, "actionRunId": "r9"}),
    )
    async with client:
        run = await run_by_key(client, "c1", "my-saved-action", {"x": 1})
    assert run.action_id is None and run.result.action_run_id == "r9"
    assert json.loads(seen[1].content) == {
        "connectionId": "c1",
        "key": "my-saved-action",
        "input": {"x": 1},
    }


async def test_a_listed_action_without_an_id_runs_by_key() -> None:
    client, seen = recorded(
        httpx.Response(200, json={"items": [{"key": "send-sms"}]}),
        httpx.Response(200, json={"output": None, "actionRunId": "r2"}),
    )
    async with client:
        (action,) = await client.list_actions("c1")
        assert action.id == ""
        run = await run_listed(client, "c1", action, {})
    assert run.action_id is None
    assert json.loads(seen[1].content)["key"] == "send-sms"


@pytest.mark.parametrize("key", ["", "   "])
async def test_an_empty_key_is_refused_before_any_request(key: str) -> None:
    client, seen = recorded(httpx.Response(200, json={"items": []}))
    async with client:
        with pytest.raises(UsageError):
            await run_by_key(client, "c1", key, {})
        with pytest.raises(UsageError):
            await client.act("c1", key, {})
    assert seen == []
    with pytest.raises(UsageError):
        checked_key(key)


# --------------------------------------------------------------------------- answers


async def test_an_answer_without_output_is_a_success(
    client: MembraneClient, world: SandboxWorld
) -> None:
    world.bare_action_answers = True
    template_id = next(iter(world.clicksend.templates))
    run = await run_by_key(client, CID, "delete-sms-template", {"template_id": template_id})
    assert run.result.output is None
    assert run.result.action_run_id == world.action_runs[-1]
    assert template_id not in world.clicksend.templates


async def test_a_failed_run_carries_its_action_run_id(
    client: MembraneClient, world: SandboxWorld
) -> None:
    with pytest.raises(MembraneError) as info:
        await run_by_key(client, CID, "delete-sms-template", {"template_id": 999_999})
    assert info.value.type == "action_run"
    assert info.value.action_run_id == world.action_runs[-1]


async def test_a_refused_input_carries_its_action_run_id(
    client: MembraneClient, world: SandboxWorld
) -> None:
    with pytest.raises(MembraneError) as info:
        await client.act(CID, "delete-sms-template", {})
    assert info.value.action_run_id == world.action_runs[-1]
