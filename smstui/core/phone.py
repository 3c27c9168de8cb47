"""Phone numbers and sender IDs: user input in, E.164 out, clear errors otherwise.

Parsing and validity come from ``phonenumbers`` (libphonenumber metadata); this module adds
what SMS needs on top: a strict character check (no vanity letters, no extensions), leading
``00`` as an international prefix, recipient lists, alphanumeric sender IDs and ClickSend's
test numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumber, PhoneNumberFormat

from smstui.core.errors import ValidationError

DEFAULT_REGION: Final = "AU"

#: ClickSend's free test numbers (no SMS sent, no charge). They must always normalise, even
#: if a future libphonenumber release decides one of these ranges is unallocated: the allow-
#: list keeps the documented testing workflow working whatever the metadata says.
TEST_NUMBERS: Final[frozenset[str]] = frozenset(
    {
        "+61411111111",
        "+61422222222",
        "+61433333333",
        "+61444444444",
        "+14055555555",
        "+14055555666",
        "+447777777777",
        "+8615555555555",
    }
)

# What a typed number may contain: digits and the usual grouping punctuation, with an
# optional leading "+". Letters are refused on purpose: phonenumbers would read "1-800-FLOWERS"
# as digits and "ext 5" as an extension, neither of which can receive an SMS.
_NUMBER_SHAPE: Final = re.compile(r"\s*\+?[\d\s().\-/]*\d[\d\s().\-/]*")
_GROUPING: Final = re.compile(r"[\s().\-/]")
_RECIPIENT_SEPARATORS: Final = re.compile(r"[,;\r\n]+")
# one whitespace-separated group of a typed number ("+61", "(02)", "555-0123")
_NUMBER_WORD: Final = re.compile(r"\+?[\d().\-/]+")
_MAX_WORDS_PER_NUMBER: Final = 8
_SENDER_ALNUM: Final = re.compile(r"[A-Za-z0-9]+")
_SENDER_MIN, _SENDER_MAX = 3, 11
# E.164 allows 15 digits; a typed number may carry a longer international prefix (AU 0011).
_MAX_TYPED_DIGITS: Final = 20
_SHOWN_INPUT_MAX: Final = 40
_SENDER_HINT: Final = (
    f"A sender is a phone number, or a name of {_SENDER_MIN}-{_SENDER_MAX} letters (A-Z) and "
    "digits with no spaces and at least one letter."
)

_PARSE_REASONS: Final[dict[int, str]] = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}


#: What a user is told about a number libphonenumber calls possible but not valid. Its
#: metadata lags behind newly allocated ranges, so such a number is sent after a warning and
#: ClickSend's own per-message answer (INVALID_RECIPIENT) decides.
UNKNOWN_RANGE: Final = "not a known number range; ClickSend will decide"


@dataclass(slots=True)
class RecipientParse:
    """Result of ``parse_recipients``: E.164 numbers in input order, and what was rejected."""

    #: every number to send to, including those in ``warnings``
    valid: list[str] = field(default_factory=list)
    #: (the text as typed, why it was rejected)
    invalid: list[tuple[str, str]] = field(default_factory=list)
    #: (E.164, why it may not exist) for numbers in ``valid`` that the phone library does not
    #: know: the right length but an unknown range. Send them only after the user was warned.
    warnings: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CheckedNumber:
    """A number that may be sent to: ``known_range`` False means warn first (UNKNOWN_RANGE)."""

    e164: str
    known_range: bool = True


def is_test_number(e164: str) -> bool:
    """True for ClickSend's free test numbers (``e164`` must already be E.164)."""
    return e164 in TEST_NUMBERS


def normalise_number(raw: str, default_region: str | None = DEFAULT_REGION) -> str:
    """``raw`` as E.164 (``+61412345678``), or ``ValidationError(field="to")``.

    Numbers without ``+`` are read as local to ``default_region``. Idempotent: an E.164
    result normalises to itself.
    """
    checked = check_number(raw, default_region)
    if not checked.known_range:
        reason = "no such number range"
        region = default_region.upper() if default_region else None
        raise ValidationError(_number_message(raw, region, reason), field="to", hint=_hint(region))
    return checked.e164


def check_number(raw: str, default_region: str | None = DEFAULT_REGION) -> CheckedNumber:
    """Like ``normalise_number``, but a possible number in a range the phone library does not
    know is returned with ``known_range=False`` instead of refused (warn, then send).

    Numbers that are not even possible (wrong length, letters, unknown country code) raise
    ``ValidationError(field="to")``.
    """
    region = default_region.upper() if default_region else None
    number, reason, known = _parse(raw, region)
    if number is not None:
        return CheckedNumber(number, known)
    raise ValidationError(_number_message(raw, region, reason), field="to", hint=_hint(region))


def parse_recipients(text: str, default_region: str | None = DEFAULT_REGION) -> RecipientParse:
    """Split a typed recipient list into E.164 numbers and rejected entries.

    Entries are separated by commas, semicolons, newlines or whitespace, but whitespace inside
    a number ("+61 412 345 678") does not split it: within a comma/line chunk, the longest
    run of words that forms a valid number wins. Duplicates are dropped, order is kept.
    A possible number in a range the phone library does not know is kept in ``valid`` and
    listed in ``warnings``.
    """
    region = default_region.upper() if default_region else None
    result = RecipientParse()
    seen_valid: set[str] = set()
    seen_invalid: set[str] = set()
    for chunk in _RECIPIENT_SEPARATORS.split(text):
        for piece, number, reason in _split_chunk(chunk, region):
            if number is not None:
                if number not in seen_valid:
                    seen_valid.add(number)
                    result.valid.append(number)
                    if reason:
                        result.warnings.append((number, reason))
            elif piece not in seen_invalid:
                seen_invalid.add(piece)
                result.invalid.append((piece, reason))
    return result


def validate_sender_id(sender: str, default_region: str | None = DEFAULT_REGION) -> str:
    """A sender ("from"): a phone number -> E.164, or an alphanumeric ID of 3..11 characters.

    Raises ``ValidationError(field="from")``.
    """
    value = sender.strip()
    shown = _show(sender)
    if not value:
        raise ValidationError(
            "The sender ID is empty.",
            field="from",
            hint="Leave the sender out to use a shared number.",
        )
    if _NUMBER_SHAPE.fullmatch(value):
        region = default_region.upper() if default_region else None
        number, reason, known = _parse(value, region)
        if number is not None and known:
            return number
        reason = reason if number is None else "no such number range"
        raise ValidationError(
            f"{shown} is not a valid sender number"
            f"{_for_region(value, region)}: {reason}. Use a full phone number, or a sender "
            f"name of {_SENDER_MIN}-{_SENDER_MAX} letters and digits with at least one letter.",
            field="from",
            hint=_SENDER_HINT,
        )
    problem = _sender_id_problem(value)
    if problem:
        raise ValidationError(
            f"{shown} is not a valid sender ID: {problem}.",
            field="from",
            hint=_SENDER_HINT,
        )
    return value


# --------------------------------------------------------------------------- internals


def _sender_id_problem(value: str) -> str | None:
    if any(ch.isspace() for ch in value):
        return "it cannot contain spaces"
    if not _SENDER_ALNUM.fullmatch(value):
        return "only letters A-Z and digits 0-9 are allowed"
    if len(value) < _SENDER_MIN:
        return f"too short (at least {_SENDER_MIN} characters)"
    if len(value) > _SENDER_MAX:
        return f"too long (at most {_SENDER_MAX} characters)"
    if value.isdigit():
        return "it needs at least one letter"
    return None


_Reading = tuple[str | None, str, bool]
"""(E.164, "", True) valid; (E.164, UNKNOWN_RANGE, False) possible only; (None, reason, False)."""


def _parse(raw: str, region: str | None) -> _Reading:
    if not _NUMBER_SHAPE.fullmatch(raw):
        if not raw.strip():
            return None, "empty", False
        return None, "only digits, spaces, + - . ( ) are allowed", False
    compact = _GROUPING.sub("", raw)
    if len(compact.lstrip("+")) > _MAX_TYPED_DIGITS:
        return None, "too long", False
    local = _parse_one(compact, region)
    if local[2] or not compact.startswith("00"):
        return local
    # "00" is the international prefix in most of the world but not in every default region
    # (AU dials 0011, US 011), so the region's own reading above came first; now "00" as "+".
    plus = _parse_one("+" + compact[2:], region)
    if plus[2]:
        return plus
    # neither reading is a known number: prefer, then explain, the reading the user most
    # likely meant: the region's own international prefix (AU "0011 61 ...") if it matches,
    # else "00" as "+"
    first, second = (local, plus) if _starts_with_region_idd(compact, region) else (plus, local)
    if first[0] is not None:
        return first
    if second[0] is not None:
        return second
    return None, first[1], False


def _starts_with_region_idd(compact: str, region: str | None) -> bool:
    meta = PhoneMetadata.metadata_for_region(region, None) if region else None
    idd = meta.international_prefix if meta is not None else None
    return bool(idd) and re.match(f"(?:{idd})", compact) is not None


def _parse_one(candidate: str, region: str | None) -> _Reading:
    if not candidate.startswith("+") and region is None:
        return None, "no country code", False
    try:
        parsed = phonenumbers.parse(candidate, region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE and not (
            candidate.startswith("+")
        ):
            return None, f"unknown region {region}", False
        return None, _PARSE_REASONS.get(exc.error_type, "not a phone number"), False
    e164 = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    if e164 in TEST_NUMBERS or phonenumbers.is_valid_number(parsed):
        return e164, "", True
    reason = _invalid_reason(parsed)
    if reason == "no such number range" and phonenumbers.is_possible_number(parsed):
        # the length of a mobile or landline of that country, in a range the metadata does
        # not list: newly allocated ranges reach libphonenumber months late
        return e164, UNKNOWN_RANGE, False
    return None, reason, False


def _invalid_reason(parsed: PhoneNumber) -> str:
    """Why a parsed number is not valid, in words a user can act on."""
    region = phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    meta = PhoneMetadata.metadata_for_region(region, None)
    nsn_len = len(phonenumbers.national_significant_number(parsed))
    if meta is not None:
        # SMS goes to mobiles, but a landline-length number is "right length, wrong range"
        lengths = [
            n
            for desc in (meta.mobile, meta.fixed_line)
            if desc is not None
            for n in (desc.possible_length or ())
            if n > 0
        ]
        if lengths and nsn_len < min(lengths):
            return "too short"
        if lengths and nsn_len > max(lengths):
            return "too long"
    return "no such number range"


def _show(raw: str) -> str:
    """The user's input quoted for a message: repr escapes control characters."""
    text = raw.strip()
    if len(text) > _SHOWN_INPUT_MAX:
        text = text[: _SHOWN_INPUT_MAX - 1] + "…"
    return repr(text)


def _for_region(raw: str, region: str | None) -> str:
    international = raw.strip().startswith(("+", "00"))
    return "" if international or region is None else f" for {region}"


def _number_message(raw: str, region: str | None, reason: str) -> str:
    shown = _show(raw)
    if reason == "empty":
        return "The phone number is empty."
    if reason.startswith("unknown region"):
        return (
            f"{shown} has no country code and {region!r} is not a known region. Write it "
            "with + and the country code, e.g. +61 412 345 678, or fix the default region."
        )
    if reason == "no country code":
        return (
            f"{shown} has no country code. Write it with + and the country code, "
            "e.g. +61 412 345 678."
        )
    return (
        f"{shown} is not a valid phone number{_for_region(raw, region)}: {reason}. "
        "Check the digits, or write it with + and the country code, e.g. +61 412 345 678."
    )


def _hint(region: str | None) -> str:
    local = f"local {region} numbers, or " if region in phonenumbers.SUPPORTED_REGIONS else ""
    return f"Recipients can be {local}international numbers starting with + and the country code."


def _split_chunk(chunk: str, region: str | None) -> list[tuple[str, str | None, str]]:
    """One comma/line chunk -> [(text as typed, E.164 or None, reason or warning)]."""
    chunk = chunk.strip()
    if not chunk:
        return []
    whole, whole_reason, _ = _parse(chunk, region)
    if whole is not None:
        return [(chunk, whole, whole_reason)]
    words = chunk.split()
    if len(words) == 1:
        return [(chunk, None, whole_reason)]

    out: list[tuple[str, str | None, str]] = []
    pending: list[str] = []  # consecutive words that belong to no number

    def flush_pending() -> None:
        if pending:
            piece = " ".join(pending)
            out.append((piece, None, _parse(piece, region)[1]))
            pending.clear()

    i = 0
    while i < len(words):
        found = _longest_number_at(words, i, region)
        if found is None:
            pending.append(words[i])
            i += 1
            continue
        end, number, warning = found
        flush_pending()
        out.append((" ".join(words[i:end]), number, warning))
        i = end
    if not any(number for _, number, _ in out):
        # nothing in the chunk was a number: one error for the whole thing beats one per word
        return [(chunk, None, whole_reason)]
    flush_pending()
    return out


def _longest_number_at(
    words: list[str], start: int, region: str | None
) -> tuple[int, str, str] | None:
    """(end, E.164, warning) for the longest run words[start:end] that is one number (valid,
    or possible in a range the phone library does not know: then with a warning)."""
    # Only runs of number-like words within the digit budget of one number are worth trying:
    # that keeps a pasted list of thousands of space-separated numbers (or words) linear.
    digits = 0
    end = start
    while end < len(words) and end - start < _MAX_WORDS_PER_NUMBER:
        word = words[end]
        if not _NUMBER_WORD.fullmatch(word):
            break
        digits += sum(ch.isdigit() for ch in word)
        if digits > _MAX_TYPED_DIGITS:
            break
        end += 1
    for stop in range(end, start, -1):
        number, warning, _ = _parse(" ".join(words[start:stop]), region)
        if number is not None:
            return stop, number, warning
    return None
