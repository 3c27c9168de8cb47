"""Shared set-up for the contacts/campaign/MMS/voice service tests (real client, sandbox)."""

from __future__ import annotations

from smstui.core.clicksend.prefix_learning import InMemoryPrefix
from smstui.core.clicksend.sms import SmsService
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld

START = 1_760_000_000.0


async def _no_sleep(_: float) -> None:
    return None


def make_world(prefix: str = "/v3") -> SandboxWorld:
    w = SandboxWorld(seed=5, prefix=prefix, clock=lambda: START, history_size=3)
    w.failure_rate = 0.0
    w.reply_rate = 0.0
    return w


def make_client(world: SandboxWorld) -> MembraneClient:
    return MembraneClient(
        "https://membrane.sandbox.invalid",
        StaticToken("sandbox-token-123456"),
        transport=world.transport(),
        sleep=_no_sleep,
    )


def make_sms(client: MembraneClient, memory: InMemoryPrefix | None = None) -> SmsService:
    return SmsService(client, DEFAULT_CONNECTION_ID, prefix_memory=memory or InMemoryPrefix())
