"""Small facts learnt about a ClickSend account, remembered for a while.

Whether the account has POLL rules, or refuses MMS or voice, changes rarely; asking on every
command or every sync would cost a request each time (and hammer an endpoint that refuses).
A fact is kept with an expiry; the app keeps them with the connection (``ConnectionCache``),
so they survive restarts and are forgotten with the connection.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol


class Facts(Protocol):
    def recall(self, name: str) -> Any | None:
        """The value remembered under ``name``, or None when unknown or expired."""
        ...

    def remember(self, name: str, value: Any, *, ttl: float) -> None:
        """Keep ``value`` (JSON-able) for ``ttl`` seconds."""
        ...

    def forget(self, name: str) -> None: ...


def fresh(record: Any, now: float) -> Any | None:
    """The value of a stored ``{"value", "until"}`` record if it has not expired."""
    if not isinstance(record, dict):
        return None
    until = record.get("until")
    if not isinstance(until, int | float) or isinstance(until, bool) or now >= until:
        return None
    return record.get("value")


class InMemoryFacts:
    """``Facts`` that forget on exit (tests, one-off services)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._records: dict[str, dict[str, Any]] = {}

    def recall(self, name: str) -> Any | None:
        return fresh(self._records.get(name), self._clock())

    def remember(self, name: str, value: Any, *, ttl: float) -> None:
        self._records[name] = {"value": value, "until": self._clock() + ttl}

    def forget(self, name: str) -> None:
        self._records.pop(name, None)
