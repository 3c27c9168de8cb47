"""Make untrusted text (SMS bodies, names, server messages) safe to print on a terminal.

A body such as ``"\\x1b]52;c;...\\x07"`` would otherwise let a stranger's SMS rewrite the
clipboard, retitle the window or hide text. Control characters are not dropped but shown as
visible escapes, so the reader still sees that something odd was there.
"""

from __future__ import annotations

import unicodedata

# Bidi overrides/isolates can reorder what the eye reads ("Trojan Source").
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


# Cc: C0, DEL, C1 (0x80-0x9f); Cs: lone surrogates (cannot even be encoded for output);
# Zl/Zp: U+2028/U+2029 break lines in some terminals.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def is_unsafe(ch: str) -> bool:
    """The one rule, shared by the CLI and the TUI, for a character that must never reach a
    terminal as itself (each front-end shows it its own visible way)."""
    return ch in _BIDI or unicodedata.category(ch) in _UNSAFE_CATEGORIES


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """Return ``text`` with C0/C1 controls, ESC, DEL and bidi controls shown as escapes.

    Tabs become a space; newlines are kept only when ``keep_newlines`` (a table cell wants
    one line, a message view may want several).
    """
    out: list[str] = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif ch == "\n":
            out.append("\\n")
        elif is_unsafe(ch):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)
