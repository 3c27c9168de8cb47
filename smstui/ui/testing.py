"""Build the app on a sandbox world: used by tests, screenshots and benchmarks."""

from __future__ import annotations

from typing import Any

from smstui.core.config import load_settings
from smstui.core.sandbox.world import SandboxWorld
from smstui.ui.app import SmsApp
from smstui.ui.core_backend import CoreBackend


def sandbox_backend(world: SandboxWorld) -> CoreBackend:
    settings = load_settings(flags={"sandbox": True}, env={})
    return CoreBackend.from_settings(settings, transport=world.transport())


def sandbox_app(world: SandboxWorld | None = None, **options: Any) -> tuple[SmsApp, SandboxWorld]:
    """An ``SmsApp`` on ``world`` (a fresh seeded one by default); options go to ``SmsApp``."""
    world = world or SandboxWorld(seed=1)
    options.setdefault("sync_interval", 0)  # tests sync explicitly
    return SmsApp(sandbox_backend(world), **options), world
