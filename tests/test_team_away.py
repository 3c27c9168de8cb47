"""The team database going away: the first call that meets the outage waits the pool's
timeout, later ones only ``AWAY_WAIT`` (the UI reads the store on its event loop, and a long
outage froze every tab switch for the full timeout), until the database answers again."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from support.store_backends import PgServer
from support.tcp_gate import TcpGate, socket_of

from smstui.core.config import load_settings
from smstui.core.errors import StoreUnreachable
from smstui.core.sandbox import SandboxWorld
from smstui.core.service import DRAFT_KEY, Workspace
from smstui.core.store.postgres import PostgresStore
from smstui.core.store.postgres import connection as pg_connection


@pytest.fixture
def gate(pg_server: PgServer, pg_url: str) -> Iterator[tuple[TcpGate, str]]:
    path, database = socket_of(pg_url)
    g = TcpGate(path)
    g.open()
    try:
        yield g, g.url(database)
    finally:
        g.close()


def _spy_on_waits(pool: Any) -> list[float | None]:
    """How long each call waits for a pooled connection, in order."""
    waits: list[float | None] = []
    take = pool.connection

    def spy(timeout: float | None = None) -> Any:
        waits.append(timeout)
        return take(timeout=timeout)

    pool.connection = spy
    return waits


def test_an_away_database_is_waited_for_briefly_until_it_answers_again(
    gate: tuple[TcpGate, str],
) -> None:
    g, url = gate
    with PostgresStore(url, account="a") as store:
        pool = store._pool
        waits = _spy_on_waits(pool)
        assert store.count() == 0
        assert waits[-1] == pg_connection.CONNECT_TIMEOUT * 2
        assert not pg_connection.is_away(pool)

        g.shut()
        with pytest.raises(StoreUnreachable):  # this one meets the outage: the full wait
            store.count()
        assert waits[-1] == pg_connection.CONNECT_TIMEOUT * 2
        assert pg_connection.is_away(pool)
        for _ in range(3):  # the screen's next reads: brief waits, the same clear error
            with pytest.raises(StoreUnreachable):
                store.count()
            assert waits[-1] == pg_connection.AWAY_WAIT

        g.open()
        deadline = time.monotonic() + 60
        while True:  # the pool reconnects in the background; a brief wait finds it
            try:
                assert store.count() == 0
                break
            except StoreUnreachable:
                assert time.monotonic() < deadline, "the database never answered again"
        assert not pg_connection.is_away(pool)
        store.count()
        assert waits[-1] == pg_connection.CONNECT_TIMEOUT * 2


def test_the_screens_first_read_in_an_outage_waits_briefly(gate: tuple[TcpGate, str]) -> None:
    """Calls on the screen's thread wait ``SCREEN_WAIT`` for a connection, even the first to
    meet an outage (it used to wait the pool's full timeout, freezing the screen); calls on
    other threads (the sync writer, the command line) still wait the full time."""
    g, url = gate
    with PostgresStore(url, account="a", screen_thread=threading.get_ident()) as store:
        pool = store._pool
        waits = _spy_on_waits(pool)
        assert store.count() == 0
        assert waits[-1] == pg_connection.SCREEN_WAIT
        other = threading.Thread(target=store.count)
        other.start()
        other.join()
        assert waits[-1] == pg_connection.CONNECT_TIMEOUT * 2

        g.shut()
        with pytest.raises(StoreUnreachable):
            store.count()
        assert waits[-1] == pg_connection.SCREEN_WAIT
        assert pg_connection.is_away(pool)


def test_the_team_store_is_never_opened_on_the_screens_thread(
    gate: tuple[TcpGate, str],
) -> None:
    """Opening connects (a host that drops packets holds that for the connect timeout), so
    on the screen's thread a read says "connecting" at once; another thread opens it."""
    _, url = gate
    env = {"SMSTUI_DATABASE_URL": url, "SMSTUI_SANDBOX": "1"}
    ws = Workspace.from_settings(load_settings(env=env), world=SandboxWorld(seed=1))
    ws.keep_team_store_off(threading.get_ident())
    assert ws.team
    with pytest.raises(StoreUnreachable, match="Connecting to the team database"):
        ws.drafts.load(DRAFT_KEY)
    opener = threading.Thread(target=ws.open_store)
    opener.start()
    opener.join()
    assert ws.drafts.load(DRAFT_KEY) == {}  # open now: read on this thread as before
    asyncio.run(ws.aclose())


def test_the_session_is_built_once_when_two_threads_ask_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The app's loop and its thread opening the team store both ask the workspace for its
    session; built twice, the store opened in one was read through the other (which said
    "connecting" for good) and its pool was never closed."""
    from smstui.core import session as session_module

    ws = Workspace.from_settings(load_settings(env={"SMSTUI_SANDBOX": "1"}))
    real = session_module.build_session
    built: list[object] = []
    other: list[object] = []
    askers: list[threading.Thread] = []

    def build(*args: Any, **kwargs: Any) -> Any:
        if not built:  # the first build: another thread asks while it is under way
            asker = threading.Thread(target=lambda: other.append(ws._session()))
            askers.append(asker)
            asker.start()
            asker.join(0.2)  # a bound, not a measurement: with the lock it cannot finish
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(session_module, "build_session", build)
    first = ws._session()
    askers[0].join(30)
    assert other, "the other thread never got a session"
    assert len(built) == 1
    assert other[0] is first
    asyncio.run(ws.aclose())
