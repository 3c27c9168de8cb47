"""Parse WHEN arguments: ISO 8601 dates/times, Unix seconds, ``now`` or durations like ``2h``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from smstui.core.errors import ValidationError

_DURATION = re.compile(r"(?:in\s+)?(\d+)\s*(s|m|h|d|w)(?:\s+ago)?", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

WHEN_HELP = (
    "WHEN is an ISO 8601 date or time (2024-05-01, 2024-05-01T09:30, 2024-05-01T09:30+10:00; "
    "no offset means local time), Unix seconds, 'now', or a duration such as 30m, 2h, 3d, 1w"
)


def parse_when(text: str, *, future: bool, now: datetime | None = None) -> datetime:
    """A timezone-aware UTC datetime. Durations count back from now, or forward if ``future``."""
    now = now or datetime.now(UTC)
    raw = text.strip()
    if raw.lower() == "now":
        return now
    m = _DURATION.fullmatch(raw)
    if m:
        delta = timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})
        return now + delta if future else now - delta
    if raw.isdigit() and len(raw) >= 9:
        return datetime.fromtimestamp(int(raw), UTC)
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"cannot read the time {raw!r}", field="when", hint=WHEN_HELP
        ) from None
    if when.tzinfo is None:
        when = when.astimezone()  # naive = the user's local time
    return when.astimezone(UTC)
