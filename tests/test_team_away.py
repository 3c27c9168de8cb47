"""The team database going away: the first call that meets the outage waits the pool's
timeout, later ones only ``AWAY_WAIT`` (the UI reads the store on its event loop, and a long
outage froze every tab switch for the full timeout), until the database answers again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from support.store_backends import PgServer
from support.tcp_gate import TcpGate, socket_of

from smstui.core.errors import StoreUnreachable
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


def test_an_away_database_is_waited_for_briefly_until_it_answers_again(
    gate: tuple[TcpGate, str],
) -> None:
    g, url = gate
    with PostgresStore(url, account="a") as store:
        pool = store._pool
        waits: list[float | None] = []
        take = pool.connection

        def spy(timeout: float | None = None) -> Any:
            waits.append(timeout)
            return take(timeout=timeout)

        pool.connection = spy  # type: ignore[method-assign]
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
