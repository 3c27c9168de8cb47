"""An httpx transport that answers from a ``SandboxWorld`` in-process (no sockets)."""

from __future__ import annotations

import asyncio
from email.utils import formatdate

import httpx

from .world import SandboxWorld, Sleep


class SandboxTransport(httpx.AsyncBaseTransport):
    def __init__(self, world: SandboxWorld, sleep: Sleep | None = None) -> None:
        self.world = world
        self._sleep: Sleep = sleep if sleep is not None else asyncio.sleep

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
        if answer.resume is not None:
            # a long poll holds the answer; a client that reads for less time loses it
            read = (request.extensions.get("timeout") or {}).get("read")
            if read is not None and answer.long_poll > read:
                await self._sleep(read)
                raise httpx.ReadTimeout("Simulated read timeout (long poll)", request=request)
            await self._sleep(answer.long_poll)
            answer = answer.resume()
        if self.world.latency > 0:
            await asyncio.sleep(self.world.latency)
        if answer.fault == "timeout_after":
            raise httpx.ReadTimeout("Simulated read timeout", request=request)
        # every HTTP server sends Date; it tells the world's time (a moved clock is skew)
        headers = {"date": formatdate(self.world.clock(), usegmt=True), **answer.headers}
        return httpx.Response(answer.status, headers=headers, content=answer.body, request=request)
