"""Small rules of ClickSend's wire format shared by every ClickSend service."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

#: the page sizes ClickSend's listings accept
MIN_LIMIT, MAX_LIMIT = 15, 100


def unix(value: datetime | int | float | None) -> int | None:
    """ClickSend times are Unix seconds (UTC); a naive datetime is taken as UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return int(aware.timestamp())
    return int(value)


def segment(value: str) -> str:
    """Ids go into the path: quote them so untrusted text cannot change the route."""
    return quote(str(value), safe="")


def clamp_limit(limit: int) -> int:
    """A page size ClickSend accepts."""
    return max(MIN_LIMIT, min(MAX_LIMIT, int(limit)))
