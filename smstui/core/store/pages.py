"""Rows read straight from SQLite's page format, for a store whose schema is unreadable.

When garbage lands on the first page(s) of ``smstui.db`` (where SQLite keeps the schema),
SQLite refuses every query, though most pages still hold intact rows. This walks every page
of the file, decodes each table leaf cell (the record format of
https://www.sqlite.org/fileformat2.html, overflow chains included) and recognises our own
tables by the shape of their records, as the ``sqlite3`` shell's ``.recover`` does for any
schema. Rows from freed pages can be older versions of a row, and pages only in the WAL are
not read: callers must treat what comes from here as a best effort (repair marks every open
send as needing the user's decision, and the next sync brings history back from ClickSend).

The ``WITHOUT ROWID`` tables (opt-outs, replies handed, handled marks, senders) are b-trees of
the index kind, so their rows are read from index pages (``key_rows``), where the entries of
the store's real indexes lie too: ``keyed_table_of`` tells them apart by shape.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

#: what the store is created with (the header may be garbage: it is the page that broke)
DEFAULT_PAGE_SIZE = 4096
_LEAF_TABLE = 0x0D
_LEAF_INDEX = 0x0A
_INTERIOR_INDEX = 0x02
_OUTBOX_STATES = frozenset(
    {"pending", "accepted", "rejected", "failed", "unknown", "failed_unknown"}
)
_OPTOUT_SOURCES = frozenset({"reply", "manual", "import"})
#: ``keyed_table_of``'s answer for a row of ``handled`` or ``replies_handed``: the two have the
#: same shape (account, text, text, time); the caller tells them apart by what else it found
HANDLED_OR_HANDED = "handled|replies_handed"
#: a chain longer than this is garbage pointing in circles
_MAX_OVERFLOW_PAGES = 4096

Value = int | float | str | bytes | None


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    """(value, next position) of the SQLite varint at ``pos``."""
    value = 0
    for i in range(8):
        byte = buf[pos + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    return (value << 8) | buf[pos + 8], pos + 9


def _page_size(data: bytes) -> int:
    if data[:16] == b"SQLite format 3\x00":
        size = struct.unpack(">H", data[16:18])[0]
        size = 65536 if size == 1 else size
        if size >= 512 and size & (size - 1) == 0:
            return size
    return DEFAULT_PAGE_SIZE


def _payload(data: bytes, page_size: int, pos: int, length: int, *, index: bool = False) -> bytes:
    """The cell payload of ``length`` bytes starting at ``pos``, following overflow pages
    (an index b-tree keeps less of a payload on its own page than a table b-tree)."""
    usable = page_size  # smstui never sets reserved bytes
    max_local = (usable - 12) * 64 // 255 - 23 if index else usable - 35
    if length <= max_local:
        return data[pos : pos + length]
    min_local = (usable - 12) * 32 // 255 - 23
    local = min_local + (length - min_local) % (usable - 4)
    if local > max_local:
        local = min_local
    parts = [data[pos : pos + local]]
    remaining = length - local
    (page,) = struct.unpack(">I", data[pos + local : pos + local + 4])
    for _ in range(_MAX_OVERFLOW_PAGES):
        if remaining <= 0 or page < 1:
            break
        start = (page - 1) * page_size
        if start + page_size > len(data):
            raise ValueError("overflow page past the end of the file")
        (page,) = struct.unpack(">I", data[start : start + 4])
        chunk = data[start + 4 : start + 4 + min(remaining, usable - 4)]
        parts.append(chunk)
        remaining -= len(chunk)
    if remaining > 0:
        raise ValueError("overflow chain ends early")
    return b"".join(parts)


def _record(payload: bytes) -> list[Value]:
    header_size, pos = _varint(payload, 0)
    types: list[int] = []
    while pos < header_size:
        t, pos = _varint(payload, pos)
        types.append(t)
    values: list[Value] = []
    pos = header_size
    for t in types:
        if t == 0:
            values.append(None)
        elif 1 <= t <= 6:
            width = (1, 2, 3, 4, 6, 8)[t - 1]
            values.append(int.from_bytes(payload[pos : pos + width], "big", signed=True))
            pos += width
        elif t == 7:
            values.append(struct.unpack(">d", payload[pos : pos + 8])[0])
            pos += 8
        elif t in (8, 9):
            values.append(t - 8)
        elif t >= 12:
            width = (t - 12) // 2
            raw = payload[pos : pos + width]
            values.append(raw.decode("utf-8") if t % 2 else bytes(raw))
            pos += width
        else:
            raise ValueError("reserved serial type")
        if pos > len(payload):
            raise ValueError("record runs past its payload")
    return values


def leaf_rows(path: Path) -> Iterator[tuple[int, list[Value]]]:
    """(rowid, values) of every table row on every leaf page that still decodes."""
    data = path.read_bytes()
    page_size = _page_size(data)
    for number in range(1, len(data) // page_size + 1):
        base = (number - 1) * page_size
        header = base + (100 if number == 1 else 0)
        if data[header] != _LEAF_TABLE:
            continue
        (cells,) = struct.unpack(">H", data[header + 3 : header + 5])
        for i in range(min(cells, page_size // 4)):
            try:
                (offset,) = struct.unpack(">H", data[header + 8 + 2 * i : header + 10 + 2 * i])
                length, pos = _varint(data, base + offset)
                rowid, pos = _varint(data, pos)
                if not 0 < length < 1 << 30 or not base < pos < base + page_size:
                    continue
                yield rowid, _record(_payload(data, page_size, pos, length))
            except (ValueError, IndexError, struct.error, UnicodeDecodeError):
                continue  # a damaged cell: the others on the page may still be whole


def key_rows(path: Path) -> Iterator[list[Value]]:
    """The values of every entry on every index b-tree page (leaf or interior: an index
    b-tree keeps an entry in exactly one of them) that still decodes."""
    data = path.read_bytes()
    page_size = _page_size(data)
    for number in range(1, len(data) // page_size + 1):
        base = (number - 1) * page_size
        header = base + (100 if number == 1 else 0)
        kind = data[header]
        if kind not in (_LEAF_INDEX, _INTERIOR_INDEX):
            continue
        # an interior page's header is 4 bytes longer (its right-most child), and each of
        # its cells starts with the 4-byte page number of its left child
        pointers = header + (8 if kind == _LEAF_INDEX else 12)
        skip = 0 if kind == _LEAF_INDEX else 4
        (cells,) = struct.unpack(">H", data[header + 3 : header + 5])
        for i in range(min(cells, page_size // 4)):
            try:
                (offset,) = struct.unpack(">H", data[pointers + 2 * i : pointers + 2 + 2 * i])
                length, pos = _varint(data, base + offset + skip)
                if not 0 < length < 1 << 30 or not base < pos < base + page_size:
                    continue
                yield _record(_payload(data, page_size, pos, length, index=True))
            except (ValueError, IndexError, struct.error, UnicodeDecodeError):
                continue  # a damaged cell: the others on the page may still be whole


def keyed_table_of(values: list[Value]) -> str | None:
    """Which ``WITHOUT ROWID`` table an index-page entry is a row of (``HANDLED_OR_HANDED``
    for the two of one shape), or None: an entry of an index (those end with the row's
    rowid, an integer, where these tables' rows end with text, or have other lengths), of
    the search index or of the stats rollup (derived: rebuilt, not salvaged)."""
    n = len(values)
    texts = [isinstance(v, str) for v in values]
    if n == 2 and all(texts):  # custom_string, operator
        return "senders"
    if n == 4 and texts[:3] == [True] * 3 and isinstance(values[3], int):
        return HANDLED_OR_HANDED
    if n == 7 and texts[0] and texts[1] and values[4] in _OPTOUT_SOURCES:
        return "optouts"
    return None


def table_of(values: list[Value]) -> str | None:
    """Which of the store's tables a record belongs to, judged by its shape (or None)."""
    n = len(values)
    # column counts of each schema version: v1, v3 (channel), v7 (sent_by)
    if n in (20, 21, 22) and values[2] in ("out", "in") and isinstance(values[0], str):
        return "messages"
    # v2, v3 (kind, extra), v7 (sent_by)
    if n in (17, 19, 20) and values[9] in _OUTBOX_STATES and isinstance(values[1], str):
        return "outbox"
    if n == 3 and isinstance(values[0], str) and isinstance(values[1], str):
        return "drafts" if isinstance(values[2], int) else None
    if n == 5 and isinstance(values[3], str) and isinstance(values[4], int):
        return "templates" if isinstance(values[0], str) else None
    if n == 7 and isinstance(values[0], str) and (values[5] is None or isinstance(values[5], int)):
        return "receipts_pending"
    return None
