"""The action explorer's form model: schema -> fields, values -> input, and expressibility."""

from __future__ import annotations

from typing import Any

import pytest

from smstui.core.explorer.schema_form import (
    FieldError,
    build_form,
    can_express,
    initial_values,
    validate,
    values_to_input,
)
from smstui.core.sandbox.actions import ACTIONS, find_action
from smstui.core.sandbox.actions import validate as sandbox_validate


def _schema(key: str) -> dict[str, Any]:
    action = find_action(key)
    assert action is not None
    return action.input_schema


# Filled-in form values per action: what a user would type (all text, as Input widgets give).
TYPED: dict[str, dict[str, Any]] = {
    "send-sms": {
        "messages": [{"to": "+61411111111", "body": "Hi", "schedule": "1700000000"}],
        "shorten_urls": True,
    },
    "get-inbound-sms": {"page": "2", "limit": "50"},
    "get-delivery-receipts": {"page": "1", "limit": "100"},
    "get-sms-history": {"page": "1", "limit": "15", "status": "Failed", "order": "desc"},
    "cancel-scheduled-sms": {"message_id": "BF7AD270-0DE2-418B-B606-71D527D9C1AE"},
    "get-sms-price": {"messages": [{"to": "+61411111111", "body": "x"}, {"to": "+1", "body": "y"}]},
    "list-sms-templates": {"page": "3", "limit": "20"},
    "create-sms-template": {"template_name": "Hello", "body": "Hi (First Name)"},
    "update-sms-template": {"template_id": "12", "body": "New"},
    "delete-sms-template": {"template_id": "12"},
}


@pytest.mark.parametrize("key", [a.key for a in ACTIONS])
def test_every_sandbox_action_schema_can_be_shown_as_a_form(key: str) -> None:
    assert can_express(_schema(key))


@pytest.mark.parametrize("key", [a.key for a in ACTIONS])
def test_typed_values_for_each_action_build_an_input_the_sandbox_accepts(key: str) -> None:
    schema = _schema(key)
    form = build_form(schema)
    payload = values_to_input(form, TYPED[key])
    assert validate(schema, payload) == []
    assert sandbox_validate(schema, payload) == []


def test_every_sandbox_action_is_covered_by_the_typed_values() -> None:
    assert set(TYPED) == {a.key for a in ACTIONS}


def test_fields_carry_type_title_description_required_and_default() -> None:
    form = build_form(_schema("get-sms-history"))
    limit = form.find(("limit",))
    assert limit is not None
    assert (limit.kind, limit.title, limit.required, limit.default) == (
        "integer",
        "Limit",
        False,
        15,
    )
    assert limit.description == "Records per page (15-100)."


def test_an_enum_becomes_a_choice_field_with_its_values() -> None:
    status = build_form(_schema("get-sms-history")).find(("status",))
    assert status is not None
    assert status.kind == "enum"
    assert "Failed" in status.choices and "Queued" in status.choices


def test_an_array_of_objects_is_a_repeatable_group_with_its_own_fields() -> None:
    messages = build_form(_schema("send-sms")).find(("messages",))
    assert messages is not None and messages.item is not None
    assert messages.kind == "array" and messages.item.kind == "object"
    assert messages.min_items == 1 and messages.max_items == 1000
    to = next(f for f in messages.item.fields if f.name == "to")
    assert to.required and to.path == ("to",)


def test_find_steps_through_a_group_row_index() -> None:
    field = build_form(_schema("send-sms")).find(("messages", 3, "schedule"))
    assert field is not None and field.kind == "integer"


def test_required_fields_are_marked_required() -> None:
    form = build_form(_schema("create-sms-template"))
    assert [f.required for f in form.fields] == [True, True]


def test_initial_values_hold_defaults_and_one_row_for_a_group_that_needs_one() -> None:
    values = initial_values(build_form(_schema("send-sms")))
    assert values["shorten_urls"] is False
    assert len(values["messages"]) == 1 and values["messages"][0]["to"] is None


def test_integer_text_becomes_an_integer() -> None:
    form = build_form(_schema("delete-sms-template"))
    assert values_to_input(form, {"template_id": " 42 "}) == {"template_id": 42}


def test_boolean_words_become_booleans() -> None:
    form = build_form(_schema("send-sms"))
    assert values_to_input(form, {"shorten_urls": "true"})["shorten_urls"] is True
    assert values_to_input(form, {"shorten_urls": "no"})["shorten_urls"] is False


def test_number_text_becomes_a_float_or_int() -> None:
    schema = {"type": "object", "properties": {"x": {"type": "number"}}}
    form = build_form(schema)
    assert values_to_input(form, {"x": "2.5"}) == {"x": 2.5}
    assert values_to_input(form, {"x": "7"}) == {"x": 7}


def test_integer_enum_choice_given_as_text_becomes_the_integer() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "enum": [1, 2, 3]}}}
    assert values_to_input(build_form(schema), {"n": "2"}) == {"n": 2}


def test_blank_optional_fields_are_left_out_of_the_input() -> None:
    form = build_form(_schema("get-sms-history"))
    assert values_to_input(form, {"page": "", "q": "   ", "status": None}) == {}


def test_strings_are_sent_exactly_as_typed() -> None:
    form = build_form(_schema("create-sms-template"))
    got = values_to_input(form, {"template_name": " 007 ", "body": "true"})
    assert got == {"template_name": " 007 ", "body": "true"}


def test_text_that_is_not_an_integer_is_kept_and_reported_on_its_field() -> None:
    schema = _schema("delete-sms-template")
    payload = values_to_input(build_form(schema), {"template_id": "twelve"})
    assert payload == {"template_id": "twelve"}
    assert validate(schema, payload) == [FieldError("template_id", "must be an integer")]


def test_an_empty_group_row_reports_its_required_fields_by_row_path() -> None:
    schema = _schema("send-sms")
    payload = values_to_input(
        build_form(schema), {"messages": [{"to": "+61411111111", "body": "a"}, {"to": ""}]}
    )
    assert payload["messages"][1] == {}
    assert validate(schema, payload) == [
        FieldError("messages[1].to", "is required"),
        FieldError("messages[1].body", "is required"),
    ]


def test_a_group_with_no_rows_reports_its_minimum() -> None:
    schema = _schema("send-sms")
    payload = values_to_input(build_form(schema), {"messages": []})
    assert validate(schema, payload) == [FieldError("messages", "needs at least 1 item")]


def test_a_nested_object_field_has_an_absolute_path() -> None:
    schema = {
        "type": "object",
        "properties": {
            "address": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            }
        },
        "required": ["address"],
    }
    form = build_form(schema)
    city = form.find(("address", "city"))
    assert city is not None and city.path == ("address", "city")
    payload = values_to_input(form, {"address": {"city": ""}})
    assert validate(schema, payload) == [FieldError("address.city", "is required")]


def test_an_array_of_strings_is_a_repeatable_single_field() -> None:
    schema = {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "string"}}},
    }
    form = build_form(schema)
    tags = form.find(("tags",))
    assert tags is not None and tags.item is not None and tags.item.kind == "string"
    assert values_to_input(form, {"tags": ["a", "", "b"]}) == {"tags": ["a", "b"]}


@pytest.mark.parametrize(
    "schema",
    [
        {
            "type": "object",
            "properties": {"x": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
        },
        {"type": "object", "properties": {"x": {"anyOf": [{"type": "string"}]}}},
        {"type": "object", "allOf": [{"properties": {"x": {"type": "string"}}}]},
        {"type": "object", "properties": {"x": {"$ref": "#/$defs/X"}}},
        {"type": "object", "patternProperties": {"^x": {"type": "string"}}},
        {
            "type": "object",
            "properties": {"m": {"type": "array", "items": {"type": "array", "items": {}}}},
        },
        {"type": "object", "properties": {"x": {"type": ["string", "null"]}}},
        {
            "type": "object",
            "properties": {"meta": {"type": "object", "additionalProperties": True}},
        },
        {"type": "object", "properties": {"t": {"type": "array", "items": [{"type": "string"}]}}},
        {"type": "array", "items": {"type": "string"}},
    ],
    ids=[
        "oneOf",
        "anyOf",
        "allOf",
        "ref",
        "patternProperties",
        "array-of-arrays",
        "type-list",
        "free-form-map",
        "tuple-items",
        "root-not-object",
    ],
)
def test_schemas_the_form_cannot_express_go_to_the_raw_editor(schema: dict[str, Any]) -> None:
    assert not can_express(schema)
    with pytest.raises(ValueError):
        build_form(schema)
