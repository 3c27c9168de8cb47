"""The sandbox as a loopback HTTP server: real sockets, concurrency, faults on the wire."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from smstui.core.sandbox import DEFAULT_CONNECTION_ID, Fault, SandboxServer, SandboxWorld, serve

NOW = 1_760_000_000.0
PROXY = f"/connections/{DEFAULT_CONNECTION_ID}/proxy"
AUTH = {"Authorization": "Bearer t"}
SEND = {"messages": [{"to": "+61412345678", "body": "over the wire"}]}


@pytest.fixture
def world() -> SandboxWorld:
    return SandboxWorld(seed=5, clock=lambda: NOW)


@pytest.fixture
def server(world: SandboxWorld) -> Iterator[SandboxServer]:
    with serve(world) as running:
        yield running


def client(server: SandboxServer, timeout: float = 10.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.url, headers=AUTH, timeout=timeout)


async def test_server_binds_loopback_on_a_free_port(server: SandboxServer) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
    async with client(server) as c:
        r = await c.get("/connections")
    assert r.status_code == 200
    assert r.json()["items"][0]["id"] == DEFAULT_CONNECTION_ID


async def test_send_over_the_wire_reaches_the_world(
    server: SandboxServer, world: SandboxWorld
) -> None:
    async with client(server) as c:
        r = await c.post(f"{PROXY}/v3/sms/send", json=SEND)
        history = await c.get(
            f"{PROXY}/v3/sms/history", params={"q": "status:Queued", "order_by": "date:desc"}
        )
    assert r.json()["data"]["messages"][0]["status"] == "SUCCESS"
    assert world.clicksend.received == SEND["messages"]
    assert history.json()["data"]["data"][0]["body"] == "over the wire"
    assert ("POST", f"{PROXY}/v3/sms/send") in world.request_log


async def test_query_strings_and_encoded_paths_survive(server: SandboxServer) -> None:
    async with client(server) as c:
        r = await c.get(f"{PROXY}/v3/sms/history", params={"q": "to:+61412345678", "limit": "100"})
    rows = r.json()["data"]["data"]
    assert rows and all(m["to"] == "+61412345678" for m in rows)


async def test_auth_is_enforced_over_the_wire(server: SandboxServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as c:
        r = await c.get("/connections")
    assert r.status_code == 401 and r.json()["key"] == "not_authenticated"


async def test_latency_overlaps_for_concurrent_requests(
    server: SandboxServer, world: SandboxWorld
) -> None:
    world.latency = 0.5
    async with client(server) as c:
        answers = await asyncio.gather(*(c.get("/connections") for _ in range(4)))
    assert all(r.status_code == 200 for r in answers)
    assert server.max_in_flight > 1


async def test_timeout_after_handles_the_send_then_hangs_up(
    server: SandboxServer, world: SandboxWorld
) -> None:
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/sms/send$", hang=2.0))
    async with client(server, timeout=0.3) as c:
        with pytest.raises(httpx.ReadTimeout):
            await c.post(f"{PROXY}/v3/sms/send", json=SEND)
    assert len(world.clicksend.received) == 1


async def test_timeout_before_does_not_handle_the_request(
    server: SandboxServer, world: SandboxWorld
) -> None:
    world.inject(Fault(kind="timeout_before", method="POST", path=r"/sms/send$", hang=2.0))
    async with client(server, timeout=0.3) as c:
        with pytest.raises(httpx.ReadTimeout):
            await c.post(f"{PROXY}/v3/sms/send", json=SEND)
    assert world.clicksend.received == []


async def test_disconnect_closes_without_an_answer(
    server: SandboxServer, world: SandboxWorld
) -> None:
    world.inject(Fault(kind="disconnect", method="POST", path=r"/sms/send$"))
    async with client(server) as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.post(f"{PROXY}/v3/sms/send", json=SEND)
        # the next request is answered normally
        r = await c.post(f"{PROXY}/v3/sms/send", json=SEND)
    assert r.status_code == 200
    assert len(world.clicksend.received) == 1


async def test_status_fault_with_retry_after_over_the_wire(
    server: SandboxServer, world: SandboxWorld
) -> None:
    world.inject(
        Fault(method="GET", path=r"/v3/account$", status=429, headers={"Retry-After": "7"})
    )
    async with client(server) as c:
        limited = await c.get(f"{PROXY}/v3/account")
        ok = await c.get(f"{PROXY}/v3/account")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
    assert limited.json()["response_code"] == "HTTP_TOO_MANY_REQUESTS"
    assert ok.status_code == 200


async def test_closed_server_refuses_connections(world: SandboxWorld) -> None:
    running = serve(world)
    url = running.url
    running.close()
    async with httpx.AsyncClient(base_url=url, headers=AUTH) as c:
        with pytest.raises(httpx.ConnectError):
            await c.get("/connections")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_refuses_to_bind_beyond_loopback(world: SandboxWorld, host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        serve(world, host=host)
