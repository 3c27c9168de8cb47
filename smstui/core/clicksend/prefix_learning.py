"""ClickSend calls over Membrane's transparent proxy, learning the ``/v3`` path prefix.

Paths are written without a version prefix (``"/sms/send"``). Whether the Membrane
connector's base URL already ends in ``/v3`` is unverified, so it is learnt:

* it starts from the remembered prefix (``prefix_memory``), else guesses ``"/v3"``;
* a READ that meets ClickSend's 404 "Invalid endpoint" while the prefix is unconfirmed is
  retried once with the other prefix (``"" <-> "/v3"``); the one that works is remembered;
* before the first WRITE with an unconfirmed prefix, a cheap ``GET <prefix>/account``
  confirms it. A send is never used as a probe: it could reach a real phone;
* at most one extra read per service; once confirmed (here or in ``prefix_memory`` across
  restarts) a 404 "Invalid endpoint" is a real error.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpx

from smstui.core.clicksend import parse as cs
from smstui.core.errors import ClickSendError

V3 = "/v3"

_INVALID_ENDPOINT_HINT = (
    "The ClickSend connection's base URL does not match what smstui expects; "
    "check the connector in Membrane."
)


class ProxyClient(Protocol):
    """The part of ``MembraneClient`` the service uses (the transparent proxy)."""

    async def proxy(
        self,
        connection_id: str,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> httpx.Response: ...


class PrefixMemory(Protocol):
    """Where the learnt path prefix lives between runs (``ConnectionCache`` in the app)."""

    def get_prefix(self) -> str | None: ...

    def set_prefix(self, prefix: str) -> None: ...


class InMemoryPrefix:
    """A ``PrefixMemory`` that forgets on exit (tests, one-off CLI calls)."""

    def __init__(self, prefix: str | None = None) -> None:
        self.prefix = prefix

    def get_prefix(self) -> str | None:
        return self.prefix

    def set_prefix(self, prefix: str) -> None:
        self.prefix = prefix


class PrefixLearningApi:
    """The ``read``/``write`` that ``SmsService`` (and every service on it) go through."""

    def __init__(
        self,
        client: ProxyClient,
        connection_id: str,
        *,
        prefix_memory: PrefixMemory | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._connection_id = connection_id
        self._memory = prefix_memory if prefix_memory is not None else InMemoryPrefix()
        remembered = self._memory.get_prefix()
        self._prefix = remembered if remembered in ("", V3) else V3
        self._confirmed = remembered in ("", V3)
        self._probed = False
        self._confirm_lock = asyncio.Lock()
        self._clock = clock

    # ------------------------------------------------------------------ prefix learning

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def prefix_confirmed(self) -> bool:
        return self._confirmed

    def _learn(self, prefix: str) -> None:
        self._prefix = prefix
        if not self._confirmed:
            self._confirmed = True
            self._memory.set_prefix(prefix)

    async def _call(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any
    ) -> httpx.Response:
        return await self._client.proxy(
            self._connection_id, method, self._prefix + path, params=params, json=body
        )

    async def _read(self, path: str, params: Mapping[str, Any] | None = None) -> cs.Envelope:
        response = await self._call("GET", path, params, None)
        if not self._confirmed:
            if cs.is_invalid_endpoint(response.status_code, response.content):
                if not self._probed:
                    self._probed = True
                    other = "" if self._prefix == V3 else V3
                    retry = await self._client.proxy(
                        self._connection_id, "GET", other + path, params=params, json=None
                    )
                    if retry.is_success:
                        self._learn(other)
                    response = retry
            elif response.is_success:
                self._learn(self._prefix)
        return self._envelope(response)

    async def _ensure_prefix(self) -> None:
        if self._confirmed:
            return
        async with self._confirm_lock:
            if not self._confirmed:
                # The cheapest read there is; also fails early on bad credentials.
                await self._read_account()

    async def _write(self, method: str, path: str, body: Any = None) -> cs.Envelope:
        await self._ensure_prefix()
        response = await self._call(method, path, None, body)
        return self._envelope(response)

    async def read(self, path: str, params: Mapping[str, Any] | None = None) -> cs.Envelope:
        """A GET through the same prefix learning (other ClickSend services build on this)."""
        return await self._read(path, params)

    async def ready_to_write(self) -> None:
        """Do what a write waits for before its request leaves (confirm the prefix), so a
        caller can stamp the moment the request really leaves (the outbox does)."""
        await self._ensure_prefix()

    async def write(self, method: str, path: str, body: Any = None) -> cs.Envelope:
        """A write that confirms the prefix first; never retried (see the module doc)."""
        return await self._write(method, path, body)

    def _envelope(self, response: httpx.Response) -> cs.Envelope:
        try:
            return cs.parse_envelope(response.status_code, response.content, response.headers)
        except ClickSendError as err:
            if cs.is_invalid_endpoint(response.status_code, response.content):
                err.hint = _INVALID_ENDPOINT_HINT
            raise

    async def _read_account(self) -> cs.Envelope:
        try:
            return await self._read("/account")
        except ClickSendError as err:
            # A failure envelope could still carry the account object (and its API key).
            err.data = None
            raise
