"""Request/response primitives shared by the simulated Membrane and ClickSend surfaces."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Query = Mapping[str, str] | Sequence[tuple[str, str]]

#: what a transport must do instead of (or after) delivering the answer
FaultAction = Literal["timeout_after", "timeout_before", "disconnect"]


@dataclass(slots=True)
class SandboxResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: set by fault injection: the transport raises (or the server hangs up) instead of answering
    fault: FaultAction | None = None
    #: seconds the loopback server holds the socket before hanging up on a timeout fault
    hang: float = 0.0
    #: a long poll: hold the answer this many seconds, then send what ``resume`` says then
    long_poll: float = 0.0
    resume: Callable[[], SandboxResponse] | None = None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True, slots=True)
class Request:
    """One parsed request as the routers see it (headers keyed in lower case)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json_body(self) -> Any:
        """The JSON body; ``None`` when empty. Raises ``ValueError`` when it is not JSON."""
        if not self.body.strip():
            return None
        return json.loads(self.body)


def query_dict(query: Query) -> dict[str, str]:
    """Flatten a query to one value per name (the last one wins, as in most web frameworks)."""
    items = query.items() if isinstance(query, Mapping) else query
    return {str(k): str(v) for k, v in items}


def json_response(
    status: int, payload: Any, headers: Mapping[str, str] | None = None
) -> SandboxResponse:
    out = {"content-type": "application/json"}
    if headers:
        out.update({k.lower(): v for k, v in headers.items()})
    return SandboxResponse(status, out, json.dumps(payload).encode())


def error_data(
    status: int, type_: str, key: str | None, message: str, data: Any = None
) -> SandboxResponse:
    """A Membrane ``ErrorData`` answer."""
    payload: dict[str, Any] = {"type": type_, "message": message}
    if key is not None:
        payload["key"] = key
    if data is not None:
        payload["data"] = data
    return json_response(status, payload)


def parse_int(raw: str | None, default: int) -> int:
    """Parse a query integer; ``ValueError`` for junk so routers can answer 400."""
    if raw is None or raw == "":
        return default
    return int(raw)
