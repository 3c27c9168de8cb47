"""The sandbox's Membrane surface: auth, search, connect, connections, actions, proxies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from smstui.core.sandbox import CONNECTOR_ID, DEFAULT_CONNECTION_ID, SandboxWorld

NOW = 1_760_000_000.0
CID = DEFAULT_CONNECTION_ID
ACTION_KEYS = {
    "send-sms",
    "get-inbound-sms",
    "get-delivery-receipts",
    "get-sms-history",
    "cancel-scheduled-sms",
    "get-sms-price",
    "list-sms-templates",
    "create-sms-template",
    "update-sms-template",
    "delete-sms-template",
}


@pytest.fixture
def world() -> SandboxWorld:
    return SandboxWorld(seed=11, clock=lambda: NOW)


@pytest.fixture
async def client(world: SandboxWorld) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=world.transport(),
        base_url="https://api.sandbox.test",
        headers={"Authorization": "Bearer tok-1"},
    ) as c:
        yield c


# --------------------------------------------------------------------------- auth


@pytest.mark.parametrize("header", [None, "Bearer ", "Basic abc", "Bearer    "])
async def test_requests_without_a_bearer_token_get_401(
    world: SandboxWorld, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    async with httpx.AsyncClient(transport=world.transport(), base_url="http://x") as c:
        r = await c.get("/connections", headers=headers)
    assert r.status_code == 401
    assert r.json() == {
        "type": "bad_request",
        "key": "not_authenticated",
        "message": "Invalid or expired token",
    }


async def test_valid_tokens_restricts_which_tokens_work(
    world: SandboxWorld, client: httpx.AsyncClient
) -> None:
    world.valid_tokens = {"tok-2"}
    assert (await client.get("/connections")).status_code == 401
    r = await client.get("/connections", headers={"Authorization": "Bearer tok-2"})
    assert r.status_code == 200


async def test_unknown_route_is_a_membrane_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/no-such-thing")
    assert r.status_code == 404 and r.json()["key"] == "not_found"


# --------------------------------------------------------------------------- search + connect


@pytest.mark.parametrize("q", ["clicksend-sms", "clicksend", "ClickSend SMS"])
async def test_search_finds_the_clicksend_connector(client: httpx.AsyncClient, q: str) -> None:
    r = await client.get("/search", params={"q": q, "elementType": "connector"})
    items = r.json()["items"]
    assert len(items) == 1
    assert items[0]["elementType"] == "connector"
    assert items[0]["element"]["id"] == CONNECTOR_ID
    assert items[0]["element"]["key"] == "clicksend-sms"
    assert items[0]["element"]["logoUri"].startswith("https://")


async def test_search_for_another_app_is_empty(client: httpx.AsyncClient) -> None:
    r = await client.get("/search", params={"q": "slack", "elementType": "connector"})
    assert r.json() == {"items": []}


async def test_connection_request_succeeds_with_a_new_ready_connection(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    r = await client.post("/connection-requests", json={"connectorId": CONNECTOR_ID})
    req = r.json()
    assert req["status"] == "pending" and req["connectorId"] == CONNECTOR_ID
    assert req["url"] == (
        f"{world.ui_base}/screens/connections?connectionRequestId={req['requestId']}"
    )
    polled = (await client.get(f"/connection-requests/{req['requestId']}")).json()
    assert polled["status"] == "success"
    new_id = polled["resultConnectionId"]
    assert new_id != CID
    conn = (await client.get(f"/connections/{new_id}")).json()
    assert (conn["state"], conn["connected"], conn["isDefunct"]) == ("READY", True, False)


async def test_connection_request_stays_pending_for_the_configured_polls(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.request_polls_to_finish = 3
    rid = (await client.post("/connection-requests", json={"connectorId": CONNECTOR_ID})).json()[
        "requestId"
    ]
    statuses = [
        (await client.get(f"/connection-requests/{rid}")).json()["status"] for _ in range(4)
    ]
    assert statuses == ["pending", "pending", "success", "success"]


async def test_connection_request_error_and_cancel_outcomes(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.request_outcome = "error"
    rid = (await client.post("/connection-requests", json={"connectorId": CONNECTOR_ID})).json()[
        "requestId"
    ]
    failed = (await client.get(f"/connection-requests/{rid}")).json()
    assert failed["status"] == "error"
    assert failed["resultError"]["type"] and failed["resultError"]["message"]
    assert "resultConnectionId" not in failed
    world.request_outcome = "cancelled"
    rid = (await client.post("/connection-requests", json={"connectorId": CONNECTOR_ID})).json()[
        "requestId"
    ]
    assert (await client.get(f"/connection-requests/{rid}")).json()["status"] == "cancelled"
    assert list(world.connections) == [CID]


async def test_reconnect_request_makes_the_same_connection_ready(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.set_connection_state(CID, "CLIENT_ACTION_REQUIRED")
    rid = (await client.post("/connection-requests", json={"connectionId": CID})).json()[
        "requestId"
    ]
    done = (await client.get(f"/connection-requests/{rid}")).json()
    assert done["resultConnectionId"] == CID
    assert world.connections[CID].state == "READY"
    assert len(world.connections) == 1


async def test_reconnect_route_gives_a_connection_request(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.set_connection_state(CID, "CLIENT_ACTION_REQUIRED")
    req = (await client.post(f"/connections/{CID}/reconnect")).json()
    assert req["status"] == "pending" and "connectionRequestId=" in req["url"]
    await client.get(f"/connection-requests/{req['requestId']}")
    assert world.connections[CID].state == "READY"


async def test_connection_request_for_unknown_connector_is_404(client: httpx.AsyncClient) -> None:
    r = await client.post("/connection-requests", json={"connectorId": "cnr_nope"})
    assert r.status_code == 404


# --------------------------------------------------------------------------- connections


async def test_default_world_has_one_ready_clicksend_connection(client: httpx.AsyncClient) -> None:
    items = (await client.get("/connections")).json()["items"]
    assert [c["id"] for c in items] == [CID]
    conn = items[0]
    assert conn["connectorId"] == CONNECTOR_ID and conn["state"] == "READY"
    assert conn["createdAt"].endswith("Z") and "clientAction" not in conn


async def test_listing_honours_limit_and_cursor(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    added = [world.add_connection() for _ in range(4)]
    seen: list[str] = []
    cursor: str | None = "0"
    pages = 0
    while cursor is not None:
        body = (await client.get("/connections", params={"limit": 2, "cursor": cursor})).json()
        assert len(body["items"]) <= 2
        seen += [c["id"] for c in body["items"]]
        cursor = body.get("cursor")
        pages += 1
    assert pages == 3
    assert seen == [CID, *added]


async def test_listing_filters_by_connector(client: httpx.AsyncClient) -> None:
    r = await client.get("/connections", params={"connectorId": "cnr_other"})
    assert r.json()["items"] == []
    r = await client.get("/connections", params={"connectorId": CONNECTOR_ID})
    assert len(r.json()["items"]) == 1


async def test_listing_rejects_a_bad_limit(client: httpx.AsyncClient) -> None:
    assert (await client.get("/connections", params={"limit": 0})).status_code == 400


@pytest.mark.parametrize(
    ("state", "present", "absent"),
    [
        ("CLIENT_ACTION_REQUIRED", "clientAction", "errors"),
        ("SETUP_FAILED", "errors", "clientAction"),
        ("CONFIGURATION_ERROR", "errors", "clientAction"),
        ("BUILDING", "state", "clientAction"),
    ],
)
async def test_connection_states_carry_their_details(
    client: httpx.AsyncClient, world: SandboxWorld, state: str, present: str, absent: str
) -> None:
    conn_id = world.add_connection(state=state, id="conn_x")
    conn = (await client.get(f"/connections/{conn_id}")).json()
    assert conn["state"] == state and present in conn and absent not in conn
    if state == "CLIENT_ACTION_REQUIRED":
        assert conn["clientAction"]["type"] == "connect"
        assert conn["clientAction"]["uiUrl"].startswith(world.ui_base)
        assert conn["isDefunct"] is True and conn["connected"] is False


async def test_wait_turns_a_building_connection_ready(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    conn_id = world.add_connection(state="BUILDING")
    assert (await client.get(f"/connections/{conn_id}")).json()["state"] == "BUILDING"
    r = await client.get(f"/connections/{conn_id}", params={"wait": "true", "timeout": 30})
    assert r.json()["state"] == "READY"


async def test_delete_archives_the_connection(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    r = await client.delete(f"/connections/{CID}")
    assert r.status_code == 200 and "archivedAt" in r.json()
    missing = await client.get(f"/connections/{CID}")
    assert missing.status_code == 404
    assert missing.json() == {
        "type": "bad_request",
        "key": "not_found",
        "message": f"Connection with id '{CID}' not found",
    }
    assert (await client.get("/connections")).json()["items"] == []


async def test_removed_connection_is_unknown(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.remove_connection(CID)
    r = await client.get(f"/connections/{CID}/proxy/v3/account")
    assert r.status_code == 404 and r.json()["key"] == "not_found"


# --------------------------------------------------------------------------- ensure


@pytest.mark.parametrize(
    "app_url", ["clicksend.com", "https://clicksend.com", "https://www.clicksend.com/"]
)
async def test_ensure_returns_the_existing_connection(
    client: httpx.AsyncClient, app_url: str
) -> None:
    r = await client.post("/connections/ensure", json={"appUrl": app_url})
    assert r.status_code == 200 and r.json()["id"] == CID


async def test_ensure_creates_in_the_configured_state(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.remove_connection(CID)
    world.ensure_initial_state = "CLIENT_ACTION_REQUIRED"
    conn = (await client.post("/connections/ensure", json={"appUrl": "clicksend.com"})).json()
    assert conn["state"] == "CLIENT_ACTION_REQUIRED" and conn["clientAction"]["uiUrl"]
    assert conn["id"] in world.connections


async def test_ensure_is_404_on_an_older_membrane(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    world.ensure_supported = False
    r = await client.post("/connections/ensure", json={"appUrl": "clicksend.com"})
    assert r.status_code == 404


async def test_ensure_for_another_app_is_404(client: httpx.AsyncClient) -> None:
    r = await client.post("/connections/ensure", json={"appUrl": "slack.com"})
    assert r.status_code == 404


# --------------------------------------------------------------------------- proxy guards


@pytest.mark.parametrize("state", ["CLIENT_ACTION_REQUIRED", "BUILDING", "SETUP_FAILED"])
async def test_proxy_on_a_connection_that_is_not_ready_is_defunct(
    client: httpx.AsyncClient, world: SandboxWorld, state: str
) -> None:
    world.set_connection_state(CID, state)
    r = await client.get(f"/connections/{CID}/proxy/v3/account")
    assert r.status_code == 400
    assert (r.json()["type"], r.json()["key"]) == ("connection", "connection_is_defunct")
    r = await client.post(f"/connections/{CID}/request", json={"path": "/v3/account"})
    assert r.status_code == 400 and r.json()["key"] == "connection_is_defunct"


async def test_proxy_to_unknown_connection_is_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/connections/conn_nope/proxy/v3/account")
    assert r.status_code == 404
    assert r.json()["message"] == "Connection with id 'conn_nope' not found"


async def test_transparent_proxy_passes_clicksend_errors_through(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get(f"/connections/{CID}/proxy/v3/sms/receipts/NOPE")
    assert r.status_code == 404
    assert r.json()["response_msg"] == "Receipt record not found."


async def test_proxy_accepts_a_full_url(client: httpx.AsyncClient) -> None:
    r = await client.get(f"/connections/{CID}/proxy/https://rest.clicksend.com/v3/account")
    assert r.status_code == 200 and r.json()["data"]["username"]


# --------------------------------------------------------------------------- structured proxy


async def test_structured_request_wraps_clicksends_answer(
    client: httpx.AsyncClient, world: SandboxWorld
) -> None:
    body = {
        "path": "/v3/sms/send",
        "method": "post",
        "headers": {"Accept": "application/json"},
        "data": {"messages": [{"to": "+61412345678", "body": "hi"}]},
    }
    r = await client.post(f"/connections/{CID}/request", json=body)
    assert r.status_code == 200
    answer = r.json()
    assert answer["status"] == 200
    assert answer["headers"]["content-type"] == "application/json"
    assert answer["data"]["data"]["messages"][0]["status"] == "SUCCESS"
    assert len(world.clicksend.received) == 1


async def test_structured_request_fills_path_parameters(client: httpx.AsyncClient) -> None:
    templates = await client.post(
        f"/connections/{CID}/request", json={"path": "/v3/sms/templates", "query": {"limit": "15"}}
    )
    tid = templates.json()["data"]["data"]["data"][0]["template_id"]
    r = await client.post(
        f"/connections/{CID}/request",
        json={"path": "/v3/sms/templates/{id}", "pathParameters": {"id": tid}},
    )
    assert r.json()["data"]["data"]["template_id"] == tid
    missing = await client.post(
        f"/connections/{CID}/request", json={"path": "/v3/sms/templates/{id}"}
    )
    assert missing.status_code == 400


async def test_structured_request_reports_clicksend_status(client: httpx.AsyncClient) -> None:
    r = await client.post(
        f"/connections/{CID}/request", json={"path": "/sms/send", "method": "POST"}
    )
    assert r.json()["status"] == 404
    assert r.json()["data"]["response_code"] == "NOT_FOUND"


@pytest.mark.parametrize("key", ["body", None])
async def test_structured_body_key_variants(
    client: httpx.AsyncClient, world: SandboxWorld, key: str | None
) -> None:
    world.structured_body_key = key
    r = await client.post(f"/connections/{CID}/request", json={"path": "/v3/account"})
    answer = r.json()
    envelope = answer if key is None else answer[key]
    assert envelope["response_code"] == "SUCCESS"
    assert ("data" in answer) is (key is None)


async def test_structured_request_in_empty_prefix_mode() -> None:
    world = SandboxWorld(seed=1, prefix="", clock=lambda: NOW)
    async with httpx.AsyncClient(
        transport=world.transport(), base_url="http://x", headers={"Authorization": "Bearer t"}
    ) as c:
        ok = await c.post(f"/connections/{CID}/request", json={"path": "/sms/history"})
        bad = await c.post(f"/connections/{CID}/request", json={"path": "/v3/sms/history"})
    assert ok.json()["status"] == 200 and bad.json()["status"] == 404


# --------------------------------------------------------------------------- actions


async def test_actions_list_the_ten_clicksend_actions_with_schemas(
    client: httpx.AsyncClient,
) -> None:
    items = (await client.get("/actions", params={"connectionId": CID})).json()["items"]
    assert {a["key"] for a in items} == ACTION_KEYS
    send = next(a for a in items if a["key"] == "send-sms")
    schema = send["inputSchema"]
    assert schema["required"] == ["messages"]
    message = schema["properties"]["messages"]["items"]
    assert message["type"] == "object" and set(message["required"]) == {"to", "body"}
    assert {"from", "schedule", "custom_string"} <= set(message["properties"])
    history = next(a for a in items if a["key"] == "get-sms-history")["inputSchema"]
    assert history["properties"]["limit"]["default"] == 15
    assert "Failed" in history["properties"]["status"]["enum"]
    by_connection = (await client.get(f"/connections/{CID}/actions")).json()["items"]
    assert [a["id"] for a in by_connection] == [a["id"] for a in items]


@pytest.mark.parametrize(
    ("intent", "best"),
    [
        ("delivery receipts", "get-delivery-receipts"),
        ("send a text message", "send-sms"),
        ("how much will it cost: sms price", "get-sms-price"),
        ("delete a template", "delete-sms-template"),
        ("replies received inbound", "get-inbound-sms"),
    ],
)
async def test_actions_are_ranked_by_intent(
    client: httpx.AsyncClient, intent: str, best: str
) -> None:
    r = await client.get("/actions", params={"connectionId": CID, "intent": intent, "limit": 3})
    items = r.json()["items"]
    assert len(items) == 3 and items[0]["key"] == best


async def test_act_runs_send_sms(client: httpx.AsyncClient, world: SandboxWorld) -> None:
    r = await client.post(
        "/act",
        json={
            "connectionId": CID,
            "key": "send-sms",
            "input": {"messages": [{"to": "+61412345678", "body": "via action"}]},
        },
    )
    assert r.status_code == 200
    assert r.json()["actionRunId"]
    assert r.json()["output"]["messages"][0]["status"] == "SUCCESS"
    assert world.clicksend.received[0]["body"] == "via action"


async def test_act_by_id_and_run_route_apply_defaults(client: httpx.AsyncClient) -> None:
    items = (await client.get("/actions", params={"connectionId": CID})).json()["items"]
    action_id = next(a["id"] for a in items if a["key"] == "list-sms-templates")
    r = await client.post("/act", json={"connectionId": CID, "id": action_id, "input": {}})
    assert r.json()["output"]["per_page"] == 15 and r.json()["output"]["total"] == 3
    r = await client.post(
        "/actions/list-sms-templates/run", params={"connectionId": CID}, json={"input": {}}
    )
    assert r.status_code == 200 and r.json()["output"]["total"] == 3


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"connectionId": CID, "key": "send-sms", "input": {}, "extra": 1}, "'extra'"),
        ({"connectionId": CID, "key": "send-sms", "id": "x", "input": {}}, "Exactly one"),
        ({"connectionId": CID, "input": {}}, "Exactly one"),
        ({"connectionId": CID, "key": "send-sms", "input": {}}, "messages is required"),
        (
            {
                "connectionId": CID,
                "key": "send-sms",
                "input": {"messages": [{"to": "+61412345678"}]},
            },
            "messages[0].body is required",
        ),
        (
            {"connectionId": CID, "key": "get-sms-history", "input": {"limit": 5}},
            "limit must be >= 15",
        ),
        (
            {"connectionId": CID, "key": "get-sms-history", "input": {"status": "Lost"}},
            "must be one of",
        ),
    ],
)
async def test_act_rejects_bad_requests_with_a_clear_400(
    client: httpx.AsyncClient, world: SandboxWorld, body: dict[str, Any], fragment: str
) -> None:
    r = await client.post("/act", json=body)
    assert r.status_code == 400
    assert fragment in r.json()["message"]
    assert world.clicksend.received == []


async def test_action_run_surfaces_clicksend_failures(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/act",
        json={"connectionId": CID, "key": "cancel-scheduled-sms", "input": {"message_id": "NOPE"}},
    )
    assert r.status_code == 400
    assert r.json()["type"] == "action_run" and r.json()["actionRunId"]
    assert "404" in r.json()["message"]


async def test_act_on_a_defunct_connection(client: httpx.AsyncClient, world: SandboxWorld) -> None:
    world.set_connection_state(CID, "CLIENT_ACTION_REQUIRED")
    r = await client.post(
        "/act", json={"connectionId": CID, "key": "list-sms-templates", "input": {}}
    )
    assert r.status_code == 400 and r.json()["key"] == "connection_is_defunct"


async def test_act_with_an_inline_api_call(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/act", json={"connectionId": CID, "api": {"method": "GET", "path": "/v3/account"}}
    )
    output = r.json()["output"]
    assert output["status"] == 200 and output["data"]["response_code"] == "SUCCESS"
