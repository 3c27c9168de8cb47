"""Fault injection through the in-process transport, and the request log."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from smstui.core.sandbox import DEFAULT_CONNECTION_ID, Fault, SandboxWorld

NOW = 1_760_000_000.0
PROXY = f"/connections/{DEFAULT_CONNECTION_ID}/proxy"
SEND = {"messages": [{"to": "+61412345678", "body": "hello", "custom_string": "k-1"}]}


@pytest.fixture
def world() -> SandboxWorld:
    return SandboxWorld(seed=2, clock=lambda: NOW)


@pytest.fixture
async def client(world: SandboxWorld) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=world.transport(), base_url="http://x", headers={"Authorization": "Bearer t"}
    ) as c:
        yield c


async def test_status_fault_applies_times_then_stops(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.inject(Fault(path=r"/v3/account$", status=503, headers={"Retry-After": "2"}, times=2))
    codes = [(await client.get(f"{PROXY}/v3/account")).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert world.request_log.count(("GET", f"{PROXY}/v3/account")) == 3


async def test_status_fault_headers_and_custom_body(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.inject(
        Fault(path="/connections$", status=502, headers={"Retry-After": "3"}, body="bad gateway")
    )
    r = await client.get("/connections")
    assert (r.status_code, r.headers["retry-after"], r.text) == (502, "3", "bad gateway")


async def test_default_fault_body_matches_who_answers(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.inject(Fault(path="/proxy/", status=429, times=1))
    world.inject(Fault(path="^/connections$", status=429, times=1))
    clicksend = (await client.get(f"{PROXY}/v3/account")).json()
    membrane = (await client.get("/connections")).json()
    assert clicksend["response_code"] == "HTTP_TOO_MANY_REQUESTS" and clicksend["http_code"] == 429
    assert (membrane["type"], membrane["key"]) == ("bad_request", "rate_limit_exceeded")


async def test_status_fault_is_answered_without_handling(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.inject(Fault(method="POST", path=r"/sms/send$", status=500))
    r = await client.post(f"{PROXY}/v3/sms/send", json=SEND)
    assert r.status_code == 500
    assert world.clicksend.received == []


async def test_timeout_after_records_the_send_then_raises(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/sms/send$"))
    with pytest.raises(httpx.ReadTimeout):
        await client.post(f"{PROXY}/v3/sms/send", json=SEND)
    assert len(world.clicksend.received) == 1
    # the message really was queued: reconciliation by custom_string finds it
    r = await client.get(f"{PROXY}/v3/sms/history", params={"q": "custom_string:k-1"})
    assert r.json()["data"]["total"] == 1


async def test_timeout_before_is_a_connect_timeout_and_not_handled(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.inject(Fault(kind="timeout_before", method="POST", path=r"/sms/send$"))
    with pytest.raises(httpx.ConnectTimeout):
        await client.post(f"{PROXY}/v3/sms/send", json=SEND)
    assert world.clicksend.received == []


async def test_disconnect_is_a_connect_error_and_not_handled(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.inject(Fault(kind="disconnect", method="POST", path=r"/sms/send$"))
    with pytest.raises(httpx.ConnectError):
        await client.post(f"{PROXY}/v3/sms/send", json=SEND)
    assert world.clicksend.received == []


async def test_fault_matches_method_and_path_only(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    fault = world.inject(Fault(method="POST", path=r"/sms/send$", status=503))
    assert (await client.get(f"{PROXY}/v3/sms/history")).status_code == 200
    assert (await client.post(f"{PROXY}/v3/sms/price", json=SEND)).status_code == 200
    assert (await client.post(f"{PROXY}/v3/sms/send", json=SEND)).status_code == 503
    assert fault.hits == 1 and len(world.faults) == 0


async def test_fault_with_times_none_persists(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.inject(Fault(path="", status=401, times=None))
    codes = {(await client.get("/connections")).status_code for _ in range(5)}
    assert codes == {401}
    world.faults.clear()
    assert (await client.get("/connections")).status_code == 200


async def test_faults_apply_in_the_order_they_were_queued(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.inject(Fault(path="/connections", status=502))
    world.inject(Fault(path="/connections", status=504))
    codes = [(await client.get("/connections")).status_code for _ in range(3)]
    assert codes == [502, 504, 200]


async def test_request_log_counts_every_request(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    await client.get("/connections")
    await client.post("/connections/ensure", json={"appUrl": "clicksend.com"})
    async with httpx.AsyncClient(transport=world.transport(), base_url="http://x") as anon:
        await anon.get("/connections")  # a 401 is still a request
    assert world.request_log == [
        ("GET", "/connections"),
        ("POST", "/connections/ensure"),
        ("GET", "/connections"),
    ]


async def test_transport_latency_still_answers(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.latency = 0.01
    assert (await client.get("/connections")).status_code == 200


async def test_a_crashing_handler_answers_500_without_details(
    client: httpx.AsyncClient, world: SandboxWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("secret-ish detail")

    monkeypatch.setattr(world, "clicksend_path", boom)
    r = await client.post(
        f"/connections/{DEFAULT_CONNECTION_ID}/request", json={"path": "/v3/account"}
    )
    assert r.status_code == 500 and r.json()["type"] == "internal"
    assert "secret-ish" not in r.text
