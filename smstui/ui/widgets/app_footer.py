"""The key footer as ONE widget that draws every key itself.

Textual's ``Footer`` is a container of one ``FooterKey`` widget a key (ten on History's
screen, with the docked command palette key). Every widget on a screen costs something on
each key driven by Textual's Pilot (``pilot.press``/``pause`` visit them all, see
``lean_select``), and the footer was the largest group left on History's screen.
``AppFooter`` draws the same row from one widget: the same keys (``Footer.compose``'s
grouping by action and by ``Binding.group``), the same order, widths and margins, the same
colours from the same CSS variables (``FooterKey``'s default CSS, as component classes here),
the command palette key docked right with its ``vkey`` border, disabled keys dimmed, the key
under the mouse highlighted, its tooltip shown, and a click running the key as
``FooterKey.on_mouse_down`` does. Compared with Textual's ``Footer`` cell by cell, styles
included (``tests/test_ui_footer.py``).

Keys that do not fit beside the palette key are left out, the last ones first and ``f1``
last (``footer_upkeep.keys_to_hide``): Textual's footer runs them under the docked key.
Each rebuild also drops closed widgets' watchers and Textual's styles cache
(``footer_upkeep``: the leaks the old footer's rebuilds were used to clear).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from typing import Any, ClassVar

from textual import events
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from smstui.ui.widgets.footer_drawing import FooterItem, FooterKeyInfo, draw, layout
from smstui.ui.widgets.footer_upkeep import (
    KEPT_KEYS,
    keys_to_hide,
    prune_closed_watchers,
    release_styles_caches,
)

__all__ = ["KEPT_KEYS", "AppFooter", "FooterKeyInfo", "ShownKey", "keys_to_hide"]


@dataclass(frozen=True)
class ShownKey:
    """A key as drawn: the key and the screen columns it covers (``x`` to ``right``)."""

    info: FooterKeyInfo
    x: int
    right: int
    palette: bool

    @property
    def key(self) -> str:
        return self.info.key


class AppFooter(Widget, can_focus=False):
    """The footer's keys, drawn by this widget (no children)."""

    ALLOW_SELECT = False
    # Textual's FooterKey CSS, one component class a layer: the key widget (its background,
    # hovered, disabled), its key and description parts, a group's label, the palette key
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "footer-key--key",
        "footer-key--description",
        "app-footer--key",
        "app-footer--key-hover",
        "app-footer--key-disabled",
        "app-footer--label",
        "app-footer--palette",
    }
    DEFAULT_CSS = """
    AppFooter {
        color: $footer-foreground;
        background: $footer-background;
        dock: bottom;
        height: 1;
        & > .app-footer--key { background: $footer-item-background; }
        & > .app-footer--key-hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        & > .app-footer--key-disabled { text-style: dim; }
        & > .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
            padding: 0 1;
        }
        & > .footer-key--description {
            padding: 0 1 0 0;
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .app-footer--label {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .app-footer--palette {
            border-left: vkey $foreground 20%;
            padding-right: 1;
        }
        /* compact: the blank column after the palette key is the footer's (a margin) */
        &.-compact > .app-footer--palette {
            padding-right: 0;
            margin-right: 1;
        }
    }
    """

    compact = reactive(False, toggle_class="-compact")
    show_command_palette = reactive(True)

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        show_command_palette: bool = True,
        compact: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(AppFooter.show_command_palette, show_command_palette)
        self.set_reactive(AppFooter.compact, compact)
        self.set_class(compact, "-compact", update=False)
        #: the items (keys, groups) and the palette key, as ``Footer.compose`` would build them
        self.items: list[FooterItem] = []
        self.palette: FooterKeyInfo | None = None
        #: what is drawn at the current width: (x, width, key) of each key shown
        self.placed: list[tuple[int, int, FooterKeyInfo]] = []
        self.hovered: FooterKeyInfo | None = None
        self._strip: tuple[tuple[Any, ...], Strip] | None = None

    # ------------------------------------------------------------------ keys

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        # Textual's footer stays empty until the screen first publishes its bindings; the
        # keys of the bindings active now (nothing focused yet) are the ones it shows then
        self.rebuild()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Any) -> None:
        # as Footer.bindings_changed: nothing while the app is not focused
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.rebuild)

    def rebuild(self) -> None:
        """Read the screen's active bindings again (``Footer.compose``)."""
        if not self.is_attached:
            return
        active = self.screen.active_bindings
        shown = [(b, enabled, tip) for (_, b, enabled, tip) in active.values() if b.show]
        by_action: defaultdict[str, list[tuple[Any, bool, str]]] = defaultdict(list)
        for binding, enabled, tip in shown:
            by_action[binding.action].append((binding, enabled, tip))
        items: list[FooterItem] = []
        display = self.app.get_key_display
        for group, same_group in groupby(by_action.values(), lambda m: m[0][0].group):
            bindings = [m[0] for m in same_group]
            if group is not None and len(bindings) > 1:
                keys = [
                    FooterKeyInfo(b.key, display(b), "", b.action, not on, tip or b.description)
                    for b, on, tip in bindings
                ]
                items.append(FooterItem(keys, group.description, group.compact))
            else:
                for b, on, tip in bindings:
                    info = FooterKeyInfo(b.key, display(b), b.description, b.action, not on, tip)
                    items.append(FooterItem([info]))
        self.palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, b, on, tip = found
                self.palette = FooterKeyInfo(
                    b.key, display(b), b.description, b.action, not on, b.tooltip or b.description
                )
        self.items = items
        # the keys are new (Textual's footer replaces its key widgets): none is hovered
        self._hover(None)
        self._strip = None
        self.refresh()
        # the upkeep the old footer's rebuilds did (see footer_upkeep)
        for owner in (self, self.screen, self.app):
            prune_closed_watchers(owner)
        release_styles_caches()

    def all_keys(self) -> list[FooterKeyInfo]:
        """Every key the footer has now (shown or not), the palette key last."""
        keys = [key for item in self.items for key in item.keys]
        return keys + ([self.palette] if self.palette else [])

    def shown_keys(self) -> list[ShownKey]:
        """The keys drawn at the current width, left to right (the palette key last)."""
        self._render_strip()
        left = self.region.x
        return [
            ShownKey(key, left + x, left + x + width, key is self.palette)
            for x, width, key in self.placed
        ]

    # ------------------------------------------------------------------ drawing

    def watch_compact(self) -> None:
        self._strip = None
        self.refresh()

    def watch_show_command_palette(self) -> None:
        self.rebuild()

    def on_resize(self) -> None:
        self._strip = None

    def _render_strip(self) -> Strip:
        width = self.size.width
        state = (width, self.compact, id(self.hovered), self.app.theme, self.app.ansi_color)
        if self._strip is not None and self._strip[0] == state:
            return self._strip[1]
        placed = layout(self, width)
        strip = draw(self, width, placed)
        self.placed = [(x, w, key) for x, w, key in placed if isinstance(key, FooterKeyInfo)]
        self._strip = (state, strip)
        return strip

    def render_line(self, y: int) -> Strip:
        if y != 0 or not self.size.width:
            return Strip.blank(self.size.width, self.rich_style)
        return self._render_strip()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip = None

    # ------------------------------------------------------------------ mouse

    def _key_at(self, x: int) -> FooterKeyInfo | None:
        for left, width, key in self.placed:
            if left <= x < left + width:
                return key
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self._key_at(event.x))

    def on_leave(self, _event: events.Leave) -> None:
        self._hover(None)

    def _hover(self, key: FooterKeyInfo | None) -> None:
        if key is self.hovered:
            return
        self.hovered = key
        self.styles.pointer = "pointer" if key is not None else "default"
        self.tooltip = key.tooltip if key is not None and key.tooltip else None
        self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.disabled:
            self.app.bell()
        else:
            self.app.simulate_key(key.key)
