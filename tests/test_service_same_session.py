"""The app's workspace is the core session: same store rows, connection and cache as the CLI."""

from __future__ import annotations

import pytest
from support.sandbox_app import fake_history, sandbox_workspace

from smstui.core.config import Settings, load_settings
from smstui.core.errors import MembraneNotFound
from smstui.core.models import HistoryMessage
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld
from smstui.core.service import Workspace
from smstui.core.session import SANDBOX_API_URL, SANDBOX_IDENTITY, open_session


def test_constructing_the_workspace_builds_no_session() -> None:
    ws = Workspace.from_settings(load_settings(flags={"sandbox": True}, env={}))
    assert not ws.started


async def test_ui_and_cli_see_the_same_store_rows() -> None:
    world = SandboxWorld(seed=2)
    row: HistoryMessage = next(fake_history(1))
    async with await open_session(Settings(), world=world) as cli_session:
        cli_session.store().upsert_history([row])
    ws = sandbox_workspace(world)
    try:
        assert ws._session() is ws._session()
        assert ws._store().account == cli_session.account
        assert [m.message_id for m in ws.history.rows().rows(0, 10)] == [row.message_id]
    finally:
        await ws.aclose()


async def test_configured_connection_id_is_used_on_the_sandbox() -> None:
    world = SandboxWorld(seed=2)
    chosen = world.add_connection("READY", id="conn_chosen")
    settings = load_settings(flags={"sandbox": True, "connection_id": chosen}, env={})
    ws = Workspace.from_settings(settings, world=world)
    try:
        await ws.connect()
        await ws.account()
        assert any(f"/connections/{chosen}/proxy" in path for _, path in world.request_log)
        assert not any(
            f"/connections/{DEFAULT_CONNECTION_ID}/" in path for _, path in world.request_log
        )
    finally:
        await ws.aclose()


async def test_a_gone_cached_connection_is_dropped_from_the_cache() -> None:
    world = SandboxWorld(seed=2)
    first = sandbox_workspace(world)
    await first.connect()
    await first.account()
    await first.aclose()
    world.remove_connection(DEFAULT_CONNECTION_ID)
    ws = sandbox_workspace(world)
    try:
        await ws.connect()
        with pytest.raises(MembraneNotFound):
            await ws.account()
        assert ws._session().cache.get(SANDBOX_API_URL, SANDBOX_IDENTITY) is None
    finally:
        await ws.aclose()
