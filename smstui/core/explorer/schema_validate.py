"""A small JSON Schema validator for action inputs (no dependency, errors keyed by path).

Used by the action explorer's form and by its raw JSON editor, so both show the same errors
next to the same fields. Supported keywords: ``type`` (a name or a list of names), ``enum``,
``const``, ``required``, ``properties``, ``additionalProperties`` (``false`` or a schema),
``minimum``/``maximum``/``exclusiveMinimum``/``exclusiveMaximum``, ``multipleOf``,
``minLength``/``maxLength``, ``pattern``, ``format`` is ignored, ``minItems``/``maxItems``,
``uniqueItems``, ``items`` (one schema), ``allOf``/``anyOf``/``oneOf``/``not``. Anything else
(``$ref``, ``patternProperties``, ``if``/``then``, ...) is ignored: Membrane validates again on
its side, so an unknown keyword can only make us too lenient, never block a valid input.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Fail = Callable[[str], None]

#: a path is a sequence of property names and array indices, e.g. ("messages", 0, "to")
Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with the input. ``path`` is ``"messages[0].to"`` style, ``""`` for the root."""

    path: str
    message: str


def path_text(path: Path) -> str:
    """``("messages", 0, "to")`` -> ``"messages[0].to"`` (the key forms and errors share)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        # 3.0 is an integer to JSON Schema; True is not (bool is an int subclass in Python)
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    if name == "null":
        return value is None
    return True  # an unknown type name is not ours to reject


_ARTICLE = {"integer": "an integer", "array": "a list", "object": "an object", "null": "null"}


def _type_words(names: list[str]) -> str:
    return " or ".join(_ARTICLE.get(n, f"a {n}") for n in names)


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)


def _same(a: Any, b: Any) -> bool:
    # JSON equality: 1 == 1.0, but True != 1
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def validate(schema: dict[str, Any], value: Any) -> list[FieldError]:
    """Every problem with ``value`` against ``schema``, in document order."""
    errors: list[FieldError] = []
    _check(schema, value, (), errors)
    return errors


def _check(schema: Any, value: Any, path: Path, errors: list[FieldError]) -> None:
    if schema is True or not isinstance(schema, dict):
        return
    where = path_text(path)

    def fail(message: str) -> None:
        errors.append(FieldError(where, message))

    types = schema.get("type")
    names = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else []
    if names and not any(_is_type(value, n) for n in names):
        fail(f"must be {_type_words(names)}")
        return  # further checks would only repeat the same problem in other words
    if "const" in schema and not _same(value, schema["const"]):
        fail(f"must be {_shown(schema['const'])}")
    enum = schema.get("enum")
    if isinstance(enum, list) and not any(_same(value, e) for e in enum):
        fail("must be one of " + ", ".join(_shown(e) for e in enum))
    if isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(schema, value, fail)
    elif isinstance(value, str):
        _check_string(schema, value, fail)
    elif isinstance(value, list):
        _check_array(schema, value, path, errors, fail)
    elif isinstance(value, dict):
        _check_object(schema, value, path, errors, fail)
    _check_combinators(schema, value, path, errors, fail)


def _check_number(schema: dict[str, Any], value: float, fail: Fail) -> None:
    bounds: tuple[tuple[str, Callable[[float], bool], str], ...] = (
        ("minimum", lambda b: value < b, "at least"),
        ("maximum", lambda b: value > b, "at most"),
        ("exclusiveMinimum", lambda b: value <= b, "more than"),
        ("exclusiveMaximum", lambda b: value >= b, "less than"),
    )
    for key, broken, words in bounds:
        bound = schema.get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool) and broken(bound):
            fail(f"must be {words} {bound}")
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and step > 0:
        ratio = value / step
        if not math.isclose(ratio, round(ratio), abs_tol=1e-9):
            fail(f"must be a multiple of {step}")


def _check_string(schema: dict[str, Any], value: str, fail: Fail) -> None:
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(value) < low:
        fail("is required" if low == 1 and not value else f"must be at least {low} characters")
    if isinstance(high, int) and len(value) > high:
        fail(f"must be at most {high} characters")
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            matched = re.search(pattern, value) is not None
        except re.error:
            return  # a pattern Python cannot read: leave the judgement to Membrane
        if not matched:
            fail(f"must match {pattern}")


def _check_array(
    schema: dict[str, Any], value: list[Any], path: Path, errors: list[FieldError], fail: Fail
) -> None:
    low, high = schema.get("minItems"), schema.get("maxItems")
    if isinstance(low, int) and len(value) < low:
        fail(f"needs at least {low} item{'s' if low != 1 else ''}")
    if isinstance(high, int) and len(value) > high:
        fail(f"allows at most {high} item{'s' if high != 1 else ''}")
    if schema.get("uniqueItems") is True:
        seen = [json.dumps(v, sort_keys=True) for v in value]
        if len(set(seen)) != len(seen):
            fail("must not repeat an item")
    items = schema.get("items")
    if isinstance(items, dict):
        for n, item in enumerate(value):
            _check(items, item, (*path, n), errors)


def _check_object(
    schema: dict[str, Any], value: dict[str, Any], path: Path, errors: list[FieldError], fail: Fail
) -> None:
    props = schema.get("properties")
    props = props if isinstance(props, dict) else {}
    for name in schema.get("required", []) or []:
        if isinstance(name, str) and name not in value:
            errors.append(FieldError(path_text((*path, name)), "is required"))
    extra = schema.get("additionalProperties")
    for name, item in value.items():
        if name in props:
            _check(props[name], item, (*path, name), errors)
        elif extra is False:
            errors.append(FieldError(path_text((*path, name)), "is not an allowed field"))
        elif isinstance(extra, dict):
            _check(extra, item, (*path, name), errors)


def _check_combinators(
    schema: dict[str, Any], value: Any, path: Path, errors: list[FieldError], fail: Fail
) -> None:
    for sub in schema.get("allOf", []) or []:
        _check(sub, value, path, errors)
    for key, wanted in (("anyOf", "at least one"), ("oneOf", "exactly one")):
        options = schema.get(key)
        if not isinstance(options, list) or not options:
            continue
        passing = sum(1 for sub in options if not validate(sub, value))
        if (key == "anyOf" and passing == 0) or (key == "oneOf" and passing != 1):
            fail(f"must match {wanted} of the {len(options)} allowed shapes")
    negated = schema.get("not")
    if isinstance(negated, dict) and not validate(negated, value):
        fail("must not match the excluded shape")
