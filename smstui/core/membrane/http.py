"""The HTTP layer under ``MembraneClient``: headers, retries for reads, error mapping.

Reads are retried (429/502/503/504, connect errors, timeouts) with backoff that honours
``Retry-After`` and ClickSend's ``ratelimit-reset``. Writes are never retried once they may have
reached the server, because a second ``/sms/send`` would send the SMS twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from smstui.core.errors import (
    ConnectionUnusable,
    MalformedResponseError,
    MembraneAuthError,
    MembraneError,
    MembraneNotFound,
    NetworkError,
    RateLimitedError,
    RequestTimeout,
    SendOutcomeUnknown,
    redact,
)
from smstui.core.membrane.auth import TokenProvider

log = logging.getLogger("smstui.membrane")

API_VERSION = "2025-10-21"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Membrane error ``type`` values (membrane-api §5); only these mark a body as Membrane's
MEMBRANE_ERROR_TYPES = frozenset(
    {
        "bad_request",
        "connection",
        "configuration",
        "dependency_error",
        "flow_run",
        "flow_instance_setup",
        "concurrency",
        "internal",
        "action_run",
        "action_instance_setup",
        "unit_run",
        "custom_code",
        "insufficient_credit",
        "openrouter_not_configured",
    }
)
_TEXT_LIMIT = 300
#: the largest answer read into memory. The biggest legitimate one is a 100-row page (~200 kB);
#: past this the answer is dropped unread rather than held whole (a 10 MB error page, or the
#: chaos sandbox's huge body, would otherwise be buffered, joined and decoded: ~40 MB of
#: short-lived allocations each time, which fragment the heap and raise RSS for good)
MAX_RESPONSE_BYTES = 4 * 1024 * 1024

Sleep = Callable[[float], Awaitable[None]]


def retry_after_seconds(response: httpx.Response, *, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait: ``Retry-After`` (seconds or HTTP date), else
    ClickSend's ``ratelimit-reset`` (seconds until reset, not an epoch)."""
    value = response.headers.get("retry-after")
    if value:
        value = value.strip()
        seconds = _finite_seconds(value)
        if seconds is not None:
            return seconds
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, float((when - (now or datetime.now(UTC))).total_seconds()))
    reset = response.headers.get("ratelimit-reset")
    if reset:
        return _finite_seconds(reset.strip())
    return None


def _finite_seconds(value: str) -> float | None:
    """A header's number of seconds, at least 0; None for text that is not a finite number
    ("inf" and "nan" parse as floats but are no wait a server can mean)."""
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def membrane_error_body(response: httpx.Response) -> dict[str, Any] | None:
    """The body as a dict when it is a Membrane ErrorData (has a known ``type``)."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    kind = body.get("type")
    # a list as "type" would make the set lookup raise TypeError (unhashable)
    return body if isinstance(kind, str) and kind in MEMBRANE_ERROR_TYPES else None


def error_for(
    response: httpx.Response, secret: str | None, *, connection_id: str | None = None
) -> Exception:
    """Map a failed answer to a typed error; nothing in its text can carry ``secret``."""
    status = response.status_code
    body = membrane_error_body(response)
    if body is not None:
        kind = str(body.get("type"))
        key = body.get("key") if isinstance(body.get("key"), str) else None
        text = str(body.get("message") or kind)
        cause = body.get("causedByError")
        if isinstance(cause, dict) and cause.get("message"):
            text = f"{text}: {cause['message']}"
        message = redact(f"Membrane: {text} ({kind}{'/' + key if key else ''})", secret)
        data = body.get("data")
    else:
        kind, key, data = None, None, None
        snippet = " ".join(response.text[:_TEXT_LIMIT].split())
        message = redact(f"Membrane answered HTTP {status}: {snippet}".rstrip(": "), secret)
    if key == "connection_is_defunct" and connection_id is not None:
        return ConnectionUnusable(
            message,
            connection_id=connection_id,
            state="DEFUNCT",
            hint="Reconnect ClickSend in Membrane (smstui will print the link).",
        )
    if status == 429 or key == "rate_limit_exceeded":
        return RateLimitedError(message, retry_after=retry_after_seconds(response))
    cls: type[MembraneError] = MembraneError
    if status in (401, 403):
        cls = MembraneAuthError
    elif status == 404:
        cls = MembraneNotFound
    return cls(message, status=status, type=kind, key=key, data=data)


class HttpCore:
    """One ``httpx.AsyncClient`` plus the retry and error rules every endpoint shares."""

    def __init__(
        self,
        base_url: str,
        tokens: TokenProvider,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
        connect_timeout: float = 5.0,
        max_retries: int = 3,
        sleep: Sleep | None = None,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        self._tokens = tokens
        self._max_retries = max_retries
        self._sleep: Sleep = sleep if sleep is not None else asyncio.sleep
        self._backoff = backoff
        self._max_wait = max_wait
        self._rng = rng or random.Random()
        self._connect_timeout = connect_timeout
        self._last_token: str | None = None
        self.request_count = 0
        #: the last answer's ``Date`` header and our clock when it arrived (clock skew check)
        self.server_date: tuple[str, float] | None = None
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            headers={"membrane-api-version": API_VERSION, "Accept": "application/json"},
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _note_server_date(self, response: httpx.Response) -> None:
        date = response.headers.get("date")
        if date:
            self.server_date = (date, time.time())

    @property
    def scrub_secret(self) -> str | None:
        """The bearer token last sent: what error texts must be scrubbed of."""
        return self._last_token

    def scrub(self, text: str) -> str:
        return redact(text, self._last_token)

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        retry: bool | None = None,
        raise_rate_limit: bool = True,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        read_timeout: float | None = None,
    ) -> httpx.Response:
        """Send one request (retrying reads) and return the final response, any status.

        ``retry`` defaults to "is this a read". Writes that answer 429 raise
        ``RateLimitedError``: the server refused them, so nothing happened and the caller may
        try again later. ``content`` is a body sent as-is (instead of ``json_body``);
        ``headers`` are extra headers (the transparent proxy passes them on to ClickSend),
        never the ``Authorization`` one. ``read_timeout`` replaces the client's read timeout
        for this request (a long poll must be allowed to wait longer than an ordinary answer).
        """
        method = method.upper()
        retry = method in READ_METHODS if retry is None else retry
        attempt = 0
        while True:
            token = await self._tokens.token()
            self._last_token = token
            sent_headers = httpx.Headers(headers or {})
            sent_headers["Authorization"] = f"Bearer {token}"
            body = content
            if json_body is not None:
                if "content-type" not in sent_headers:
                    sent_headers["Content-Type"] = "application/json"
                body = json.dumps(json_body).encode()
            clean_params = {k: v for k, v in (params or {}).items() if v is not None}
            extra: dict[str, Any] = {}
            if read_timeout is not None:
                extra["timeout"] = httpx.Timeout(read_timeout, connect=self._connect_timeout)
            self.request_count += 1
            try:
                response = await self._request(
                    method, path, clean_params, body, sent_headers, **extra
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Nothing left this machine: safe to retry, even for a write.
                failure: Exception = NetworkError(
                    self._describe(exc, method, path), may_have_reached_server=False
                )
                if retry and attempt < self._max_retries:
                    attempt = await self._wait(attempt, None, method, path, failure)
                    continue
                raise failure from None
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if not retry:
                    raise SendOutcomeUnknown(
                        self._describe(exc, method, path)
                        + " after the request was sent; it may have been processed"
                    ) from None
                failure = (
                    RequestTimeout(self._describe(exc, method, path))
                    if isinstance(exc, httpx.TimeoutException)
                    else NetworkError(
                        self._describe(exc, method, path), may_have_reached_server=True
                    )
                )
                if attempt < self._max_retries:
                    attempt = await self._wait(attempt, None, method, path, failure)
                    continue
                raise failure from None
            if response is None:  # too large: it reached the server, and it answered
                cap = f"{MAX_RESPONSE_BYTES / 2**20:g} MiB"
                too_big = f"{method} {path}: the answer was larger than {cap}; not read"
                if not retry:
                    raise SendOutcomeUnknown(too_big + "; it may have been processed")
                raise MalformedResponseError(too_big)
            log.debug("%s %s -> %s", method, path, response.status_code)
            self._note_server_date(response)
            if response.status_code == 401:
                self._tokens.invalidate()
            if response.status_code not in RETRY_STATUSES:
                return response
            wait_hint = retry_after_seconds(response)
            if retry and attempt < self._max_retries and (wait_hint or 0) <= self._max_wait:
                attempt = await self._wait(attempt, wait_hint, method, path, None)
                continue
            if response.status_code == 429 and raise_rate_limit:
                raise RateLimitedError(
                    f"Rate limited on {method} {path}", retry_after=wait_hint
                ) from None
            return response

    async def _request(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        content: bytes | None,
        headers: httpx.Headers,
        **extra: Any,
    ) -> httpx.Response | None:
        """One exchange, the body read only up to ``MAX_RESPONSE_BYTES``; None past that."""
        request = self._client.build_request(
            method, path, params=params, content=content, headers=headers, **extra
        )
        response = await self._client.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
                return None
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():  # decoded: a gzip bomb stops here too
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    return None  # closing below drops the connection with the rest unread
                chunks.append(chunk)
        finally:
            await response.aclose()
        # a plain, fully read response; a body that came encoded is decoded now, so its
        # encoding and length headers would no longer describe it
        drop = (
            {"content-encoding", "content-length"}
            if "content-encoding" in response.headers
            else set()
        )
        kept = [(k, v) for k, v in response.headers.multi_items() if k not in drop]
        return httpx.Response(
            response.status_code,
            headers=kept,
            content=b"".join(chunks),
            request=request,
            extensions=response.extensions,
        )

    async def _wait(
        self,
        attempt: int,
        hint: float | None,
        method: str,
        path: str,
        failure: Exception | None,
    ) -> int:
        if hint is not None:
            delay = hint
        else:
            # exponential backoff with jitter so parallel clients do not retry in step
            base = self._backoff * (2**attempt)
            delay = min(self._max_wait, base + self._rng.uniform(0, base))
        log.info(
            "retrying %s %s in %.1fs (attempt %d)%s",
            method,
            path,
            delay,
            attempt + 1,
            f": {failure}" if failure else "",
        )
        await self._sleep(delay)
        return attempt + 1

    def _describe(self, exc: Exception, method: str, path: str) -> str:
        kind = type(exc).__name__
        detail = self.scrub(str(exc))[:_TEXT_LIMIT]
        return f"{kind} on {method} {path}" + (f": {detail}" if detail else "")

    def decode(self, response: httpx.Response, *, connection_id: str | None = None) -> Any:
        """The JSON body of a successful answer, or the typed error for a failed one."""
        if response.status_code >= 400:
            raise error_for(response, self._last_token, connection_id=connection_id)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except (ValueError, UnicodeDecodeError):
            snippet = self.scrub(" ".join(response.text[:80].split()))
            raise MalformedResponseError(
                f"Membrane sent a non-JSON answer (HTTP {response.status_code}): {snippet}"
            ) from None
