"""Connection discovery tolerates the vendor texts' variations (issue 11 §3): ``elementType``
spelt ``Connector``, and ``POST /connections/ensure`` refused for reasons other than 404."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smstui.core.errors import MembraneAuthError
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.membrane.connection import ConnectionResolver, NullConnectUI
from smstui.core.membrane.connection_cache import ConnectionCache
from smstui.core.sandbox import CONNECTOR_ID, DEFAULT_CONNECTION_ID, SandboxWorld, serve

API = "http://sandbox.test"


@pytest.fixture(params=["in-process", "loopback"])
def world_client(request: pytest.FixtureRequest) -> Iterator[tuple[SandboxWorld, MembraneClient]]:
    world = SandboxWorld(seed=1)
    if request.param == "in-process":
        yield world, MembraneClient(API, StaticToken("t"), transport=world.transport())
        return
    with serve(world) as server:
        yield world, MembraneClient(server.url, StaticToken("t"))


def resolver(client: MembraneClient, tmp_path: Path, ui: NullConnectUI) -> ConnectionResolver:
    async def no_sleep(_: float) -> None:
        return None

    cache = ConnectionCache(tmp_path / "connections.json")
    return ConnectionResolver(client, cache, client.base_url, "ident", ui, sleep=no_sleep)


async def test_search_finds_a_capitalised_connector(
    world_client: tuple[SandboxWorld, MembraneClient],
) -> None:
    world, client = world_client
    world.search_element_type = "Connector"
    async with client:
        found = await client.search_connectors()
    assert [c.id for c in found] == [CONNECTOR_ID]


@pytest.mark.parametrize("status", [400, 403, 405, 501])
async def test_ensure_refused_falls_back_to_search_and_a_connection_request(
    world_client: tuple[SandboxWorld, MembraneClient], tmp_path: Path, status: int
) -> None:
    world, client = world_client
    world.ensure_refusal = status
    world.search_element_type = "Connector"
    world.remove_connection(DEFAULT_CONNECTION_ID)
    ui = NullConnectUI()
    async with client:
        connection_id = await resolver(client, tmp_path, ui).resolve()
    assert world.connections[connection_id].state == "READY"
    assert ui.urls and "connectionRequestId=" in ui.urls[0][0]
    paths = [p for _, p in world.request_log]
    assert paths[:4] == ["/connections/ensure", "/search", "/connections", "/connection-requests"]


async def test_ensure_refused_with_403_access_denied_finds_the_existing_connection(
    world_client: tuple[SandboxWorld, MembraneClient], tmp_path: Path
) -> None:
    world, client = world_client
    world.ensure_refusal = 403
    async with client:
        assert await resolver(client, tmp_path, NullConnectUI()).resolve() == (
            DEFAULT_CONNECTION_ID
        )
    assert not any(p.startswith("/connection-requests") for _, p in world.request_log)


async def test_a_rejected_token_is_final_no_fallback(
    world_client: tuple[SandboxWorld, MembraneClient], tmp_path: Path
) -> None:
    world, client = world_client
    world.valid_tokens = {"another-token"}
    async with client:
        with pytest.raises(MembraneAuthError):
            await resolver(client, tmp_path, NullConnectUI()).resolve()
    assert [p for _, p in world.request_log] == ["/connections/ensure"]
