"""Opt-outs: numbers that asked not to be messaged, honoured by every send path.

The list lives in the store, SQLite or the team's PostgreSQL (``Store.optout_table``). Replies are checked for stop
and start words (``config.toml``: ``stop_words``, ``start_words``) each time the list is read,
so a STOP that any process synced counts at once. ``check`` is what the send paths call
before anything is recorded or sent.
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from smstui.core.errors import OptedOutError
from smstui.core.phone import normalise_number
from smstui.core.stop_words import word_set

# the entry type front-ends show, re-exported so they never import the store (this module
# loads only when ``ws.optouts`` is first used, after the first frame)
from smstui.core.store.optouts import OptOut

if TYPE_CHECKING:
    from smstui.core.delivery.optouts_csv import OptOutImportPlan
    from smstui.core.service.workspace import Workspace
    from smstui.core.store.contract import OptOutStore
    from smstui.core.store.optouts import KeywordScan

__all__ = ["OptOut", "OptOutsPart"]


class OptOutsPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        settings = ws.settings
        self._stop = word_set(settings.stop_words)
        self._start = word_set(settings.start_words)

    def _table(self) -> OptOutStore:
        return self._ws._store().optout_table()

    def scan(self) -> KeywordScan:
        """Apply the stop and start words of every reply stored since the last scan."""
        return self._table().scan_replies(self._stop, self._start)

    # ------------------------------------------------------------------ reading

    def list(self) -> list[OptOut]:
        """Every opted-out number, most recent first."""
        self.scan()
        return self._table().active()

    def count(self) -> int:
        """How many numbers are opted out."""
        self.scan()
        return self._table().count()

    def get(self, number: str) -> OptOut | None:
        """The entry of ``number`` (any format the default region reads), None if none."""
        self.scan()
        return self._table().get(self._number(number))

    def is_opted_out(self, number: str) -> bool:
        return self.get(number) is not None

    def normalise(self, number: str) -> str:
        """``number`` as the list keeps it (E.164); ``ValidationError`` when it is none."""
        return self._number(number)

    def among(self, numbers: Sequence[str], *, fresh: bool = True) -> builtins.list[str]:
        """The opted-out numbers of ``numbers`` (E.164), in the order given, once each.
        ``fresh=False`` skips reading new replies first (a read only: Compose marks numbers
        as they are typed; the send itself checks fresh)."""
        if fresh:
            self.scan()
        found = self._table().among(list(numbers))
        return [n for n in dict.fromkeys(numbers) if n in found]

    def check(self, numbers: Sequence[str], *, include_opted_out: bool = False) -> None:
        """Raise ``OptedOutError`` naming the opted-out numbers of ``numbers``, unless the
        caller vouches for them (``include_opted_out``: a transactional message they agreed
        to receive). Called before anything is recorded or sent."""
        if include_opted_out or not numbers:
            return
        refused = self.among(numbers)
        if refused:
            raise OptedOutError(refused)

    # ------------------------------------------------------------------ writing

    def add(self, number: str) -> OptOut | None:
        """Opt ``number`` out now (the entry, or None when it already was)."""
        return self._table().add(self._number(number), at=int(time.time()), source="manual")

    def remove(self, number: str) -> bool:
        """Take ``number`` off the list; False when it was not on it."""
        self.scan()  # a STOP waiting in the store must not come back after this removal
        return self._table().remove(self._number(number), at=int(time.time()))

    def plan_import(self, data: bytes) -> OptOutImportPlan:
        """Check every row of an opt-out CSV (nothing is written)."""
        from smstui.core.delivery.optouts_csv import plan_import

        return plan_import(data, default_region=self._ws.default_region)

    def import_csv(self, data: bytes) -> tuple[OptOutImportPlan, builtins.list[OptOut]]:
        """Add every good number of a CSV (one transaction): the plan (with the rows that
        were not numbers) and the entries added (numbers already opted out are left as is)."""
        plan = self.plan_import(data)
        added = self._table().add_many(plan.numbers, at=int(time.time()), source="import")
        return plan, added

    def export_csv(self) -> str:
        """The list as CSV text: ``number,date,source,reply_id``."""
        from smstui.core.delivery.optouts_csv import export_csv

        return export_csv(self.list())

    def _number(self, raw: str) -> str:
        return normalise_number(raw, self._ws.default_region)
