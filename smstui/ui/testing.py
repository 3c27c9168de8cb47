"""Build the app on a sandbox world: used by tests, screenshots and benchmarks."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from smstui.core.config import load_settings
from smstui.core.models import HistoryMessage
from smstui.core.sandbox.world import SandboxWorld
from smstui.core.service import Workspace
from smstui.core.store import rollup as store_rollup
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
    """Load ``count`` fake outbound records in one transaction (a million in well under two
    minutes): executemany, with the FTS index rebuilt once at the end instead of row by row."""
    now = int(time.time())
    rows = (
        (
            m.message_id,
            store.account,
            m.to,
            m.sender,
            m.body,
            m.status,
            int(m.date.timestamp()) if m.date else 0,
            m.parts,
            now,
        )
        for m in fake_history(count)
    )

    def load(c: sqlite3.Connection) -> None:
        names = ("messages_fts_ai", "messages_stats_ai")
        triggers = [
            c.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
            ).fetchone()[0]
            for name in names
        ]
        for name in names:
            c.execute(f"DROP TRIGGER {name}")
        c.executemany(
            'INSERT OR REPLACE INTO messages (message_id, account, direction, "to", "from", '
            "body, status, date, parts, updated_at) VALUES (?, ?, 'out', ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # indexes and stats rollup rebuilt once, in bulk, instead of row by row
        c.execute("DELETE FROM fts_pending")
        c.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")
        store_rollup.rebuild(c)
        for sql in triggers:
            c.execute(sql)  # the app's own triggers, exactly as the migration wrote them

    store.run_write(load)
    store.run_write(lambda c: c.execute("ANALYZE"))
