"""The local store's own health: check it, repair it, and name a failure the user acts on.

Module functions: they need no account or credentials (``smstui store check`` runs
without them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smstui.core.errors import StoreError
    from smstui.core.store.health import StoreCheck
    from smstui.core.store.postgres.health import TeamRepair, TeamStoreCheck
    from smstui.core.store.repair import RepairReport

__all__ = ["check_store", "check_team_store", "repair_store", "repair_team_store", "store_failure"]


def check_store() -> StoreCheck:
    """The store's integrity, schema version and permissions (changes nothing)."""
    from smstui.core.store.health import check_store as check
    from smstui.core.store.schema import default_db_path

    return check(default_db_path())


def repair_store(*, force: bool = False) -> RepairReport:
    """Back a damaged store up beside it and salvage what is readable into a fresh one."""
    from smstui.core.store.repair import repair_store as repair
    from smstui.core.store.schema import default_db_path

    return repair(default_db_path(), force=force)


def check_team_store(url: str) -> TeamStoreCheck:
    """The team database (``database_url``): reachable, schema version, the statistics
    rollup against the messages, open sends in the outbox (changes nothing)."""
    from smstui.core.team_store import team_extra_missing

    try:
        from smstui.core.store.postgres.health import check_team_store as check
    except ImportError:  # psycopg (the team extra) is not installed
        raise team_extra_missing() from None
    return check(url)


def repair_team_store(url: str, *, operator: str = "") -> TeamRepair:
    """What can be repaired in a team database from here: its statistics rollup, rebuilt
    from the messages. Its files are the database server's (backups are its admin's)."""
    from smstui.core.team_store import team_extra_missing

    try:
        from smstui.core.store.postgres.health import repair_team_store as repair
    except ImportError:
        raise team_extra_missing() from None
    return repair(url, operator=operator)


def store_failure(err: Exception) -> StoreError:
    """A SQLite error that slipped past the store's own handling, as the ``StoreError`` a
    user acts on (it names the file)."""
    from smstui.core.store.errors import store_error
    from smstui.core.store.schema import default_db_path

    return store_error(err, default_db_path())
