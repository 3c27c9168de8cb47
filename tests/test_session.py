"""Session wiring and connection resolution against the sandbox (in-process and loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from smstui.core.config import Settings
from smstui.core.errors import (
    ConnectionUnusable,
    MembraneNotFound,
    NetworkError,
    SendOutcomeUnknown,
)
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.membrane.connection import ConnectionResolver, NullConnectUI
from smstui.core.membrane.connection_cache import ConnectionCache
from smstui.core.models import OutgoingSms
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, Fault, SandboxWorld, serve
from smstui.core.session import (
    SANDBOX_API_URL,
    SANDBOX_IDENTITY,
    ResolverOptions,
    build_session,
    open_session,
)
from smstui.core.store.schema import StoreError

RESOLUTION_PATHS = ("/connections", "/search", "/connection-requests")


def resolution_calls(world: SandboxWorld) -> list[tuple[str, str]]:
    return [
        (m, p)
        for m, p in world.request_log
        if p.startswith(RESOLUTION_PATHS) and "/proxy/" not in p
    ]


async def no_sleep(_: float) -> None:
    return None


@pytest.fixture(params=["in-process", "loopback"])
def world_client(request: pytest.FixtureRequest) -> Iterator[tuple[SandboxWorld, MembraneClient]]:
    """A fresh sandbox and a client reaching it in-process or over a 127.0.0.1 server."""
    world = SandboxWorld(seed=1)
    if request.param == "in-process":
        yield (
            world,
            MembraneClient(
                SANDBOX_API_URL, StaticToken("sandbox-token"), transport=world.transport()
            ),
        )
        return
    with serve(world) as server:
        yield world, MembraneClient(server.url, StaticToken("sandbox-token"))


def resolver_for(
    client: MembraneClient, ui: NullConnectUI | None = None, **kw: object
) -> ConnectionResolver:
    return ConnectionResolver(
        client,
        ConnectionCache(),
        client.base_url,
        "ident",
        ui,
        sleep=no_sleep,
        **kw,  # type: ignore[arg-type]
    )


# ------------------------------------------------------------------ resolution


async def test_empty_cache_resolves_with_ensure(
    world_client: tuple[SandboxWorld, MembraneClient],
) -> None:
    world, client = world_client
    async with client:
        resolver = resolver_for(client)
        assert await resolver.resolve() == DEFAULT_CONNECTION_ID
    assert resolution_calls(world) == [("POST", "/connections/ensure")]


async def test_cached_id_needs_zero_resolution_requests(
    world_client: tuple[SandboxWorld, MembraneClient],
) -> None:
    world, client = world_client
    async with client:
        assert await resolver_for(client).resolve() == DEFAULT_CONNECTION_ID
        world.request_log.clear()
        before = client.request_count
        again = resolver_for(client)  # a new start, same cache file
        assert await again.resolve() == DEFAULT_CONNECTION_ID
    assert world.request_log == []
    assert client.request_count == before


async def test_fallback_search_and_request_when_ensure_unsupported(
    world_client: tuple[SandboxWorld, MembraneClient],
) -> None:
    world, client = world_client
    world.ensure_supported = False
    world.remove_connection(DEFAULT_CONNECTION_ID)
    world.request_polls_to_finish = 2
    ui = NullConnectUI()
    async with client:
        connection_id = await resolver_for(client, ui).resolve()
    assert connection_id in world.connections
    assert world.connections[connection_id].state == "READY"
    assert ui.urls and "connectionRequestId=" in ui.urls[0][0]
    paths = [p for _, p in resolution_calls(world)]
    assert paths[:4] == ["/connections/ensure", "/search", "/connections", "/connection-requests"]
    assert paths.count(paths[-1]) == 2  # polled the request twice


async def test_fallback_picks_existing_ready_connection(
    world_client: tuple[SandboxWorld, MembraneClient],
) -> None:
    world, client = world_client
    world.ensure_supported = False
    async with client:
        assert await resolver_for(client).resolve() == DEFAULT_CONNECTION_ID
    assert not any(p.startswith("/connection-requests") for _, p in world.request_log)


async def test_ensure_building_becomes_ready(
    world_client: tuple[SandboxWorld, MembraneClient],
) -> None:
    world, client = world_client
    world.remove_connection(DEFAULT_CONNECTION_ID)
    world.ensure_initial_state = "BUILDING"
    ui = NullConnectUI()
    async with client:
        connection_id = await resolver_for(client, ui).resolve()
    assert world.connections[connection_id].state == "READY"
    assert ui.statuses
    assert ("GET", f"/connections/{connection_id}") in world.request_log


async def test_client_action_required_shows_url_and_waits(
    world_client: tuple[SandboxWorld, MembraneClient],
) -> None:
    world, client = world_client
    world.set_connection_state(DEFAULT_CONNECTION_ID, "CLIENT_ACTION_REQUIRED")
    polls = 0

    async def user_fixes_it_later(_: float) -> None:
        nonlocal polls
        polls += 1
        if polls == 2:  # the user finished in the browser while we waited
            world.set_connection_state(DEFAULT_CONNECTION_ID, "READY")

    ui = NullConnectUI()
    async with client:
        resolver = ConnectionResolver(
            client, ConnectionCache(), client.base_url, "ident", ui, sleep=user_fixes_it_later
        )
        assert await resolver.resolve() == DEFAULT_CONNECTION_ID
    assert len(ui.urls) == 1
    assert ui.urls[0][0].endswith(f"/connections/{DEFAULT_CONNECTION_ID}/reconnect")


@pytest.mark.parametrize("state", ["CONFIGURATION_ERROR", "SETUP_FAILED"])
async def test_failed_states_are_unusable(
    world_client: tuple[SandboxWorld, MembraneClient], state: str
) -> None:
    world, client = world_client
    world.set_connection_state(DEFAULT_CONNECTION_ID, state)
    async with client:
        resolver = resolver_for(client)
        with pytest.raises(ConnectionUnusable) as info:
            await resolver.resolve()
        assert info.value.state == state
        assert info.value.message  # carries Membrane's error text
        # the repair reconnects the same connection
        assert await resolver.reconnect(DEFAULT_CONNECTION_ID) == DEFAULT_CONNECTION_ID
    assert world.connections[DEFAULT_CONNECTION_ID].state == "READY"
    assert len(world.connections) == 1


async def test_connection_request_error_outcome(
    world_client: tuple[SandboxWorld, MembraneClient],
) -> None:
    world, client = world_client
    world.ensure_supported = False
    world.remove_connection(DEFAULT_CONNECTION_ID)
    world.request_outcome = "error"
    async with client:
        with pytest.raises(ConnectionUnusable) as info:
            await resolver_for(client).resolve()
    assert "rejected" in str(info.value)


# ------------------------------------------------------------------ session


async def test_sandbox_session_resolves_once_then_uses_cache() -> None:
    world = SandboxWorld(seed=2)
    session = await open_session(Settings(), world=world)
    assert session.on_sandbox
    assert (session.api_url, session.identity) == (SANDBOX_API_URL, SANDBOX_IDENTITY)
    async with session:
        service = await session.service()
        account = await service.account()
        assert account.username
        assert await session.service() is service
    assert resolution_calls(world) == [("POST", "/connections/ensure")]

    world.request_log.clear()
    async with await open_session(Settings(), world=world) as second:
        await (await second.service()).account()
    assert resolution_calls(world) == []
    assert world.request_log == [("GET", f"/connections/{DEFAULT_CONNECTION_ID}/proxy/v3/account")]


async def test_session_remembers_learnt_prefix() -> None:
    world = SandboxWorld(prefix="")
    async with await open_session(Settings(), world=world) as session:
        await (await session.service()).account()
    assert session.cache.get(SANDBOX_API_URL, SANDBOX_IDENTITY).path_prefix == ""  # type: ignore[union-attr]
    world.request_log.clear()
    async with await open_session(Settings(), world=world) as again:
        service = await again.service()
        assert service.prefix == ""
        await service.account()
    assert len(world.request_log) == 1


async def test_cached_connection_gone_is_dropped_and_resolved_again() -> None:
    world = SandboxWorld()
    async with await open_session(Settings(), world=world) as session:
        await (await session.service()).account()
    world.remove_connection(DEFAULT_CONNECTION_ID)
    replacement = world.add_connection("READY")
    async with await open_session(Settings(), world=world) as session:
        service = await session.service()
        with pytest.raises(MembraneNotFound):
            await service.account()
        assert session.cache.get(SANDBOX_API_URL, SANDBOX_IDENTITY) is None
    world.request_log.clear()
    async with await open_session(Settings(), world=world) as session:
        await (await session.service()).account()
    assert resolution_calls(world) == [("POST", "/connections/ensure")]
    assert session.cache.get(SANDBOX_API_URL, SANDBOX_IDENTITY).connection_id == replacement  # type: ignore[union-attr]


async def test_cached_connection_unusable_is_dropped() -> None:
    world = SandboxWorld()
    async with await open_session(Settings(), world=world) as session:
        await (await session.service()).account()
    world.set_connection_state(DEFAULT_CONNECTION_ID, "SETUP_FAILED")
    async with await open_session(Settings(), world=world) as session:
        with pytest.raises(ConnectionUnusable):
            await (await session.service()).account()
        assert session.cache.get(SANDBOX_API_URL, SANDBOX_IDENTITY) is None


async def test_explicit_connection_id_is_kept_when_it_fails() -> None:
    world = SandboxWorld()
    settings = Settings(connection_id="conn_missing")
    async with await open_session(settings, world=world) as session:
        with pytest.raises(MembraneNotFound):
            await (await session.service()).account()
        assert await session.connection_id() == "conn_missing"
    assert resolution_calls(world) == []


async def test_real_settings_use_token_and_identity() -> None:
    settings = Settings(api_url="https://membrane.test", token="pat-real-token-123")
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json={"id": "c1", "state": "READY"})

    session = await open_session(settings, transport=httpx.MockTransport(handler))
    assert not session.on_sandbox and session.world is None
    assert session.identity == settings.identity()
    async with session:
        assert await session.connection_id() == "c1"
    assert seen == ["Bearer pat-real-token-123"]


async def test_rate_limited_read_through_session_waits_and_succeeds() -> None:
    world = SandboxWorld()
    world.inject(
        Fault(method="GET", path=r"/proxy/v3/account$", status=429, headers={"Retry-After": "0"})
    )
    async with await open_session(Settings(), world=world) as session:
        account = await (await session.service()).account()
    assert account.username
    assert (
        world.request_log.count(("GET", f"/connections/{DEFAULT_CONNECTION_ID}/proxy/v3/account"))
        == 2
    )


async def test_send_whose_answer_is_lost_is_not_retried(
    world_client: tuple[SandboxWorld, MembraneClient],
) -> None:
    world, client = world_client
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/sms/send$"))
    body = {"messages": [{"to": "+61411111111", "body": "hello", "source": "smstui"}]}
    async with client:
        with pytest.raises(SendOutcomeUnknown):
            await client.proxy(DEFAULT_CONNECTION_ID, "POST", "/v3/sms/send", json=body)
    assert len(world.clicksend.received) == 1  # it did reach ClickSend, exactly once
    sends = [p for m, p in world.request_log if p.endswith("/sms/send")]
    assert len(sends) == 1


async def test_send_that_never_left_says_so() -> None:
    world = SandboxWorld()
    world.inject(Fault(kind="disconnect", method="POST", path=r"/sms/send$"))
    body = {"messages": [{"to": "+61411111111", "body": "hello"}]}
    async with MembraneClient(
        SANDBOX_API_URL, StaticToken("sandbox-token"), transport=world.transport()
    ) as client:
        with pytest.raises(NetworkError) as info:
            await client.proxy(DEFAULT_CONNECTION_ID, "POST", "/v3/sms/send", json=body)
    assert info.value.may_have_reached_server is False
    assert world.clicksend.received == []


# ------------------------------------------------------------------ store, outbox, sync


async def test_sandbox_store_is_keyed_as_sandbox(tmp_path: Path) -> None:
    async with await open_session(Settings(), store_path=tmp_path / "m.db") as session:
        assert session.store().account == "sandbox"
        assert session.store() is session.store()


async def test_real_store_is_keyed_by_the_credential_identity(tmp_path: Path) -> None:
    settings = Settings(api_url="https://membrane.test", token="pat-real-token-123")
    async with await open_session(settings, store_path=tmp_path / "m.db") as session:
        store = session.store()
        assert store.account == settings.identity()
        assert "pat-real-token-123" not in store.account


async def test_outbox_sends_once_and_records_in_the_store(tmp_path: Path) -> None:
    world = SandboxWorld(seed=3)
    async with await open_session(Settings(), world=world, store_path=tmp_path / "m.db") as s:
        outbox = await s.outbox()
        assert await s.outbox() is outbox  # one per session: it tracks its in-flight rows
        results = await outbox.send([OutgoingSms(to="+61411111111", body="via session")])
        assert [r.outcome for r in results] == ["accepted"]
        stored = s.store().get(results[0].message_id or "")
    assert stored is not None and stored.body == "via session"
    assert [m["body"] for m in world.clicksend.received] == ["via session"]


async def test_sync_fills_the_store_from_clicksend(tmp_path: Path) -> None:
    world = SandboxWorld(seed=4, history_size=25)
    async with await open_session(Settings(), world=world, store_path=tmp_path / "m.db") as s:
        assert s.store().count() == 0
        report = await s.sync()
        assert report.history_messages >= 25
        assert s.store().count() >= 25


async def test_closing_the_session_closes_the_store(tmp_path: Path) -> None:
    session = await open_session(Settings(), store_path=tmp_path / "m.db")
    store = session.store()
    await session.aclose()
    with pytest.raises(StoreError, match="closed database"):
        store.count()


async def test_use_ui_makes_connecting_talk_to_that_ui() -> None:
    world = SandboxWorld()
    world.set_connection_state(DEFAULT_CONNECTION_ID, "CLIENT_ACTION_REQUIRED")
    polls = 0

    async def user_fixes_it(_: float) -> None:
        nonlocal polls
        polls += 1
        world.set_connection_state(DEFAULT_CONNECTION_ID, "READY")

    ui = NullConnectUI()
    async with await open_session(
        Settings(), world=world, resolver_options=ResolverOptions(sleep=user_fixes_it)
    ) as session:
        session.use_ui(ui)
        assert await session.connection_id() == DEFAULT_CONNECTION_ID
    assert polls == 1
    assert ui.urls and ui.urls[0][0].endswith(f"/connections/{DEFAULT_CONNECTION_ID}/reconnect")


def test_build_session_does_no_io_until_used(isolated_dirs: Path) -> None:
    world = SandboxWorld()
    session = build_session(Settings(), world=world)
    assert session.world is world and session.account == "sandbox"
    assert world.request_log == []
    assert not any(p.is_file() for p in isolated_dirs.rglob("*"))  # no store, no cache yet


async def test_reconcile_all_settles_lost_mms_and_voice_sends_without_resending(
    tmp_path: Path,
) -> None:
    from smstui.core.models import OutgoingMms, OutgoingVoice

    world = SandboxWorld()
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/mms/send$"))
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/voice/send$"))
    async with await open_session(Settings(), world=world, store_path=tmp_path / "s.db") as s:
        mms = await s.channel_outbox("mms")
        voice = await s.channel_outbox("voice")
        assert mms is await s.channel_outbox("mms")  # one per session, like outbox()
        (lost_mms,) = await mms.send_mms(
            [OutgoingMms("+61412345678", "See attached", "Hello", "https://example.com/a.jpg")]
        )
        (lost_voice,) = await voice.send_voice([OutgoingVoice("+61412345678", "Hello there")])
        assert (lost_mms.outcome, lost_voice.outcome) == ("unknown", "unknown")
        for outbox in (mms, voice):
            outbox.window = 0.0  # ClickSend's history already lists them
        settled = {r.token: r.outcome for r in await s.reconcile_all()}
    assert settled[lost_mms.token] == "accepted"
    assert settled[lost_voice.token] == "accepted"
    assert len(world.clicksend.channels.mms_received) == 1
    assert len(world.clicksend.channels.voice_received) == 1
