"""Contact lists, contacts and search: ClickSend's example bodies -> typed models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from smstui.core.clicksend.contacts_parse import (
    parse_contact,
    parse_contacts_page,
    parse_list,
    parse_lists_page,
    parse_search_page,
)
from smstui.core.clicksend.parse import parse_envelope
from smstui.core.errors import MalformedResponseError

FIXTURES = Path(__file__).parent / "fixtures" / "clicksend"


def data(name: str) -> Any:
    return parse_envelope(200, (FIXTURES / name).read_bytes()).data


def test_current_lists_page_keeps_both_records_despite_total_zero() -> None:
    page = parse_lists_page(data("lists_list.current.json"))
    assert [(x.list_id, x.name, x.contacts_count) for x in page.items] == [
        ("428", "ListCT3QrVL4od", 0),
        ("429", "ListCT3QrVL4od", 0),
    ]
    assert (page.page, page.last_page, page.per_page) == (1, 2, 10)
    assert page.has_next


def test_legacy_lists_page_has_nine_lists_on_one_page() -> None:
    page = parse_lists_page(data("lists_list.legacy_apiary.json"))
    assert len(page.items) == 9
    assert page.items[-1].list_id == "436"
    assert page.items[0].email_id == "GHPAJCCVGMTD9BLA"
    assert not page.has_next


@pytest.mark.parametrize(
    ("name", "list_id"),
    [
        ("list_get.current.json", "428"),
        ("list_get.legacy_apiary.json", "437"),
        ("list_create.current.json", "428"),
        ("list_create.legacy_apiary.json", "437"),
        ("list_update.current.json", "428"),
        ("list_update.legacy_apiary.json", "439"),
    ],
)
def test_single_list_answers_parse(name: str, list_id: str) -> None:
    found = parse_list(data(name))
    assert found.list_id == list_id
    assert found.name.startswith("List")
    assert found.import_in_progress is False


def test_list_delete_answer_has_no_list() -> None:
    with pytest.raises(MalformedResponseError):
        parse_list(data("list_delete.current.json"))


def test_current_contact_has_typed_dates_and_customs() -> None:
    contact = parse_contact(data("contact_get.current.json"))
    assert contact.contact_id == "552786"
    assert contact.list_id == "428"
    assert contact.phone_number == "+16783270696"
    assert (contact.first_name, contact.last_name) == ("John", "Doe")
    assert contact.custom == ("Custom 1", "Custom 2", "Custom 3", "Custom 4")
    assert contact.date_added == datetime.fromtimestamp(1783997542, UTC)
    assert contact.list_name == "List6eaG4lGIc9"


def test_legacy_contact_string_date_added_is_a_datetime() -> None:
    contact = parse_contact(data("contact_get.legacy_apiary.json"))
    assert contact.date_added == datetime.fromtimestamp(1436160803, UTC)
    assert contact.date_updated is None
    assert contact.organization_name == "Awesome Organization"


@pytest.mark.parametrize(
    "name",
    [
        "contact_create.current.json",
        "contact_create.legacy_apiary.json",
        "contact_update.current.json",
        "contact_update.legacy_apiary.json",
    ],
)
def test_contact_create_and_update_answers_parse(name: str) -> None:
    contact = parse_contact(data(name))
    assert contact.contact_id in ("552786", "552802", "552807")
    assert contact.phone_number is not None and contact.phone_number.startswith("+1678")


@pytest.mark.parametrize(
    "name", ["list_contacts_list.current.json", "list_contacts_list.legacy_apiary.json"]
)
def test_list_contacts_pages_parse(name: str) -> None:
    page = parse_contacts_page(data(name))
    assert page.items
    assert all(c.list_id == "428" for c in page.items)
    assert page.total >= len(page.items)


def test_search_hits_are_typed_contact_and_list() -> None:
    page = parse_search_page(data("search_contacts_lists.legacy_apiary.json"))
    contact, lst = page.items
    assert (contact.kind, contact.id, contact.detail, contact.contacts_count) == (
        "contact",
        "552807",
        "+16783270696",
        None,
    )
    assert (lst.kind, lst.id, lst.contacts_count) == ("list", "428", 3)


def test_search_hit_of_unknown_type_is_skipped() -> None:
    raw = {"data": [{"id": 1, "type": "group", "name": "x"}, {"id": 2, "type": "LIST"}]}
    assert [h.id for h in parse_search_page(raw).items] == ["2"]


def test_contact_without_id_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        parse_contact(json.loads('{"phone_number": "+61411111111"}'))
