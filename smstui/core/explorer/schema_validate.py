"""Action inputs checked against their JSON Schema by ``jsonschema``, errors keyed by path.

Used by the action explorer's form and by its raw JSON editor, so both show the same errors
next to the same fields. ``jsonschema`` judges; this module only words its findings the way
the form shows them (``"messages[1].to"``: ``"must be a string"``) and orders them as the
input reads (a field's own problem before those of the fields inside it, fields in the order
the input has them).

Leniency, on purpose: Membrane validates again on its side, so a schema we cannot apply may
only make us too lenient, never block a valid input. A schema that is itself invalid (an
unreadable ``pattern``, a ``minimum`` that is not a number, an unknown type name) gets no
local errors; a ``$ref`` that points outside the schema is not followed (nothing is fetched)
and adds none; ``format`` is not asserted.

``jsonschema`` is imported on the first ``validate`` call, not with this module: it costs
about 90-250 ms of import on this machine and start-up never needs it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

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


def validate(schema: dict[str, Any], value: Any) -> list[FieldError]:
    """Every problem with ``value`` against ``schema``, in the order the input reads."""
    from jsonschema.exceptions import SchemaError

    cls = _validator_class(schema)
    try:
        cls.check_schema(schema)
    except SchemaError:
        return []  # a schema we cannot apply: Membrane judges the input alone
    from referencing import Registry

    # an empty registry: the default one would fetch a remote $ref over the network
    found = list(cls(schema, registry=Registry()).iter_errors(value))
    # a value of the wrong type gets that one error: the others would repeat it in other words
    mistyped = {tuple(e.absolute_path) for e in found if e.validator == "type"}
    ranked: list[tuple[tuple[int, ...], int, FieldError]] = []
    for error in found:
        path = tuple(error.absolute_path)
        if path in mistyped and error.validator != "type":
            continue
        for where, message in _worded(error, path):
            ranked.append((_positions(value, where), _RANK.get(str(error.validator), 99), message))
    ranked.sort(key=lambda r: (r[0], r[1]))  # stable: ties keep jsonschema's (schema) order
    return [error for _, _, error in ranked]


#: the order a node's own problems are listed in (the order the form's fields read them)
_RANK = {
    name: n
    for n, name in enumerate(
        (
            "type",
            "const",
            "enum",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "minLength",
            "maxLength",
            "pattern",
            "minItems",
            "maxItems",
            "uniqueItems",
            "required",
            "additionalProperties",
            "anyOf",
            "oneOf",
            "not",
        )
    )
}

_ARTICLE = {"integer": "an integer", "array": "a list", "object": "an object", "null": "null"}


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)


def _plural(n: Any) -> str:
    return "s" if n != 1 else ""


def _worded(error: ValidationError, path: Path) -> Iterator[tuple[Path, FieldError]]:
    """``error`` in the form's words: usually one ``FieldError``, one per field for extras."""
    keyword, bound = str(error.validator), error.validator_value

    def at(message: str, where: Path = path) -> tuple[Path, FieldError]:
        return where, FieldError(path_text(where), message)

    if keyword == "type":
        names = [bound] if isinstance(bound, str) else list(bound)
        yield at("must be " + " or ".join(_ARTICLE.get(n, f"a {n}") for n in names))
    elif keyword == "const":
        yield at(f"must be {_shown(bound)}")
    elif keyword == "enum":
        yield at("must be one of " + ", ".join(_shown(e) for e in bound))
    elif keyword in _BOUND_WORDS:
        yield at(f"must be {_BOUND_WORDS[keyword]} {bound}")
    elif keyword == "multipleOf":
        yield at(f"must be a multiple of {bound}")
    elif keyword == "minLength":
        yield at(
            "is required"
            if bound == 1 and not error.instance
            else f"must be at least {bound} characters"
        )
    elif keyword == "maxLength":
        yield at(f"must be at most {bound} characters")
    elif keyword == "pattern":
        yield at(f"must match {bound}")
    elif keyword == "minItems":
        yield at(f"needs at least {bound} item{_plural(bound)}")
    elif keyword == "maxItems":
        yield at(f"allows at most {bound} item{_plural(bound)}")
    elif keyword == "uniqueItems":
        yield at("must not repeat an item")
    elif keyword == "required":
        yield at("is required")  # the missing name is already in the path (_required below)
    elif keyword == "additionalProperties":
        for name in _extras(error):
            yield at("is not an allowed field", (*path, name))
    elif keyword in ("anyOf", "oneOf"):
        wanted = "at least one" if keyword == "anyOf" else "exactly one"
        yield at(f"must match {wanted} of the {len(bound)} allowed shapes")
    elif keyword == "not":
        yield at("must not match the excluded shape")
    else:
        yield at(str(error.message))  # a keyword the form has no words of its own for


_BOUND_WORDS = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "more than",
    "exclusiveMaximum": "less than",
}


def _extras(error: ValidationError) -> list[str]:
    """The fields ``additionalProperties: false`` refused (jsonschema reports them as one)."""
    import re

    schema = error.schema if isinstance(error.schema, dict) else {}
    props = schema.get("properties") or {}
    patterns = list((schema.get("patternProperties") or {}).keys())
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [
        name
        for name in instance
        if name not in props and not any(re.search(p, name) for p in patterns)
    ]


def _positions(value: Any, path: Path) -> tuple[int, ...]:
    """Where ``path`` sits in ``value`` as it reads: array indices, and for a field its place
    among the object's keys (-1 for a field that is missing, so "is required" comes first)."""
    out: list[int] = []
    node = value
    for part in path:
        if isinstance(part, int):
            out.append(part)
            node = node[part] if isinstance(node, list) and part < len(node) else None
        elif isinstance(node, dict) and part in node:
            out.append(list(node).index(part))
            node = node[part]
        else:
            out.append(-1)
            node = None
    return tuple(out)


def _validator_class(schema: dict[str, Any]) -> type[Validator]:
    """The validator for the schema's ``$schema`` (2020-12 when it names none), made lenient."""
    from jsonschema.validators import Draft202012Validator, validator_for

    return _lenient(validator_for(schema, default=Draft202012Validator))


@cache  # one class per JSON Schema draft, built once
def _lenient(base: type[Validator]) -> type[Validator]:
    """``base`` with two changes: a missing required field is reported at the field's own
    path (so the form shows it next to that field), and a ``$ref`` that does not resolve
    inside the schema is skipped rather than raised."""
    from jsonschema import ValidationError
    from jsonschema.validators import extend
    from referencing.exceptions import Unresolvable

    def required(validator: Validator, names: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(names, list) and validator.is_type(instance, "object"):
            for name in names:
                if name not in instance:
                    yield ValidationError(f"{name!r} is a required property", path=[name])

    def skipping_unresolvable(follow: Any) -> Any:
        def ref(validator: Validator, ref: Any, instance: Any, schema: Any) -> Iterator[Any]:
            try:
                yield from follow(validator, ref, instance, schema)
            except Unresolvable:
                return  # points outside the schema: Membrane applies it, we do not guess

        return ref

    changed: dict[str, Any] = {"required": required}
    for keyword in ("$ref", "$dynamicRef", "$recursiveRef"):
        if keyword in base.VALIDATORS:
            changed[keyword] = skipping_unresolvable(base.VALIDATORS[keyword])
    lenient: type[Validator] = extend(base, changed)
    return lenient
