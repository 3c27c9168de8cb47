"""Untrusted text (SMS bodies, names, numbers, server messages) made safe to display.

Nothing here parses markup: callers get a ``rich.text.Text`` built from plain strings, so
``[bold]`` stays literal. Control characters (ESC, BEL, backspace, ...) would otherwise reach
the terminal or corrupt the layout, so each one is replaced by a visible stand-in. Which
characters count as unsafe is decided by ``smstui.core.safe_text.is_unsafe`` (the CLI's rule).
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

from smstui.core.safe_text import is_unsafe

#: the C0 control pictures block maps 0x00..0x1F onto U+2400..U+241F
_PICTURES_BASE = 0x2400
_DEL_PICTURE = "\u2421"  # ␡


def _visible_char(ch: str, *, keep_newlines: bool) -> str:
    if ch == "\n" and keep_newlines:
        return ch
    if ch == "\t":
        return "    " if keep_newlines else " "
    if not is_unsafe(ch):  # the core decides what is unsafe; here only how it looks
        return ch
    code = ord(ch)
    if code < 0x20:
        return chr(_PICTURES_BASE + code)
    if code == 0x7F:
        return _DEL_PICTURE
    # C1 controls (a lone 0x9B is a CSI on some terminals), bidi controls, line separators
    return f"<U+{code:04X}>"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """Return ``text`` with every control character replaced by a visible stand-in.

    Newlines become "␊" unless ``keep_newlines`` (multi-line detail views keep them).
    """
    if text.isprintable() and "\t" not in text:
        return text
    return "".join(_visible_char(ch, keep_newlines=keep_newlines) for ch in text)


def plain(text: str | None, style: str | Style = "", *, keep_newlines: bool = False) -> Text:
    """A ``Text`` holding ``text`` literally (never parsed as markup), controls made visible."""
    return Text(visible(text or "", keep_newlines=keep_newlines), style=style, end="")


def one_line(text: str | None, width: int) -> str:
    """``text`` on a single line, cut to ``width`` cells with an ellipsis."""
    flat = visible(text or "")
    if cell_len(flat) <= width:
        return flat
    return set_cell_size(flat, max(0, width - 1)) + "…"
