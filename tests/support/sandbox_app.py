"""Build the app on a sandbox world: used by tests, ``make screenshots`` and benchmarks."""

from __future__ import annotations

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
    return app.ws._store()


def sandbox_app(world: SandboxWorld | None = None, **options: Any) -> tuple[SmsApp, SandboxWorld]:
    """An ``SmsApp`` on ``world`` (a fresh seeded one by default); options go to ``SmsApp``."""
    world = world or SandboxWorld(seed=1)
    options.setdefault("sync_interval", 0)  # tests sync explicitly
    return SmsApp(sandbox_workspace(world), **options), world


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


def fill_store(store: MessageStore, count: int) -> None:
    """Load ``count`` fake outbound records through the store's own write path (the one a sync
    uses), indexed for search once at the end: 30,000 rows take about a second."""
    with store.deferred_index():
        store.upsert_history(fake_history(count))
