"""A core ``Session`` on a quiet sandbox world (no random failures, a fixed clock), with its
connection cache and store in the test's own folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from smstui.core.config import Settings
from smstui.core.membrane.connection_cache import ConnectionCache
from smstui.core.sandbox import SandboxWorld
from smstui.core.session import Session, open_session

#: 2025-10-09 08:53 UTC: the clock of every quiet world unless a test gives another
START = 1_760_000_000.0


def quiet_world(*, seed: int, history_size: int, start: float = START, **kw: Any) -> SandboxWorld:
    """A seeded world whose clock stands still and whose sends never fail at random."""
    world = SandboxWorld(seed=seed, clock=lambda: start, history_size=history_size, **kw)
    world.failure_rate = 0.0
    return world


async def sandbox_session(world: SandboxWorld, tmp_path: Path) -> AsyncIterator[Session]:
    """``async for session in sandbox_session(world, tmp_path)``: one open session, closed after."""
    session = await open_session(
        Settings(sandbox=True),
        world=world,
        cache=ConnectionCache(tmp_path / "c.json"),
        store_path=tmp_path / "s.db",
    )
    async with session:
        yield session
