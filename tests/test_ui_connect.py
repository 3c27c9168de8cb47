"""The connection screen in every Membrane connection state, and the first-run flow (Pilot)."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Callable

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from smstui.core.config import credentials_path, load_settings
from smstui.core.membrane.connection_cache import ConnectionCache
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld
from smstui.core.service import Workspace
from smstui.core.session import SANDBOX_API_URL, SANDBOX_IDENTITY, ResolverOptions
from smstui.ui.app import SmsApp
from smstui.ui.screens.connect import ConnectScreen


class Gate:
    """An ``asyncio.sleep`` stand-in for the resolver's polls: each poll waits for ``open()``,
    so a test can look at the screen while the app is waiting."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.polls = 0

    async def sleep(self, _seconds: float) -> None:
        self.polls += 1
        await self.event.wait()

    def open(self) -> None:
        self.event.set()


class GatedTransport(httpx.AsyncBaseTransport):
    """Holds Membrane's long poll (``?wait=true``) until released: a build that takes time."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.params.get("wait") == "true":
            await self.release.wait()
        return await self.inner.handle_async_request(request)


def app_on(
    world: SandboxWorld,
    *,
    sleep: Gate | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    **options: object,
) -> SmsApp:
    options.setdefault("sync_interval", 0)
    ws = Workspace.from_settings(
        load_settings(flags={"sandbox": True}, env={}),
        world=world,
        transport=transport,
        resolver_options=ResolverOptions(
            poll_interval=0.0, sleep=sleep.sleep if sleep else asyncio.sleep
        ),
    )
    return SmsApp(ws, **options)  # type: ignore[arg-type]


def cached_id() -> str | None:
    cached = ConnectionCache().get(SANDBOX_API_URL, SANDBOX_IDENTITY)
    return cached.connection_id if cached else None


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Let the app run until ``condition`` holds (workers may be waiting on a gate)."""
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the screen never reached the expected state")


def shown(app: SmsApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_ready_connection_is_used_without_opening_the_screen() -> None:
    world = SandboxWorld(seed=1)
    app = app_on(world)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.connection_state == "ready"
        assert not isinstance(app.screen, ConnectScreen)
    assert cached_id() == DEFAULT_CONNECTION_ID


async def test_building_connection_shows_a_visible_wait_then_connects() -> None:
    world = SandboxWorld(seed=1)
    world.set_connection_state(DEFAULT_CONNECTION_ID, "BUILDING")
    transport = GatedTransport(world.transport())
    app = app_on(world, transport=transport)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        await until(pilot, lambda: "setting up" in shown(app, "#connect-status"))
        assert app.screen.query_one("#connect-spinner").has_class("-busy")
        assert app.connection_state == "connecting"
        transport.release.set()
        await settle(pilot)
        assert app.connection_state == "ready"
        assert not isinstance(app.screen, ConnectScreen)


async def test_client_action_required_shows_description_and_url_with_copy() -> None:
    world = SandboxWorld(seed=1)
    world.set_connection_state(DEFAULT_CONNECTION_ID, "CLIENT_ACTION_REQUIRED")
    gate = Gate()
    app = app_on(world, sleep=gate)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: gate.polls > 0 and isinstance(app.screen, ConnectScreen))
        await pilot.pause()
        url_text = shown(app, "#connect-url")
        assert "ClickSend rejected the saved API key" in url_text
        url = f"{world.ui_base}/connections/{DEFAULT_CONNECTION_ID}/reconnect"
        assert url in url_text
        await pilot.press("ctrl+y")
        assert app.clipboard == url
        world.set_connection_state(DEFAULT_CONNECTION_ID, "READY")  # the user fixed it
        gate.open()
        await settle(pilot)
        assert app.connection_state == "ready"


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("CONFIGURATION_ERROR", "configuration is invalid"),
        ("SETUP_FAILED", "Could not verify the ClickSend credentials"),
    ],
)
async def test_failed_connection_shows_the_error_and_reconnects_the_same_one(
    state: str, message: str
) -> None:
    world = SandboxWorld(seed=1)
    world.set_connection_state(DEFAULT_CONNECTION_ID, state)
    app = app_on(world)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.connection_state == "error"
        assert isinstance(app.screen, ConnectScreen)
        assert message in shown(app, "#connect-status")
        connections_before = set(world.connections)
        await pilot.click("#reconnect")
        await settle(pilot)
        assert app.connection_state == "ready"
        assert [r.connection_id for r in world.connection_requests.values()] == [
            DEFAULT_CONNECTION_ID
        ]
        assert set(world.connections) == connections_before  # repaired, not duplicated
    assert cached_id() == DEFAULT_CONNECTION_ID


async def test_without_ensure_a_connection_request_url_is_shown_and_polled() -> None:
    world = SandboxWorld(seed=1)
    world.ensure_supported = False
    world.remove_connection(DEFAULT_CONNECTION_ID)
    world.request_polls_to_finish = 2
    gate = Gate()
    app = app_on(world, sleep=gate)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: gate.polls > 0 and isinstance(app.screen, ConnectScreen))
        await pilot.pause()
        assert "connectionRequestId=" in shown(app, "#connect-url")
        assert app.screen.query_one("#connect-spinner").has_class("-busy")
        gate.open()
        await settle(pilot)
        assert app.connection_state == "ready"
    polls = [
        p for m, p in world.request_log if m == "GET" and p.startswith("/connection-requests/")
    ]
    assert len(polls) == 2
    assert cached_id() in world.connections


async def test_several_ready_connections_let_the_user_pick_one() -> None:
    world = SandboxWorld(seed=1)
    world.ensure_supported = False
    second = world.add_connection("READY", id="conn_second", name="ClickSend (billing)")
    app = app_on(world)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        choices = app.screen.query_one("#connection-choices", OptionList)
        await until(pilot, lambda: choices.option_count == 2 and choices.has_focus)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.connection_state == "ready"
    assert cached_id() == second


def factory_on(world: SandboxWorld, calls: list[bool]) -> Callable[[bool], Workspace]:
    def make(sandbox: bool) -> Workspace:
        calls.append(sandbox)
        settings = load_settings(flags={"sandbox": True} if sandbox else None, env={})
        # real credentials still reach only the in-process sandbox in tests
        return Workspace.from_settings(settings, world=world, transport=world.transport())

    return make


async def test_first_run_offers_the_sandbox_and_uses_it() -> None:
    world = SandboxWorld(seed=1)
    calls: list[bool] = []
    app = app_on(world, first_run=True, ws_factory=factory_on(world, calls))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        await pilot.click("#use-sandbox")
        await settle(pilot)
        assert calls == [True]
        assert app.ws.sandbox and app.status_bar.sandbox
        assert app.connection_state == "ready"


async def test_first_run_pasted_token_is_saved_private_and_used() -> None:
    world = SandboxWorld(seed=1)
    calls: list[bool] = []
    app = app_on(world, first_run=True, ws_factory=factory_on(world, calls))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        await pilot.click("#token")
        await pilot.press(*"pat-pasted-token-42")
        await pilot.click("#save-token")
        await settle(pilot)
        path = credentials_path()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "pat-pasted-token-42" in path.read_text()
        assert calls == [False]
        assert not app.ws.sandbox and not app.status_bar.sandbox
        assert app.connection_state == "ready"


async def test_first_run_workspace_key_asks_for_the_tenant_with_the_default_shown() -> None:
    from textual.widgets import Input

    from smstui.core.config import config_path, default_tenant_key

    world = SandboxWorld(seed=1)
    calls: list[bool] = []
    app = app_on(world, first_run=True, ws_factory=factory_on(world, calls))
    async with app.run_test(size=(110, 50)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen))
        tenant = app.screen.query_one("#tenant-key", Input)
        assert tenant.value == default_tenant_key()  # the default, shown and editable
        app.screen.query_one("#workspace-key", Input).value = "wk-first-run"
        app.screen.query_one(
            "#workspace-secret", Input
        ).value = "ws-secret-first-run-0123456789abcdef"
        tenant.value = "acme-tenant"
        await pilot.click("#save-workspace")
        await settle(pilot)
        assert calls == [False]
    settings = load_settings(env={})
    assert (settings.workspace_key, settings.tenant_key) == ("wk-first-run", "acme-tenant")
    assert "acme-tenant" in config_path().read_text()  # not a secret: config.toml
    assert "tenant" not in credentials_path().read_text()
