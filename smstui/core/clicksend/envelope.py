"""The ClickSend response envelope: ``{http_code, response_code, response_msg, data}``.

``parse_envelope`` is the one place that decides whether an answer is a success. It turns
failures into the core's typed errors (``ClickSendError``, ``RateLimitedError``,
``MalformedResponseError``) and never lets ``KeyError``/``ValueError`` escape.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smstui.core.clicksend import coerce as c
from smstui.core.errors import ClickSendError, MalformedResponseError, RateLimitedError

#: ``response_code`` values that mean success (201/204 exist in the current docs)
SUCCESS_CODES = frozenset({"SUCCESS", "CREATED", "NO_CONTENT", "200", "201", "204"})

# ``response_msg`` is free text from the server: cap what we copy into an exception.
_MAX_MESSAGE = 300

_HINTS: dict[int, str] = {
    401: "ClickSend rejected the credentials held by the Membrane connection: reconnect it",
    403: "ClickSend refused access (account suspended or no permission for this resource).",
    500: "ClickSend had an internal error: try again later.",
}


@dataclass(frozen=True, slots=True)
class Envelope:
    http_code: int
    response_code: str
    response_msg: str
    data: Any


def _clip(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 1] + "…"


def _decode(body: Any) -> tuple[bool, Any]:
    """(could decode, value). ``bytes``/``str`` are JSON text; anything else is already JSON."""
    if isinstance(body, bytes | bytearray | str):
        raw = bytes(body) if isinstance(body, bytearray) else body
        if not raw.strip():
            return False, None
        value = c.loads_or_none(raw)
        if value is None and raw.strip() not in ("null", b"null"):
            return False, None
        return True, value
    return True, body


def retry_after_seconds(
    headers: Mapping[str, str] | None, now: float | None = None
) -> float | None:
    """``Retry-After`` (seconds or HTTP date), else ClickSend's ``ratelimit-reset`` (seconds)."""
    if not headers:
        return None
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    raw = lowered.get("retry-after")
    if raw is not None:
        seconds = c.decimal(raw)
        if seconds is not None:
            return max(0.0, float(seconds))
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(0.0, when.timestamp() - (time.time() if now is None else now))
    reset = c.decimal(lowered.get("ratelimit-reset"))
    return None if reset is None else max(0.0, float(reset))


def _error_detail(data: Any) -> str:
    """A 400 may map field -> message (``{"name": "Name field is required."}``)."""
    if not isinstance(data, dict):
        return ""
    parts = [f"{k}: {v}" for k, v in data.items() if isinstance(v, str) and v][:5]
    return f" ({'; '.join(parts)})" if parts else ""


def parse_envelope(
    status: int, body: bytes | str | Any, headers: Mapping[str, str] | None = None
) -> Envelope:
    """Check a ClickSend answer and return its envelope, or raise a typed error.

    ``status`` is the HTTP status, ``body`` the raw bytes/text (or already-decoded JSON),
    ``headers`` the response headers (only used for 429's ``Retry-After``).
    """
    decoded, value = _decode(body)
    obj = value if decoded and isinstance(value, dict) else None
    ok_status = 200 <= status < 300

    if status == 429:
        msg = c.optional_text(obj.get("response_msg")) if obj else None
        raise RateLimitedError(
            _clip(f"ClickSend rate limit: {msg or 'too many requests'}"),
            retry_after=retry_after_seconds(headers),
        )

    if obj is None:
        if ok_status and status == 204 and not decoded:
            return Envelope(status, "NO_CONTENT", "", None)
        if ok_status:
            what = "not JSON" if not decoded else f"a JSON {type(value).__name__}, not an object"
            raise MalformedResponseError(f"ClickSend sent an unreadable answer ({what}).")
        raise ClickSendError(
            f"ClickSend answered HTTP {status}.", http_status=status, hint=_HINTS.get(status)
        )

    code = (c.text(obj.get("response_code")) or "").strip().upper()
    msg = c.text_or_empty(obj.get("response_msg"))
    data = obj.get("data")
    if ok_status and (not code or code in SUCCESS_CODES):
        return Envelope(status, code or "SUCCESS", msg, data)

    # A 2xx carrying a failure code: report the code the body claims, if it is an HTTP one.
    http_status = status
    if ok_status:
        body_code = c.optional_integer(obj.get("http_code"))
        if body_code is not None and 400 <= body_code < 600:
            http_status = body_code
    if http_status == 429:
        raise RateLimitedError(
            _clip(f"ClickSend rate limit: {msg or 'too many requests'}"),
            retry_after=retry_after_seconds(headers),
        )
    detail = _error_detail(data) if http_status == 400 else ""
    text = msg or f"ClickSend answered HTTP {http_status} {code}".strip()
    raise ClickSendError(
        _clip(text + detail),
        http_status=http_status,
        response_code=code or None,
        data=data,
        hint=_HINTS.get(http_status),
    )


def is_invalid_endpoint(status: int, body: bytes | str | Any) -> bool:
    """ClickSend's answer to an unknown path (or wrong method): 404 "Invalid endpoint"."""
    if status != 404:
        return False
    decoded, value = _decode(body)
    if not decoded or not isinstance(value, dict):
        return False
    msg = c.text_or_empty(value.get("response_msg")).lower()
    return "invalid endpoint" in msg
