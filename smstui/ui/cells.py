"""Measuring list rows in terminal cells without Rich's slow path, and a row's segments.

Rich measures a string by its length when every character is in its table of one-cell
characters (``rich.cells``: printable Latin, Greek, Cyrillic, box drawing, Braille). One
character outside it, say the "→" of a History row or the "…" of a cut body, and Rich looks up
every character of the string one by one, and caches the answer only for the last 4,096
strings. Paging through a big store meets new strings on every key, so each row went the slow
way: ~10,000 characters looked up per PageDown, the compositor's cuts included.

Here a string is split into runs: runs of one-cell characters (measured by ``len``) and the
short runs of anything else ("→", "…", a name in another script), which repeat from row to
row and hit Rich's cache. The result is Rich's own measure, checked by tests against
``rich.cells.cell_len`` on arbitrary text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

#: the complement of Rich's one-cell ranges (``rich.cells._SINGLE_CELL_UNICODE_RANGES``,
#: copied: that name is private). Should Rich's table shrink, a run here would hold a
#: character Rich measures slowly: still measured right, only slower.
_OTHER = re.compile("[^\x20-\x7e\xa0-\xac\xae-\u02ff\u0370-\u0482\u2500-\u25fc\u2800-\u28ff]+")
#: zero-width joiner and variation selector 16 change the width of the character before
#: them, so a string holding one is measured whole, as Rich does
_JOINERS = re.compile("[\u200d\ufe0f]")


def cells(text: str) -> int:
    """``rich.cells.cell_len(text)``, by length for the runs of one-cell characters."""
    if _OTHER.search(text) is None:
        return len(text)
    if _JOINERS.search(text) is not None:
        return cell_len(text)
    width = len(text)
    for run in _OTHER.findall(text):
        width += cell_len(run) - len(run)
    return width


def pieces(text: str) -> Iterator[str]:
    """``text`` cut where one-cell runs meet other runs, so that a segment made of each piece
    is measured fast by Rich (long one-cell runs) or from its cache (short, repeating runs).
    Text holding a joiner stays whole (its width depends on what precedes it)."""
    if _OTHER.search(text) is None or _JOINERS.search(text) is not None:
        yield text
        return
    at = 0
    for match in _OTHER.finditer(text):
        start, end = match.span()
        if start > at:
            yield text[at:start]
        yield text[start:end]
        at = end
    if at < len(text):
        yield text[at:]


#: distinct span styles remembered per list (rows use a handful; past this the dict is reset)
SPAN_STYLES = 64


def fast_segments(
    text: Text, width: int, base: Style, styles: dict[str | Style, Style], console: Any
) -> list[Segment] | None:
    """The segments ``text.truncate(width, overflow="ellipsis", pad=True)`` then
    ``text.render`` give, each on ``base``, made without copying the text or sorting its
    spans (two thirds of a new row's cost when paging). Only for the common row: it fits in
    ``width``, has no style of its own, and its spans follow one another without overlapping;
    anything else answers None and goes Rich's way. ``styles`` caches ``base + span style``.
    Each run of text is cut by ``pieces``: the same cells and styles as Rich's segments, in
    pieces Rich measures without a lookup per character, here and at every cut the compositor
    makes."""
    if text.style:
        return None
    plain = text.plain
    length = cells(plain)
    if length > width:
        return None
    segments: list[Segment] = []
    append = segments.append

    def add(part: str, style: Style) -> None:
        for piece in pieces(part):
            append(Segment(piece, style))

    at = 0
    for start, end, name in text.spans:
        if start < at or end <= start:
            return None  # overlapping, out of order or empty: Rich splits these its own way
        if start > at:
            add(plain[at:start], base)
        style = styles.get(name)
        if style is None:
            if len(styles) >= SPAN_STYLES:
                styles.clear()
            span_style = console.get_style(name, default=Style.null())
            style = styles[name] = base + span_style if span_style else base
        add(plain[start:end], style)
        at = end
    if at > len(plain):
        return None
    tail = plain[at:] + " " * (width - length)
    if tail:
        add(tail, base)
    return segments
