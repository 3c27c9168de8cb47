"""Connecting survives Membrane's long poll (issue 11 §1).

``GET /connections/{id}?wait=true&timeout=N`` holds the answer until the state changes or N
seconds pass. The sandbox's "BUILDING for a while" mode holds it for real: in-process with an
injected sleep that moves a fake clock (no real waiting), and over the loopback server with
short real durations.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from smstui.core.errors import ConnectionUnusable
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import LONG_POLL_MARGIN, MembraneClient
from smstui.core.membrane.connection import ConnectionResolver, NullConnectUI
from smstui.core.membrane.connection_cache import ConnectionCache
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld, serve

API = "http://sandbox.test"
CONN_PATH = f"/connections/{DEFAULT_CONNECTION_ID}"


class FakeTime:
    """One clock for the world, the transport's long-poll hold and the resolver's sleeps."""

    def __init__(self) -> None:
        self.now = 1_760_000_000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Recorder(httpx.AsyncBaseTransport):
    """Remembers every request (with the read timeout the client gave it) and passes it on."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, drop_wait: bool = False) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []
        self.read_timeouts: list[float | None] = []
        self.drop_wait = drop_wait

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.read_timeouts.append((request.extensions.get("timeout") or {}).get("read"))
        if self.drop_wait and "wait" in request.url.params:
            # a server that ignores ``wait`` and answers at once
            params = {k: v for k, v in request.url.params.items() if k not in ("wait", "timeout")}
            request = httpx.Request(
                request.method,
                request.url.copy_with(params=params),
                headers=request.headers,
                extensions=request.extensions,
            )
        return await self.inner.handle_async_request(request)

    def gets(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "GET" and r.url.path == CONN_PATH]


def resolver(
    client: MembraneClient, tmp_path: Path, t: FakeTime | None = None, **kw: object
) -> ConnectionResolver:
    cache = ConnectionCache(tmp_path / "connections.json")
    if t is not None:
        kw = {"sleep": t.sleep, "clock": t.clock, **kw}
    return ConnectionResolver(client, cache, API, "ident", NullConnectUI(), **kw)  # type: ignore[arg-type]


def building_world(t: FakeTime, seconds: float) -> SandboxWorld:
    world = SandboxWorld(clock=t.clock)
    world.set_building(DEFAULT_CONNECTION_ID, seconds)
    return world


async def test_a_20_second_build_is_one_long_poll_not_a_read_timeout(tmp_path: Path) -> None:
    t = FakeTime()
    world = building_world(t, 20)
    rec = Recorder(world.transport(sleep=t.sleep))
    # the ordinary read timeout (15 s) is shorter than the build: only the long poll's own
    # read timeout lets the held answer arrive
    async with MembraneClient(API, StaticToken("t"), transport=rec, timeout=15.0) as client:
        connection_id = await resolver(client, tmp_path, t).resolve()
        assert client.request_count == 2  # ensure + one long poll; no retries
    assert connection_id == DEFAULT_CONNECTION_ID
    (poll,) = rec.gets()
    assert poll.url.params["wait"] == "true"
    wait = float(poll.url.params["timeout"])
    read = rec.read_timeouts[rec.requests.index(poll)]
    assert read is not None and read > wait and read == wait + LONG_POLL_MARGIN
    assert t.sleeps == [20]  # the poll was held until the build finished


async def test_a_build_longer_than_the_wait_polls_again_once(tmp_path: Path) -> None:
    t = FakeTime()
    world = building_world(t, 45)
    rec = Recorder(world.transport(sleep=t.sleep))
    async with MembraneClient(API, StaticToken("t"), transport=rec) as client:
        await resolver(client, tmp_path, t).resolve()
    assert [r.url.params["wait"] for r in rec.gets()] == ["true", "true"]
    assert t.sleeps == [30, 15]


async def test_the_mode_reproduces_the_read_timeout_of_a_short_reader() -> None:
    t = FakeTime()
    world = building_world(t, 20)
    async with httpx.AsyncClient(
        base_url=API, transport=world.transport(sleep=t.sleep), timeout=15.0
    ) as plain:
        with pytest.raises(httpx.ReadTimeout):
            await plain.get(
                CONN_PATH,
                params={"wait": "true", "timeout": "30"},
                headers={"Authorization": "Bearer t"},
            )
    assert t.sleeps == [15.0]


async def test_waiting_for_the_user_polls_without_wait_every_poll_interval(
    tmp_path: Path,
) -> None:
    t = FakeTime()
    world = SandboxWorld(clock=t.clock)
    world.set_connection_state(DEFAULT_CONNECTION_ID, "CLIENT_ACTION_REQUIRED")
    started = t.now

    async def sleep(seconds: float) -> None:
        await t.sleep(seconds)
        if t.now - started >= 12:  # the user finishes in the browser after 12 s
            world.set_connection_state(DEFAULT_CONNECTION_ID, "READY")

    rec = Recorder(world.transport(sleep=t.sleep))
    async with MembraneClient(API, StaticToken("t"), transport=rec) as client:
        r = resolver(client, tmp_path, sleep=sleep, clock=t.clock, poll_interval=4.0)
        assert await r.resolve() == DEFAULT_CONNECTION_ID
    gets = rec.gets()
    assert all("wait" not in g.url.params for g in gets)
    assert t.sleeps == [4.0, 4.0, 4.0]
    assert len(gets) == 3


async def test_a_server_that_ignores_wait_is_paced_not_stormed(tmp_path: Path) -> None:
    t = FakeTime()
    world = building_world(t, 20)
    rec = Recorder(world.transport(sleep=t.sleep), drop_wait=True)
    async with MembraneClient(API, StaticToken("t"), transport=rec) as client:
        await resolver(client, tmp_path, t, poll_interval=2.0).resolve()
        # a handful, not dozens: one answer per poll interval of the 20 s build
        assert client.request_count <= 12
    assert set(t.sleeps) == {2.0}


async def test_loopback_server_really_holds_the_long_poll(tmp_path: Path) -> None:
    world = SandboxWorld()
    world.set_building(DEFAULT_CONNECTION_ID, 1.5)
    with serve(world) as server:
        # the plain read timeout (0.3 s) is shorter than each 1 s hold: the connect only
        # works because the long poll reads for longer than the wait it asks for
        async with MembraneClient(
            server.url, StaticToken("t"), timeout=0.3, max_retries=0
        ) as client:
            r = resolver(client, tmp_path, long_poll_wait=1, poll_interval=5.0)
            assert await r.resolve() == DEFAULT_CONNECTION_ID
            assert client.request_count == 3  # ensure + a held poll (BUILDING) + READY
        async with httpx.AsyncClient(base_url=server.url, timeout=0.3) as plain:
            world.set_building(DEFAULT_CONNECTION_ID, 5)
            with pytest.raises(httpx.ReadTimeout):
                await plain.get(
                    CONN_PATH,
                    params={"wait": "true", "timeout": "1"},
                    headers={"Authorization": "Bearer t"},
                )


def test_cli_connect_waits_out_a_build_over_the_wire(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from smstui.cli import main

    world = SandboxWorld()
    world.set_building(DEFAULT_CONNECTION_ID, 1.0)
    with serve(world) as server:
        monkeypatch.setenv("MEMBRANE_API_URL", server.url)
        monkeypatch.setenv("MEMBRANE_TOKEN", "loopback-token")
        code = main(["connect", "--poll", "5"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"connected: {DEFAULT_CONNECTION_ID} (READY)" in out
    assert "setting up" in err
    polls = [p for m, p in world.request_log if m == "GET" and p == CONN_PATH]
    assert len(world.request_log) <= 4 and 1 <= len(polls) <= 2


async def test_a_long_poll_never_outlasts_the_deadline(tmp_path: Path) -> None:
    t = FakeTime()
    world = building_world(t, 120)
    rec = Recorder(world.transport(sleep=t.sleep))
    async with MembraneClient(API, StaticToken("t"), transport=rec) as client:
        with pytest.raises(ConnectionUnusable) as info:
            await resolver(client, tmp_path, t, deadline=40).resolve()
    assert info.value.state == "BUILDING"
    assert [r.url.params["timeout"] for r in rec.gets()] == ["30", "10"]
    assert sum(t.sleeps) == 40
