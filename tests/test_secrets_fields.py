"""mask_secret_fields: raw API answers shown to the user lose their credential values."""

from __future__ import annotations

from smstui.core.membrane.secret_fields import MASK, mask_secret_fields


def test_the_account_api_key_nested_in_subaccount_is_masked() -> None:
    doc = {"data": {"username": "sam", "_subaccount": {"api_key": "LIVE-KEY", "id": 3}}}
    assert mask_secret_fields(doc) == {
        "data": {"username": "sam", "_subaccount": {"api_key": MASK, "id": 3}}
    }


def test_spellings_of_credential_keys_are_all_masked() -> None:
    doc = {"apiKey": "a", "API-KEY": "b", "Password": "c", "access_token": "d", "secret": "e"}
    assert set(mask_secret_fields(doc).values()) == {MASK}


def test_lists_are_walked_and_other_fields_kept() -> None:
    doc = [{"token": "t", "body": "token in a body is just text"}, "api_key"]
    assert mask_secret_fields(doc) == [
        {"token": MASK, "body": "token in a body is just text"},
        "api_key",
    ]


def test_empty_values_stay_empty_so_absence_is_visible() -> None:
    assert mask_secret_fields({"api_key": "", "password": None}) == {
        "api_key": "",
        "password": None,
    }
