"""A schedule typed as local date and time (Compose, campaigns) -> an aware UTC datetime."""

from __future__ import annotations

from datetime import UTC, datetime

from smstui.core.errors import ValidationError


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
