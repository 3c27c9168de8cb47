"""SMS text rules: encoding, billed units and parts (ClickSend's tables, GSM 03.38)."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smstui.core.sms_text import (
    GSM_BASIC,
    GSM_EXTENSION,
    SegmentInfo,
    gsm_units,
    is_gsm,
    mms_limit,
    normalise_newlines,
    segments_for,
    split_parts,
    voice_credits,
    voice_limit,
)

# Written out independently of the module (from the GSM 03.38 code chart, 0x00..0x7F without
# ESC) so a typo in the module's table shows up here.
SPEC_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
SPEC_EXTENSION = "\f^{}\\[~]|€"
ONE_SEPTET = [ch for ch in SPEC_BASIC if ch not in "\r\n"]

CYRILLIC = "ж"  # one UCS-2 unit
EMOJI = "😀"  # outside the BMP: a surrogate pair, two UCS-2 units


# --------------------------------------------------------------------------- tables


def test_spec_basic_table_has_127_characters() -> None:
    assert len(set(SPEC_BASIC)) == 127


def test_basic_table_matches_gsm_03_38() -> None:
    assert set(SPEC_BASIC) == GSM_BASIC


def test_extension_table_matches_gsm_03_38() -> None:
    assert set(SPEC_EXTENSION) == GSM_EXTENSION


@pytest.mark.parametrize("ch", ONE_SEPTET)
def test_each_basic_character_costs_one_septet(ch: str) -> None:
    info = segments_for(ch)
    assert (info.encoding, info.units, info.parts) == ("GSM-7", 1, 1)


@pytest.mark.parametrize("ch", list(SPEC_EXTENSION))
def test_each_extension_character_costs_two_septets_and_stays_gsm(ch: str) -> None:
    info = segments_for(f"a{ch}b")
    assert info.encoding == "GSM-7"
    assert info.units == 4
    assert info.chars == 3
    assert gsm_units(ch) == 2


def test_plain_ascii_text_is_gsm_with_one_septet_per_character() -> None:
    info = segments_for("Hello, your table for 4 is ready at 7pm!")
    assert info.encoding == "GSM-7"
    assert info.units == info.chars == 40
    assert info.unicode_chars == ()


def test_backtick_is_ascii_but_not_gsm_so_it_forces_ucs2() -> None:
    info = segments_for("run `ls`")
    assert info.encoding == "UCS-2"
    assert info.unicode_chars == ("`",)


def test_greek_omega_is_gsm_but_the_ohm_sign_look_alike_is_not() -> None:
    assert segments_for("\u03a9").encoding == "GSM-7"
    assert segments_for("\u2126").encoding == "UCS-2"


def test_curly_quote_forces_whole_message_to_ucs2() -> None:
    info = segments_for("It’s ready")
    assert info.encoding == "UCS-2"
    assert info.units == 10
    assert info.per_part == 70


def test_emoji_counts_as_two_units_because_it_is_a_surrogate_pair() -> None:
    info = segments_for(f"ok{EMOJI}")
    assert info.encoding == "UCS-2"
    assert info.chars == 3
    assert info.units == 4


def test_extension_characters_count_one_unit_once_the_message_is_ucs2() -> None:
    # in UCS-2 there is no escape: "€" is a single code unit
    assert segments_for(f"€{CYRILLIC}").units == 2


def test_is_gsm_accepts_basic_and_extension_and_rejects_anything_else() -> None:
    assert is_gsm("Price: €5 [approx] {ok}")
    assert not is_gsm("Price: 5€ ✓")
    assert is_gsm("")


def test_gsm_units_refuses_a_character_gsm_cannot_encode() -> None:
    with pytest.raises(ValueError, match="not a GSM"):
        gsm_units(CYRILLIC)


# --------------------------------------------------------------------------- newlines


def test_crlf_is_normalised_to_lf() -> None:
    assert normalise_newlines("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_text_without_carriage_returns_is_returned_unchanged() -> None:
    assert normalise_newlines("a\nb") == "a\nb"


def test_lf_counts_two_septets_in_gsm() -> None:
    info = segments_for("a\nb")
    assert info.encoding == "GSM-7"
    assert (info.chars, info.units) == (3, 4)


def test_gsm_units_of_a_line_break_is_two() -> None:
    assert gsm_units("\n") == 2


def test_lf_counts_two_units_in_ucs2() -> None:
    info = segments_for(f"{CYRILLIC}\n{CYRILLIC}")
    assert (info.chars, info.units) == (3, 4)


def test_crlf_counts_as_one_line_break_not_two() -> None:
    assert segments_for("a\r\nb") == segments_for("a\nb")


def test_lone_cr_counts_like_lf() -> None:
    assert segments_for("a\rb") == segments_for("a\nb")


def test_newlines_alone_can_make_a_message_multipart() -> None:
    # 80 line breaks are 80 characters but 160 billed septets: still one part; one more is two
    assert segments_for("\n" * 80).parts == 1
    assert segments_for("\n" * 81).parts == 2


# --------------------------------------------------------------------------- parts tables

GSM_BOUNDARIES = [
    (160, 1),
    (161, 2),
    (306, 2),
    (307, 3),
    (459, 3),
    (460, 4),
    (612, 4),
    (613, 5),
    (765, 5),
    (766, 6),
    (918, 6),
    (919, 7),
    (1071, 7),
    (1072, 8),
    (1224, 8),
    (1225, 9),
]
UCS2_BOUNDARIES = [
    (70, 1),
    (71, 2),
    (134, 2),
    (135, 3),
    (201, 3),
    (202, 4),
    (268, 4),
    (269, 5),
    (335, 5),
    (336, 6),
    (402, 6),
    (403, 7),
    (469, 7),
    (470, 8),
    (536, 8),
    (537, 9),
]


@pytest.mark.parametrize(("length", "parts"), GSM_BOUNDARIES)
def test_gsm_parts_follow_clicksend_table(length: int, parts: int) -> None:
    info = segments_for("x" * length, part_cap=99)
    assert info.encoding == "GSM-7"
    assert info.parts == parts


@pytest.mark.parametrize(("length", "parts"), UCS2_BOUNDARIES)
def test_ucs2_parts_follow_clicksend_table(length: int, parts: int) -> None:
    info = segments_for(CYRILLIC * length, part_cap=99)
    assert info.encoding == "UCS-2"
    assert info.parts == parts


def test_single_gsm_part_holds_160_and_multipart_parts_hold_153() -> None:
    assert segments_for("x" * 160).per_part == 160
    assert segments_for("x" * 161).per_part == 153


def test_single_ucs2_part_holds_70_and_multipart_parts_hold_67() -> None:
    assert segments_for(CYRILLIC * 70).per_part == 70
    assert segments_for(CYRILLIC * 71).per_part == 67


def test_empty_text_has_zero_parts() -> None:
    info = segments_for("")
    assert (info.parts, info.units, info.chars, info.encoding) == (0, 0, 0, "GSM-7")
    assert not info.over_cap


def test_80_extension_characters_fill_exactly_one_gsm_part() -> None:
    assert segments_for("€" * 80).parts == 1
    assert segments_for("€" * 81).parts == 2


def test_35_emoji_fill_exactly_one_ucs2_part() -> None:
    assert segments_for(EMOJI * 35).parts == 1
    assert segments_for(EMOJI * 36).parts == 2


# --------------------------------------------------------------------------- part boundaries


def test_extension_char_at_a_part_boundary_moves_to_the_next_part() -> None:
    # 306 septets divide into 2 parts, but "€" would straddle parts 1 and 2
    text = "a" * 152 + "€" + "a" * 152
    info = segments_for(text, part_cap=99)
    assert info.units == 306
    assert info.parts == 3
    assert split_parts(text)[0] == "a" * 152


def test_extension_char_that_fits_exactly_stays_in_the_part() -> None:
    text = "a" * 151 + "€" + "a" * 153
    assert segments_for(text).parts == 2
    assert split_parts(text)[0] == "a" * 151 + "€"


def test_surrogate_pair_at_a_part_boundary_moves_to_the_next_part() -> None:
    text = CYRILLIC * 66 + EMOJI + CYRILLIC * 66
    info = segments_for(text, part_cap=99)
    assert info.units == 134
    assert info.parts == 3
    assert split_parts(text)[1].startswith(EMOJI)


def test_surrogate_pair_that_fits_exactly_stays_in_the_part() -> None:
    text = CYRILLIC * 65 + EMOJI + CYRILLIC * 67
    assert segments_for(text).parts == 2
    assert split_parts(text)[0].endswith(EMOJI)


def test_line_break_at_a_part_boundary_is_not_split() -> None:
    text = "a" * 152 + "\n" + "a" * 152
    assert segments_for(text).parts == 3


def test_split_parts_of_a_single_part_message_is_the_whole_text() -> None:
    assert split_parts("hi\r\nthere") == ["hi\nthere"]


def test_split_parts_of_empty_text_is_empty() -> None:
    assert split_parts("") == []


# --------------------------------------------------------------------------- unicode_chars


def test_unicode_chars_lists_each_forcing_character_once_in_order() -> None:
    info = segments_for(f"a✓b{EMOJI}c✓“d”{EMOJI}")
    assert info.unicode_chars == ("✓", EMOJI, "“", "”")


def test_unicode_chars_ignores_gsm_extension_characters() -> None:
    assert segments_for(f"€^{CYRILLIC}").unicode_chars == (CYRILLIC,)


# --------------------------------------------------------------------------- part cap


def test_seven_parts_are_over_the_default_cap_of_six() -> None:
    info = segments_for("x" * 919)
    assert info.part_cap == 6
    assert (info.parts, info.over_cap) == (7, True)


def test_six_parts_are_within_the_default_cap() -> None:
    assert not segments_for("x" * 918).over_cap


def test_seven_parts_are_within_a_cap_of_eight() -> None:
    info = segments_for("x" * 919, part_cap=8)
    assert (info.part_cap, info.over_cap) == (8, False)


def test_nine_parts_are_over_a_cap_of_eight() -> None:
    assert not segments_for("x" * 1224, part_cap=8).over_cap
    assert segments_for("x" * 1225, part_cap=8).over_cap


# --------------------------------------------------------------------------- left_in_part


def test_left_in_part_of_empty_text_is_a_whole_single_part() -> None:
    assert segments_for("").left_in_part == 160


def test_left_in_part_counts_down_within_a_single_part() -> None:
    assert segments_for("x" * 10).left_in_part == 150
    assert segments_for("x" * 160).left_in_part == 0


def test_left_in_part_restarts_from_153_when_the_message_becomes_multipart() -> None:
    # 161 septets: 153 in part one, 8 in part two
    assert segments_for("x" * 161).left_in_part == 145


def test_left_in_part_counts_extension_chars_as_two() -> None:
    assert segments_for("€" * 10).left_in_part == 140


def test_left_in_part_after_an_extension_char_was_pushed_to_a_new_part() -> None:
    # 162 septets: part one holds 152 (the "€" did not fit), part two "€" and 8 more = 10
    info = segments_for("a" * 152 + "€" + "a" * 8)
    assert (info.parts, info.left_in_part) == (2, 143)


def test_left_in_part_in_ucs2_counts_utf16_units() -> None:
    assert segments_for(EMOJI).left_in_part == 68
    assert segments_for(CYRILLIC * 71).left_in_part == 63


# --------------------------------------------------------------------------- MMS and voice


def test_mms_limit_is_1500_for_gsm_and_500_for_unicode() -> None:
    assert mms_limit("hello") == 1500
    assert mms_limit(f"hello {EMOJI}") == 500


@pytest.mark.parametrize(
    ("text", "credits"),
    [("", 0), ("x" * 300, 1), ("x" * 301, 2), ("x" * 1200, 4), ("x" * 1201, 5)],
)
def test_voice_credits_for_gsm_text_are_300_chars_each(text: str, credits: int) -> None:
    assert voice_credits(text) == credits


@pytest.mark.parametrize(("length", "credits"), [(150, 1), (151, 2), (600, 4)])
def test_voice_credits_for_unicode_text_are_150_chars_each(length: int, credits: int) -> None:
    assert voice_credits(CYRILLIC * length) == credits


def test_voice_limit_is_four_credits() -> None:
    assert voice_limit("hello") == 1200
    assert voice_limit(CYRILLIC) == 600


# --------------------------------------------------------------------------- properties


def naive_segments(text: str, part_cap: int) -> SegmentInfo:
    """ClickSend's rules written the slow, obvious way, independent of the module.

    Every character becomes an "atom" of billed units; parts are cut every ``per_part`` units,
    and a cut that lands inside an atom moves back to the atom's start.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    gsm = all(ch in SPEC_BASIC or ch in SPEC_EXTENSION for ch in text)
    atoms: list[int] = []
    for ch in text:
        if ch == "\n":
            atoms.append(2)
        elif gsm:
            atoms.append(2 if ch in SPEC_EXTENSION else 1)
        else:
            atoms.append(len(ch.encode("utf-16-le")) // 2)
    units = sum(atoms)
    single, multi = (160, 153) if gsm else (70, 67)
    # unit offsets where each atom starts; a part may only begin at one of them
    starts = [0, *itertools.accumulate(atoms)][:-1]
    if units == 0:
        parts, per_part, left = 0, single, single
    elif units <= single:
        parts, per_part, left = 1, single, single - units
    else:
        parts, begin = 1, 0
        while units - begin > multi:
            cut = begin + multi
            begin = max(s for s in starts if s <= cut)
            parts += 1
        per_part, left = multi, multi - (units - begin)
    forcing: list[str] = []
    for ch in text:
        if not gsm and ch not in SPEC_BASIC and ch not in SPEC_EXTENSION and ch not in forcing:
            forcing.append(ch)
    return SegmentInfo(
        encoding="GSM-7" if gsm else "UCS-2",
        units=units,
        chars=len(text),
        parts=parts,
        per_part=per_part,
        left_in_part=left,
        unicode_chars=tuple(forcing),
        part_cap=part_cap,
        over_cap=parts > part_cap,
    )


def test_naive_reference_reproduces_the_extension_boundary_case() -> None:
    # guards the oracle itself: it must not be a division in disguise
    assert naive_segments("a" * 152 + "€" + "a" * 152, 6).parts == 3


# An alphabet that makes boundaries likely: cheap and 2-unit characters of both encodings,
# newlines in all their spellings, and long texts.
MIXED = st.sampled_from(
    ["a", "Z", " ", "é", "€", "^", "{", "\n", "\r", "\r\n", "\f", CYRILLIC, "’", EMOJI, "𝄞"]
)
GSM_ONLY = st.sampled_from(["a", "Z", " ", "é", "€", "^", "{", "\n", "\r\n", "\f", "Ω"])


@settings(max_examples=300)
@given(st.lists(MIXED, max_size=700).map("".join), st.integers(min_value=1, max_value=10))
def test_segments_agree_with_naive_rules_on_mixed_text(text: str, cap: int) -> None:
    assert segments_for(text, part_cap=cap) == naive_segments(text, cap)


@settings(max_examples=300)
@given(st.lists(GSM_ONLY, max_size=1300).map("".join))
def test_segments_agree_with_naive_rules_on_long_gsm_text(text: str) -> None:
    assert segments_for(text) == naive_segments(text, 6)


@given(st.text(max_size=500))
def test_segments_agree_with_naive_rules_on_any_unicode(text: str) -> None:
    assert segments_for(text) == naive_segments(text, 6)


@given(st.text(max_size=800))
def test_split_parts_rebuilds_the_text_and_each_part_fits(text: str) -> None:
    info = segments_for(text)
    pieces = split_parts(text)
    assert "".join(pieces) == normalise_newlines(text)
    assert len(pieces) == info.parts
    for piece in pieces:
        assert 0 < segments_for(piece).units <= info.per_part


@given(st.text())
def test_segments_for_never_raises_and_stays_consistent(text: str) -> None:
    info = segments_for(text)
    assert info.units >= info.chars
    assert 0 <= info.left_in_part <= info.per_part
    assert info.parts >= math.ceil(info.units / info.per_part)
    assert (info.encoding == "UCS-2") == bool(info.unicode_chars)
