"""Records: the local store's messages read for reports (filtered pages, CSV export,
per-day stats) and the health of the store itself (check, repair).

The store checks and repairs are module functions: they need no account or credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from smstui.core.store.rows import StoredMessage
from smstui.core.store.stats import DayStats, StatsReport, bars, local_day

if TYPE_CHECKING:
    from smstui.core.errors import StoreError
    from smstui.core.models import Direction
    from smstui.core.service.workspace import Workspace
    from smstui.core.store.health import StoreCheck
    from smstui.core.store.repair import RepairReport

__all__ = [
    "DayStats",
    "RecordsPart",
    "StatsReport",
    "StoredMessage",
    "bars",
    "check_store",
    "local_day",
    "repair_store",
    "store_failure",
]


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


def store_failure(err: Exception) -> StoreError:
    """A SQLite error that slipped past the store's own handling, as the ``StoreError`` a
    user acts on (it names the file)."""
    from smstui.core.store.errors import store_error
    from smstui.core.store.schema import default_db_path

    return store_error(err, default_db_path())


class RecordsPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    def rows(
        self,
        *,
        status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        text: str | None = None,
        direction: Direction | None = None,
        unread_only: bool = False,
        limit: int | None = None,
    ) -> Iterator[StoredMessage]:
        """The stored messages that match, newest first, read 500 a page; at most ``limit``."""
        from smstui.core.store.query import MessageFilter

        store = self._ws._store()
        filters = MessageFilter(
            statuses=frozenset({status}) if status else None,
            date_from=since,
            date_to=until,
            text=text or None,
            direction=direction,
            unread_only=unread_only,
        )
        after = None
        seen = 0
        while True:
            page = store.page(after=after, limit=500, filters=filters)
            for row in page.rows:
                if limit is not None and seen >= limit:
                    return
                seen += 1
                yield row
            if page.next is None:
                return
            after = page.next

    def export_csv(self, path: Path, messages: Iterable[StoredMessage]) -> int:
        """``messages`` as the History CSV at ``path`` (0600); how many were written."""
        from smstui.core.store.export import export_history

        return export_history(path, messages)

    def write_csv(
        self,
        out: TextIO,
        messages: Iterable[StoredMessage],
        cell: Callable[[object], object] | None = None,
    ) -> int:
        """``messages`` as the History CSV on ``out``; ``cell`` may rewrite each cell first
        (a terminal gets inert text)."""
        from smstui.core.store.export import HISTORY_COLUMNS, history_row, write_csv

        rows: Iterable[list[object]] = (history_row(m) for m in messages)
        if cell is not None:
            rows = ([cell(c) for c in r] for r in rows)
        return write_csv(out, HISTORY_COLUMNS, rows)

    def stats(self, first: date, last: date, tz: tzinfo | None) -> StatsReport:
        """Messages per day (sent, delivered, failed, inbound) and spend, ``first``..``last``
        in ``tz`` (None: local time)."""
        from smstui.core.store.stats import daily_stats

        return daily_stats(self._ws._store(), first, last, tz)

    def rebuild_stats(self) -> int:
        """Recompute the per-day totals kept with the messages; how many rows were off."""
        from smstui.core.store.stats import rebuild_rollup

        return rebuild_rollup(self._ws._store())

    def remembered(self, key: str) -> str | None:
        """A small fact kept in the store between runs (the account's currency, say)."""
        return self._ws._store().get_cursor(key)

    def remember(self, key: str, value: str) -> None:
        self._ws._store().set_cursor(key, value)
