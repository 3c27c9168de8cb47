"""``AppFooter`` (one widget drawing every key) against Textual's ``Footer`` (a widget a key):
the same row, cell by cell with colours and attributes, in both layouts, three themes (ANSI
included), at widths where every key fits and where the last ones are left out, with a
disabled key, a hovered key and a group of keys; and what the keys do (click, hover, tooltip,
focus changes)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Footer, Input
from textual.widgets._footer import FooterKey

from smstui.ui.widgets.app_footer import AppFooter, keys_to_hide
from smstui.ui.widgets.footer_upkeep import KEPT_KEYS

GROUP = Binding.Group("Move")
COMPACT_GROUP = Binding.Group("Pick", compact=True)


class Field(Input):
    """A focusable widget with keys of its own (they join the footer when it has focus)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "app.record('send')", "Send", tooltip="Send the message"),
        Binding("ctrl+o", "app.record('mode')", "Mode"),
    ]


class Keys(App[None]):
    """The app's keys as smstui shows them: alt+N, a disabled one, priority quit, palette."""

    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("alt+1", "record('tabs')", "Tabs", key_display="alt+N"),
        Binding("f1", "record('help')", "Help", tooltip="Every key"),
        Binding("ctrl+r", "record('sync')", "Sync"),
        Binding("ctrl+q", "record('quit')", "Quit", priority=True),
    ]

    def __init__(self, footer: Widget, *, theme: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.footer = footer
        self.recorded: list[str] = []
        self.bells = 0
        if theme is not None:
            self.theme = theme

    def compose(self) -> ComposeResult:
        yield Field(id="field")
        yield self.footer

    def action_record(self, what: str) -> None:
        self.recorded.append(what)

    def bell(self) -> None:
        self.bells += 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if parameters == ("sync",) else True  # None: shown, dimmed


class Grouped(Keys):
    """Keys in ``Binding.group``s, one of them compact, after the app's."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "record('up')", "Up", group=GROUP),
        Binding("down", "record('down')", "Down", group=GROUP),
        Binding("a", "record('a')", "A", group=COMPACT_GROUP),
        Binding("b", "record('b')", "B", group=COMPACT_GROUP),
    ]


def fit_textual_footer(footer: Footer) -> None:
    """What smstui's footer did before it was one widget: hide the keys that do not fit
    beside the docked palette key, the last first and ``f1`` last."""
    keys = [c for c in footer.children if not c.has_class("-command-palette") and c.display]
    palette = [c for c in footer.children if c.has_class("-command-palette")]
    room = palette[0].region.x - footer.region.x if palette else footer.region.width + 1
    widths = [c.region.width + c.styles.margin.left + c.styles.margin.right for c in keys]
    kept = [isinstance(c, FooterKey) and c.key in KEPT_KEYS for c in keys]
    for i in keys_to_hide(widths, kept, room):
        keys[i].display = False


def bottom_row(app: App[Any]) -> list[tuple[object, ...]]:
    """The footer's row, cell by cell: the character, its colours and text attributes."""
    row: list[tuple[object, ...]] = []
    for segment in app.screen._compositor.render_strips()[-1]:
        style = segment.style
        assert style is not None
        attributes = (style.bold, style.dim, style.italic, style.underline, style.reverse)
        row.extend((char, style.color, style.bgcolor, *attributes) for char in segment.text)
    return row


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()


async def draw_textual(
    width: int, hover: str | None, app_type: type[Keys] = Keys, **kwargs: Any
) -> list[tuple[object, ...]]:
    footer = Footer(compact=kwargs.pop("compact"))
    app = app_type(footer, **kwargs)
    async with app.run_test(size=(width, 5)) as pilot:
        await settle(pilot)
        fit_textual_footer(footer)
        await settle(pilot)
        if hover is not None:
            key = next(k for k in footer.query(FooterKey) if k.key == hover)
            await pilot.hover(key)
            await settle(pilot)
            assert key.mouse_hover
        return bottom_row(app)


async def draw_ours(
    width: int, hover: str | None, app_type: type[Keys] = Keys, **kwargs: Any
) -> list[tuple[object, ...]]:
    footer = AppFooter(compact=kwargs.pop("compact"))
    app = app_type(footer, **kwargs)
    async with app.run_test(size=(width, 5)) as pilot:
        await settle(pilot)
        if hover is not None:
            key = next(k for k in footer.shown_keys() if k.key == hover)
            await pilot.hover(footer, offset=(key.x - footer.region.x, 0))
            await settle(pilot)
            assert footer.hovered is key.info
        assert len(footer.children) == 0
        return bottom_row(app)


@pytest.mark.parametrize("compact", [True, False], ids=["compact", "roomy"])
@pytest.mark.parametrize("width", [120, 60, 44, 30, 12, 8])
async def test_app_footer_draws_what_textuals_footer_draws(width: int, compact: bool) -> None:
    textual = await draw_textual(width, None, compact=compact)
    ours = await draw_ours(width, None, compact=compact)
    assert ours == textual
    text = "".join(str(cell[0]) for cell in ours)
    assert "▏^p" in text or width < 20  # the docked palette key, with its border
    if "^r" in text:  # the disabled ^r Sync is dimmed (the app turns dim into colours)
        assert ours[text.index("^r")][1] != ours[text.index("f1")][1]


@pytest.mark.parametrize(
    ("theme", "ansi"),
    # ansi-dark: smstui's other theme (the terminal's own colours, over SSH); its ANSI
    # colours pass through as ANSI (``ansi_color=None``: the theme decides)
    [("textual-light", False), ("nord", False), ("ansi-dark", None)],
)
@pytest.mark.parametrize("hover", [None, "f1", "ctrl+r", "ctrl+p"])
async def test_app_footer_matches_in_other_themes_and_hovered(
    theme: str, ansi: bool | None, hover: str | None
) -> None:
    textual = await draw_textual(100, hover, compact=True, theme=theme, ansi_color=ansi)
    ours = await draw_ours(100, hover, compact=True, theme=theme, ansi_color=ansi)
    assert ours == textual


@pytest.mark.parametrize("compact", [True, False], ids=["compact", "roomy"])
async def test_app_footer_draws_groups_of_keys_as_textual_does(compact: bool) -> None:
    textual = await draw_textual(120, None, Grouped, compact=compact)
    ours = await draw_ours(120, None, Grouped, compact=compact)
    assert ours == textual
    text = "".join(str(cell[0]) for cell in ours)
    assert "Move" in text and "Pick" in text


async def test_a_click_on_a_key_runs_it_and_a_disabled_key_rings() -> None:
    footer = AppFooter(compact=True)
    app = Keys(footer)
    async with app.run_test(size=(100, 5)) as pilot:
        await settle(pilot)
        keys = {k.key: k for k in footer.shown_keys()}
        await pilot.click(footer, offset=(keys["f1"].x - footer.region.x, 0))
        await settle(pilot)
        assert app.recorded == ["help"]
        await pilot.click(footer, offset=(keys["ctrl+r"].right - 1 - footer.region.x, 0))
        await settle(pilot)
        assert app.recorded == ["help"] and app.bells == 1  # disabled: a bell, no sync
        gap = keys["f1"].right - footer.region.x  # the blank column after a key
        await pilot.click(footer, offset=(gap, 0))
        await settle(pilot)
        assert app.recorded == ["help"] and app.bells == 1


async def test_hovering_a_key_highlights_it_and_sets_its_tooltip() -> None:
    footer = AppFooter(compact=True)
    app = Keys(footer)
    async with app.run_test(size=(100, 5)) as pilot:
        await settle(pilot)
        before = bottom_row(app)
        keys = {k.key: k for k in footer.shown_keys()}
        f1 = keys["f1"]
        await pilot.hover(footer, offset=(f1.x - footer.region.x + 1, 0))
        await settle(pilot)
        assert footer.tooltip == "Every key"
        after = bottom_row(app)
        changed = [x for x, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert changed and min(changed) >= f1.x and max(changed) < f1.right
        palette = keys["ctrl+p"]
        await pilot.hover(footer, offset=(palette.x - footer.region.x, 0))
        await settle(pilot)
        assert footer.tooltip == palette.info.tooltip and footer.hovered is palette.info
        await pilot.hover(footer, offset=(f1.right - footer.region.x, 0))  # a gap: no key
        await settle(pilot)
        assert footer.hovered is None and footer.tooltip is None
        assert bottom_row(app) == before


async def test_the_keys_follow_focus_as_textuals_footer_does() -> None:
    footer = AppFooter(compact=True)
    app = Keys(footer)
    async with app.run_test(size=(120, 5)) as pilot:
        await settle(pilot)
        assert "ctrl+s" not in {k.key for k in footer.all_keys()}
        app.query_one("#field").focus()
        await settle(pilot)
        keys = {k.key: k for k in footer.all_keys()}
        assert {"ctrl+s", "ctrl+o"} <= set(keys)
        assert keys["ctrl+s"].tooltip == "Send the message"
        shown = await draw_textual(120, None, compact=True)  # unfocused, for contrast
        assert bottom_row(app) != shown
        app.set_focus(None)
        await settle(pilot)
        assert "ctrl+s" not in {k.key for k in footer.all_keys()}
        assert bottom_row(app) == shown
