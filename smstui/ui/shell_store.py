"""The app's store half (``SmsShell`` builds on it): opening the store (the team's database
off the screen's loop), the banner while it cannot be used, the unread count, reply toasts,
and the guarded list sources the tabs read through.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from smstui.core.errors import StoreError
from smstui.ui.crash_report import CrashSafeApp
from smstui.ui.widgets.store_banner import StoreBanner

if TYPE_CHECKING:
    from smstui.core.service import Workspace
    from smstui.core.service.history import MessageFilter
    from smstui.ui.live import LiveStore
    from smstui.ui.store_guard import GuardedRows
    from smstui.ui.tabs.base import SmsTab


class StoreShell(CrashSafeApp):
    """What ``SmsShell`` sets up in its ``__init__``, used here."""

    ws: Workspace
    live: LiveStore
    built_tabs: dict[str, SmsTab]
    store_settled: asyncio.Event
    unread_count: int
    _synced: bool
    _syncing: bool

    def _open_store(self) -> None:
        """Open the store now (after the first frame): if it cannot be used, the banner says
        so before any tab trips over it. The team's database is opened off the loop (see
        ``Workspace.keep_team_store_off``): the screen stays live while it connects."""
        if self.ws.team:
            self.live.open_off_loop()  # sets ``store_settled`` either way
            return
        try:
            self.ws.open_store()
        except StoreError as err:
            self.store_failed(err)
            self.live.retry_later()  # the banner goes once it opens
            return
        finally:
            self.settle_store()
        self.count_unread()
        self.live.start()

    def settle_store(self) -> None:
        """The first attempt to open the store is over (opened or on the banner)."""
        if not self.store_settled.is_set():
            self.store_settled.set()
            self.store_has_settled()

    def store_back(self) -> None:
        """The store opened after the tabs were built (it was away): Compose shows the draft
        saved there if nothing was typed meanwhile."""
        for tab in self.built_tabs.values():
            if tab.is_built:
                tab.store_back()

    def store_has_settled(self) -> None:
        """Hook: ``SmsApp`` builds Compose then (it restores the saved draft)."""

    def count_unread(self) -> None:
        """Read the unread replies' count (local, fast) and show it in the Inbox's title."""
        try:
            count = self.ws.replies.unread_count()
        except StoreError as err:
            self.store_failed(err)
            return
        self.store_worked(wrote=False)
        if count != self.unread_count:
            self.unread_count = count
            self.unread_changed()

    def unread_changed(self) -> None:
        """``unread_count`` changed (``SmsApp`` retitles the Inbox tab)."""

    def may_announce_live(self) -> bool:
        """Replies seen live are toasted, except while the first sync brings in the backlog
        (replies that came while the app was closed are counted, not toasted one by one)."""
        return self._synced or not self._syncing

    def store_failed(self, err: StoreError) -> None:
        """The store cannot be used: show why in the banner (from any thread)."""
        if threading.get_ident() != getattr(self, "_app_thread", None):
            self.call_from_thread(self.store_failed, err)
            return
        for banner in self.store_banners():
            if banner.error is None or banner.error.message != err.message:
                banner.show_error(err)

    def store_worked(self, *, wrote: bool = True) -> None:
        """A store write (or, ``wrote=False``, a read) succeeded: a banner for a problem that
        has passed goes away."""
        for banner in self.store_banners():
            banner.store_worked(wrote=wrote)

    def store_banners(self) -> list[StoreBanner]:
        """Every banner that says how the store is: one on each tab's screen (``SmsShell``
        lists them), none while the app is closing (the last draft save on the way out runs
        after the widgets are gone). None here."""
        return []

    def store_source(self, filters: MessageFilter | None = None) -> GuardedRows:
        """A list source over the store that reads as empty (and reports) if it fails."""
        from smstui.ui.store_guard import GuardedRows

        return GuardedRows(self.ws.history.rows(filters), self.store_failed)
