"""A headless form model built from an action's JSON Schema (``inputSchema``).

The TUI renders a ``Form`` (one widget per ``FormField``) and keeps what the user typed in a
nested ``values`` structure shaped like the input itself: a dict per object, a list of dicts per
repeatable group, and for scalars the raw text (``str``), a ``bool`` or an enum choice.
``values_to_input`` turns that into the action input with typed coercion (``"3"`` -> ``3``) and
never raises: text that cannot be coerced is kept as text, so ``validate`` reports it next to
its field instead of the form failing as a whole.

When ``can_express(schema)`` is False the UI edits raw JSON instead; ``validate`` serves both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from smstui.core.explorer.schema_validate import FieldError, Path, path_text, validate

__all__ = [
    "FieldError",
    "Form",
    "FormField",
    "Path",
    "build_form",
    "can_express",
    "coerce",
    "initial_values",
    "path_text",
    "validate",
    "values_to_input",
]

FieldKind = Literal["string", "integer", "number", "boolean", "enum", "array", "object"]

_SCALARS = frozenset({"string", "integer", "number", "boolean"})
#: keywords whose meaning a flat form cannot show; their presence sends the UI to raw JSON
_INEXPRESSIBLE = frozenset(
    {
        "oneOf",
        "anyOf",
        "allOf",
        "not",
        "$ref",
        "$defs",
        "definitions",
        "patternProperties",
        "dependentSchemas",
        "dependentRequired",
        "dependencies",
        "if",
        "then",
        "else",
        "prefixItems",
        "contains",
        "propertyNames",
        "unevaluatedProperties",
        "unevaluatedItems",
    }
)


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of the form. For ``array`` ``item`` is the repeated field (an object's group or
    a single scalar); for ``object`` ``fields`` are its properties. ``path`` is absolute except
    inside a repeated item, where it is relative to the item (the same fields serve every row):
    row ``n`` of group ``g`` holds ``(*g.path, n, *f.path)``, the path ``validate`` reports."""

    name: str
    path: Path
    kind: FieldKind
    title: str
    description: str = ""
    required: bool = False
    default: Any = None
    has_default: bool = False
    choices: tuple[Any, ...] = ()
    fields: tuple[FormField, ...] = ()
    item: FormField | None = None
    min_items: int = 0
    max_items: int | None = None
    schema: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        return path_text(self.path)


@dataclass(frozen=True, slots=True)
class Form:
    fields: tuple[FormField, ...]
    schema: dict[str, Any] = field(repr=False, compare=False)

    def find(self, path: Path) -> FormField | None:
        """The field at ``path`` (array indices step into the repeated item)."""
        current: tuple[FormField, ...] = self.fields
        found: FormField | None = None
        for part in path:
            if isinstance(part, int):
                if found is None or found.item is None:
                    return None
                found = found.item
                current = found.fields
                continue
            found = next((f for f in current if f.name == part), None)
            if found is None:
                return None
            current = found.fields
        return found


# --------------------------------------------------------------------------- expressibility


def _schema_type(schema: dict[str, Any]) -> str | None:
    t = schema.get("type")
    if isinstance(t, str):
        return t
    if t is None and isinstance(schema.get("properties"), dict):
        return "object"  # common shorthand: properties without "type"
    if t is None and isinstance(schema.get("enum"), list):
        return "enum"
    return None


def can_express(schema: Any) -> bool:
    """Whether ``build_form`` can show every part of ``schema`` (else: raw JSON editor)."""
    if not isinstance(schema, dict) or _schema_type(schema) != "object":
        return False
    return _expressible(schema, top=True)


def _expressible(schema: Any, *, top: bool = False, in_array: bool = False) -> bool:
    if not isinstance(schema, dict) or _INEXPRESSIBLE & schema.keys():
        return False
    kind = _schema_type(schema)
    enum = schema.get("enum")
    if isinstance(enum, list):
        return bool(enum) and all(isinstance(e, str | int | float) for e in enum)
    if kind in _SCALARS:
        return True
    if kind == "object":
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if not isinstance(props, dict) or isinstance(extra, dict) or extra is True:
            return False  # a free-form map has no fixed fields to show
        if not props and not top:
            return False
        return all(_expressible(sub) for sub in props.values())
    if kind == "array":
        if in_array:
            return False  # arrays of arrays have no sensible flat layout
        items = schema.get("items")
        return isinstance(items, dict) and _expressible(items, in_array=True)
    return False  # "null", a list of types, or no type at all


# --------------------------------------------------------------------------- building


def _title(name: str, schema: dict[str, Any]) -> str:
    title = schema.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    words = name.replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:]) if words else "Value"


def _field(name: str, path: Path, schema: dict[str, Any], required: bool) -> FormField:
    kind = _schema_type(schema)
    common: dict[str, Any] = {
        "name": name,
        "path": path,
        "title": _title(name, schema),
        "description": str(schema.get("description") or ""),
        "required": required,
        "default": schema.get("default"),
        "has_default": "default" in schema,
        "schema": schema,
    }
    if isinstance(schema.get("enum"), list):
        return FormField(kind="enum", choices=tuple(schema["enum"]), **common)
    if kind == "object":
        return FormField(kind="object", fields=_fields(schema, path), **common)
    if kind == "array":
        items = schema.get("items") or {}
        high = schema.get("maxItems")
        return FormField(
            kind="array",
            item=_field(name, (), items, True),
            min_items=int(schema.get("minItems") or 0),
            max_items=high if isinstance(high, int) else None,
            **common,
        )
    assert kind in _SCALARS, kind
    return FormField(kind=kind, **common)  # type: ignore[arg-type]  # narrowed by the assert


def _fields(schema: dict[str, Any], base: Path) -> tuple[FormField, ...]:
    props: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    return tuple(_field(name, (*base, name), sub, name in required) for name, sub in props.items())


def build_form(schema: dict[str, Any]) -> Form:
    """The form for an object schema; call ``can_express`` first (ValueError otherwise)."""
    if not can_express(schema):
        raise ValueError("this schema needs the raw JSON editor")
    return Form(fields=_fields(schema, ()), schema=schema)


def initial_values(form: Form) -> dict[str, Any]:
    """Starting values: defaults where the schema has them, one group per required minimum."""
    return {f.name: _initial(f) for f in form.fields}


def _initial(f: FormField) -> Any:
    if f.kind == "object":
        return {sub.name: _initial(sub) for sub in f.fields}
    if f.kind == "array":
        if f.has_default and isinstance(f.default, list):
            return list(f.default)
        assert f.item is not None
        return [_initial(f.item) for _ in range(f.min_items if f.item.kind == "object" else 0)]
    if f.has_default:
        return f.default if f.kind in ("boolean", "enum") else str(f.default)
    return False if f.kind == "boolean" and f.required else None


# --------------------------------------------------------------------------- values -> input

_TRUE = frozenset({"true", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "no", "n", "off", "0"})


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def coerce(f: FormField, value: Any) -> Any:
    """One scalar typed as its field wants it; text that does not fit is returned unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if f.kind == "integer":
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return value
            return int(number) if number.is_integer() else value
    if f.kind == "number":
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return value
            return number if math.isfinite(number) else value
    if f.kind == "boolean":
        low = text.lower()
        return True if low in _TRUE else False if low in _FALSE else value
    if f.kind == "enum":
        # a Select hands back text; an integer enum wants its integer back
        return next((c for c in f.choices if str(c) == text), value)
    return value  # strings are sent exactly as typed


def _convert(f: FormField, value: Any) -> tuple[bool, Any]:
    """(present, converted): blank scalars and empty optional groups are left out."""
    if f.kind == "object":
        if not isinstance(value, dict):
            return (False, None) if _blank(value) else (True, value)
        out = _convert_all(f.fields, value)
        return (bool(out) or f.required), out
    if f.kind == "array":
        if _blank(value):
            return False, None
        if not isinstance(value, list):
            return True, value
        assert f.item is not None
        items = []
        for item in value:
            present, converted = _convert(f.item, item)
            # an empty row of a group still counts (its required fields get errors);
            # an empty scalar row is just an unused input box
            if present or f.item.kind == "object":
                items.append(converted if present else {})
        return (bool(items) or f.required), items
    if _blank(value):
        return False, None
    return True, coerce(f, value)


def _convert_all(fields: tuple[FormField, ...], values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        present, converted = _convert(f, values.get(f.name))
        if present:
            out[f.name] = converted
    return out


def values_to_input(form: Form, values: dict[str, Any]) -> dict[str, Any]:
    """The action input for what the form holds (validate it with ``validate(form.schema, ...)``)."""
    return _convert_all(form.fields, values)
