"""Rates, ClickSend's test numbers and recipient checks for the simulated account."""

from __future__ import annotations

import random
from decimal import Decimal

import phonenumbers

from smstui.core.sms_text import segments_for

#: AUD per SMS part, by recipient country
RATES: dict[str, Decimal] = {
    "AU": Decimal("0.0792"),
    "US": Decimal("0.0350"),
    "GB": Decimal("0.0450"),
    "NZ": Decimal("0.0990"),
    "CA": Decimal("0.0350"),
}
#: used to quote countries that are not in RATES (they are blocked unless enabled)
DEFAULT_RATE = Decimal("0.1200")

#: ClickSend's documented test numbers: success, no charge, no receipt
TEST_NUMBERS = frozenset(
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

#: the shared number the sandbox account sends from when no sender is given
SHARED_NUMBER = "+61481070000"

_CARRIERS: dict[str, tuple[str, ...]] = {
    "AU": ("Telstra", "Optus", "Vodafone"),
    "US": ("AT&T", "Verizon", "T-Mobile"),
    "GB": ("EE", "O2", "Vodafone"),
    "NZ": ("Spark", "One NZ", "2degrees"),
    "CA": ("Rogers", "Bell", "Telus"),
}


def new_message_id(rng: random.Random) -> str:
    """A 36-char upper-case UUID, like ClickSend's message ids."""
    n = rng.getrandbits(128)
    h = f"{n:032X}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def parse_recipient(raw: object, country_hint: str | None) -> tuple[str, str] | None:
    """``(e164, region)`` for a number ClickSend would accept, else ``None``."""
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None
    text = str(raw).strip()
    if not text:
        return None
    region = (country_hint or "AU").upper()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if e164 in TEST_NUMBERS:
        # test numbers need not be "valid" ranges; their country is the calling code's
        return e164, phonenumbers.region_code_for_country_code(number.country_code or 0)
    if not phonenumbers.is_valid_number(number):
        return None
    return e164, phonenumbers.region_code_for_number(number) or region


def valid_sender(raw: str) -> bool:
    """A dedicated/own number, or an alpha tag of 3..11 letters/digits with a letter."""
    text = raw.strip()
    if text.startswith("+") or text.isdigit():
        return parse_recipient(text, None) is not None
    return 3 <= len(text) <= 11 and text.isalnum() and text.isascii() and not text.isdigit()


def billed_parts(body: str, part_cap: int) -> int:
    """Parts billed: ClickSend truncates beyond the account's part cap."""
    return min(segments_for(body, part_cap=part_cap).parts, part_cap)


def rate_for(country: str) -> Decimal:
    return RATES.get(country, DEFAULT_RATE)


def carrier_for(e164: str, country: str) -> str:
    names = _CARRIERS.get(country, ("Unknown",))
    return names[sum(map(ord, e164)) % len(names)]
