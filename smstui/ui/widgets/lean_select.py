"""Textual's ``Select`` with its current-value line drawn by one widget instead of four
(three widgets a Select instead of six).

Textual's ``SelectCurrent`` is a row of three ``Static`` widgets (the label, a down arrow and
an up arrow, one of them hidden). Every widget on a screen costs something on each key in
tests and benches driven by Textual's Pilot (it visits every widget of the screen:
``Pilot._wait_for_screen``), and smstui's History screen carried five Selects,
thirty widgets. ``LeanSelect`` draws the same line from one widget: the label in the width that is
left, wrapped as the ``Static`` wrapped it, and the arrow (down, or up while the list is open)
in the last two columns, in the colours Textual's CSS gives those children. Measured
against Textual's Select cell by cell (value, placeholder, focused, open, a wrapped label):
the same screen (``tests/test_ui_lean_widgets.py``). Not matched: the look of a *disabled*
LeanSelect (two shades apart); no Select in smstui is ever disabled. Everything else is
Textual's ``Select`` (keys, overlay, values, messages).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.console import RenderableType
from rich.containers import Lines
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Select
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay, SelectType

#: the arrow's column: one blank (Textual's ``padding: 0 0 0 1``) and the arrow
ARROW_WIDTH = 2


class LeanSelectCurrent(SelectCurrent):
    """The current value and the arrow, rendered by this widget itself (no children)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"lean-select--label", "lean-select--arrow"}
    # the colours Textual's SelectCurrent gives its label and arrows (``Static#label``,
    # ``.arrow``): translucent over the widget's background
    DEFAULT_CSS = """
    LeanSelectCurrent {
        & > .lean-select--label { color: $foreground 50%; }
        &.-has-value > .lean-select--label { color: $foreground; }
        & > .lean-select--arrow { color: $foreground 50%; }
    }
    """

    # Textual's SelectCurrent is a Horizontal: with a layout and no children it would lay
    # out nothing and measure 0 rows high. Without children it is a plain widget that renders.
    @property
    def is_container(self) -> bool:
        return False

    @property
    def is_scrollable(self) -> bool:
        return False

    def compose(self) -> ComposeResult:
        return iter(())

    def update(self, label: RenderableType | NoSelection) -> None:
        self.label = label
        self.has_value = not isinstance(label, NoSelection)
        self.refresh(layout=True)

    def _watch_has_value(self, has_value: bool) -> None:
        super()._watch_has_value(has_value)
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._label_lines(width)) if width else 0

    def _label_lines(self, width: int) -> Lines:
        shown: Any = self.placeholder if isinstance(self.label, NoSelection) else self.label
        label = shown.copy() if isinstance(shown, Text) else Text(str(shown))
        label.end = ""
        # Textual's label is a Static of width 1fr beside the arrow: it wraps in what is left
        lines = label.wrap(self.app.console, max(1, width - ARROW_WIDTH))
        for line in lines:
            line.rstrip()  # a wrapped line's last space is not drawn (Textual's wrap drops it)
        return lines

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        lines = self._label_lines(width)
        label_style = self.get_component_rich_style("lean-select--label")
        arrow_style = self.get_component_rich_style("lean-select--arrow")
        # the cells no text covers: the background alone, as Textual fills a widget's
        # unused width (a run of its own on the screen, as in Textual's Select)
        blank = Style(bgcolor=label_style.bgcolor)
        if y >= len(lines):
            return Strip([Segment(" " * width, blank)], width)
        line = lines[y]
        segments = [
            Segment(seg.text, label_style + seg.style if seg.style else label_style)
            for seg in line.render(self.app.console)
            if seg.text
        ]
        room = width - ARROW_WIDTH - line.cell_len
        if y == 0:
            expanded = isinstance(self.parent, Select) and self.parent.expanded
            segments.append(Segment(" " * (room + 1), blank))
            segments.append(Segment("▲" if expanded else "▼", arrow_style))
        else:
            segments.append(Segment(" " * (room + ARROW_WIDTH), blank))
        return Strip(segments).adjust_cell_length(width, blank)


class LeanSelect(Select[SelectType]):
    """``Select`` drawing its current value with ``LeanSelectCurrent`` (one widget, not four)."""

    def compose(self) -> ComposeResult:
        yield LeanSelectCurrent(self.prompt)
        yield SelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)

    def _setup_options_renderables(self) -> None:
        if not self.children:
            # mounted while the app closes (a tab built ahead as the user quits): Textual
            # mounts nothing into a closing widget, so there is no overlay to fill, and
            # Select's own ``_on_mount`` would stop the app on NoMatches on its way out
            return
        super()._setup_options_renderables()

    def _watch_expanded(self, expanded: bool) -> None:
        super()._watch_expanded(expanded)
        for current in self.query(LeanSelectCurrent):
            current.refresh()  # the arrow turns
