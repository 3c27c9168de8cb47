"""A ``MembraneClient`` on the in-process sandbox, or on answers a test scripts, and the
requests the sandbox saw."""

from __future__ import annotations

import httpx

from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.sandbox import SandboxWorld


def sandbox_client(
    world: SandboxWorld, base_url: str = "https://api.sandbox.test", token: str = "t"
) -> MembraneClient:
    """A client whose requests ``world`` answers in-process (use it with ``async with``)."""
    return MembraneClient(base_url, StaticToken(token), transport=world.transport())


def recorded(
    *answers: httpx.Response, base_url: str = "https://m.test"
) -> tuple[MembraneClient, list[httpx.Request]]:
    """A client that gets ``answers`` in order, and the list of requests it sent."""
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0)

    transport = httpx.MockTransport(handler)
    return MembraneClient(base_url, StaticToken("t"), transport=transport), seen


def request_log(world: SandboxWorld) -> list[tuple[str, str]]:
    """(method, path) of every request ``world`` has answered so far."""
    with world.lock:
        return list(world.request_log)
