"""The app's tab bar: one widget drawing every tab's label and the active tab's underline.

Textual's ``TabbedContent`` puts a widget per tab label and a pane per tab between the screen
and each tab's widgets: 20 widgets and two levels of nesting that every key, every frame and
every repaint of a tab's list walks through. Here the labels are one line of text, and each
tab's body sits on its own screen (``ui/tab_screen.py``), under that screen's tab bar.

Labels are plain text (``Text``, never markup; control characters shown visibly, as every
other untrusted text is: ``ui/safe_text.py``).
A click on a label posts ``TabBar.Clicked``; the app decides what opening a tab means.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Offset
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from smstui.ui.safe_text import visible

#: the underline's character (Textual's own tab underline draws the same bar)
BAR = "━"


class TabBar(Widget):
    """Labels of ``tabs`` (id, label) in order; ``active`` is the id of the tab shown."""

    DEFAULT_CSS = """
    TabBar { height: 2; width: 1fr; }
    /* the colours of Textual's own tabs (Tab, Underline) */
    TabBar > .tab-bar--label { color: $foreground 50%; }
    TabBar > .tab-bar--active { color: $foreground; }
    TabBar > .tab-bar--hover { color: $foreground; }
    TabBar > .tab-bar--bar { color: $foreground 10%; }
    TabBar > .tab-bar--bar-active { color: $block-cursor-background; }
    TabBar:ansi > .tab-bar--label { text-style: dim; }
    TabBar:ansi > .tab-bar--active { text-style: not dim bold; }
    TabBar:ansi > .tab-bar--bar { color: $border-blurred; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "tab-bar--label",
        "tab-bar--active",
        "tab-bar--hover",
        "tab-bar--bar",
        "tab-bar--bar-active",
    }

    active: reactive[str] = reactive("")
    hovered: reactive[str | None] = reactive(None)

    class Clicked(Message):
        """A tab's label was clicked."""

        def __init__(self, tab: str) -> None:
            super().__init__()
            self.tab = tab

    def __init__(self, tabs: list[tuple[str, str]], *, active: str, id: str | None = None):
        super().__init__(id=id)
        self._labels: dict[str, str] = {tab: visible(label) for tab, label in tabs}
        self.set_reactive(TabBar.active, active)

    def label(self, tab: str) -> str:
        return self._labels[tab]

    def set_label(self, tab: str, label: str) -> None:
        label = visible(label)
        if self._labels.get(tab) != label:
            self._labels[tab] = label
            self.refresh()

    def _spans(self) -> list[tuple[str, int, int]]:
        """(tab, first column, end column) of each label, from the left of the content."""
        spans = []
        x = 0
        for tab, label in self._labels.items():
            width = Text(label).cell_len + 2  # a space either side, as Textual's tabs have
            spans.append((tab, x, x + width))
            x += width
        return spans

    def _shift(self, spans: list[tuple[str, int, int]]) -> int:
        """Columns the labels are moved left by so that the active one shows on a narrow bar."""
        width = self.content_region.width or self.size.width
        end = next((e for t, _, e in spans if t == self.active), 0)
        return max(0, end - width)

    def render(self) -> Text:
        spans = self._spans()
        shift = self._shift(spans)
        label_style = self.get_component_rich_style("tab-bar--label")
        active_style = self.get_component_rich_style("tab-bar--active")
        hover_style = self.get_component_rich_style("tab-bar--hover")
        bar_style = self.get_component_rich_style("tab-bar--bar")
        bar_active = self.get_component_rich_style("tab-bar--bar-active")
        labels = Text(no_wrap=True, overflow="crop", end="")
        bar = Text(no_wrap=True, overflow="crop", end="")
        for tab, start, end in spans:
            style: Style = label_style
            if tab == self.active:
                style = active_style
            elif tab == self.hovered:
                style = hover_style
            labels.append(f" {self._labels[tab]} ", style)
            if tab == self.active:
                # the highlight under the label's text, with half bars at its ends (as
                # Textual's own underline draws it)
                bar.append("╸", bar_style)
                bar.append(BAR * (end - start - 2), bar_active)
                bar.append("╺", bar_style)
            else:
                bar.append(BAR * (end - start), bar_style)
        width = max(self.content_region.width, labels.cell_len)
        bar.append(BAR * max(0, width - bar.cell_len), bar_style)
        if shift:
            labels = labels[shift:]
            bar = bar[shift:]
        return Text("\n", end="").join([labels, bar])

    def shown_spans(self) -> list[tuple[str, int, int]]:
        """(tab, first column, end column) of each label as drawn, in the bar's own
        columns (its padding included); a label moved off the left edge starts below 0."""
        spans = self._spans()
        left = self.gutter.left - self._shift(spans)
        return [(tab, start + left, end + left) for tab, start, end in spans]

    def offset_of(self, tab: str) -> Offset:
        """Where a click opens ``tab`` (the label's first letter), in the bar's columns."""
        start = next(start for t, start, _ in self.shown_spans() if t == tab)
        return Offset(start + 1, 0)

    def _tab_at(self, x: int) -> str | None:
        spans = self._spans()
        x += self._shift(spans)
        return next((t for t, start, end in spans if start <= x < end), None)

    def on_click(self, event: events.Click) -> None:
        tab = self._tab_at(event.x - self.gutter.left)
        if tab is not None:
            self.post_message(self.Clicked(tab))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self.hovered = self._tab_at(event.x - self.gutter.left)

    def on_leave(self, event: events.Leave) -> None:
        self.hovered = None
