"""An answer larger than ``MAX_RESPONSE_BYTES`` is dropped unread, never buffered whole."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest

from smstui.core.clicksend.sms import SmsService
from smstui.core.errors import MalformedResponseError, SendOutcomeUnknown
from smstui.core.membrane import http as membrane_http
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.membrane.http import MAX_RESPONSE_BYTES, HttpCore
from smstui.core.models import OutgoingSms
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxServer, SandboxWorld, serve
from smstui.core.sandbox.chaos import HUGE_BODY_BYTES, ChaosPlan


@pytest.fixture
def world() -> SandboxWorld:
    return SandboxWorld(seed=4, history_size=3)


@pytest.fixture
def huge_server(world: SandboxWorld) -> Iterator[SandboxServer]:
    chaos = ChaosPlan(rate=1.0, seed=1, kinds=("huge_body",))
    chaos.huge_body()  # built before any measurement: it is the server's, not the client's
    with serve(world, chaos=chaos) as running:
        yield running


async def test_a_huge_read_answer_is_refused_without_holding_it(
    huge_server: SandboxServer,
) -> None:
    assert HUGE_BODY_BYTES > MAX_RESPONSE_BYTES  # the chaos body is one the cap must stop
    async with MembraneClient(huge_server.url, StaticToken("t"), max_retries=0) as client:
        service = SmsService(client, DEFAULT_CONNECTION_ID)
        tracemalloc.start()
        try:
            with pytest.raises(MalformedResponseError, match="larger than 4 MiB"):
                await service.history()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # buffered whole, the 10 MB body was held at least twice (chunks + joined); capped, the
    # client holds at most the cap's worth of chunks (plus the server thread's small buffers)
    assert peak < MAX_RESPONSE_BYTES + 1024 * 1024


async def test_a_huge_answer_to_a_send_is_an_unknown_outcome(
    huge_server: SandboxServer, world: SandboxWorld
) -> None:
    assert huge_server.chaos is not None
    huge_server.chaos.path_filter = lambda path: path.endswith("/sms/send")
    async with MembraneClient(huge_server.url, StaticToken("t"), max_retries=0) as client:
        service = SmsService(client, DEFAULT_CONNECTION_ID)
        with pytest.raises(SendOutcomeUnknown, match="may have been processed"):
            await service.send([OutgoingSms(to="+61412345678", body="big answer")])
    assert world.clicksend.received == []  # this fault never reaches the world


async def test_a_declared_length_over_the_cap_is_refused_before_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    streamed: list[int] = []

    async def body() -> object:
        for _ in range(4):
            streamed.append(1)
            yield b"x" * 1000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-length": "4000"}, content=body())

    monkeypatch.setattr(membrane_http, "MAX_RESPONSE_BYTES", 3000)
    core = HttpCore("http://m.test", StaticToken("t"), transport=httpx.MockTransport(handler))
    with pytest.raises(MalformedResponseError):
        await core.send("GET", "/x")
    await core.aclose()
    assert streamed == []


async def test_a_compressed_answer_is_decoded_and_described_as_plain() -> None:
    doc = {"items": [{"id": n} for n in range(50)]}
    packed = gzip.compress(json.dumps(doc).encode())

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-encoding": "gzip", "content-type": "application/json"}
        return httpx.Response(200, headers=headers, content=packed)

    core = HttpCore("http://m.test", StaticToken("t"), transport=httpx.MockTransport(handler))
    response = await core.send("GET", "/x")
    await core.aclose()
    assert response.json() == doc
    assert "content-encoding" not in response.headers
    assert response.headers["content-type"] == "application/json"
