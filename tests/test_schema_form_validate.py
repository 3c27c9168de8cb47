"""validate(schema, input): the errors both the form and the raw JSON editor show inline."""

from __future__ import annotations

from typing import Any

import pytest

from smstui.core.explorer.schema_form import FieldError, validate
from smstui.core.sandbox.actions import find_action


def _schema(key: str) -> dict[str, Any]:
    action = find_action(key)
    assert action is not None
    return action.input_schema


def test_a_valid_input_has_no_errors() -> None:
    assert validate(_schema("get-sms-history"), {"page": 1, "limit": 50, "order": "desc"}) == []


def test_a_missing_required_field_is_reported_at_its_path() -> None:
    assert validate(_schema("cancel-scheduled-sms"), {}) == [
        FieldError("message_id", "is required")
    ]


def test_a_wrong_type_is_reported_once() -> None:
    assert validate(_schema("get-inbound-sms"), {"page": "2"}) == [
        FieldError("page", "must be an integer")
    ]


def test_a_boolean_is_not_an_integer() -> None:
    assert validate(_schema("get-inbound-sms"), {"page": True}) == [
        FieldError("page", "must be an integer")
    ]


def test_a_whole_float_counts_as_an_integer() -> None:
    assert validate(_schema("get-inbound-sms"), {"page": 2.0}) == []


def test_a_value_outside_the_enum_lists_the_allowed_values() -> None:
    errors = validate(_schema("get-sms-history"), {"order": "sideways"})
    assert errors == [FieldError("order", "must be one of 'asc', 'desc'")]


def test_minimum_and_maximum_are_enforced() -> None:
    schema = _schema("get-inbound-sms")
    assert validate(schema, {"limit": 10}) == [FieldError("limit", "must be at least 15")]
    assert validate(schema, {"limit": 101}) == [FieldError("limit", "must be at most 100")]


def test_exclusive_bounds_are_enforced() -> None:
    schema = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}
    assert validate(schema, 0) == [FieldError("", "must be more than 0")]
    assert validate(schema, 1) == [FieldError("", "must be less than 1")]
    assert validate(schema, 0.5) == []


def test_string_length_limits_are_enforced() -> None:
    schema = {"type": "string", "minLength": 3, "maxLength": 5}
    assert validate(schema, "ab") == [FieldError("", "must be at least 3 characters")]
    assert validate(schema, "abcdef") == [FieldError("", "must be at most 5 characters")]


def test_string_length_counts_characters_not_bytes() -> None:
    assert validate({"type": "string", "maxLength": 2}, "éé") == []


def test_pattern_is_searched_as_json_schema_says() -> None:
    schema = {"type": "string", "pattern": "^\\+[0-9]+$"}
    assert validate(schema, "+61411") == []
    assert validate(schema, "0411") == [FieldError("", "must match ^\\+[0-9]+$")]


def test_an_unreadable_pattern_is_left_to_membrane() -> None:
    assert validate({"type": "string", "pattern": "("}, "x") == []


def test_min_and_max_items_are_enforced() -> None:
    schema = _schema("send-sms")
    assert validate(schema, {"messages": []}) == [FieldError("messages", "needs at least 1 item")]
    many = [{"to": "+61411111111", "body": "x"}] * 1001
    assert validate(schema, {"messages": many}) == [
        FieldError("messages", "allows at most 1000 items")
    ]


def test_errors_inside_array_items_carry_the_row_index() -> None:
    errors = validate(
        _schema("send-sms"), {"messages": [{"to": "+61411111111", "body": "a"}, {"to": 5}]}
    )
    assert errors == [
        FieldError("messages[1].body", "is required"),
        FieldError("messages[1].to", "must be a string"),
    ]


def test_additional_properties_false_rejects_unknown_fields() -> None:
    schema = {"type": "object", "properties": {"a": {}}, "additionalProperties": False}
    assert validate(schema, {"a": 1, "b": 2}) == [FieldError("b", "is not an allowed field")]


def test_a_non_object_input_is_reported_at_the_root() -> None:
    assert validate(_schema("send-sms"), []) == [FieldError("", "must be an object")]


@pytest.mark.parametrize(
    ("value", "ok"), [("text", True), (3, True), (True, False)], ids=["str", "int", "bool"]
)
def test_any_of_passes_when_one_option_matches(value: Any, ok: bool) -> None:
    schema = {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    assert (validate(schema, value) == []) is ok


def test_one_of_fails_when_two_options_match() -> None:
    schema = {"oneOf": [{"type": "number"}, {"type": "integer"}]}
    assert validate(schema, 3) == [FieldError("", "must match exactly one of the 2 allowed shapes")]
    assert validate(schema, 2.5) == []


def test_all_of_applies_every_part() -> None:
    schema = {"allOf": [{"type": "object", "required": ["a"]}, {"required": ["b"]}]}
    assert validate(schema, {}) == [FieldError("a", "is required"), FieldError("b", "is required")]


def test_a_type_list_accepts_any_listed_type() -> None:
    schema = {"type": ["string", "null"]}
    assert validate(schema, None) == []
    assert validate(schema, 1) == [FieldError("", "must be a string or null")]


def test_const_and_unique_items_are_enforced() -> None:
    assert validate({"const": "x"}, "y") == [FieldError("", "must be 'x'")]
    assert validate({"type": "array", "uniqueItems": True}, [1, 1]) == [
        FieldError("", "must not repeat an item")
    ]


def test_errors_follow_the_input_order_not_the_schema_order() -> None:
    schema = {
        "type": "object",
        "properties": {"b": {"type": "string"}, "a": {"type": "string"}},
        "required": ["c"],
    }
    assert validate(schema, {"a": 1, "b": 2}) == [
        FieldError("c", "is required"),
        FieldError("a", "must be a string"),
        FieldError("b", "must be a string"),
    ]


def test_each_refused_extra_field_is_reported_at_its_own_path() -> None:
    schema = {"type": "object", "properties": {"a": {}}, "additionalProperties": False}
    assert validate(schema, {"x": 1, "a": 1, "y": 2}) == [
        FieldError("x", "is not an allowed field"),
        FieldError("y", "is not an allowed field"),
    ]


def test_a_ref_inside_the_schema_is_followed() -> None:
    schema = {
        "type": "object",
        "properties": {"to": {"$ref": "#/$defs/phone"}},
        "$defs": {"phone": {"type": "string", "pattern": "^\\+"}},
    }
    assert validate(schema, {"to": "0411"}) == [FieldError("to", "must match ^\\+")]


def test_a_ref_outside_the_schema_is_neither_fetched_nor_fatal() -> None:
    schema = {
        "type": "object",
        "properties": {
            "to": {"$ref": "https://example.invalid/phone.json"},
            "n": {"type": "integer"},
        },
    }
    assert validate(schema, {"to": 5, "n": "x"}) == [FieldError("n", "must be an integer")]


def test_a_schema_that_is_itself_invalid_is_left_to_membrane() -> None:
    assert validate({"type": "integer", "minimum": "five"}, 1) == []
    assert validate({"type": "date"}, "2025-01-01") == []


def test_an_older_draft_is_applied_by_its_own_rules() -> None:
    schema = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"}
    assert validate(schema, 2.0) == [FieldError("", "must be an integer")]


def test_the_validator_library_loads_only_when_an_input_is_checked() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import smstui.core.explorer.schema_form as f; "
        "print('jsonschema' in sys.modules); f.validate({'type': 'string'}, 1); "
        "print('jsonschema' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
