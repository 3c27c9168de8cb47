"""A line-API list that shows millions of rows: only the visible ones are fetched and drawn.

Rows come from a ``RowSource`` in fixed-size pages kept in a small LRU cache (``PageCache``, in
``page_cache``), so scrolling touches the store only when it crosses into a page not seen
recently. There is never one widget per row (Textual's DataTable/ListView measure every row
and stall past ~10k).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from math import ceil
from typing import Any, ClassVar, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from smstui.ui.cells import fast_segments
from smstui.ui.widgets.page_cache import PageCache, RowSource

R = TypeVar("R")

#: rendered rows kept per list, least recently used out: two screens on a 120-line terminal,
#: seven at 40 lines (a cursor move repaints the screen from here; paging back finds the last
#: pages). Each row also holds Textual's small per-strip caches (a crop, the filtered and the
#: cursor-styled strip: ~40 objects the cyclic GC tracks), all dropped with it. At 1,024 rows
#: a list paged for a while held ~45,000 such objects: 5-6 MB more RSS, and each full GC
#: (every ~75 PageDowns) took 33-52 ms against 12-18 ms at 256 (1,000,000 rows, 4 runs a side)
STRIP_CACHE = 256


class VirtualList(ScrollView, Generic[R], can_focus=True):
    """A scrolling, keyboard- and mouse-driven list over a ``RowSource``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("g,home", "top", "Top", show=False, id="list.top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="list.bottom"),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False, id="list.pagedown"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="list.pageup"),
        Binding("enter", "select", "Open", id="list.select"),
    ]

    DEFAULT_CSS = """
    VirtualList { height: 1fr; }
    VirtualList > .virtual-list--cursor { background: $block-cursor-background; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"virtual-list--cursor"}

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved; ``row`` is the row under it (None when the list is empty)."""

        def __init__(self, sender: VirtualList[Any], row: Any) -> None:
            super().__init__()
            self.list = sender
            self.row = row

        @property
        def control(self) -> VirtualList[Any]:
            return self.list

    class Selected(Highlighted):
        """Enter or double click on a row."""

    class Counted(Message):
        """The exact number of rows is known (it is counted after the first paint)."""

        def __init__(self, sender: VirtualList[Any], total: int) -> None:
            super().__init__()
            self.list = sender
            self.total = total

        @property
        def control(self) -> VirtualList[Any]:
            return self.list

    def __init__(
        self,
        source: RowSource[R],
        render_row: Callable[[R, int], Text],
        *,
        empty_text: str = "Nothing here yet.",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.cache: PageCache[R] = PageCache(source)
        self._render_row = render_row
        self._empty_text = empty_text
        # rendered rows by (index, width): repainting a row (scrolling back, the cursor
        # moving off it) costs a dict lookup instead of Text layout and segment building
        self._strips: LRUCache[tuple[int, int], Strip] = LRUCache(STRIP_CACHE)
        # the count starts once rows are on screen: on two cores its thread would slow that frame
        self._count_after_paint = True
        # the widget's own style, resolved once (Textual walks every ancestor for it: a third
        # of a PageDown's row rendering); forgotten when styles change
        self._base_style: Style | None = None
        # a span's style name -> that style on the widget's own (see fast_segments)
        self._span_styles: dict[str | Style, Style] = {}
        # the last lines were painted by ``render_lines``'s own path, not Textual's cache
        self._painted_plain = False

    # ------------------------------------------------------------------ data

    def set_source(self, source: RowSource[R]) -> None:
        self.cache = PageCache(source)
        self.reload(keep_cursor=False)

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Forget cached rows (the store changed) and repaint; the total is recounted."""
        self.cache.clear()
        self._strips.clear()
        if keep_cursor:
            self.cursor = self._clamp(self.cursor)
        else:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        self._update_virtual_size()
        self.refresh()
        self._count_after_paint = True

    @property
    def row_count(self) -> int:
        """The exact total (counts now if the background count has not finished)."""
        total = self.cache.count()
        self._update_virtual_size()
        return total

    @property
    def count_known(self) -> bool:
        return self.cache.count_known

    @property
    def current(self) -> R | None:
        return self.cache.get(self.cursor)

    def on_mount(self) -> None:
        self._update_virtual_size()

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size(event.size.width)

    def _update_virtual_size(self, width: int | None = None) -> None:
        size = Size(self.size.width if width is None else width, self.cache.estimate())
        if size != self.virtual_size:
            self.virtual_size = size

    def _count_later(self) -> None:
        if self.cache.count_known:
            self.post_message(self.Counted(self, self.cache.count()))
        else:
            self._count(self.cache)

    @work(exclusive=True, group="virtual-list-count", exit_on_error=False)
    async def _count(self, cache: PageCache[R]) -> None:
        # off the event loop: a filtered count over a million rows takes tens of ms or more
        total = await asyncio.to_thread(cache.source.count)
        if cache is not self.cache:
            return  # the source changed while counting
        cache.set_count(total)
        self._strips.clear()
        self._update_virtual_size()
        if self.cursor >= total:
            self.cursor = max(0, total - 1)
        self.refresh()
        self.post_message(self.Counted(self, total))

    # ------------------------------------------------------------------ painting

    def render_lines(self, crop: Region) -> list[Strip]:
        """The rows as ``render_line`` paints them, without Textual's per-line styling pass
        when the list's CSS gives that pass nothing to do (no border, padding, outline,
        tint, hatch, opacity or title: smstui's lists have none).

        Why: Textual's ``StylesCache`` costs ~55 us a line on top of the row itself (it looks
        up a dozen style rules and copies the row's segments twice), measured 1.9 ms of a
        PageDown's 4.5 ms of list painting at 1,000,000 rows. The rows are cached already
        (``_strips``). What the pass still does here is done the same way: each row padded
        or cut to the width on the list's background, and the app's line filters (say
        ``NO_COLOR``'s) applied. Any other style falls back to Textual's pass.
        ``tests/test_ui_virtual_list_paint.py`` holds the two outputs equal, cell for cell."""
        plain = self._plain_styles()
        if plain is None:
            if self._painted_plain:
                # lines Textual's cache kept from before the fast path may be stale now
                self._painted_plain = False
                self._styles_cache.clear()
            return super().render_lines(crop)
        self._painted_plain = True
        inner, background = plain
        width = self.region.width
        filters = self.get_line_filters()
        strips: list[Strip] = []
        for y in crop.line_range:
            strip = self.render_line(y).adjust_cell_length(width, inner)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _plain_styles(self) -> tuple[Style, Color] | None:
        """The style Textual's pass would fill a line's unused width with and the list's
        background (for the line filters), or None when the list's CSS asks that pass for
        more than that (see ``render_lines``)."""
        styles = self.styles
        if (
            any(styles.gutter)
            or any(edge for edge, _ in styles.outline)
            or styles.tint.a
            or self.opacity != 1.0
            or styles.text_opacity != 1.0
            or (styles.has_rule("hatch") and styles.hatch != "none")
            or self._border_title is not None
            or self._border_subtitle is not None
            or self.content_region.size != self.region.size
            or self.hover_style._link_id
        ):
            return None
        base_background, background = self.background_colors
        inner, _outer = self._styles_cache.get_inner_outer(base_background, background)
        return inner.rich_style, background

    def render_line(self, y: int) -> Strip:
        if self._count_after_paint:
            self._count_after_paint = False
            self.call_after_refresh(self._count_later)  # after this frame is written
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        strip = self._row_strip(index, width)
        if strip is None:
            return Strip.blank(width, self._base())
        if index == self.cursor:
            cursor_style = self.get_component_rich_style("virtual-list--cursor")
            if not self.has_focus:
                cursor_style = Style(reverse=False, bgcolor=cursor_style.bgcolor, dim=True)
            strip = strip.apply_style(cursor_style)
        return strip.crop(scroll_x, scroll_x + width)

    def _row_strip(self, index: int, width: int) -> Strip | None:
        key = (index, width)
        cached = self._strips.get(key)
        if cached is not None:
            return cached
        base = self._base()
        seen = self.cache.estimate()
        row = self.cache.get(index)
        if self.cache.estimate() != seen:
            self.call_later(self._update_virtual_size)  # a page taught us more rows
        if row is not None:
            text = self._render_row(row, width)
        elif index == 0 and self.cache.count_known and self.cache.count() == 0:
            text = Text(self._empty_text, style="italic", end="")
        else:
            return None
        segments = self._segments(text, width, base)
        strip = Strip(segments, width)
        self._strips[key] = strip
        return strip

    def _segments(self, text: Text, width: int, base: Style) -> list[Segment]:
        """``text`` cut or padded to ``width`` cells, as segments on the list's own style."""
        fast = fast_segments(text, width, base, self._span_styles, self.app.console)
        if fast is not None:
            return fast
        text.truncate(width, overflow="ellipsis", pad=True)
        return [
            Segment(s.text, base + s.style if s.style else base)
            for s in text.render(self.app.console)
            if s.text != "\n"
        ]

    def _base(self) -> Style:
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None
        self._span_styles.clear()
        self._strips.clear()  # theme or focus styles changed: cached rows carry old colours

    # ------------------------------------------------------------------ scroll bar

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        # ScrollView's watcher, except that the scroll bar is repainted only when its thumb
        # moves on screen: over a million rows a page is a fraction of a cell, and redrawing
        # the bar was ~1 ms of every PageDown's CPU (more on a busy machine)
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            if _same_thumb(bar, new_value):
                # the position is still kept (dragging the thumb starts from it)
                bar.set_reactive(ScrollBar.position, bar.validate_position(new_value))
            else:
                bar.position = new_value
        if round(old_value) != round(new_value):
            self.refresh(self.size.region)

    # ------------------------------------------------------------------ cursor

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self._scroll_cursor_into_view()
        self.cursor_moved()

    def cursor_moved(self) -> None:
        """Say the cursor moved: a ``Highlighted`` message, which bubbles up to the app. A list
        whose owner it calls directly overrides this (History's, ``MessageList``)."""
        self.post_message(self.Highlighted(self, self.current))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height or 1
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self._update_virtual_size()
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def _clamp(self, index: int) -> int:
        """``index`` moved inside the list; the exact count is needed only past the rows seen."""
        if index <= 0 or self.cache.get(index) is not None:
            return max(0, index)
        return max(0, self.cache.count() - 1)

    def _move_to(self, index: int) -> None:
        self.cursor = self._clamp(index)

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_top(self) -> None:
        self._move_to(0)

    def action_bottom(self) -> None:
        self._move_to(self.cache.count() - 1)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        target = self._clamp(self.cursor + direction * height)
        self._update_virtual_size()
        self.scroll_to(y=self.scroll_y + direction * height, animate=False)
        self.cursor = target

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y
        if index >= 0 and self.cache.get(index) is not None:
            self.focus()
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index


def _same_thumb(bar: ScrollBar, position: float) -> bool:
    """Whether ``bar`` would draw the same cells at ``position`` as at its current one (the
    same call Textual's ``ScrollBar`` makes to draw itself; any doubt answers False)."""
    height = bar.size.height
    if not height or bar.grabbed or not hasattr(bar.renderer, "render_bar"):
        return False
    virtual = bar.window_virtual_size
    window = bar.window_size if bar.window_size < virtual else 0

    def cells(at: float) -> list[Segment]:
        bars = bar.renderer.render_bar(
            size=height,
            virtual_size=ceil(virtual),
            window_size=ceil(window),
            position=at,
            thickness=bar.thickness,
            vertical=bar.vertical,
        )
        return list(bars.segments)

    return cells(bar.position) == cells(bar.validate_position(position))
