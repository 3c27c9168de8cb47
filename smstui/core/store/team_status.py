"""What ``team status`` shows (plain data: importing it needs no database driver)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OperatorSeen:
    name: str
    first_seen: int  # Unix seconds
    last_seen: int
    connected: bool  # has a connection open now


@dataclass(frozen=True, slots=True)
class TeamStatus:
    store: str  # describe(): the URL without its password
    schema_version: int
    known_version: int  # what this smstui migrates to
    operators: list[OperatorSeen]
    #: operators whose process holds a sync lock now (syncing an account for everyone)
    syncing: list[str]
