"""Live across operators, in the app: another operator's process (a second workspace on the
same store: the same SQLite file, or the same PostgreSQL database) sends or syncs a reply,
and the open app shows it in the Inbox and History, counts it in the Inbox title and toasts
the reply once, without syncing itself. A dropped listening connection falls back to the
slow poll; the app still catches up."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
from support.sandbox_app import toasts_of
from textual.pilot import Pilot

from smstui.core.config import load_settings
from smstui.core.models import DeliveryReceipt, OutgoingSms
from smstui.core.sandbox import SandboxWorld
from smstui.core.service import Workspace
from smstui.core.service.history import StoredMessage
from smstui.ui.app import SmsApp
from smstui.ui.widgets.tab_bar import TabBar
from smstui.ui.widgets.virtual_list import VirtualList

#: an upper bound for a loaded machine (the poll fallback waits 5 s), never a measurement
WAIT = 60.0


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition`` holds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        await pilot.pause(0.02)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _env(store_env: dict[str, str]) -> dict[str, str]:
    return {**store_env, "SMSTUI_SANDBOX": "1"}


def _app(env: dict[str, str], world: SandboxWorld) -> SmsApp:
    ws = Workspace.from_settings(load_settings(env=env), world=world)
    app = SmsApp(ws, sync_interval=0)  # the app never syncs unless told to
    toasts_of(app)
    return app


def _reply_toasts(app: SmsApp) -> list[tuple[str, str]]:
    return toasts_of(app).replies()


def _inbox_label(app: SmsApp) -> str:
    return app.query_one("#tabs", TabBar).label("inbox")


def _rows(app: SmsApp, list_id: str) -> list[str]:
    # the list's tab may not be the one on show (each tab is on its own screen)
    lst = next(
        s.query_one(list_id, VirtualList) for s in app.tab_screens.values() if s.query(list_id)
    )
    return [m.message_id for m in lst.cache.source.rows(0, 100)]  # type: ignore[attr-defined]


async def _open_and_listening(pilot: Pilot[None], app: SmsApp) -> None:
    # the first sync is done (its backlog is not toasted); it starts once the store is open,
    # which on the team store happens off the loop: a sync by the other operator while it
    # runs would skip its round (one process syncs an account at a time)
    await until(pilot, lambda: app._synced, "the first sync")
    await settle(pilot)
    await until(pilot, lambda: app.live.watching, "the app watches its store")
    watch = app.live._watch
    listening: threading.Event = watch.listening  # type: ignore[union-attr]
    await until(pilot, listening.is_set, "the watch listens")
    for tab in ("inbox", "history"):
        app.action_show_tab(tab)
        await until(
            pilot,
            lambda t=tab: (w := app.tab_widget(t)) is not None and w.is_mounted,
            f"{tab} built",
        )  # type: ignore[misc]
    await settle(pilot)


def _two_operators(store_env: dict[str, str]) -> tuple[SmsApp, Workspace, SandboxWorld]:
    """An app and another operator's workspace on the same store and sandbox (no random
    replies: what arrives is what the test adds)."""
    env = _env(store_env)
    world = SandboxWorld(seed=1)
    world.reply_rate = 0.0
    return _app(env, world), Workspace.from_settings(load_settings(env=env), world=world), world


def _syncs_of(app: SmsApp) -> list[object]:
    """The syncs the app runs from now on (the list fills as it runs them)."""
    syncs: list[object] = []
    own_sync = app.ws.messages.sync
    app.ws.messages.sync = lambda **kw: (syncs.append(kw), own_sync(**kw))[1]  # type: ignore[method-assign]
    return syncs


async def test_another_operators_reply_and_send_show_without_syncing(
    store_env: dict[str, str],
) -> None:
    app, other, world = _two_operators(store_env)
    try:
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await _open_and_listening(pilot, app)
            syncs = _syncs_of(app)
            before = app.unread_count
            assert _reply_toasts(app) == []

            # the other operator's process syncs a reply into the shared store
            reply_id = world.add_inbound("+61412345601", "Is the order ready?")
            await other.messages.sync()
            await until(pilot, lambda: app.unread_count == before + 1, "the unread count")
            assert _inbox_label(app).endswith(f"({before + 1})")
            await until(pilot, lambda: reply_id in _rows(app, "#inbox-list"), "in the Inbox")
            await until(pilot, lambda: bool(_reply_toasts(app)), "a toast")
            assert _reply_toasts(app) == [("Reply from +61412345601", "Is the order ready?")]

            # the other operator sends: History shows it
            [sent] = await other.messages.send([OutgoingSms("+61412345602", "Ready at 3")])
            assert sent.outcome == "accepted" and sent.message_id
            await until(pilot, lambda: sent.message_id in _rows(app, "#history-list"), "in History")
            assert syncs == []  # none of it came through a sync of this app's

            # this app syncs later: the reply is not announced a second time
            app.action_sync_now()
            await settle(pilot)
            assert _reply_toasts(app) == [("Reply from +61412345601", "Is the order ready?")]
            assert app.live.catch_ups >= 1
        assert not app.live.watching  # closed on exit, its thread with it
        assert not [t for t in threading.enumerate() if t.name in ("smstui-listen", "smstui-watch")]
    finally:
        await other.aclose()


def _shown(app: SmsApp, list_id: str, message_id: str) -> StoredMessage | None:
    """The row as the list holds it (its cached page: what it paints), not as the store has
    it now."""
    cache = app.query_one(list_id, VirtualList).cache
    rows = (cache.get(i) for i in range(min(cache.estimate(), 100)))
    return next((m for m in rows if m is not None and m.message_id == message_id), None)


async def test_another_operators_receipt_shows_without_syncing(store_env: dict[str, str]) -> None:
    """A receipt alone (no new message, no read, no mark) moves the change mark: History
    shows the new delivery state at once, not at the next message."""
    app, other, _ = _two_operators(store_env)
    try:
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await _open_and_listening(pilot, app)
            syncs = _syncs_of(app)
            [sent] = await other.messages.send([OutgoingSms("+61412345605", "Parcel is out")])
            mid = sent.message_id
            assert sent.outcome == "accepted" and mid
            await until(pilot, lambda: _shown(app, "#history-list", mid) is not None, "sent")
            await settle(pilot)
            shown = _shown(app, "#history-list", mid)
            assert shown is not None and shown.status_code != "201"

            # the other operator's process stores the message's receipt, nothing else
            receipt = DeliveryReceipt(mid, "201", "Delivered", datetime.now(UTC))
            assert other._store().apply_receipts([receipt]) == 1
            await until(
                pilot,
                lambda: getattr(_shown(app, "#history-list", mid), "status_code", None) == "201",
                "the receipt in History",
            )
            assert syncs == []
    finally:
        await other.aclose()


async def test_a_burst_of_changes_is_one_catch_up(store_env: dict[str, str]) -> None:
    """Fifty commits in a row (another process storing replies one by one) reload the lists a
    few times, not fifty."""
    from smstui.core.models import InboundMessage

    env = _env(store_env)
    world = SandboxWorld(seed=1)
    app = _app(env, world)
    other = Workspace.from_settings(load_settings(env=env), world=world)
    try:
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await _open_and_listening(pilot, app)
            await settle(pilot)  # (a catch-up of the first sync may follow: it changes nothing)
            done = app.live.catch_ups
            store = other._store()
            before = app.unread_count
            for i in range(50):
                store.upsert_inbound(
                    [
                        InboundMessage(
                            f"BURST{i:03d}",
                            "+61412345603",
                            "+61411111111",
                            f"n{i}",
                            datetime.fromtimestamp(1_800_000_000 + i, UTC),
                        )
                    ]
                )
            await until(pilot, lambda: app.unread_count == before + 50, "all fifty counted")
            assert app.live.catch_ups - done < 50
            await until(pilot, lambda: bool(_reply_toasts(app)), "a toast")
            [(title, _)] = _reply_toasts(app)  # one toast naming the sender, not fifty
            assert title == "50 new replies"
    finally:
        await other.aclose()


async def test_the_app_catches_up_by_polling_when_the_listen_connection_drops(
    pg_url: str,
) -> None:
    env = _env({"SMSTUI_DATABASE_URL": pg_url})
    world = SandboxWorld(seed=1)
    world.reply_rate = 0.0
    app = _app(env, world)
    other = Workspace.from_settings(load_settings(env=env), world=world)
    try:
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await _open_and_listening(pilot, app)
            watch = app.live._watch
            pid = watch.backend_pid()  # type: ignore[union-attr]
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            await until(pilot, lambda: watch.backend_pid() != pid, "the listen connection ended")  # type: ignore[union-attr]
            before = app.unread_count
            reply_id = world.add_inbound("+61412345604", "Still there?")
            await other.messages.sync()
            await until(pilot, lambda: app.unread_count == before + 1, "caught up")
            await until(pilot, lambda: reply_id in _rows(app, "#inbox-list"), "in the Inbox")
            assert app.live.causes["poll"] >= 1  # the slow poll said "read again"
    finally:
        await other.aclose()
