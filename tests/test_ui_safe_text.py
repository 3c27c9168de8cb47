"""The TUI's visible text and the CLI's printable text follow one rule (core.safe_text)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from smstui.core.safe_text import is_unsafe, printable
from smstui.ui.safe_text import visible


@given(st.characters(exclude_characters="\n\t"))
def test_tui_and_cli_change_exactly_the_characters_core_calls_unsafe(ch: str) -> None:
    assert (visible(ch) != ch) == is_unsafe(ch) == (printable(ch) != ch)


def test_emoji_joined_with_zero_width_joiner_stays_intact() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert visible(family) == family


def test_lone_surrogate_and_line_separator_are_made_visible() -> None:
    assert visible("a\ud800b\u2028c") == "a<U+D800>b<U+2028>c"
