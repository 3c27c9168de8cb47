"""Phone numbers, recipient lists and sender IDs."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from smstui.core import phone
from smstui.core.errors import ValidationError
from smstui.core.phone import (
    TEST_NUMBERS,
    is_test_number,
    normalise_number,
    parse_recipients,
    validate_sender_id,
)

CLICKSEND_TEST_NUMBERS = [
    "+61411111111",
    "+61422222222",
    "+61433333333",
    "+61444444444",
    "+14055555555",
    "+14055555666",
    "+447777777777",
    "+8615555555555",
]


# --------------------------------------------------------------------------- local formats


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("0412 345 678", "AU", "+61412345678"),
        ("0412-345-678", "AU", "+61412345678"),
        ("0412.345.678", "AU", "+61412345678"),
        ("(04) 1234 5678", "AU", "+61412345678"),
        ("02 9999 9999", "AU", "+61299999999"),
        ("(202) 555-0123", "US", "+12025550123"),
        ("202.555.0123", "US", "+12025550123"),
        ("1 202 555 0123", "US", "+12025550123"),
        ("07911 123456", "GB", "+447911123456"),
        ("020 7946 0958", "GB", "+442079460958"),
    ],
)
def test_local_number_is_read_in_the_default_region(raw: str, region: str, e164: str) -> None:
    assert normalise_number(raw, region) == e164


def test_default_region_is_australia() -> None:
    assert normalise_number("0412 345 678") == "+61412345678"


def test_default_region_is_case_insensitive() -> None:
    assert normalise_number("0412 345 678", "au") == "+61412345678"


def test_surrounding_whitespace_is_ignored() -> None:
    assert normalise_number("  +61 412 345 678 \t") == "+61412345678"


# --------------------------------------------------------------------------- international


def test_plus_number_ignores_the_default_region() -> None:
    assert normalise_number("+44 7911 123456", "AU") == "+447911123456"


def test_plus_number_works_without_a_default_region() -> None:
    assert normalise_number("+61 412 345 678", None) == "+61412345678"


@pytest.mark.parametrize("region", ["AU", "US", "GB", None])
def test_leading_00_is_read_as_plus(region: str | None) -> None:
    assert normalise_number("0061 412 345 678", region) == "+61412345678"


def test_australian_0011_international_prefix_is_understood() -> None:
    assert normalise_number("0011 44 7911 123456", "AU") == "+447911123456"


def test_us_011_international_prefix_is_understood() -> None:
    assert normalise_number("011 44 7911 123456", "US") == "+447911123456"


# --------------------------------------------------------------------------- rejected input


def test_too_short_number_says_so_names_the_region_and_suggests_country_code() -> None:
    with pytest.raises(ValidationError) as err:
        normalise_number("0412 34", "AU")
    message = str(err.value)
    assert message.startswith("'0412 34' is not a valid phone number for AU: too short")
    assert "+ and the country code" in message
    assert err.value.field == "to"


def test_too_long_number_says_too_long() -> None:
    with pytest.raises(ValidationError, match="too long"):
        normalise_number("0412 345 678 999", "AU")


def test_local_number_without_default_region_asks_for_country_code() -> None:
    with pytest.raises(ValidationError, match="no country code") as err:
        normalise_number("0412 345 678", None)
    assert "+ and the country code" in str(err.value)


def test_unknown_country_code_is_rejected() -> None:
    with pytest.raises(ValidationError, match="unknown country code"):
        normalise_number("+999 1234 5678", "AU")


def test_unknown_default_region_is_named_in_the_error() -> None:
    with pytest.raises(ValidationError, match="'XX' is not a known region"):
        normalise_number("0412 345 678", "XX")


def test_right_length_number_in_an_unallocated_range_is_rejected() -> None:
    # AU numbers starting 01 are not a service a person can be reached on
    with pytest.raises(ValidationError, match="no such number range"):
        normalise_number("0112 345 678", "AU")


@pytest.mark.parametrize("raw", ["", "   ", "\n"])
def test_empty_number_is_rejected(raw: str) -> None:
    with pytest.raises(ValidationError, match="empty"):
        normalise_number(raw)


def test_vanity_letters_are_rejected_rather_than_dialled() -> None:
    with pytest.raises(ValidationError, match="only digits"):
        normalise_number("1-800-FLOWERS", "US")


def test_extension_is_rejected_because_sms_cannot_reach_it() -> None:
    with pytest.raises(ValidationError, match="only digits"):
        normalise_number("0412 345 678 ext 5", "AU")


def test_plus_in_the_middle_is_rejected() -> None:
    with pytest.raises(ValidationError):
        normalise_number("0412+345678", "AU")


def test_error_message_shows_long_input_truncated() -> None:
    with pytest.raises(ValidationError) as err:
        normalise_number("9" * 300, "AU")
    assert len(str(err.value)) < 250
    assert "…" in str(err.value)


def test_error_message_escapes_control_characters_in_the_input() -> None:
    with pytest.raises(ValidationError) as err:
        normalise_number("04\x1b[31m12", "AU")
    assert "\x1b" not in str(err.value)


def test_error_carries_a_hint_mentioning_the_region() -> None:
    with pytest.raises(ValidationError) as err:
        normalise_number("0412 34", "AU")
    assert "AU" in err.value.hint


# --------------------------------------------------------------------------- test numbers


@pytest.mark.parametrize("e164", CLICKSEND_TEST_NUMBERS)
def test_clicksend_test_numbers_normalise_to_themselves(e164: str) -> None:
    assert normalise_number(e164, "AU") == e164
    assert is_test_number(e164)


def test_test_number_allow_list_matches_clicksend_documentation() -> None:
    assert set(CLICKSEND_TEST_NUMBERS) == TEST_NUMBERS


def test_test_number_typed_locally_is_recognised() -> None:
    assert is_test_number(normalise_number("0411 111 111", "AU"))


def test_ordinary_number_is_not_a_test_number() -> None:
    assert not is_test_number("+61412345678")


@pytest.mark.parametrize("e164", CLICKSEND_TEST_NUMBERS)
def test_test_numbers_are_accepted_even_if_phonenumbers_calls_them_invalid(
    e164: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(phone.phonenumbers, "is_valid_number", lambda _n: False)
    assert normalise_number(e164, "AU") == e164


def test_allow_list_does_not_let_other_numbers_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(phone.phonenumbers, "is_valid_number", lambda _n: False)
    with pytest.raises(ValidationError):
        normalise_number("+61412345678", "AU")


# --------------------------------------------------------------------------- properties


REGIONS = ["AU", "US", "GB", "DE", "CN", "IN", "NZ", "FR"]


@st.composite
def likely_valid_local_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(national digits, region): a region's example mobile with random trailing digits.

    Uniformly random digit strings are almost never valid numbers, which would leave the
    idempotence property with nothing to check; keeping the range prefix makes most valid.
    """
    region = draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = "".join(ch for ch in national if ch.isdigit())
    tail = draw(st.text(alphabet="0123456789", min_size=4, max_size=4))
    return digits[:-4] + tail, region


@given(likely_valid_local_numbers())
def test_normalising_is_idempotent_on_local_numbers(case: tuple[str, str]) -> None:
    digits, region = case
    try:
        once = normalise_number(digits, region)
    except ValidationError:
        assume(False)
        raise
    assert once.startswith("+")
    assert normalise_number(once, region) == once
    assert normalise_number(once, None) == once
    assert normalise_number(once, "ZZ") == once


@given(st.text(alphabet="0123456789", min_size=4, max_size=16), st.sampled_from(REGIONS))
def test_random_digit_strings_either_normalise_idempotently_or_are_rejected(
    digits: str, region: str
) -> None:
    try:
        once = normalise_number(digits, region)
    except ValidationError as err:
        assert err.field == "to"
        return
    assert normalise_number(once, region) == once


@given(st.text(alphabet="0123456789", min_size=6, max_size=15))
def test_e164_output_is_a_valid_number_that_formats_to_itself(digits: str) -> None:
    try:
        once = normalise_number("+" + digits, None)
    except ValidationError:
        return
    parsed = phonenumbers.parse(once, None)
    assert phonenumbers.is_valid_number(parsed)
    assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == once


@given(st.text(max_size=60), st.sampled_from(["AU", "US", None]))
def test_normalise_raises_only_validation_errors_on_any_text(raw: str, region: str | None) -> None:
    try:
        normalise_number(raw, region)
    except ValidationError as err:
        assert err.field == "to"


@given(st.text(max_size=200))
def test_parse_recipients_never_raises_and_returns_only_e164(text: str) -> None:
    result = parse_recipients(text, "AU")
    assert len(set(result.valid)) == len(result.valid)
    assert all(n.startswith("+") for n in result.valid)


# --------------------------------------------------------------------------- recipient lists


def test_recipients_split_on_commas_semicolons_and_newlines() -> None:
    result = parse_recipients("0412345678,0412345679;0412345680\n0412345681\r\n0412345682", "AU")
    assert result.valid == [
        "+61412345678",
        "+61412345679",
        "+61412345680",
        "+61412345681",
        "+61412345682",
    ]
    assert result.invalid == []


def test_recipients_split_on_whitespace_between_unspaced_numbers() -> None:
    result = parse_recipients("0412345678 0412345679\t0412345680", "AU")
    assert result.valid == ["+61412345678", "+61412345679", "+61412345680"]


def test_number_written_with_spaces_stays_one_recipient() -> None:
    assert parse_recipients("+61 412 345 678", "AU").valid == ["+61412345678"]


def test_two_spaced_numbers_separated_only_by_a_space_are_both_found() -> None:
    result = parse_recipients("+61 412 345 678 +61 412 345 679", "AU")
    assert result.valid == ["+61412345678", "+61412345679"]
    assert result.invalid == []


def test_local_spaced_numbers_separated_only_by_spaces_are_both_found() -> None:
    result = parse_recipients("0412 345 678 0412 345 679", "AU")
    assert result.valid == ["+61412345678", "+61412345679"]


def test_duplicates_in_different_formats_are_kept_once_in_first_order() -> None:
    result = parse_recipients("0412 345 679, +61412345678, 0412-345-679, 0061 412 345 678", "AU")
    assert result.valid == ["+61412345679", "+61412345678"]


def test_invalid_entries_are_reported_with_text_as_typed_and_a_reason() -> None:
    result = parse_recipients("0412 345 678, 0412 34, bob", "AU")
    assert result.valid == ["+61412345678"]
    assert result.invalid == [
        ("0412 34", "too short"),
        ("bob", "only digits, spaces, + - . ( ) are allowed"),
    ]


def test_invalid_entry_repeated_is_reported_once() -> None:
    result = parse_recipients("0412 34, 0412 34", "AU")
    assert result.invalid == [("0412 34", "too short")]


def test_a_mistyped_spaced_number_is_one_error_not_one_per_word() -> None:
    result = parse_recipients("+61 412 345 67", "AU")
    assert result.valid == []
    assert result.invalid == [("+61 412 345 67", "too short")]


def test_leftover_words_next_to_a_number_are_reported_together() -> None:
    result = parse_recipients("0412345678 call me", "AU")
    assert result.valid == ["+61412345678"]
    assert [raw for raw, _ in result.invalid] == ["call me"]


def test_words_between_numbers_do_not_join_them() -> None:
    result = parse_recipients("0412345678 call me 0412345679", "AU")
    assert result.valid == ["+61412345678", "+61412345679"]
    assert result.invalid == [("call me", "only digits, spaces, + - . ( ) are allowed")]


def test_empty_entries_and_blank_lines_are_skipped() -> None:
    result = parse_recipients(" , ;\n\n  0412345678 ,, ", "AU")
    assert result.valid == ["+61412345678"]
    assert result.invalid == []


def test_empty_text_gives_no_recipients() -> None:
    result = parse_recipients("", "AU")
    assert (result.valid, result.invalid) == ([], [])


def test_recipients_use_the_given_default_region() -> None:
    assert parse_recipients("(202) 555-0123", "US").valid == ["+12025550123"]


def test_recipients_without_region_need_country_codes() -> None:
    result = parse_recipients("+61412345678, 0412345679", None)
    assert result.valid == ["+61412345678"]
    assert result.invalid == [("0412345679", "no country code")]


def test_mixed_list_of_countries_and_formats() -> None:
    text = "+1 (202) 555-0123\n07911 123456; +44 7911 123456, 0412.345"
    result = parse_recipients(text, "GB")
    assert result.valid == ["+12025550123", "+447911123456"]
    assert result.invalid == [("0412.345", "too short")]


def test_a_long_pasted_list_is_parsed_whole() -> None:
    numbers = [f"+614{n:08d}" for n in range(12345678, 12345678 + 500)]
    result = parse_recipients(" ".join(numbers), "AU")
    assert result.valid == numbers


# --------------------------------------------------------------------------- sender ids


@pytest.mark.parametrize("sender", ["ACME", "MyShop", "Shop24", "abc", "ABCDEFGHIJK", "7Eleven"])
def test_alphanumeric_sender_id_is_accepted_unchanged(sender: str) -> None:
    assert validate_sender_id(sender, "AU") == sender


def test_sender_id_surrounding_whitespace_is_trimmed() -> None:
    assert validate_sender_id("  MyShop ", "AU") == "MyShop"


def test_sender_phone_number_is_normalised_to_e164() -> None:
    assert validate_sender_id("0412 345 678", "AU") == "+61412345678"


def test_sender_international_number_is_normalised_to_e164() -> None:
    assert validate_sender_id("+1 202 555 0123", "AU") == "+12025550123"


@pytest.mark.parametrize(
    ("sender", "problem"),
    [
        ("My Shop", "cannot contain spaces"),
        ("AB", "too short"),
        ("ABCDEFGHIJKL", "too long"),
        ("Shop!", "only letters A-Z and digits"),
        ("Café", "only letters A-Z and digits"),
        ("shop_1", "only letters A-Z and digits"),
    ],
)
def test_bad_sender_id_is_rejected_with_the_reason(sender: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem) as err:
        validate_sender_id(sender, "AU")
    assert err.value.field == "from"


def test_all_digit_sender_that_is_not_a_number_is_rejected_as_from() -> None:
    with pytest.raises(ValidationError, match="not a valid sender number") as err:
        validate_sender_id("12345", "AU")
    assert err.value.field == "from"
    assert "at least one letter" in str(err.value)


def test_empty_sender_is_rejected() -> None:
    with pytest.raises(ValidationError, match="empty") as err:
        validate_sender_id("  ", "AU")
    assert err.value.field == "from"


# --------------------------------------------------------------------------- unknown ranges

# An AU mobile in a range libphonenumber does not list (yet): the right length, not known.
UNKNOWN_RANGE_AU = "+61441000000"


def test_the_unknown_range_example_is_possible_but_not_valid() -> None:
    parsed = phonenumbers.parse(UNKNOWN_RANGE_AU)
    assert phonenumbers.is_possible_number(parsed)
    assert not phonenumbers.is_valid_number(parsed)


def test_possible_number_in_an_unknown_range_is_sent_with_a_warning() -> None:
    result = parse_recipients("0412 345 678, 0441 000 000", "AU")
    assert result.valid == ["+61412345678", UNKNOWN_RANGE_AU]
    assert result.invalid == []
    assert result.warnings == [(UNKNOWN_RANGE_AU, phone.UNKNOWN_RANGE)]
    assert "ClickSend will decide" in phone.UNKNOWN_RANGE


def test_unknown_range_number_inside_a_space_separated_list_is_split_out() -> None:
    result = parse_recipients("0412 345 678 0441 000 000", "AU")
    assert result.valid == ["+61412345678", UNKNOWN_RANGE_AU]
    assert [n for n, _ in result.warnings] == [UNKNOWN_RANGE_AU]


def test_check_number_marks_an_unknown_range() -> None:
    assert phone.check_number("0441 000 000", "AU") == phone.CheckedNumber(
        UNKNOWN_RANGE_AU, known_range=False
    )
    assert phone.check_number("0412 345 678", "AU").known_range


def test_a_number_that_is_not_even_possible_stays_an_error() -> None:
    assert not phonenumbers.is_possible_number(phonenumbers.parse("+6144100000000"))
    result = parse_recipients("+6144100000000", "AU")
    assert result.valid == [] and result.warnings == []
    assert result.invalid == [("+6144100000000", "too long")]
    with pytest.raises(ValidationError, match="too long"):
        phone.check_number("+61 441 000 000 00", "AU")


def test_a_possible_length_that_no_mobile_or_landline_has_stays_an_error() -> None:
    # phonenumbers calls 8 AU digits possible (short service numbers) but no SMS reaches one
    assert phonenumbers.is_possible_number(phonenumbers.parse("+6144100000"))
    with pytest.raises(ValidationError, match="too short"):
        phone.check_number("+61 441 00000", "AU")


def test_strict_normalise_still_refuses_an_unknown_range() -> None:
    # contacts and sender numbers keep the strict reading: no one confirms them
    with pytest.raises(ValidationError, match="no such number range"):
        normalise_number(UNKNOWN_RANGE_AU, "AU")
    with pytest.raises(ValidationError, match="no such number range"):
        phone.validate_sender_id(UNKNOWN_RANGE_AU, "AU")


def test_known_numbers_carry_no_warning() -> None:
    assert parse_recipients("0412 345 678", "AU").warnings == []
