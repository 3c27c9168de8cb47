"""History: every message in the store, virtual list + filters + search + detail pane."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from time import monotonic
from typing import ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.styles import RulesMap
from textual.timer import Timer
from textual.widgets import Input, Select, Static

from smstui.core.config import data_dir
from smstui.core.errors import SmstuiError
from smstui.core.phone import normalise_number
from smstui.core.service.history import MessageFilter, StoredMessage
from smstui.core.when import parse_day
from smstui.ui.message_view import message_detail, message_row
from smstui.ui.messages import OpenInCompose, StoreChanged
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.store_guard import GuardedRows
from smstui.ui.tabs.base import SmsTab
from smstui.ui.widgets.lean_select import LeanSelect
from smstui.ui.widgets.page_cache import RowSource
from smstui.ui.widgets.virtual_list import VirtualList

#: quiet time after a keystroke in a filter or the search before the list is re-queried
FILTER_DELAY = 0.15
#: cursor moves closer together than this are a held-down key (a terminal repeats a key 25-40
#: times a second; keys pressed one at a time by hand come several times further apart)
HELD_KEY_GAP = 0.05
#: while a key is held the detail pane waits until the cursor rests this long (the list alone
#: is repainted per key)
DETAIL_DELAY = 0.1
#: a one-letter prefix matches most of a big store (slow in FTS and useless): wait for two
MIN_SEARCH = 2

STATUSES = ("Queued", "Sent", "Completed", "Scheduled", "Failed", "Cancelled", "Received")


class MessageList(VirtualList[StoredMessage]):
    """History's list: Enter has nothing to open here (the detail pane follows the cursor).

    ``moved`` is called as the cursor moves, in the same handler: the pane then changes in the
    frame that repaints the list. A ``Highlighted`` message reached the tab a few hops later,
    after the screen had often painted the list alone, and the pane took a second frame; it is
    no longer posted (nothing else listens, and it bubbled through eight widgets a key).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", show=False, id="list.select"),
    ]

    def __init__(
        self,
        source: RowSource[StoredMessage],
        render_row: Callable[[StoredMessage, int], Text],
        *,
        moved: Callable[[], None],
        empty_text: str,
        id: str,
    ) -> None:
        super().__init__(source, render_row, empty_text=empty_text, id=id)
        self._moved = moved

    def cursor_moved(self) -> None:
        self._moved()


class HistoryTab(Vertical, SmsTab):
    RELOADS_ON = frozenset({StoreChanged})
    DEFAULT_CSS = """
    HistoryTab #history-filters Select { width: 24; }
    HistoryTab #history-filters Input { width: 1fr; }
    HistoryTab #history-count { width: auto; min-width: 10; padding: 1 1 0 1; color: $text-muted; }
    HistoryTab #history-search { display: none; }
    HistoryTab #history-search.-visible { display: block; }
    /* a grid, not a row container around list and detail: one level less for every key and
       every repaint of the list to go through */
    HistoryTab { layout: grid; grid-size: 2; grid-columns: 2fr 1fr; grid-rows: auto 1fr; }
    HistoryTab.-searching { grid-rows: auto auto 1fr; }
    HistoryTab #history-filters, HistoryTab #history-search { column-span: 2; }
    HistoryTab #history-list { height: 1fr; }
    HistoryTab #history-detail-scroll { height: 1fr; min-width: 28; border-left: solid $primary; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="history.search"),
        # the footer has room for about four keys at 80 columns: Export is in F1 and ^p
        Binding("c", "cancel_scheduled", "Cancel", id="history.cancel"),
        Binding("r", "resend", "Resend", id="history.resend"),
        Binding("y", "copy_id", "Copy id", id="history.copy_id"),
        Binding("e", "export", "Export CSV", show=False, id="history.export"),
        Binding("escape", "clear_search", "Clear search", show=False, id="history.clear_search"),
    ]

    def __init__(self) -> None:
        super().__init__(id="history-tab")
        self._filter_timer: Timer | None = None
        self._detail_timer: Timer | None = None
        self._last_move = 0.0
        self._detail_shown = False

    def focus_default(self) -> None:
        self.query_one("#history-list").focus()

    def compose(self) -> ComposeResult:
        with Horizontal(id="history-filters", classes="row"):
            yield LeanSelect[str](
                ((s, s) for s in STATUSES), prompt="Any status", id="status-filter"
            )
            yield Input(placeholder="number", id="number-filter")
            yield Input(placeholder="from YYYY-MM-DD", id="from-filter", max_length=10)
            yield Input(placeholder="to YYYY-MM-DD", id="to-filter", max_length=10)
            yield Static("…", id="history-count")
        yield Input(placeholder="/ search message text (2+ characters)", id="history-search")
        yield MessageList(
            self.app.store_source(),
            message_row,
            moved=self._cursor_moved,
            empty_text="No messages match.",
            id="history-list",
        )
        with VerticalScroll(id="history-detail-scroll"):
            yield Static("", id="history-detail")

    def on_mount(self) -> None:
        if not self.children:  # the app quit while this tab was being built ahead
            return
        # built ahead, hidden (SmsApp.prebuild): focus would pull the tab forward
        if self.app.active_tab == "history":
            self.message_list.focus()
        # the detail pane waits for the first frame so the rows paint first
        self.call_after_refresh(self._show_current)

    def _show_current(self) -> None:
        self._detail_timer = None
        self._detail_shown = True
        self._show_detail(self.message_list.current)

    @property
    def message_list(self) -> VirtualList[StoredMessage]:
        return cast("VirtualList[StoredMessage]", self.query_one("#history-list", VirtualList))

    def reload(self) -> None:
        self.query_one("#history-count", Static).update("…")
        self.message_list.reload()
        self._show_detail(self.message_list.current)

    # ------------------------------------------------------------------ filters

    def current_filter(self) -> MessageFilter:
        status = self.query_one("#status-filter", Select).value
        number = self.query_one("#number-filter", Input).value.strip()
        if number:
            # a partial number stays as typed
            with contextlib.suppress(SmstuiError):
                number = normalise_number(number, self.app.ws.default_region)
        day_to = parse_day(self.query_one("#to-filter", Input).value)
        text = self.query_one("#history-search", Input).value
        return MessageFilter(
            statuses=frozenset({status}) if isinstance(status, str) else None,
            number=number or None,
            date_from=parse_day(self.query_one("#from-filter", Input).value),
            date_to=day_to + timedelta(days=1) if day_to else None,
            text=text if len(text.strip()) >= MIN_SEARCH else None,
        )

    @on(Input.Changed, "#number-filter")
    @on(Input.Changed, "#from-filter")
    @on(Input.Changed, "#to-filter")
    @on(Input.Changed, "#history-search")
    def _typed(self) -> None:
        # typing fast re-queries once, when the user pauses, not once per keystroke
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self.apply_filter)

    @on(Select.Changed, "#status-filter")
    def apply_filter(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        try:
            flt = self.current_filter()
        except SmstuiError:
            return  # a half-typed date: keep the current list until it parses
        if flt == self.message_list_filter:
            return
        self.query_one("#history-count", Static).update("…")
        self.message_list.set_source(self.app.store_source(flt))
        self._show_detail(self.message_list.current)

    @property
    def message_list_filter(self) -> MessageFilter:
        source = self.message_list.cache.source
        return source.filters if isinstance(source, GuardedRows) else MessageFilter()

    @on(VirtualList.Counted, "#history-list")
    def _counted(self, event: VirtualList.Counted) -> None:
        noun = "message" if event.total == 1 else "messages"
        self.query_one("#history-count", Static).update(f"{event.total:,} {noun}")

    def action_search(self) -> None:
        search = self.query_one("#history-search", Input)
        search.add_class("-visible")
        self.add_class("-searching")
        search.focus()

    @on(Input.Submitted, "#history-search")
    def _search_done(self) -> None:
        self.apply_filter()  # Enter does not wait for the typing pause
        self.message_list.focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#history-search", Input)
        if search.value:
            search.value = ""
        search.remove_class("-visible")
        self.remove_class("-searching")
        self.message_list.focus()

    # ------------------------------------------------------------------ detail

    def _cursor_moved(self) -> None:
        # a key at a time: the pane changes in the same frame as the list (one repaint). A
        # timer instead fired ~0.1 s after the key, a second repaint of the screen landing
        # where the next key or Pilot's idle check is (2-6 ms of CPU on a busy machine). A
        # held-down key: the pane follows once the cursor rests
        if not self._detail_shown:
            return  # mounting: the pane is first filled after the rows have painted
        now = monotonic()
        held = now - self._last_move < HELD_KEY_GAP
        self._last_move = now
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if held:
            self._detail_timer = self.set_timer(DETAIL_DELAY, self._show_current)
        else:
            self._show_current()

    def _show_detail(self, m: StoredMessage | None) -> None:
        detail = self.query_one("#history-detail", Static)
        # a layout pass re-arranges the whole screen (~5-10 ms of CPU on a busy machine, for
        # every other message shown while paging): only ask for one when the new text needs
        # a taller pane, or a shorter one where the pane scrolls. A shorter text that fits
        # leaves the pane as tall as it was: the lines below it are blank either way
        detail.update(message_detail(m) if m is not None else "", layout=False)
        width = detail.content_region.width
        if not width:
            detail.refresh(layout=True)
            return
        needed = detail.visual.get_height(cast("RulesMap", detail.styles), width)
        height = detail.content_region.height
        pane = self.query_one("#history-detail-scroll", VerticalScroll)
        scrolls = height > pane.scrollable_content_region.height
        if needed > height or (needed < height and scrolls):
            detail.refresh(layout=True)

    # ------------------------------------------------------------------ actions

    def action_copy_id(self) -> None:
        m = self.message_list.current
        if m is None:
            self.notify("No message selected.", severity="warning")
            return
        self.app.copy_to_clipboard(m.message_id)
        self.notify(f"Copied {m.message_id}")

    def action_resend(self) -> None:
        m = self.message_list.current
        if m is None:
            return
        self.post_message(OpenInCompose(to=m.to if m.direction == "out" else m.sender, body=m.body))

    def action_cancel_scheduled(self) -> None:
        m = self.message_list.current
        if m is None or m.status.lower() != "scheduled":
            self.notify("Only a scheduled message can be cancelled.", severity="warning")
            return
        self._cancel(m)

    @work(exclusive=True, group="cancel", exit_on_error=False)
    async def _cancel(self, m: StoredMessage) -> None:
        app = self.app
        when = m.schedule.astimezone().strftime("%Y-%m-%d %H:%M") if m.schedule else "later"
        question = ConfirmScreen(
            "Cancel this scheduled message?", f"To {m.to}, scheduled for {when}"
        )
        if not await app.push_screen_wait(question):
            return
        self.loading = True
        try:
            done = await app.guarded("Cancel", app.ws.messages.cancel(m.message_id))
        finally:
            self.loading = False
        if done:
            self.reload()

    def action_export(self) -> None:
        try:
            flt = self.current_filter()
        except SmstuiError as err:
            self.notify(err.message, severity="error")
            return
        self._export(flt)

    @work(exclusive=True, group="export", exit_on_error=False, thread=True)
    def _export(self, flt: MessageFilter) -> None:
        path = Path(data_dir()) / f"history-{datetime.now():%Y%m%d-%H%M%S}.csv"
        try:
            count = self.app.ws.history.export_csv(path, flt)
        except (OSError, SmstuiError) as err:
            self.app.call_from_thread(self.notify, f"Export failed: {err}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Exported {count} messages to {path}")
