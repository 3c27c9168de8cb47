"""An httpx transport that answers from a ``SandboxWorld`` in-process (no sockets)."""

from __future__ import annotations

import asyncio
from email.utils import formatdate

import httpx

from .world import SandboxWorld


class SandboxTransport(httpx.AsyncBaseTransport):
    def __init__(self, world: SandboxWorld) -> None:
        self.world = world

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        answer = self.world.handle(
            request.method,
            request.url.path,
            request.url.params.multi_items(),
            dict(request.headers),
            body,
        )
        if answer.fault == "timeout_before":
            raise httpx.ConnectTimeout("Simulated connect timeout", request=request)
        if answer.fault == "disconnect":
            raise httpx.ConnectError("Simulated connection refused", request=request)
        if self.world.latency > 0:
            await asyncio.sleep(self.world.latency)
        if answer.fault == "timeout_after":
            raise httpx.ReadTimeout("Simulated read timeout", request=request)
        # every HTTP server sends Date; it tells the world's time (a moved clock is skew)
        headers = {"date": formatdate(self.world.clock(), usegmt=True), **answer.headers}
        return httpx.Response(answer.status, headers=headers, content=answer.body, request=request)
