"""The store under test, on both backends: SQLite (a file in the test's tmp_path) and
PostgreSQL (a fresh database on a real server this test session starts itself).

The server is ``pgserver`` (PyPI, ships PostgreSQL 16 binaries): nothing to install by hand.
It starts once per test session, which under pytest-xdist means once per worker, in a fresh
temporary folder that it deletes when the session ends. As root (PostgreSQL refuses to run
as root), pgserver runs the server as a system user ``pgserver`` it creates with ``useradd``
and makes the folder's parents traversable; the folder is made under the system temporary
directory, whose parents already are. Every test gets a new database (dropped afterwards),
so tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from smstui.core.store.contract import Store
from smstui.core.store.message_store import MessageStore

BACKENDS = ("sqlite", "postgresql")
_names = itertools.count()


@dataclass
class PgServer:
    """A running server: ``url(db)`` for a database on it, ``admin()`` to create/drop them."""

    base_url: str
    handle: Any
    started_in: float

    def url(self, database: str) -> str:
        return self.handle.get_uri(database)

    def admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(statement)


def start_pg_server() -> tuple[PgServer, str]:
    """Start a throw-away server; returns it and its folder (for removal)."""
    started = time.monotonic()
    with warnings.catch_warnings():
        # pgserver keeps its lock file in the runtime folder; without XDG_RUNTIME_DIR
        # platformdirs warns that it falls back to /tmp/runtime-UID, which is fine here
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        import pgserver  # the test extra; only the PostgreSQL tests need it

        folder = tempfile.mkdtemp(prefix="smstui-pg-")
        handle = pgserver.get_server(folder, cleanup_mode="delete")
    server = PgServer(handle.get_uri(), handle, time.monotonic() - started)
    return server, folder


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for this test session (per xdist worker), started on demand."""
    server, folder = start_pg_server()
    try:
        yield server
    finally:
        server.handle.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class StoreBackend:
    """Opens stores on one database of one backend; every store opened is closed at the end.

    ``open()`` twice gives two stores on the same data, as two processes would have."""

    name: str
    path: Path | None = None
    url: str | None = None
    opened: list[Store] = field(default_factory=list)

    def open(self, account: str = "", operator: str = "") -> Store:
        store: Store
        if self.url is not None:
            from smstui.core.store.postgres import PostgresStore

            store = PostgresStore(self.url, account=account, operator=operator)
        else:
            store = MessageStore(self.path, account=account, operator=operator)
        self.opened.append(store)
        return store

    def close_all(self) -> None:
        for store in self.opened:
            store.close()
        self.opened.clear()

    @property
    def location(self) -> str:
        """What a subprocess needs to open the same store (a path or a URL)."""
        return self.url if self.url is not None else str(self.path)


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreBackend]:
    """The store's backend, parametrised: each test using it runs on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        backend = StoreBackend("sqlite", path=tmp_path / "store.db")
        yield backend
        backend.close_all()
        return
    server: PgServer = request.getfixturevalue("pg_server")
    database = f"t_{os.getpid()}_{next(_names)}"
    server.admin(f"CREATE DATABASE {database}")
    backend = StoreBackend("postgresql", url=server.url(database))
    try:
        yield backend
    finally:
        backend.close_all()
        server.admin(f"DROP DATABASE {database} WITH (FORCE)")


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards): its URL.
    Close every store opened on it before the test ends."""
    database = f"t_{os.getpid()}_{next(_names)}"
    pg_server.admin(f"CREATE DATABASE {database}")
    try:
        yield pg_server.url(database)
    finally:
        pg_server.admin(f"DROP DATABASE {database} WITH (FORCE)")


@pytest.fixture(params=BACKENDS)
def store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """The environment a workspace's settings are loaded from, parametrised: each test using
    it runs on this machine's SQLite store and on a fresh team database (``database_url``)."""
    if request.param == "sqlite":
        return {}
    url: str = request.getfixturevalue("pg_url")
    return {"SMSTUI_DATABASE_URL": url}
