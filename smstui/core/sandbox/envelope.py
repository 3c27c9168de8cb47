"""ClickSend's JSON envelope, paginator and error answers."""

from __future__ import annotations

import math
from typing import Any

from .http import SandboxResponse, json_response

API_ROOT = "https://rest.clicksend.com"
RATE_LIMIT = 6000

_CODES = {
    200: "SUCCESS",
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    429: "HTTP_TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
}


class ClickSendProblem(Exception):
    """Raised inside handlers to answer an error envelope."""

    def __init__(
        self, status: int, message: str, data: Any = None, *, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.data = data
        self.code = code


def envelope(
    status: int, message: str, data: Any, *, code: str | None = None, remaining: int = RATE_LIMIT
) -> SandboxResponse:
    body = {
        "http_code": status,
        "response_code": code or _CODES.get(status, "BAD_REQUEST"),
        "response_msg": message,
        "data": data,
    }
    # ClickSend's real spelling mix: x-ratelimit-* but ratelimit-reset (seconds, not epoch)
    headers = {
        "x-ratelimit-limit": str(RATE_LIMIT),
        "x-ratelimit-remaining": str(max(remaining, 0)),
        "ratelimit-reset": "60",
    }
    return json_response(status, body, headers)


def not_found_endpoint() -> SandboxResponse:
    return envelope(404, "Invalid endpoint. Please try again.", None)


def page_params(query: dict[str, str]) -> tuple[int, int]:
    """``(page, limit)`` with ClickSend's rules: limit 15..100 (default 15), page >= 1."""
    try:
        page = int(query.get("page") or 1)
        limit = int(query.get("limit") or 15)
    except ValueError as exc:
        raise ClickSendProblem(400, "The page and limit must be integers.") from exc
    if not 15 <= limit <= 100:
        raise ClickSendProblem(400, "The limit must be between 15 and 100.")
    if page < 1:
        raise ClickSendProblem(400, "The page must be at least 1.")
    return page, limit


def paginate(items: list[Any], page: int, limit: int, path: str) -> dict[str, Any]:
    """A Laravel paginator as ClickSend returns it (an empty list has ``last_page: 0``)."""
    total = len(items)
    last_page = math.ceil(total / limit)
    start = (page - 1) * limit
    chunk = items[start : start + limit]
    url = f"{API_ROOT}{path}?page="
    return {
        "total": total,
        "per_page": limit,
        "current_page": page,
        "last_page": last_page,
        "next_page_url": f"{url}{page + 1}" if page < last_page else None,
        "prev_page_url": f"{url}{page - 1}" if page > 1 else None,
        "from": start + 1 if chunk else None,
        "to": start + len(chunk) if chunk else None,
        "data": chunk,
    }
