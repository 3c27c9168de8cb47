"""Lenient scalar coercions for ClickSend JSON.

ClickSend sends numbers as strings (``"1.00"``, ``"1436932432"``), strings as numbers
(``message_price: 0.07``), ``""`` for "no value" and, in one doc example, a timestamp with a
stray comma (``"1721099039,"``). Every helper here accepts *any* JSON value and returns either
the coerced value or ``None``/a default: none of them raises, so the parsers built on them can
only fail with the core's own typed errors.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# Unix seconds outside this window are nonsense (or would overflow ``datetime``).
_MIN_TS = 1
_MAX_TS = 253_402_300_799  # 9999-12-31T23:59:59Z
# Decimal("1e999999") is valid but turning it into an int would allocate a huge number.
_MAX_EXPONENT = 30


def text(value: Any) -> str | None:
    """A string field: numbers become their text, ``None``/objects/lists become ``None``."""
    if type(value) is str:  # the usual case first (a history page has ~1,400 of them)
        return value
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return str(int(value)) if value.is_integer() else str(value)
    return None


def text_or_empty(value: Any) -> str:
    return text(value) or ""


def optional_text(value: Any) -> str | None:
    """Like ``text`` but ``""`` (ClickSend's "nothing") becomes ``None``."""
    result = text(value)
    return result if result else None


def record_id(value: Any) -> str | None:
    """An id (an int in the docs) kept as text so it goes back into paths unchanged; a blank
    one is no id."""
    result = optional_text(value)
    return result.strip() if result and result.strip() else None


def message_id(value: Any) -> str | None:
    """Message ids are upper-case UUIDs; compare case-insensitively by normalising here."""
    result = optional_text(value)
    return result.strip().upper() if result else None


def decimal(value: Any) -> Decimal | None:
    """Money and counts: ``"0.0792"``, ``0.07``, ``0`` -> ``Decimal``; junk -> ``None``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # str() first: Decimal(0.07) would keep the binary float error.
        value = str(value)
    if not isinstance(value, str):
        return None
    cleaned = value.strip().rstrip(",").strip()
    if not cleaned:
        return None
    try:
        result = Decimal(cleaned)
    except (InvalidOperation, ValueError):
        return None
    if not result.is_finite() or abs(result.adjusted()) > _MAX_EXPONENT:
        return None
    return result


def integer(value: Any, default: int = 0) -> int:
    """Counts and parts: ``"1.00"`` -> 1, ``"1721099039,"`` -> 1721099039, junk -> default."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    number = decimal(value)
    if number is None:
        return default
    return int(number)


def optional_integer(value: Any) -> int | None:
    if type(value) is int:  # not a bool (its own type): the usual case first
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    number = decimal(value)
    return None if number is None else int(number)


def timestamp(value: Any) -> datetime | None:
    """Unix seconds (int, float or numeric string) -> aware UTC ``datetime``; else ``None``."""
    seconds = optional_integer(value)
    if seconds is None or not _MIN_TS <= seconds <= _MAX_TS:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def status_code(value: Any) -> str | None:
    """Receipt ``status_code`` is an int in the schema and a string in examples: use text."""
    result = optional_text(value)
    return result.strip() if result else None


def flag(value: Any) -> bool:
    """ClickSend booleans are ``0``/``1``, ``"0"``/``"1"`` or real booleans."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes"):
        return True
    return integer(value, default=0) != 0


def mapping(value: Any) -> dict[str, Any] | None:
    """An object field; the doc examples sometimes send ``"{}"`` as a string."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        decoded = loads_or_none(value)
        return decoded if isinstance(decoded, dict) else None
    return None


def loads_or_none(raw: str | bytes) -> Any:
    """``json.loads`` that reports failure as ``None`` (JSON ``null`` is also ``None``)."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None
