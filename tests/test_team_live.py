"""Live across operators: a change one process commits reaches every other process's watch
without it syncing (PostgreSQL LISTEN/NOTIFY; on SQLite, the file's data_version), and a
dropped listening connection falls back to a slow poll, then listens again."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import psycopg
from support.store_backends import StoreBackend

from smstui.core.models import HistoryMessage, OutgoingSms
from smstui.core.store.postgres.listen import Watch

WAIT = 30.0  # an upper bound for a loaded machine, never a measurement


class Seen:
    def __init__(self) -> None:
        self.events: list[str] = []
        self._cond = threading.Condition()

    def __call__(self, what: str) -> None:
        with self._cond:
            self.events.append(what)
            self._cond.notify_all()

    def wait_for(self, *wanted: str) -> str:
        with self._cond:
            ok = self._cond.wait_for(lambda: any(e in wanted for e in self.events), WAIT)
            assert ok, f"no {wanted} notice; saw {self.events}"
            found = next(e for e in self.events if e in wanted)
            self.events.clear()
            return found


def _msg(i: int) -> HistoryMessage:
    return HistoryMessage(
        f"LIVE{i}", "in", "+61400000000", "+61411111111", "hi", "Received",
        datetime.fromtimestamp(1_700_000_000 + i, UTC),
    )  # fmt: skip


def test_another_process_change_reaches_the_watch(store_backend: StoreBackend) -> None:
    mine, theirs = store_backend.open(), store_backend.open()
    seen = Seen()
    watch = mine.watch(seen)
    try:
        assert watch.listening.wait(WAIT)  # type: ignore[attr-defined]
        theirs.upsert_history([_msg(1)])
        seen.wait_for("messages", "poll")
        assert mine.get("LIVE1") is not None  # and reading again shows it
        theirs.outbox_table().add([("smstui-live-0001", OutgoingSms("+61411111111", "x"))], now=1)
        seen.wait_for("outbox", "poll")
    finally:
        watch.close()


def test_a_dropped_listen_connection_polls_then_listens_again(pg_url: str) -> None:
    from smstui.core.store.postgres import PostgresStore

    seen = Seen()
    with PostgresStore(pg_url) as store:
        watch = Watch(pg_url, seen, poll_interval=0.05)
        try:
            assert watch.listening.wait(WAIT)
            pid = watch.backend_pid()
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            assert seen.wait_for("poll") == "poll"  # down: the slow poll says "read again"
            deadline = time.monotonic() + WAIT
            while watch.backend_pid() in (None, pid):  # until it listens on a new connection
                assert time.monotonic() < deadline
                watch.listening.wait(0.05)
            seen.events.clear()
            store.upsert_history([_msg(2)])
            assert seen.wait_for("messages") == "messages"
        finally:
            watch.close()


async def test_the_workspace_watch_sees_a_send_from_another_operator(pg_url: str) -> None:
    from smstui.core.config import load_settings
    from smstui.core.sandbox import SandboxWorld
    from smstui.core.service import Workspace
    from smstui.core.service.team import watch_store

    env = {"SMSTUI_DATABASE_URL": pg_url, "SMSTUI_SANDBOX": "1"}
    world = SandboxWorld()
    desk = Workspace.from_settings(load_settings(env=env), world=world)
    manager = Workspace.from_settings(load_settings(env=env), world=world)
    seen = Seen()
    watch = watch_store(manager, seen)
    try:
        assert watch.listening.wait(WAIT)  # type: ignore[attr-defined]
        [result] = await desk.messages.send([OutgoingSms("+61411111111", "from the desk")])
        assert result.outcome == "accepted"
        seen.wait_for("messages", "outbox")
        assert manager.history.count() >= 1  # the manager reads it without syncing
    finally:
        watch.close()
        await desk.aclose()
        await manager.aclose()
