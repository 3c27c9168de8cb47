"""History: the local record of every message, read page by page (fast, no network).

What the History, Inbox, conversation and Stats views read, thin over the store: a row source
for virtual lists (``rows``), counts, one conversation, a CSV export, daily stats and the
currency they are shown in. The types those views hold are re-exported here so front-ends
never import the store for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from smstui.core.models import HistoryMessage

# the types front-ends hold (their modules load with this part, after the first frame)
from smstui.core.service.history_rows import MessageRows
from smstui.core.store.query import Cursor, MessageFilter
from smstui.core.store.rows import StoredMessage
from smstui.core.store.stats import DayStats, StatsReport, bars, local_day

if TYPE_CHECKING:
    from smstui.core.service.workspace import Workspace

__all__ = [
    "CURRENCY_KEY",
    "Cursor",
    "DayStats",
    "HistoryPart",
    "MessageFilter",
    "MessageRows",
    "StatsReport",
    "StoredMessage",
    "as_history",
    "bars",
    "local_day",
    "shown_status",
]

#: the store cursor where the account's currency is kept for stats (``smstui stats`` too)
CURRENCY_KEY = "stats.currency"
#: rows read per page while exporting
EXPORT_PAGE = 1000


def shown_status(m: StoredMessage) -> str:
    """The status a user cares about: the receipt's verdict when there is one."""
    if m.direction == "out" and m.status_code == "201":
        return "Delivered"
    if m.direction == "out" and m.status_code in {"300", "301", "302"}:
        return "Failed"
    return m.status


def as_history(m: StoredMessage) -> HistoryMessage:
    """The core's export model for a stored row (its status as the user sees it)."""
    return HistoryMessage(
        message_id=m.message_id,
        direction=m.direction,
        to=m.to,
        sender=m.sender,
        body=m.body,
        status=shown_status(m),
        date=m.date,
        schedule=m.schedule,
        parts=m.parts,
        price=m.price,
        status_code=m.status_code,
        status_text=m.status_text,
        error_code=m.error_code,
        error_text=m.error_text,
        custom_string=m.custom_string,
    )


class HistoryPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    def rows(self, filters: MessageFilter | None = None) -> MessageRows:
        """A row source over the messages ``filters`` keep, newest first (for virtual lists).
        The store is opened on its first read: a ``StoreError`` then says it cannot be."""
        return MessageRows(self._ws._store, filters)

    def conversation(self, number: str) -> Sequence[StoredMessage]:
        """Every message to and from ``number``, oldest first."""
        return self._ws._store().conversation(number)

    def count(self, filters: MessageFilter | None = None) -> int:
        store = self._ws._store()
        return store.count() if filters is None else store.count(filters)

    def get(self, message_id: str) -> StoredMessage | None:
        return self._ws._store().get(message_id)

    def messages(self, filters: MessageFilter | None = None) -> Iterator[StoredMessage]:
        """Every message ``filters`` keep, newest first, read a page at a time by key."""
        store = self._ws._store()
        flt = filters or MessageFilter()
        page = store.page(limit=EXPORT_PAGE, filters=flt)
        while True:
            yield from page.rows
            if page.next is None:
                return
            page = store.page(after=page.next, limit=EXPORT_PAGE, filters=flt)

    def export_csv(self, path: Path, filters: MessageFilter | None = None) -> int:
        """Write the messages ``filters`` keep to ``path`` as CSV (0600); how many rows."""
        from smstui.core.privacy import make_private_dirs
        from smstui.core.store.export import export_history

        make_private_dirs(path.parent)
        return export_history(path, (as_history(m) for m in self.messages(filters)))

    def export_stored(self, path: Path, messages: Iterable[StoredMessage]) -> int:
        """``messages`` as CSV at ``path`` (0600) with each status as stored (``smstui
        export``'s file, unchanged); how many rows."""
        from smstui.core.store.export import export_history

        return export_history(path, messages)

    def write_stored(
        self,
        out: TextIO,
        messages: Iterable[StoredMessage],
        cell: Callable[[object], object] | None = None,
    ) -> int:
        """``messages`` as that CSV on ``out``; ``cell`` may rewrite each cell first (a
        terminal gets inert text); how many rows."""
        from smstui.core.store.export import HISTORY_COLUMNS, history_row, write_csv

        rows: Iterable[list[object]] = (history_row(m) for m in messages)
        if cell is not None:
            rows = ([cell(c) for c in r] for r in rows)
        return write_csv(out, HISTORY_COLUMNS, rows)

    def rebuild_stats(self) -> int:
        """Recompute the per-day totals kept with the messages; how many rows were off."""
        from smstui.core.store.stats import rebuild_rollup

        return rebuild_rollup(self._ws._store())

    def daily_stats(self, first: date, last: date, tz: tzinfo | None = UTC) -> StatsReport:
        """Messages per day from ``first`` to ``last`` in ``tz`` (None: the local zone)."""
        from smstui.core.store.stats import daily_stats

        return daily_stats(self._ws._store(), first, last, tz)

    def currency(self, known: str | None = None) -> str | None:
        """The account's currency code for stats: ``known`` (the account just read) is
        remembered in the store for later runs; without it, the one remembered."""
        store = self._ws._store()
        if known is not None:
            if store.get_cursor(CURRENCY_KEY) != known:
                store.set_cursor(CURRENCY_KEY, known)
            return known
        return store.get_cursor(CURRENCY_KEY)
