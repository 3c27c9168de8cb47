"""VirtualList's paging shortcuts draw exactly what the plain way draws.

Rows that fit are turned into segments without Rich's truncate/render (``fast_segments``),
and the scroll bar is repainted only when its thumb moves on screen (``watch_scroll_y``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widget import Widget

from smstui.core.service.history import StoredMessage
from smstui.ui.cells import SPAN_STYLES, fast_segments
from smstui.ui.message_view import message_row
from smstui.ui.widgets.virtual_list import VirtualList

CONSOLE = Console(width=120, force_terminal=True, color_system="truecolor")
BASE = Style(color="white", bgcolor="black")
#: cut by Rich's truncate, drawn narrow or wide, combining, zero-width and control characters
PIECES = ("a", "hello ", "→", "…", "●", "日本", "e\u0301", "\u200b", "\x1b", "  ", "x" * 30)
STYLES = ("", "dim", "bold magenta", "red", "green", "not-a-style-name")


def rich_way(text: Text, width: int) -> list[Segment]:
    """What VirtualList drew before: Rich's truncate and render, then on the list's style."""
    text = text.copy()
    text.truncate(width, overflow="ellipsis", pad=True)
    return [
        Segment(s.text, BASE + s.style if s.style else BASE)
        for s in text.render(CONSOLE)
        if s.text != "\n"
    ]


def same_cells(fast: list[Segment], rich: list[Segment]) -> bool:
    """The same text in the same styles: ``fast_segments`` may cut a run of one style into
    pieces (``ui/cells.py``), so segments are compared once runs of a style are joined."""
    return list(Segment.simplify(fast)) == list(Segment.simplify(rich))


def message(i: int, **fields: Any) -> StoredMessage:
    values: dict[str, Any] = {
        "message_id": f"M{i}",
        "account": "a",
        "direction": "out",
        "to": "+61491570998",
        "sender": "+61481070000",
        "body": f"Message number {i} about order {i * 7 % 9973}",
        "status": "Completed",
        "date": datetime.fromtimestamp(1_700_000_000 + i * 60, UTC),
        "schedule": None,
        "parts": 1,
        "price": None,
        "status_code": None,
        "status_text": None,
        "error_code": None,
        "error_text": None,
        "receipt_at": None,
        "custom_string": None,
        "reply_to": None,
        "read": True,
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(fields)
    return StoredMessage(**values)


@st.composite
def texts(draw: st.DrawFn) -> Text:
    text = Text(end="", no_wrap=True, style=draw(st.sampled_from(("", "", "", "bold"))))
    for _ in range(draw(st.integers(0, 8))):
        text.append(draw(st.sampled_from(PIECES)), style=draw(st.sampled_from(STYLES)))
    for _ in range(draw(st.integers(0, 2))):  # stray spans: overlapping, empty, past the end
        start = draw(st.integers(0, len(text.plain) + 2))
        text.stylize("italic", start, start + draw(st.integers(0, 5)))
    return text


@settings(max_examples=400, deadline=None)
@given(text=texts(), width=st.integers(1, 90))
def test_fast_segments_are_richs_segments_or_none(text: Text, width: int) -> None:
    fast = fast_segments(text.copy(), width, BASE, {}, CONSOLE)
    if fast is not None:
        assert same_cells(fast, rich_way(text, width))
        assert sum(s.cell_length for s in fast) == width


@pytest.mark.parametrize("width", [1, 12, 40, 79, 118, 200])
@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"direction": "in", "read": False, "status": "Received"},
        {"channel": "mms", "status": "Failed"},
        {"channel": "voice", "status": "Scheduled"},
        {"to": "+1 555 日本", "body": "日本語のメッセージ" * 4},
        {"to": "+614\x1b[31m", "body": "line\nbreak\ttab e\u0301"},
        {"handled_by": "Ana", "handled_at": datetime(2026, 1, 1, tzinfo=UTC)},
    ],
)
def test_every_kind_of_list_row_is_drawn_as_before(fields: dict[str, Any], width: int) -> None:
    styles: dict[str | Style, Style] = {}
    for handled in (False, True):
        row = message_row(message(7, **fields), width, handled=handled)
        fast = fast_segments(row.copy(), width, BASE, styles, CONSOLE)
        assert fast is None or same_cells(fast, rich_way(row, width))
    if width >= 79 and "日本" not in str(fields):
        assert fast is not None  # the common row takes the short way


def test_fast_segments_decline_what_rich_must_cut_or_split() -> None:
    too_wide = Text("x" * 20)
    assert fast_segments(too_wide, 10, BASE, {}, CONSOLE) is None
    overlapping = Text("abcdef")
    overlapping.stylize("bold", 0, 4)
    overlapping.stylize("red", 2, 6)
    assert fast_segments(overlapping, 10, BASE, {}, CONSOLE) is None
    styled = Text("abc", style="bold")
    assert fast_segments(styled, 10, BASE, {}, CONSOLE) is None


def test_the_span_style_cache_keeps_at_most_its_bound() -> None:
    styles: dict[str | Style, Style] = {}
    for i in range(SPAN_STYLES * 3):
        text = Text("ab")
        text.stylize(Style(color=f"#{i:06x}"), 0, 1)
        assert fast_segments(text, 5, BASE, styles, CONSOLE) == rich_way(text, 5)
        assert len(styles) <= SPAN_STYLES


class Numbers:
    def __init__(self, total: int) -> None:
        self.total = total

    def count(self) -> int:
        return self.total

    def rows(self, start: int, limit: int) -> Sequence[int]:
        return range(start, min(self.total, start + limit))


class ListApp(App[None]):
    def __init__(self, total: int) -> None:
        super().__init__()
        self.total = total

    def compose(self) -> ComposeResult:
        yield VirtualList[int](Numbers(self.total), lambda i, width: Text(f"row {i}"), id="numbers")


def screen_text(app: App[Any]) -> list[Any]:
    return [list(strip) for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("total", [60, 5_000, 1_000_000])
async def test_the_scroll_bar_shows_where_the_list_is_after_paging(total: int) -> None:
    app = ListApp(total)
    async with app.run_test(size=(40, 12)) as pilot:
        numbers = app.query_one("#numbers", VirtualList)
        numbers.focus()
        await pilot.pause()
        assert numbers.row_count == total  # the count known: the bar's size is final
        await pilot.pause()
        bar = numbers.vertical_scrollbar
        repaints = 0
        refresh = bar.refresh

        def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal repaints
            repaints += 1
            return refresh(*args, **kwargs)

        bar.refresh = counted  # type: ignore[method-assign]
        paging_repaints = 0
        for keys in (["pagedown"] * 3, ["end"], ["pageup"] * 2, ["home"]):
            before = repaints
            await pilot.press(*keys)
            await pilot.pause()
            shown = screen_text(app)
            # drawing the bar afresh changes nothing on screen: no repaint was wrongly skipped
            bar.refresh = refresh  # type: ignore[method-assign]
            bar.refresh()
            await pilot.pause()
            bar.refresh = counted  # type: ignore[method-assign]
            assert screen_text(app) == shown
            # and dragging the thumb starts from where the list really is
            assert bar.position == bar.validate_position(numbers.scroll_y)
            if keys[0] == "pagedown":
                paging_repaints = repaints - before
        if total == 1_000_000:
            assert paging_repaints == 0  # a page is a fraction of a cell of the bar
        if total == 60:
            assert paging_repaints == 3  # each page moves the thumb of a short list


#: list CSS that Textual's styling pass has nothing to add to (the fast path paints), and CSS
#: it must apply itself (``render_lines`` hands those to it)
PLAIN_CSS = ("", "VirtualList { background: $panel; color: $accent; }")
STYLED_CSS = (
    "VirtualList { padding: 0 1; }",
    "VirtualList { border: round red; }",
    "VirtualList { outline: solid green; }",
    "VirtualList { tint: red 20%; }",
    "VirtualList { opacity: 0.5; }",
    "VirtualList { text-opacity: 0.7; }",
    "VirtualList { hatch: cross red; }",
)


@pytest.mark.parametrize("no_color", [False, True])
@pytest.mark.parametrize("css", PLAIN_CSS + STYLED_CSS)
async def test_rows_are_drawn_as_textuals_styling_pass_draws_them(
    css: str, no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")  # the app's line filters take the colours out
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = type("StyledListApp", (ListApp,), {"CSS": css})(5_000)
    async with app.run_test(size=(40, 12)) as pilot:
        numbers = app.query_one("#numbers", VirtualList)
        numbers.focus()
        await pilot.pause()
        assert (numbers._plain_styles() is not None) == (css in PLAIN_CSS)
        width, height = numbers.region.size
        crops = [
            Region(0, 0, width, height),
            Region(0, 2, width, 3),  # some lines: a partial repaint
            Region(3, 0, width - 5, height),  # some columns: under an overlapping widget
        ]
        for keys in ([], ["pagedown"], ["down", "down"], ["end"]):
            await pilot.press(*keys)
            await pilot.pause()
            for focused in (True, False):
                if focused:
                    numbers.focus()
                else:
                    app.set_focus(None)
                await pilot.pause()
                for crop in crops:
                    ours = [list(strip) for strip in numbers.render_lines(crop)]
                    numbers._styles_cache.clear()  # Textual's pass from scratch
                    theirs = [list(strip) for strip in Widget.render_lines(numbers, crop)]
                    assert ours == theirs, (keys, focused, crop)
