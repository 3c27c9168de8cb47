"""Opening the team's PostgreSQL store, with a clear error when the ``team`` extra (psycopg)
is not installed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smstui.core.errors import ConfigError

if TYPE_CHECKING:
    from smstui.core.store.contract import Store


def open_team_store(
    url: str, *, account: str = "", operator: str = "", screen_thread: int | None = None
) -> Store:
    """The team's PostgreSQL store; a clear ``ConfigError`` when psycopg (the ``team`` extra)
    is not installed, instead of an ImportError."""
    try:
        from smstui.core.store.postgres import PostgresStore
    except ImportError:
        raise team_extra_missing() from None
    return PostgresStore(url, account=account, operator=operator, screen_thread=screen_thread)


def team_extra_missing() -> ConfigError:
    return ConfigError(
        "database_url is set, but this smstui cannot talk to PostgreSQL "
        "(the psycopg package is missing).",
        hint="Install the team extra: pip install 'smstui[team]' (or unset database_url).",
    )
