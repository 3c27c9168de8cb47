"""Build the app on a sandbox world: used by tests, ``make screenshots`` and benchmarks."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from smstui.core.config import load_settings
from smstui.core.models import HistoryMessage
from smstui.core.sandbox.world import SandboxWorld
from smstui.core.service import Workspace
from smstui.core.store.message_store import MessageStore
from smstui.ui.app import SmsApp


def sandbox_workspace(world: SandboxWorld) -> Workspace:
    settings = load_settings(flags={"sandbox": True}, env={})
    return Workspace.from_settings(settings, world=world)


def store_of(app: SmsApp) -> MessageStore:
    """The store under ``app``'s workspace: tests seed and inspect it below the facade."""
    store = app.ws._store()
    assert isinstance(store, MessageStore)  # the app's tests run on the local SQLite store
    return store


def sandbox_app(world: SandboxWorld | None = None, **options: Any) -> tuple[SmsApp, SandboxWorld]:
    """An ``SmsApp`` on ``world`` (a fresh seeded one by default); options go to ``SmsApp``."""
    world = world or SandboxWorld(seed=1)
    options.setdefault("sync_interval", 0)  # tests sync explicitly
    app = SmsApp(sandbox_workspace(world), **options)
    toasts_of(app)
    return app, world


def fake_history(count: int, *, start: int = 1_700_000_000) -> Iterator[HistoryMessage]:
    """``count`` outbound history records, one a minute, for list and benchmark tests."""
    for i in range(count):
        yield HistoryMessage(
            message_id=f"BENCH{i:010d}",
            direction="out",
            to=f"+614{i % 100_000_000:08d}",
            sender="+61481070000",
            body=f"Message number {i} about order {i * 7 % 9973}",
            status="Completed" if i % 10 else "Failed",
            date=datetime.fromtimestamp(start + i * 60, UTC),
            parts=1,
        )


def sent_bodies(bodies: list[str]) -> Iterator[HistoryMessage]:
    """One outbound history record per body, a second apart (ids ``id-0``, ``id-1``...): a
    small store whose search tests choose the words."""
    for i, body in enumerate(bodies):
        yield HistoryMessage(
            message_id=f"id-{i}",
            direction="out",
            to="+61411000001",
            sender="+61400000000",
            body=body,
            status="Sent",
            date=datetime.fromtimestamp(1_700_000_000 + i, UTC),
        )


def fill_store(store: MessageStore, count: int) -> None:
    """Load ``count`` fake outbound records through the store's own write path (the one a sync
    uses), indexed for search once at the end: 30,000 rows take about a second."""
    with store.deferred_index():
        store.upsert_history(fake_history(count))


class ToastLog(list[tuple[str, str]]):
    """Every toast ``app`` raises, as (title, message), kept for the test's whole run.

    ``app._notifications`` drops a toast once its timeout has passed: on a loaded machine a
    toast raised mid-sync can be gone (8 s later) by the time the test looks, and the test
    would read "no toast"."""

    def __init__(self, app: SmsApp) -> None:
        super().__init__()
        raise_toast = app.notify

        def notify(message: Any, *, title: str = "", **options: Any) -> None:
            self.append((str(title), str(message)))
            raise_toast(message, title=title, **options)

        app.notify = notify  # type: ignore[method-assign]

    def replies(self) -> list[tuple[str, str]]:
        """The toasts announcing replies."""
        return [(t, m) for t, m in self if t.startswith("Reply from") or "new replies" in t]

    def lines(self) -> list[str]:
        return [f"{t}: {m}" for t, m in self]


_TOAST_LOGS: weakref.WeakKeyDictionary[SmsApp, ToastLog] = weakref.WeakKeyDictionary()


def toasts_of(app: SmsApp) -> ToastLog:
    """``app``'s toast log (started now if not yet: call it before the app runs)."""
    log = _TOAST_LOGS.get(app)
    if log is None:
        log = _TOAST_LOGS[app] = ToastLog(app)
    return log
