"""ConnectionCache and ConnectionResolver against a scripted Membrane (httpx.MockTransport)."""

from __future__ import annotations

import json
import stat
from typing import Any

import httpx
import pytest

from smstui.core.config import config_dir
from smstui.core.errors import ConnectionUnusable, MembraneError, NotFoundError
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.membrane.connection import ConnectionResolver, NullConnectUI
from smstui.core.membrane.connection_cache import CachedConnection, ConnectionCache
from smstui.core.models import Connection

API = "https://membrane.test"
IDENT = "id-hash-1"


# ------------------------------------------------------------------ cache


def test_cache_round_trip_0600_and_keyed_by_url_and_identity() -> None:
    cache = ConnectionCache()
    assert cache.path == config_dir() / "connections.json"
    assert cache.get(API, IDENT) is None
    cache.put(API, IDENT, "c1")
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert cache.get(API, IDENT) == CachedConnection("c1", None)
    assert ConnectionCache().get(API + "/", IDENT) == CachedConnection("c1", None)
    assert cache.get("https://other", IDENT) is None
    assert cache.get(API, "other-identity") is None


def test_prefix_memory_survives_and_new_connection_keeps_it() -> None:
    cache = ConnectionCache()
    cache.put(API, IDENT, "c1")
    memory = cache.prefix_memory(API, IDENT)
    assert memory.get_prefix() is None
    memory.set_prefix("/v3")
    assert ConnectionCache().prefix_memory(API, IDENT).get_prefix() == "/v3"
    assert cache.get(API, IDENT) == CachedConnection("c1", "/v3")
    cache.put(API, IDENT, "c2")
    assert cache.get(API, IDENT) == CachedConnection("c2", "/v3")


def test_prefix_without_connection_is_not_a_cached_connection() -> None:
    cache = ConnectionCache()
    cache.prefix_memory(API, IDENT).set_prefix("")
    assert cache.get(API, IDENT) is None
    assert cache.get_prefix(API, IDENT) == ""


def test_forget_drops_entry_only_for_that_identity() -> None:
    cache = ConnectionCache()
    cache.put(API, IDENT, "c1")
    cache.put(API, "someone-else", "c9")
    cache.forget(API, IDENT)
    assert cache.get(API, IDENT) is None
    assert cache.get(API, "someone-else") == CachedConnection("c9")


def test_damaged_cache_file_is_treated_as_empty() -> None:
    cache = ConnectionCache()
    cache.path.parent.mkdir(parents=True, exist_ok=True)
    cache.path.write_text("{not json")
    assert cache.get(API, IDENT) is None
    cache.put(API, IDENT, "c1")
    assert json.loads(cache.path.read_text())["entries"]


# ------------------------------------------------------------------ scripted Membrane


class FakeMembrane:
    """Just enough of Membrane's connection endpoints to drive the resolver."""

    def __init__(self) -> None:
        self.ensure_status: int | None = None  # set to 404 to say "no ensure here"
        self.ensure_answer: dict[str, Any] = {"id": "c1", "state": "READY", "connected": True}
        self.get_answers: list[dict[str, Any]] = []
        self.connectors: list[dict[str, Any]] = [{"id": "k1", "key": "clicksend-sms"}]
        self.connections: list[dict[str, Any]] = []
        self.request_answers: list[dict[str, Any]] = []
        self.seen: list[tuple[str, str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        path = request.url.path
        self.seen.append((request.method, path, body))
        if path == "/connections/ensure":
            if self.ensure_status:
                return httpx.Response(
                    self.ensure_status,
                    json={"type": "bad_request", "key": "not_found", "message": "no route"},
                )
            return httpx.Response(200, json=self.ensure_answer)
        if path.startswith("/connections/") and request.method == "GET":
            answer = self.get_answers.pop(0) if len(self.get_answers) > 1 else self.get_answers[0]
            return httpx.Response(200, json=answer)
        if path == "/search":
            items = [{"elementType": "connector", "element": c} for c in self.connectors]
            return httpx.Response(200, json={"items": items})
        if path == "/connections":
            return httpx.Response(200, json={"items": self.connections})
        if path == "/connection-requests":
            return httpx.Response(
                200, json={"requestId": "r1", "status": "pending", "url": "https://ui.test/connect"}
            )
        if path == "/connection-requests/r1":
            answer = (
                self.request_answers.pop(0)
                if len(self.request_answers) > 1
                else self.request_answers[0]
            )
            return httpx.Response(200, json={"requestId": "r1", **answer})
        return httpx.Response(
            404, json={"type": "bad_request", "key": "not_found", "message": path}
        )


class Sleeps:
    def __init__(self, clock: Clock | None = None) -> None:
        self.waited: list[float] = []
        self.clock = clock

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)
        if self.clock:
            self.clock.now += seconds


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def setup(
    fake: FakeMembrane, *, ui: Any = None, explicit: str | None = None, deadline: float = 60
) -> tuple[MembraneClient, ConnectionResolver, ConnectionCache, Sleeps]:
    client = MembraneClient(API, StaticToken("pat-test-token"), transport=httpx.MockTransport(fake))
    cache = ConnectionCache()
    clock = Clock()
    sleeps = Sleeps(clock)
    resolver = ConnectionResolver(
        client,
        cache,
        API,
        IDENT,
        ui,
        connection_id=explicit,
        sleep=sleeps,
        clock=clock,
        deadline=deadline,
    )
    return client, resolver, cache, sleeps


async def test_explicit_connection_id_makes_no_requests() -> None:
    fake = FakeMembrane()
    client, resolver, cache, _ = setup(fake, explicit="conn_x")
    assert await resolver.resolve() == "conn_x"
    assert client.request_count == 0
    assert cache.get(API, IDENT) is None


async def test_cached_id_makes_no_requests() -> None:
    fake = FakeMembrane()
    client, resolver, cache, _ = setup(fake)
    cache.put(API, IDENT, "cached_1")
    assert await resolver.resolve() == "cached_1"
    assert client.request_count == 0


async def test_ensure_ready_is_used_and_cached() -> None:
    fake = FakeMembrane()
    client, resolver, cache, _ = setup(fake)
    assert await resolver.resolve() == "c1"
    assert fake.seen == [("POST", "/connections/ensure", {"appUrl": "clicksend.com"})]
    assert cache.get(API, IDENT) == CachedConnection("c1")
    assert await resolver.resolve() == "c1"
    assert client.request_count == 1


async def test_ensure_building_long_polls_until_ready() -> None:
    fake = FakeMembrane()
    fake.ensure_answer = {"id": "c2", "state": "BUILDING"}
    fake.get_answers = [{"id": "c2", "state": "BUILDING"}, {"id": "c2", "state": "READY"}]
    ui = NullConnectUI()
    _, resolver, _, _ = setup(fake, ui=ui)
    assert await resolver.resolve() == "c2"
    gets = [s for s in fake.seen if s[0] == "GET"]
    assert len(gets) == 2
    assert all(path == "/connections/c2" for _, path, _ in gets)
    assert ui.statuses and "setting up" in ui.statuses[0]


async def test_ensure_building_forever_is_bounded() -> None:
    fake = FakeMembrane()
    fake.ensure_answer = {"id": "c2", "state": "BUILDING"}
    fake.get_answers = [{"id": "c2", "state": "BUILDING"}]
    client, resolver, cache, sleeps = setup(fake)  # deadline 60 s
    with pytest.raises(ConnectionUnusable) as info:
        await resolver.resolve()
    assert info.value.state == "BUILDING"
    # this server answers the long poll at once: each answer is paced by the poll interval,
    # so the 60 s deadline costs ensure + 30 polls, not a storm
    assert sleeps.waited == [2.0] * 30
    assert client.request_count == 31
    assert cache.get(API, IDENT) is None


async def test_client_action_required_shows_url_then_polls_until_ready() -> None:
    fake = FakeMembrane()
    waiting = {
        "id": "c3",
        "state": "CLIENT_ACTION_REQUIRED",
        "isDefunct": True,  # Membrane marks disconnected connections defunct too
        "clientAction": {
            "type": "connect",
            "description": "Connect ClickSend",
            "uiUrl": "https://ui.test/c3",
        },
    }
    fake.ensure_answer = waiting
    fake.get_answers = [waiting, waiting, {"id": "c3", "state": "READY"}]
    ui = NullConnectUI()
    _, resolver, cache, sleeps = setup(fake, ui=ui)
    assert await resolver.resolve() == "c3"
    assert ui.urls == [("https://ui.test/c3", "Connect ClickSend")]  # shown once
    assert sleeps.waited == [2.0, 2.0, 2.0]
    assert cache.get(API, IDENT) == CachedConnection("c3")


async def test_client_action_required_gives_up_at_deadline() -> None:
    fake = FakeMembrane()
    waiting = {
        "id": "c3",
        "state": "CLIENT_ACTION_REQUIRED",
        "clientAction": {"type": "connect", "uiUrl": "https://ui.test/c3"},
    }
    fake.ensure_answer = waiting
    fake.get_answers = [waiting]
    _, resolver, _, sleeps = setup(fake, deadline=10)
    with pytest.raises(ConnectionUnusable) as info:
        await resolver.resolve()
    assert info.value.ui_url == "https://ui.test/c3"
    assert sum(sleeps.waited) == 10


@pytest.mark.parametrize("state", ["CONFIGURATION_ERROR", "SETUP_FAILED"])
async def test_failed_states_raise_with_error_text(state: str) -> None:
    fake = FakeMembrane()
    fake.ensure_answer = {"id": "c4", "state": state, "errors": [{"message": "bad api key"}]}
    client, resolver, cache, _ = setup(fake)
    with pytest.raises(ConnectionUnusable) as info:
        await resolver.resolve()
    assert info.value.state == state
    assert info.value.connection_id == "c4"
    assert "bad api key" in str(info.value)
    assert client.request_count == 1
    assert cache.get(API, IDENT) is None


async def test_ensure_other_errors_propagate() -> None:
    fake = FakeMembrane()
    fake.ensure_status = 500
    _, resolver, _, _ = setup(fake)
    with pytest.raises(MembraneError):
        await resolver.resolve()


async def test_reconnect_reuses_the_same_connection() -> None:
    fake = FakeMembrane()
    fake.request_answers = [
        {"status": "pending"},
        {"status": "success", "resultConnectionId": "c4"},
    ]
    ui = NullConnectUI()
    _, resolver, cache, _ = setup(fake, ui=ui)
    assert await resolver.reconnect("c4") == "c4"
    assert ("POST", "/connection-requests", {"connectionId": "c4"}) in fake.seen
    assert ui.urls[0][0] == "https://ui.test/connect"
    assert cache.get(API, IDENT) == CachedConnection("c4")


# ------------------------------------------------------------------ fallback: search + request


@pytest.mark.parametrize("status", [404, 400])
async def test_fallback_picks_the_single_ready_connection(status: int) -> None:
    fake = FakeMembrane()
    fake.ensure_status = status
    fake.connections = [{"id": "old", "state": "SETUP_FAILED"}, {"id": "good", "state": "READY"}]
    _, resolver, cache, _ = setup(fake)
    assert await resolver.resolve() == "good"
    paths = [p for _, p, _ in fake.seen]
    assert paths == ["/connections/ensure", "/search", "/connections"]
    assert cache.get(API, IDENT) == CachedConnection("good")


async def test_fallback_several_ready_asks_the_user() -> None:
    class Picky(NullConnectUI):
        def __init__(self) -> None:
            super().__init__()
            self.offered: list[str] = []

        async def choose(self, connections: list[Connection]) -> Connection:  # type: ignore[override]
            self.offered = [c.id for c in connections]
            return connections[-1]

    fake = FakeMembrane()
    fake.ensure_status = 404
    fake.connections = [{"id": "a", "state": "READY"}, {"id": "b", "state": "READY"}]
    ui = Picky()
    _, resolver, _, _ = setup(fake, ui=ui)
    assert await resolver.resolve() == "b"
    assert ui.offered == ["a", "b"]


async def test_fallback_no_connection_creates_request_and_polls() -> None:
    fake = FakeMembrane()
    fake.ensure_status = 404
    fake.request_answers = [
        {"status": "pending"},
        {"status": "pending"},
        {"status": "success", "resultConnectionId": "new1"},
    ]
    ui = NullConnectUI()
    _, resolver, cache, sleeps = setup(fake, ui=ui)
    assert await resolver.resolve() == "new1"
    assert ("POST", "/connection-requests", {"connectorId": "k1"}) in fake.seen
    assert ui.urls == [("https://ui.test/connect", "Open this link to connect ClickSend")]
    assert sleeps.waited == [2.0, 2.0, 2.0]
    assert cache.get(API, IDENT) == CachedConnection("new1")


async def test_fallback_broken_connection_is_reconnected_not_duplicated() -> None:
    fake = FakeMembrane()
    fake.ensure_status = 404
    fake.connections = [{"id": "broken", "state": "CLIENT_ACTION_REQUIRED", "connected": False}]
    fake.request_answers = [{"status": "success", "resultConnectionId": "broken"}]
    _, resolver, _, _ = setup(fake)
    assert await resolver.resolve() == "broken"
    assert ("POST", "/connection-requests", {"connectionId": "broken"}) in fake.seen


@pytest.mark.parametrize("status", ["error", "cancelled"])
async def test_fallback_request_error_or_cancel_raises(status: str) -> None:
    fake = FakeMembrane()
    fake.ensure_status = 404
    fake.request_answers = [
        {"status": status, "resultError": {"message": "user closed the window"}}
    ]
    _, resolver, cache, _ = setup(fake)
    with pytest.raises(ConnectionUnusable) as info:
        await resolver.resolve()
    assert info.value.state == status
    assert cache.get(API, IDENT) is None


async def test_fallback_request_pending_forever_hits_deadline() -> None:
    fake = FakeMembrane()
    fake.ensure_status = 404
    fake.request_answers = [{"status": "pending"}]
    _, resolver, _, sleeps = setup(fake, deadline=9)
    with pytest.raises(ConnectionUnusable) as info:
        await resolver.resolve()
    assert info.value.ui_url == "https://ui.test/connect"
    assert 9 <= sum(sleeps.waited) <= 11


async def test_fallback_without_connector_is_not_found() -> None:
    fake = FakeMembrane()
    fake.ensure_status = 404
    fake.connectors = []
    _, resolver, _, _ = setup(fake)
    with pytest.raises(NotFoundError):
        await resolver.resolve()


async def test_on_connection_gone_drops_cache_so_next_resolve_runs_again() -> None:
    fake = FakeMembrane()
    client, resolver, cache, _ = setup(fake)
    cache.put(API, IDENT, "stale")
    assert await resolver.resolve() == "stale"
    resolver.on_connection_gone()
    assert cache.get(API, IDENT) is None
    assert await resolver.resolve() == "c1"
    assert client.request_count == 1


async def test_on_connection_gone_keeps_explicit_id() -> None:
    _, resolver, _, _ = setup(FakeMembrane(), explicit="pinned")
    resolver.on_connection_gone()
    assert await resolver.resolve() == "pinned"


async def test_defunct_without_client_action_is_unusable() -> None:
    fake = FakeMembrane()
    fake.ensure_answer = {"id": "c8", "isDefunct": True, "connected": False}
    _, resolver, _, _ = setup(fake)
    with pytest.raises(ConnectionUnusable) as info:
        await resolver.resolve()
    assert info.value.connection_id == "c8"
