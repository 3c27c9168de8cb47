"""Untrusted text printed to a terminal cannot carry escape sequences or bidi tricks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from smstui.core.safe_text import printable


def test_escape_sequences_become_visible() -> None:
    assert printable("a\x1b[31mred\x07") == "a\\x1b[31mred\\x07"


def test_c1_controls_and_del_are_escaped() -> None:
    assert printable("x\x9by\x7f") == "x\\x9by\\x7f"


def test_bidi_overrides_are_escaped() -> None:
    assert printable("abc\u202edef") == "abc\\u202edef"


def test_newlines_are_kept_only_when_asked() -> None:
    assert printable("a\nb") == "a\\nb"
    assert printable("a\nb", keep_newlines=True) == "a\nb"
    assert printable("a\tb") == "a b"


def test_ordinary_unicode_is_untouched() -> None:
    assert printable("Zoë 👋 日本") == "Zoë 👋 日本"


@given(st.text())
def test_output_never_contains_control_characters(text: str) -> None:
    out = printable(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in out)
    assert "\u202e" not in out
