"""SMS text rules: GSM 03.38 / UCS-2 encoding, billed units and message parts.

The composer calls ``segments_for`` on every keystroke, so it does one pass over the text
with dictionary lookups and no regular expressions.

Billing rules (ClickSend, see docs in /work/shared/reference/clicksend-api.md section 5):

* GSM-7: 160 septets in a single message, 153 per part once it is multipart (the other 7
  septets carry the concatenation header). Extension characters ``^ { } \\ [ ~ ] | €`` and
  form feed are sent as ESC + character, so they take 2 septets.
* UCS-2: as soon as one character is outside the GSM basic + extension tables the whole
  message is UCS-2: 70 units single, 67 per part. Units are UTF-16 code units, so a
  character outside the BMP (most emoji) is a surrogate pair worth 2 units.
* A character is never split across parts: an escape pair or a surrogate pair that does not
  fit in what is left of a part starts the next part. That is why parts are computed by
  filling them, not by dividing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 basic table in code order, 0x00..0x7F, without 0x1B (ESC, the extension escape).
# Greek capitals are written as escapes so no look-alike Latin letter can slip in.
GSM_BASIC: Final[frozenset[str]] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039eÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: characters of the extension table: each is sent as ESC + char, 2 septets
GSM_EXTENSION: Final[frozenset[str]] = frozenset("\f^{}\\[~]|€")

GSM_SINGLE: Final = 160
GSM_MULTI: Final = 153
UCS2_SINGLE: Final = 70
UCS2_MULTI: Final = 67
DEFAULT_PART_CAP: Final = 6

MMS_GSM_LIMIT: Final = 1500
MMS_UNICODE_LIMIT: Final = 500
VOICE_GSM_PER_CREDIT: Final = 300
VOICE_UNICODE_PER_CREDIT: Final = 150
VOICE_MAX_CREDITS: Final = 4

# ClickSend's help says a line break counts as 2 characters. The GSM standard gives LF one
# septet, but we count 2 (in both encodings) so the estimate never under-states the bill.
NEWLINE_UNITS: Final = 2

# Per-character GSM septets, built once: the hot loop is a single dict lookup per char.
_GSM_UNITS: Final[dict[str, int]] = {
    **dict.fromkeys(GSM_BASIC, 1),
    **dict.fromkeys(GSM_EXTENSION, 2),
    "\n": NEWLINE_UNITS,
    "\r": NEWLINE_UNITS,
}
_GSM_ALL: Final[frozenset[str]] = GSM_BASIC | GSM_EXTENSION


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """How a text will be encoded and billed as SMS."""

    encoding: Encoding
    #: septets (GSM-7) or UTF-16 code units (UCS-2) billed, newlines counted as 2
    units: int
    #: code points in the normalised text
    chars: int
    #: number of SMS parts (0 for an empty text)
    parts: int
    #: capacity of one part: 160/153 (GSM-7) or 70/67 (UCS-2), depending on ``parts``
    per_part: int
    #: units that still fit in the current part before another part is needed
    left_in_part: int
    #: distinct characters that forced UCS-2, in order of first appearance
    unicode_chars: tuple[str, ...]
    part_cap: int
    #: True when ``parts`` exceeds ``part_cap`` (ClickSend would truncate)
    over_cap: bool


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF: this is the text we send and count."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_gsm(text: str) -> bool:
    """True when every character is in the GSM basic or extension table."""
    return _GSM_ALL.issuperset(text)


def gsm_units(ch: str) -> int:
    """Septets ``ch`` costs in a GSM-7 message (line breaks count 2, see ``NEWLINE_UNITS``).

    Raises ``ValueError`` for a character GSM-7 cannot encode.
    """
    try:
        return _GSM_UNITS[ch]
    except KeyError:
        raise ValueError(f"{ch!r} is not a GSM 03.38 character") from None


def ucs2_units(ch: str) -> int:
    """UTF-16 code units ``ch`` costs in a UCS-2 message (line breaks count 2)."""
    if ch == "\n" or ch == "\r":
        return NEWLINE_UNITS
    return 2 if ord(ch) > 0xFFFF else 1


def unicode_chars(text: str) -> tuple[str, ...]:
    """Distinct characters of ``text`` outside GSM-7, in order of first appearance."""
    # dict keeps insertion order, so this de-duplicates without losing it
    return tuple(dict.fromkeys(ch for ch in text if ch not in _GSM_ALL))


def _char_units(text: str, encoding: Encoding) -> list[int]:
    if encoding == "GSM-7":
        table = _GSM_UNITS
        return [table[ch] for ch in text]
    return [ucs2_units(ch) for ch in text]


def _fill_parts(units: list[int], per_part: int) -> tuple[list[int], int]:
    """Fill parts of ``per_part`` units; a character never straddles two parts.

    Returns (index of the first character of each part, units used in the last part).
    """
    starts = [0]
    used = 0
    for i, u in enumerate(units):
        if used + u > per_part:
            starts.append(i)
            used = 0
        used += u
    return starts, used


def _limits(encoding: Encoding) -> tuple[int, int]:
    return (GSM_SINGLE, GSM_MULTI) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_MULTI)


def segments_for(text: str, *, part_cap: int = DEFAULT_PART_CAP) -> SegmentInfo:
    """Encoding, billed units and parts of ``text`` once its newlines are normalised."""
    text = normalise_newlines(text)
    forcing = unicode_chars(text)
    encoding: Encoding = "UCS-2" if forcing else "GSM-7"
    single, multi = _limits(encoding)
    per_char = _char_units(text, encoding)
    units = sum(per_char)

    if units == 0:
        parts, per_part, left = 0, single, single
    elif units <= single:
        parts, per_part, left = 1, single, single - units
    else:
        starts, used = _fill_parts(per_char, multi)
        parts, per_part, left = len(starts), multi, multi - used

    return SegmentInfo(
        encoding=encoding,
        units=units,
        chars=len(text),
        parts=parts,
        per_part=per_part,
        left_in_part=left,
        unicode_chars=forcing,
        part_cap=part_cap,
        over_cap=parts > part_cap,
    )


def split_parts(text: str) -> list[str]:
    """The normalised text cut where the parts end (what each SMS part carries).

    ``"".join(split_parts(t)) == normalise_newlines(t)`` and
    ``len(split_parts(t)) == segments_for(t).parts``.
    """
    text = normalise_newlines(text)
    if not text:
        return []
    encoding: Encoding = "GSM-7" if is_gsm(text) else "UCS-2"
    single, multi = _limits(encoding)
    per_char = _char_units(text, encoding)
    if sum(per_char) <= single:
        return [text]
    starts, _ = _fill_parts(per_char, multi)
    ends = [*starts[1:], len(text)]
    return [text[a:b] for a, b in zip(starts, ends, strict=True)]


def mms_limit(text: str) -> int:
    """Most characters an MMS body may have (longer bodies are truncated, not split)."""
    return MMS_GSM_LIMIT if is_gsm(normalise_newlines(text)) else MMS_UNICODE_LIMIT


def voice_credits(text: str) -> int:
    """Voice (text-to-speech) credits ``text`` needs: 300 GSM / 150 Unicode chars each.

    Not capped: a result above ``VOICE_MAX_CREDITS`` means ClickSend would truncate the text
    (see ``voice_limit``). 0 for an empty text.
    """
    text = normalise_newlines(text)
    per_credit = VOICE_GSM_PER_CREDIT if is_gsm(text) else VOICE_UNICODE_PER_CREDIT
    return math.ceil(len(text) / per_credit)


def voice_limit(text: str) -> int:
    """Most characters a voice message may have before ClickSend truncates it."""
    per_credit = (
        VOICE_GSM_PER_CREDIT if is_gsm(normalise_newlines(text)) else VOICE_UNICODE_PER_CREDIT
    )
    return per_credit * VOICE_MAX_CREDITS
