"""Team mode for the front-ends: move a person's local store into the team's PostgreSQL
database (``smstui store migrate --to URL``), and what the team store looks like
(``smstui team status``). psycopg (the ``team`` extra) loads only when they run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smstui.core.config import Settings
from smstui.core.database_url import check_url
from smstui.core.store.team_status import OperatorSeen, TeamStatus

if TYPE_CHECKING:
    from smstui.core.service.workspace import Workspace
    from smstui.core.store.contract import Watching


@dataclass(frozen=True, slots=True)
class TableMoved:
    """One table copied: rows in the local store, rows new to the team database, and source
    rows the team database holds now (``complete`` when that is all of them)."""

    table: str
    source: int
    copied: int
    verified: int

    @property
    def complete(self) -> bool:
        return self.verified == self.source


def move_in(
    url: str,
    *,
    source: Path | None = None,
    operator: str = "",
    batch: int | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> list[TableMoved]:
    """Copy the local SQLite store (default: this user's) into the database at ``url``;
    safe to run again. The drafts become ``operator``'s. Raises ``ConfigError`` for a URL that is not PostgreSQL and
    ``StoreError`` when either store cannot be used (messages never show the password)."""
    from smstui.core.store.schema import default_db_path
    from smstui.core.team_store import open_team_store

    url = check_url(url, source="--to")
    open_team_store(url, operator=operator).close()  # psycopg there, server reachable, migrated
    from smstui.core.store.postgres.move_in import BATCH
    from smstui.core.store.postgres.move_in import move_in as copy_store

    report = copy_store(
        source or default_db_path(),
        url,
        operator=operator,
        batch=BATCH if batch is None else batch,
        on_progress=on_progress,
    )
    return [TableMoved(t.table, t.source, t.copied, t.verified) for t in report]


def team_status(settings: Settings) -> TeamStatus | None:
    """The team store's status (None when ``database_url`` is unset: the local SQLite store).
    Opening it records this operator as seen."""
    if not settings.database_url:
        return None
    from smstui.core.team_store import open_team_store

    store = open_team_store(settings.database_url, operator=settings.operator_name)
    from smstui.core.store.postgres import PostgresStore  # loads: open_team_store checked

    try:
        assert isinstance(store, PostgresStore)
        return store.team_status()
    finally:
        store.close()


def watch_store(ws: Workspace, on_change: Callable[[str], None]) -> Watching:
    """Call ``on_change`` ("messages", "outbox" or "poll") on a thread of the store's after any
    process commits a change to the workspace's store: another operator's send, a reply
    another process synced. The app re-reads its visible page then; close it on exit."""
    return ws._store().watch(on_change)


def change_mark(ws: Workspace) -> tuple[int, int, int, int]:
    """What a watching app compares to know whether a notice changed what it shows: the
    newest message's position, the unread replies (both read through indexes: cheap at a
    million rows), the handled marks and the delivery states (a count the write keeps: one
    row). A new message, sent or received, moves the first; reading a reply, the second; an
    operator marking a conversation handled (or not), the third; a receipt (or history's
    new status for a message stored), the fourth. Other commits (a draft saved, a template)
    move none."""
    store = ws._store()
    return (
        store.reply_watermark(),
        ws.replies.unread_count(),
        store.handled_stamp(),
        store.delivery_stamp(),
    )


__all__ = [
    "OperatorSeen",
    "TableMoved",
    "TeamStatus",
    "change_mark",
    "move_in",
    "team_status",
    "watch_store",
]
