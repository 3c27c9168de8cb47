"""Fault injection: make chosen requests fail the ways real networks and servers do.

``world.inject(Fault(...))`` queues a fault. The first queued fault whose method and path
regex match a request applies, ``times`` times (``None``: forever):

* ``status``: answer ``status`` with ``headers``/``body`` without handling the request.
* ``timeout_after``: handle the request (an SMS *is* recorded as received), then lose the
  answer: the transport raises ``httpx.ReadTimeout``; the loopback server holds the socket
  ``hang`` seconds and closes it without answering.
* ``timeout_before``: not handled; the transport raises ``httpx.ConnectTimeout`` (the server
  holds the socket ``hang`` seconds and closes it without answering).
* ``disconnect``: not handled; the transport raises ``httpx.ConnectError`` (the server closes
  the socket at once).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from .http import SandboxResponse

FaultKind = Literal["status", "timeout_after", "timeout_before", "disconnect"]

_CLICKSEND_CODES = {429: "HTTP_TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR"}
_MEMBRANE_ERRORS = {
    401: ("bad_request", "not_authenticated"),
    403: ("bad_request", "access_denied"),
    404: ("bad_request", "not_found"),
    429: ("bad_request", "rate_limit_exceeded"),
}


@dataclass(slots=True)
class Fault:
    kind: FaultKind = "status"
    #: HTTP method to match (any when None)
    method: str | None = None
    #: regex searched in the request path (e.g. ``r"/sms/send$"``); "" matches every path
    path: str = ""
    times: int | None = 1
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    #: bytes/str sent as-is, anything else as JSON; None: a realistic error body
    body: Any = None
    hang: float = 0.0
    #: how many requests this fault has hit so far
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return re.search(self.path, path) is not None

    def status_response(self, path: str) -> SandboxResponse:
        headers = {"content-type": "application/json"}
        headers.update({k.lower(): v for k, v in self.headers.items()})
        return SandboxResponse(self.status, headers, self._body(path))

    def _body(self, path: str) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        if self.body is not None:
            return json.dumps(self.body).encode()
        if "/proxy/" in path:  # through the transparent proxy the error is ClickSend's own
            return json.dumps(
                {
                    "http_code": self.status,
                    "response_code": _CLICKSEND_CODES.get(self.status, "BAD_REQUEST"),
                    "response_msg": "Too many attempts."
                    if self.status == 429
                    else "Something went wrong.",
                    "data": None,
                }
            ).encode()
        type_, key = _MEMBRANE_ERRORS.get(self.status, ("internal", None))
        payload: dict[str, Any] = {"type": type_, "message": f"Simulated HTTP {self.status}"}
        if key:
            payload["key"] = key
        return json.dumps(payload).encode()


class FaultQueue:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault to apply to this request, counting it used."""
        for fault in self._faults:
            if fault.matches(method, path):
                fault.hits += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def __len__(self) -> int:
        return len(self._faults)
