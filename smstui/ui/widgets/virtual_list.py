"""A line-API list that shows millions of rows: only the visible ones are fetched and drawn.

Rows come from a ``RowSource`` in fixed-size pages kept in a small LRU cache, so scrolling
touches the store only when it crosses into a page not seen recently. There is never one
widget per row (Textual's DataTable/ListView measure every row and stall past ~10k).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)

PAGE_SIZE = 200
CACHE_PAGES = 16


class RowSource(Protocol[R_co]):
    def count(self) -> int: ...
    def rows(self, start: int, limit: int) -> Sequence[R_co]: ...


class PageCache(Generic[R]):
    """Rows by index, fetched a page at a time; remembers the last ``CACHE_PAGES`` pages."""

    def __init__(self, source: RowSource[R], page_size: int = PAGE_SIZE) -> None:
        self.source = source
        self.page_size = page_size
        self.fetches = 0  # pages read from the source (benchmarks and tests look at it)
        self._pages: OrderedDict[int, Sequence[R]] = OrderedDict()
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.source.count()
        return self._count

    def get(self, index: int) -> R | None:
        if index < 0 or index >= self.count():
            return None
        page_no, offset = divmod(index, self.page_size)
        page = self._pages.get(page_no)
        if page is None:
            page = self.source.rows(page_no * self.page_size, self.page_size)
            self.fetches += 1
            self._pages[page_no] = page
            if len(self._pages) > CACHE_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    def clear(self) -> None:
        self._pages.clear()
        self._count = None


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

    # ------------------------------------------------------------------ data

    def set_source(self, source: RowSource[R]) -> None:
        self.cache = PageCache(source)
        self.reload(keep_cursor=False)

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Forget cached rows (the store changed) and repaint."""
        self.cache.clear()
        total = self.cache.count()
        self.virtual_size = Size(self.size.width, total)
        self.cursor = min(self.cursor, max(0, total - 1)) if keep_cursor else 0
        if not keep_cursor:
            self.scroll_to(y=0, animate=False)
        self.refresh()

    @property
    def row_count(self) -> int:
        return self.cache.count()

    @property
    def current(self) -> R | None:
        return self.cache.get(self.cursor)

    def on_mount(self) -> None:
        self.virtual_size = Size(self.size.width, self.cache.count())

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.cache.count())

    # ------------------------------------------------------------------ painting

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        total = self.cache.count()
        if total == 0:
            if y == 0:
                text = Text(self._empty_text, style="italic", end="")
                return Strip(list(text.render(self.app.console)), text.cell_len).adjust_cell_length(
                    width, base
                )
            return Strip.blank(width, base)
        row = self.cache.get(index)
        if row is None:
            return Strip.blank(width, base)
        text = self._render_row(row, width)
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = [
            Segment(s.text, base + s.style if s.style else base)
            for s in text.render(self.app.console)
            if s.text != "\n"
        ]
        strip = Strip(segments, width)
        if index == self.cursor:
            cursor_style = self.get_component_rich_style("virtual-list--cursor")
            if not self.has_focus:
                cursor_style = Style(reverse=False, bgcolor=cursor_style.bgcolor, dim=True)
            strip = strip.apply_style(cursor_style)
        return strip.crop(scroll_x, scroll_x + width)

    # ------------------------------------------------------------------ cursor

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self, self.current))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height or 1
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def _move_to(self, index: int) -> None:
        total = self.cache.count()
        self.cursor = max(0, min(index, total - 1)) if total else 0

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_top(self) -> None:
        self._move_to(0)

    def action_bottom(self) -> None:
        self._move_to(self.cache.count() - 1)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=self.scroll_y + direction * height, animate=False)
        self._move_to(self.cursor + direction * height)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y
        if 0 <= index < self.cache.count():
            self.focus()
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index
