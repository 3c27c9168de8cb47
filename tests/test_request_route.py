"""Raw requests never depend on the unconfirmed structured route: a Membrane without
``POST /connections/{id}/request`` gets the same request through the transparent proxy, and
which route works is remembered per connection."""

from __future__ import annotations

import json
import stat
from collections.abc import AsyncIterator

import httpx
import pytest
from support.membrane_client import recorded as scripted
from support.membrane_client import request_log, sandbox_client

from smstui.core.errors import MembraneNotFound, UsageError
from smstui.core.explorer.request_console import RequestSpec, format_response, send
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.membrane.connection_cache import MAX_REQUEST_ROUTES, ConnectionCache
from smstui.core.membrane.request_route import STRUCTURED, TRANSPARENT, send_request
from smstui.core.sandbox import DEFAULT_CONNECTION_ID as CID
from smstui.core.sandbox import SandboxWorld

NOW = 1_760_000_000.0
STRUCTURED_PATH = f"/connections/{CID}/request"
API = "https://api.example"


class Memory:
    def __init__(self, route: str | None = None, connection_id: str = CID) -> None:
        self.routes: dict[str, str] = {connection_id: route} if route else {}
        self.writes = 0

    def route_for(self, connection_id: str) -> str | None:
        return self.routes.get(connection_id)

    def remember_route(self, connection_id: str, route: str) -> None:
        self.routes[connection_id] = route
        self.writes += 1


@pytest.fixture
def world() -> SandboxWorld:
    w = SandboxWorld(seed=3, clock=lambda: NOW)
    w.structured_request_route = False
    return w


@pytest.fixture
async def client(world: SandboxWorld) -> AsyncIterator[MembraneClient]:
    async with sandbox_client(world, API) as c:
        yield c


def paths(world: SandboxWorld) -> list[str]:
    return [p for _, p in request_log(world)]


def recorded(*answers: httpx.Response) -> tuple[MembraneClient, list[httpx.Request]]:
    return scripted(*answers, base_url=API)


# --------------------------------------------------------------------------- the fallback


async def test_a_missing_structured_route_falls_back_to_the_transparent_proxy(
    client: MembraneClient, world: SandboxWorld
) -> None:
    memory = Memory()
    response = await send(client, CID, RequestSpec("GET", "/v3/account"), memory)
    assert response.status == 200 and response.route == TRANSPARENT
    assert response.body["data"]["username"]
    assert paths(world) == [STRUCTURED_PATH, f"/connections/{CID}/proxy/v3/account"]
    assert memory.routes == {CID: TRANSPARENT}


async def test_the_fallback_answer_is_shown_the_same_way_with_credentials_masked(
    client: MembraneClient, world: SandboxWorld
) -> None:
    view = format_response(await send(client, CID, RequestSpec("GET", "/v3/account"), Memory()))
    assert view.status_line == "HTTP 200" and view.is_json and view.via_proxy
    assert '"api_key": "••••"' in view.body
    assert world.clicksend.api_key not in view.body


async def test_a_remembered_transparent_route_skips_the_structured_one(
    client: MembraneClient, world: SandboxWorld
) -> None:
    memory = Memory(TRANSPARENT)
    response = await send(client, CID, RequestSpec("GET", "/v3/sms/templates"), memory)
    assert response.status == 200
    assert STRUCTURED_PATH not in paths(world)
    assert memory.writes == 0


async def test_a_post_through_the_fallback_sends_once_with_its_path_parameter(
    client: MembraneClient, world: SandboxWorld
) -> None:
    template_id = next(iter(world.clicksend.templates))
    body = '{"template_name": "Renamed", "body": "B"}'
    spec = RequestSpec(
        "PUT", "/v3/sms/templates/{id}", body_text=body, path_params={"id": str(template_id)}
    )
    response = await send(client, CID, spec, Memory())
    assert response.status == 200
    assert world.clicksend.templates[template_id].name == "Renamed"
    assert paths(world).count(f"/connections/{CID}/proxy/v3/sms/templates/{template_id}") == 1


async def test_a_missing_path_parameter_is_refused_before_the_fallback_request(
    client: MembraneClient, world: SandboxWorld
) -> None:
    with pytest.raises(UsageError, match="path parameter 'id'"):
        await send(client, CID, RequestSpec("DELETE", "/v3/sms/templates/{id}"), Memory())
    assert paths(world) == [STRUCTURED_PATH]


async def test_a_gone_connection_raises_and_nothing_is_learnt(
    client: MembraneClient, world: SandboxWorld
) -> None:
    memory = Memory()
    with pytest.raises(MembraneNotFound, match="not found"):
        await send(client, "conn_gone", RequestSpec("GET", "/v3/account"), memory)
    assert memory.routes == {}


async def test_a_clicksend_404_through_the_structured_route_is_an_answer() -> None:
    world = SandboxWorld(seed=3, clock=lambda: NOW)
    memory = Memory()
    async with MembraneClient(API, StaticToken("t"), transport=world.transport()) as client:
        response = await send(client, CID, RequestSpec("GET", "/v3/no/such/thing"), memory)
    assert response.status == 404 and response.route == STRUCTURED
    assert paths(world) == [STRUCTURED_PATH]
    assert memory.routes == {CID: STRUCTURED}


# --------------------------------------------------------------------------- telling 404s apart


ENVELOPE = {"http_code": 404, "response_code": "NOT_FOUND", "response_msg": "No such template."}


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json=ENVELOPE),  # ClickSend's status mirrored, its body as-is
        httpx.Response(404, json={"status": 404, "headers": {}, "data": ENVELOPE}),
    ],
)
async def test_a_clicksend_404_passed_through_is_shown_not_retried(answer: httpx.Response) -> None:
    client, seen = recorded(answer)
    async with client:
        response = await send_request(client, "c1", "/v3/sms/templates/9", memory=Memory())
    assert response.status == 404
    assert response.body == ENVELOPE
    assert len(seen) == 1


@pytest.mark.parametrize(
    "missing",
    [
        httpx.Response(404, text="Cannot POST /connections/c1/request"),
        httpx.Response(404, json={"type": "bad_request", "key": "not_found", "message": "nope"}),
    ],
)
async def test_a_route_level_404_from_membrane_falls_back(missing: httpx.Response) -> None:
    client, seen = recorded(missing, httpx.Response(200, json={"data": {"ok": 1}}))
    async with client:
        response = await send_request(client, "c1", "/v3/account", memory=Memory())
    assert response.status == 200 and response.body == {"data": {"ok": 1}}
    assert [r.url.path for r in seen] == [
        "/connections/c1/request",
        "/connections/c1/proxy/v3/account",
    ]


async def test_the_transparent_proxy_carries_headers_query_and_a_raw_body() -> None:
    client, seen = recorded(httpx.Response(201, text="fine"))
    async with client:
        response = await send_request(
            client,
            "c1",
            "/v3/things",
            method="POST",
            query={"a": "1"},
            headers={"X-Trace": "abc", "Authorization": "Basic stolen"},
            data="raw text",
            memory=Memory(TRANSPARENT, "c1"),
        )
    sent = seen[0]
    assert response.status == 201 and response.body == "fine"
    assert sent.url.path == "/connections/c1/proxy/v3/things" and sent.url.params["a"] == "1"
    assert sent.headers["x-trace"] == "abc"
    assert sent.headers["authorization"] == "Bearer t"  # a typed header never replaces it
    assert sent.content == b"raw text" and sent.headers["content-type"].startswith("text/plain")


# --------------------------------------------------------------------------- the memory


def test_the_route_is_remembered_per_connection_in_the_private_cache_file() -> None:
    ConnectionCache().route_memory(API, "ident").remember_route("c1", TRANSPARENT)
    cache = ConnectionCache()
    assert cache.route_memory(API, "ident").route_for("c1") == TRANSPARENT
    assert cache.route_memory(API, "ident").route_for("c2") is None
    assert cache.route_memory(API, "other").route_for("c1") is None
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600


def test_caching_a_connection_keeps_the_learnt_routes() -> None:
    cache = ConnectionCache()
    cache.route_memory(API, "ident").remember_route("c1", TRANSPARENT)
    cache.put(API, "ident", "c2", "/v3")
    assert cache.route_memory(API, "ident").route_for("c1") == TRANSPARENT
    assert cache.get(API, "ident") is not None


def test_the_route_memory_is_bounded() -> None:
    memory = ConnectionCache().route_memory(API, "ident")
    for n in range(MAX_REQUEST_ROUTES + 5):
        memory.remember_route(f"c{n}", TRANSPARENT)
    doc = json.loads(ConnectionCache().path.read_text())
    (entry,) = doc["entries"].values()
    assert len(entry["request_routes"]) == MAX_REQUEST_ROUTES
    assert memory.route_for("c0") is None and memory.route_for(f"c{MAX_REQUEST_ROUTES + 4}")


async def test_the_sandbox_without_the_route_answers_like_an_unknown_route(
    world: SandboxWorld,
) -> None:
    async with httpx.AsyncClient(transport=world.transport(), base_url=API) as http:
        headers = {"Authorization": "Bearer t"}
        r = await http.post(STRUCTURED_PATH, json={"path": "/v3/account"}, headers=headers)
        unknown = await http.post("/no/such/route", json={}, headers=headers)
    assert r.status_code == unknown.status_code == 404
    assert r.json()["key"] == unknown.json()["key"] == "not_found"
    assert world.clicksend.requests == 0  # nothing reached ClickSend
