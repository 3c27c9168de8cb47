"""Measuring list rows in terminal cells without Rich's slow path.

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

from rich.cells import cell_len

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
