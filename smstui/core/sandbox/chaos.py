"""Seeded random faults for the loopback sandbox (``smstui sandbox serve --faults RATE``).

A ``ChaosPlan`` decides, per request and with probability ``rate``, one fault from
``KINDS``. ``answer_with_chaos`` turns that choice into a ``ChaosAnswer``: what to send and how
the server must (mis)deliver it. Faults in ``HANDLED`` let the world handle the request first
(an SMS *is* recorded), then spoil the answer; every other fault answers without handling, so
it never records a send. That split is what the exactly-once tests lean on: only a handled
fault can leave the client unsure, and the outbox must then reconcile rather than resend.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args
from urllib.parse import parse_qsl

from .faults import Fault
from .http import SandboxResponse

ChaosKind = Literal[
    "close_before_answer",
    "no_answer",
    "timeout_after_handling",
    "reset_mid_response",
    "slow_drip",
    "http_500",
    "http_502",
    "http_503",
    "http_504",
    "rate_limited_retry_after",
    "rate_limited_bare",
    "unauthorized",
    "malformed_json",
    "wrong_shape_arrays",
    "wrong_shape_strings",
    "truncated_body",
    "huge_body",
    "quirk_int_response_code",
    "quirk_too_many_requests",
    "quirk_data_empty_object_string",
]

KINDS: tuple[ChaosKind, ...] = get_args(ChaosKind)

#: faults applied after the world handled the request (a send through them is recorded)
HANDLED: frozenset[ChaosKind] = frozenset(
    {
        "timeout_after_handling",
        "reset_mid_response",
        "slow_drip",
        "wrong_shape_strings",
        "truncated_body",
        "quirk_data_empty_object_string",
    }
)

#: how the server delivers an answer
Delivery = Literal["normal", "close", "hang", "reset", "truncate", "drip"]

HUGE_BODY_BYTES = 10 * 1024 * 1024
_HUGE_HEAD = b'{"http_code": 200, "response_code": "SUCCESS", "response_msg": "'
_HUGE_TAIL = b'", "data": null}'


@dataclass(slots=True)
class ChaosAnswer:
    status: int
    headers: dict[str, str]
    body: bytes
    delivery: Delivery = "normal"
    #: seconds to hold the socket ("hang") or to spread the body over ("drip")
    seconds: float = 0.0


@dataclass
class ChaosPlan:
    """Thread-safe: the threaded server asks it from many request threads at once."""

    rate: float
    seed: int = 0
    kinds: tuple[ChaosKind, ...] = KINDS
    #: how long "no answer" holds the socket before hanging up (keep above client timeouts
    #: to see a real timeout; the soak keeps it short so it does not stall)
    hang: float = 3.0
    drip_seconds: float = 1.0
    huge_bytes: int = HUGE_BODY_BYTES
    #: only requests whose path passes this are eligible (None: all)
    path_filter: Callable[[str], bool] | None = None
    #: when a dict, what happened to each smstui token on the wire (the soak's audit reads it):
    #: token -> [(seconds since the plan started, method, endpoint, fault kind or "ok")]
    trace: dict[str, list[tuple[float, str, str, str]]] | None = None
    requests: int = 0
    injected: Counter[str] = field(default_factory=Counter)
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    _started: float = field(init=False, repr=False, default=0.0)
    #: the "huge_body" answer, built once: a fresh 10 MB bytes per fault (in a server thread of
    #: the process under test) would churn and fragment that process's heap
    _huge: bytes = field(init=False, repr=False, default=b"")

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("the fault rate must be between 0 and 1")
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self._rng = random.Random(self.seed)
        self._started = time.monotonic()

    def choose(self, method: str, path: str) -> ChaosKind | None:
        with self._lock:
            self.requests += 1
            # draw both numbers every time so one seed gives one sequence whatever the rate
            roll, pick = self._rng.random(), self._rng.choice(self.kinds)
            if roll >= self.rate or (self.path_filter and not self.path_filter(path)):
                return None
            self.injected[pick] += 1
            return pick

    def note(self, method: str, path: str, query: str, body: bytes, kind: str | None) -> None:
        """Record the tokens a request carries (sends and prices in the body, a history
        lookup in ``q=custom_string:``) with the fault that hit it; only with ``trace``."""
        if self.trace is None:
            return
        tokens = _tokens_in(query, body)
        if not tokens:
            return
        endpoint = "/" + "/".join(path.rstrip("/").split("/")[-2:])
        event = (round(time.monotonic() - self._started, 3), method.upper(), endpoint, kind or "ok")
        with self._lock:
            for token in tokens:
                self.trace.setdefault(token, []).append(event)

    def huge_body(self) -> bytes:
        """``huge_bytes`` of valid JSON (one shared, immutable object)."""
        with self._lock:
            if len(self._huge) != max(self.huge_bytes, len(_HUGE_HEAD) + len(_HUGE_TAIL)):
                filler = max(0, self.huge_bytes - len(_HUGE_HEAD) - len(_HUGE_TAIL))
                self._huge = _HUGE_HEAD + b"x" * filler + _HUGE_TAIL
            return self._huge

    def counts(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "faults": sum(self.injected.values()),
                "by_kind": dict(sorted(self.injected.items())),
            }


def _tokens_in(query: str, body: bytes) -> list[str]:
    tokens = [
        value.removeprefix("custom_string:")
        for name, value in parse_qsl(query)
        if name == "q" and value.startswith("custom_string:")
    ]
    if body:
        try:
            doc = json.loads(body)
        except ValueError:
            return tokens
        messages = doc.get("messages") if isinstance(doc, dict) else None
        if isinstance(messages, list):
            tokens += [
                str(m["custom_string"])
                for m in messages
                if isinstance(m, dict) and m.get("custom_string")
            ]
    return tokens


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> ChaosAnswer:
    out = {"content-type": "application/json", **(headers or {})}
    return ChaosAnswer(status, out, json.dumps(payload).encode())


def _status(path: str, status: int, headers: dict[str, str] | None = None) -> ChaosAnswer:
    # reuse the sandbox's realistic error bodies (ClickSend's through the proxy, else Membrane's)
    r = Fault(status=status, headers=headers or {}).status_response(path)
    return ChaosAnswer(r.status, r.headers, r.body)


def _clicksend(status: int, code: Any, message: str, data: Any = None) -> dict[str, Any]:
    return {"http_code": status, "response_code": code, "response_msg": message, "data": data}


def unhandled_answer(kind: ChaosKind, path: str, plan: ChaosPlan) -> ChaosAnswer:
    """The answer for a fault that never reaches the world."""
    if kind == "close_before_answer":
        return ChaosAnswer(0, {}, b"", "close")
    if kind == "no_answer":
        return ChaosAnswer(0, {}, b"", "hang", plan.hang)
    if kind.startswith("http_5"):
        return _status(path, int(kind.removeprefix("http_")))
    if kind == "rate_limited_retry_after":
        return _status(path, 429, {"Retry-After": "1"})
    if kind == "rate_limited_bare":
        return _status(path, 429)
    if kind == "unauthorized":  # the token expired mid-session
        return _json(401, {"type": "bad_request", "key": "not_authenticated", "message": "expired"})
    if kind == "malformed_json":
        return ChaosAnswer(
            200, {"content-type": "application/json"}, b'{"http_code": 200, "data": {"mess'
        )
    if kind == "wrong_shape_arrays":
        return _json(200, [_clicksend(200, "SUCCESS", "ok", [[], [[]]])])
    if kind == "huge_body":
        return ChaosAnswer(200, {"content-type": "application/json"}, plan.huge_body())
    if kind == "quirk_int_response_code":  # one observed 400 had response_code as int 400
        return _json(400, _clicksend(400, 400, "Bad request"))
    if kind == "quirk_too_many_requests":  # the live spelling, with seconds in ratelimit-reset
        return _json(
            429,
            _clicksend(429, "HTTP_TOO_MANY_REQUESTS", "Too many attempts."),
            {"ratelimit-reset": "1", "x-ratelimit-remaining": "0"},
        )
    raise ValueError(f"{kind} is applied after handling")


def _stringify_numbers(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return {k: _stringify_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_numbers(v) for v in value]
    return value


def spoil_handled(kind: ChaosKind, response: SandboxResponse, plan: ChaosPlan) -> ChaosAnswer:
    """Deliver a real, handled answer badly."""
    headers = dict(response.headers)
    body = response.body
    if kind == "timeout_after_handling":
        return ChaosAnswer(0, {}, b"", "hang", plan.hang)
    if kind == "reset_mid_response":
        return ChaosAnswer(response.status, headers, body, "reset")
    if kind == "truncated_body":
        return ChaosAnswer(response.status, headers, body, "truncate")
    if kind == "slow_drip":
        return ChaosAnswer(response.status, headers, body, "drip", plan.drip_seconds)
    try:
        doc = json.loads(body)
    except ValueError:
        return ChaosAnswer(response.status, headers, body)
    if kind == "wrong_shape_strings":
        doc = _stringify_numbers(doc)
    elif kind == "quirk_data_empty_object_string" and isinstance(doc, dict) and "data" in doc:
        doc["data"] = "{}"  # what ClickSend's mark-read answers carry
    return ChaosAnswer(response.status, headers, json.dumps(doc).encode())
