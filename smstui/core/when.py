"""Times typed by people, one copy for every front-end.

``parse_when``: a CLI WHEN (ISO 8601, Unix seconds, ``now`` or a duration like ``2h``);
``parse_schedule``: a local date and time typed in a form (Compose, campaigns);
``parse_day``: a local calendar day (History's date filter).
"""

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


def local_tz_name() -> str:
    return datetime.now().astimezone().tzname() or "local"


def parse_schedule(date_text: str, time_text: str) -> datetime | None:
    """Local date + time typed by the user -> aware UTC datetime (None when both are empty)."""
    date_text, time_text = date_text.strip(), time_text.strip()
    if not date_text and not time_text:
        return None
    if not date_text:
        raise ValidationError("Give a date (YYYY-MM-DD) for the schedule", field="schedule")
    try:
        naive = datetime.strptime(f"{date_text} {time_text or '00:00'}", "%Y-%m-%d %H:%M")
    except ValueError:
        raise ValidationError(
            "Schedule must look like 2025-12-31 and 09:30", field="schedule"
        ) from None
    when = naive.astimezone().astimezone(UTC)  # naive = local time of this machine
    if when <= datetime.now(UTC):
        raise ValidationError("The schedule is in the past", field="schedule")
    return when


def parse_day(text: str) -> datetime | None:
    """A local calendar day ``YYYY-MM-DD`` -> its start as an aware UTC datetime."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").astimezone().astimezone(UTC)
    except ValueError:
        raise ValidationError("Dates look like 2025-12-31", field="date") from None


def iso_utc(when: datetime | None) -> str:
    """ISO 8601 in UTC with a ``Z`` (naive datetimes are taken as UTC)."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
