"""Where ``AppFooter`` puts each key and in which colours: Textual's ``Footer`` layout and
``FooterKey`` rendering, reproduced for one widget.

Textual 8.2's footer is a horizontal row of children: a ``FooterKey`` a key (margin-right 1
when compact), or for a ``Binding.group`` of several keys a ``KeyGroup`` of keys then a
``FooterLabel``; the palette key is docked right with a ``vkey`` left border. Margins of
neighbours collapse to the larger one (``HorizontalLayout``). A key's colours are its
widget's style (``FooterKey``: background, hover, dim) under its key or description part
(component classes), each blended over what is beneath as ``DOMNode.rich_style`` blends a
widget over its ancestors: ``_State``/``_layer``/``_final`` replay that loop for the layers
a ``FooterKey`` would have had between the footer and its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.strip import Strip
from textual.style import Style as VisualStyle

from smstui.ui.widgets.footer_upkeep import KEPT_KEYS, keys_to_hide

if TYPE_CHECKING:
    from smstui.ui.widgets.app_footer import AppFooter


@dataclass(eq=False)
class FooterKeyInfo:
    """One key as Textual's ``FooterKey`` holds it."""

    key: str
    key_display: str
    description: str
    action: str
    disabled: bool = False
    tooltip: str = ""


@dataclass(eq=False)
class FooterItem:
    """One ungrouped key, or a group of keys and its label (``KeyGroup`` + ``FooterLabel``)."""

    keys: list[FooterKeyInfo]
    label: str | None = None
    compact_group: bool = False

    @property
    def grouped(self) -> bool:
        return self.label is not None


@dataclass(frozen=True)
class _State:
    """``DOMNode.rich_style``'s loop variables after some nodes."""

    background: Color
    color: Color
    style: Style
    opacity: float


def _chain(widget: Any) -> _State:
    state = _State(Color(0, 0, 0, 0), Color(255, 255, 255, 0), Style(), 1.0)
    for node in reversed(widget.ancestors_with_self):
        state = _layer(state, node.styles)
    return state


def _layer(state: _State, styles: Any) -> _State:
    """One more node over ``state`` (the body of ``DOMNode.rich_style``'s loop)."""
    background, color, style = state.background, state.color, state.style
    opacity = state.opacity * styles.opacity
    if styles.has_rule("background"):
        tinted = styles.background.tint(styles.background_tint)
        text_background = background + tinted
        background = background + tinted.multiply_alpha(opacity)
    else:
        text_background = background
    if styles.has_rule("color"):
        color = styles.color
    style = style + styles.text_style
    if styles.has_rule("auto_color") and styles.auto_color:
        color = text_background.get_contrast_text(color.a)
    return _State(background, color, style, opacity)


def _final(state: _State) -> Style:
    background, color = state.background, state.color
    return state.style + Style.from_color(
        (background + color).rich_color if (background.a or color.a) else None,
        background.rich_color if background.a else None,
    )


# (x, width, key or a group's label) of what is drawn, in order
Placed = list[tuple[int, int, FooterKeyInfo | str]]


def _text(key: FooterKeyInfo, compact: bool, footer: AppFooter) -> tuple[str, str]:
    """The key part and the description part as ``FooterKey.render`` pads them."""
    if compact:  # FooterKey.-compact: the key unpadded, one blank before the description
        key_pad, desc_pad = (0, 0), (1, 0)
    else:
        k = footer.get_component_styles("footer-key--key").padding
        d = footer.get_component_styles("footer-key--description").padding
        key_pad, desc_pad = (k.left, k.right), (d.left, d.right)
    if not key.description:
        return key.key_display, ""
    return (
        " " * key_pad[0] + key.key_display + " " * key_pad[1],
        " " * desc_pad[0] + key.description + " " * desc_pad[1],
    )


def _width(text: str) -> int:
    return Text(text).cell_len


def key_width(footer: AppFooter, key: FooterKeyInfo, compact: bool) -> int:
    key_text, desc_text = _text(key, compact, footer)
    return _width(key_text) + _width(desc_text)


def palette_width(footer: AppFooter, key: FooterKeyInfo) -> tuple[int, int]:
    """The palette key's width (border, text, padding) and its margin on the right."""
    # never bound to the footer's compact, it keeps FooterKey's default (compact) text
    styles = footer.get_component_styles("app-footer--palette")
    padding = styles.padding
    return 1 + key_width(footer, key, True) + padding.right + padding.left, styles.margin.right


@dataclass
class _Child:
    """A child of Textual's footer: its width, margins and what it holds."""

    width: int
    margin: tuple[int, int]
    keys: list[tuple[int, int, FooterKeyInfo]]  # (x within the child, width, key)
    label: str | None = None
    kept: bool = False


def _children(footer: AppFooter) -> list[_Child]:
    compact = footer.compact
    children: list[_Child] = []
    for item in footer.items:
        if not item.grouped:
            key = item.keys[0]
            width = key_width(footer, key, compact)
            margin = (0, 1) if compact else (0, 0)
            children.append(_Child(width, margin, [(0, width, key)], kept=key.key in KEPT_KEYS))
            continue
        gap = 0 if item.compact_group else 1  # FooterKey.-grouped: margin 0 1
        x = 1 if item.compact_group else 0  # KeyGroup.-compact: padding-left 1
        inner: list[tuple[int, int, FooterKeyInfo]] = []
        for key in item.keys:
            x += gap  # the first key's margin-left, then max(right, left) of neighbours
            width = key_width(footer, key, compact)
            inner.append((x, width, key))
            x += width
        x += gap
        children.append(_Child(x, (0, 1) if item.compact_group else (0, 0), inner))
        label = item.label or ""
        children.append(_Child(_width(label), (0, 0) if compact else (0, 1), [], label=label))
    return children


def layout(footer: AppFooter, width: int) -> Placed:
    """What is drawn where at ``width`` columns, the palette key last."""
    children = _children(footer)
    palette_x: int | None = None
    palette_w = 0
    if footer.palette is not None:
        palette_w, margin = palette_width(footer, footer.palette)
        palette_x = width - margin - palette_w
    room = palette_x if palette_x is not None else width + 1
    widths = [c.width + c.margin[0] + c.margin[1] for c in children]
    hidden = keys_to_hide(widths, [c.kept for c in children], room)
    shown = [c for i, c in enumerate(children) if i not in hidden]
    placed: Placed = []
    x = shown[0].margin[0] if shown else 0
    for i, child in enumerate(shown):
        if child.label is not None:
            placed.append((x, child.width, child.label))
        placed.extend((x + kx, kw, key) for kx, kw, key in child.keys)
        if i + 1 < len(shown):
            x += child.width + max(child.margin[1], shown[i + 1].margin[0])
    if footer.palette is not None and palette_x is not None:
        placed.append((palette_x, palette_w, footer.palette))
    return placed


def _key_state(footer: AppFooter, base: _State, key: FooterKeyInfo) -> _State:
    names = ["app-footer--key"]
    if key is footer.hovered:
        names.append("app-footer--key-hover")
    if key.disabled:
        names.append("app-footer--key-disabled")
    return _layer(base, footer.get_component_styles(*names))


def _draw_key(
    footer: AppFooter, base: _State, key: FooterKeyInfo, compact: bool
) -> tuple[list[Segment], _State]:
    state = _key_state(footer, base, key)
    widget = _final(state)
    key_text, desc_text = _text(key, compact, footer)
    key_style = widget + _final(_layer(state, footer.get_component_styles("footer-key--key")))
    segments = [Segment(key_text, key_style)]
    if desc_text:
        desc = _layer(state, footer.get_component_styles("footer-key--description"))
        segments.append(Segment(desc_text, widget + _final(desc)))
    return segments, state


def draw(footer: AppFooter, width: int, placed: Placed) -> Strip:
    """The footer's row: each key in its colours, the footer's background between."""
    base = _chain(footer)
    blank = VisualStyle(background=base.background).rich_style
    segments: list[Segment] = []
    # a palette key wider than the footer starts left of it and is cut, as Textual cuts it
    origin = x = min([0, *(left for left, _w, _key in placed)])
    for left, w, key in placed:
        if left > x:
            segments.append(Segment(" " * (left - x), blank))
        if isinstance(key, str):  # a group's label (FooterLabel)
            style = _final(_layer(base, footer.get_component_styles("app-footer--label")))
            segments.append(Segment(key, style))
        elif key is footer.palette:
            segments.extend(_draw_palette(footer, base, key, w))
        else:
            drawn, _ = _draw_key(footer, base, key, footer.compact)
            segments.extend(drawn)
        x = left + w
    if x < width:
        segments.append(Segment(" " * (width - x), blank))
    return Strip(segments).crop(-origin, width - origin)


def _draw_palette(footer: AppFooter, base: _State, key: FooterKeyInfo, w: int) -> list[Segment]:
    styles = footer.get_component_styles("app-footer--palette")
    drawn, state = _draw_key(footer, base, key, True)
    inner = VisualStyle(background=state.background)
    _edge, border_color = styles.border_left
    border = (inner + VisualStyle(foreground=base.background + border_color)).rich_style
    used = 1 + sum(s.cell_length for s in drawn)
    return [Segment("▏", border), *drawn, Segment(" " * max(0, w - used), inner.rich_style)]
