"""An input form for an action, drawn from ``smstui.core.explorer.schema_form.Form``.

The form keeps one model, ``values`` (shaped like the input: dicts, lists of row dicts, raw
text for scalars), and updates it on every keystroke; the widgets are only its view. Adding
or removing a row edits the model and redraws, so nothing typed is ever lost. Errors from
``validate`` land next to the field whose path they name (an unknown path falls back to its
nearest shown ancestor, then to the line above the form).
"""

from __future__ import annotations

import copy
import json
import re
from itertools import pairwise
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from smstui.core.explorer.schema_form import (
    FieldError,
    Form,
    FormField,
    Path,
    initial_values,
    path_text,
    validate,
    values_to_input,
)
from smstui.ui.safe_text import plain

_BOOLEAN_CHOICES: list[tuple[str, bool]] = [("true", True), ("false", False)]
#: strips the last ``.name`` or ``[n]`` of a path, to find the nearest shown ancestor
_LAST_PART = re.compile(r"(\.[^.\[\]]*|\[\d+\]|^[^.\[\]]+)$")


def _get(root: Any, path: Path) -> Any:
    value = root
    for part in path:
        if isinstance(part, int):
            value = value[part] if isinstance(value, list) and part < len(value) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value


def _set(root: dict[str, Any], path: Path, value: Any) -> None:
    """Set ``value`` at ``path``, creating the dicts and lists on the way."""
    target: Any = root
    for part, following in pairwise(path):
        child = _get(target, (part,))
        if not isinstance(child, dict | list):
            child = [] if isinstance(following, int) else {}
            target[part] = child
        target = child
    last = path[-1]
    if isinstance(target, list) and isinstance(last, int):
        while len(target) <= last:
            target.append(None)
    target[last] = value


def _label(f: FormField) -> Text:
    text = plain(f.title, "bold")
    if f.required:
        text.append(" *", style="bold red")
    return text


def _hint(f: FormField) -> str:
    words = f.description.strip() or f.kind
    if f.kind in ("integer", "number") and f.description:
        words = f"{words} ({f.kind})"
    return words


class SchemaForm(Vertical):
    """The form for one ``Form``; ``values`` is what the user typed, ``to_input()`` the input."""

    DEFAULT_CSS = """
    SchemaForm { height: auto; }
    SchemaForm .sf-row { height: auto; }
    SchemaForm .sf-label { width: 15; padding: 0 1 0 0; }
    SchemaForm .sf-row > Input, SchemaForm .sf-row > Select { width: 1fr; }
    SchemaForm .sf-error { color: $error; padding: 0 0 0 15; height: auto; }
    SchemaForm .sf-error.-empty { display: none; }
    SchemaForm #form-error { padding: 0; }
    SchemaForm .sf-group { height: auto; border: round $primary 50%; padding: 0 1; }
    SchemaForm .sf-group-row { height: auto; border-top: dashed $primary 40%; }
    SchemaForm .sf-row-head { height: 1; }
    SchemaForm .sf-row-head > Static { width: 1fr; color: $text-muted; }
    SchemaForm .add-row { margin: 0; }
    SchemaForm Input.-invalid { background: $error 20%; }
    """

    def __init__(
        self, form: Form, values: dict[str, Any] | None = None, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.form = form
        self.values: dict[str, Any] = (
            copy.deepcopy(values) if values is not None else initial_values(form)
        )
        self._paths: dict[Widget, Path] = {}
        self._errors: dict[str, Static] = {}
        self._inputs: dict[str, Widget] = {}
        self._buttons: dict[Button, tuple[str, Path, int]] = {}

    # ------------------------------------------------------------------ building

    def compose(self) -> ComposeResult:
        yield from self._build()

    def _build(self) -> list[Widget]:
        self._paths.clear()
        self._errors.clear()
        self._inputs.clear()
        self._buttons.clear()
        top = self._error_static("")
        top.id = "form-error"
        return [top, *self._fields(self.form.fields, ())]

    def _error_static(self, key: str) -> Static:
        static = Static("", classes="sf-error -empty")
        self._errors[key] = static
        return static

    def _fields(self, fields: tuple[FormField, ...], base: Path) -> list[Widget]:
        out: list[Widget] = []
        for f in fields:
            path = (*base, *f.path)
            if f.kind == "object":
                out.append(self._object(f, path))
            elif f.kind == "array":
                out.append(self._array(f, path))
            else:
                out.extend(self._scalar(f, path))
        return out

    def _scalar(self, f: FormField, path: Path) -> list[Widget]:
        key = path_text(path)
        value = _get(self.values, path)
        widget: Widget
        if f.kind == "enum":
            choices = [(str(c), c) for c in f.choices]
            current = value if any(c == value for _, c in choices) else Select.NULL
            widget = Select(choices, value=current, prompt="choose…", compact=True)
        elif f.kind == "boolean" and isinstance(value, bool):
            widget = Checkbox("", value=value, compact=True)
        elif f.kind == "boolean":
            # optional and without a default: "not sent" must stay possible
            widget = Select(_BOOLEAN_CHOICES, prompt="not set", compact=True)
        else:
            widget = Input(
                "" if value is None else str(value),
                placeholder=_hint(f),
                compact=True,
                select_on_focus=False,
            )
        if f.description:
            widget.tooltip = f.description
        self._paths[widget] = path
        self._inputs[key] = widget
        row = Horizontal(Label(_label(f), classes="sf-label"), widget, classes="sf-row")
        return [row, self._error_static(key)]

    def _object(self, f: FormField, path: Path) -> Widget:
        group = Vertical(*self._fields(f.fields, path[: len(path) - len(f.path)]),
                         self._error_static(path_text(path)), classes="sf-group")  # fmt: skip
        group.border_title = _label(f).plain
        return group

    def _array(self, f: FormField, path: Path) -> Widget:
        assert f.item is not None
        rows = _get(self.values, path)
        count = len(rows) if isinstance(rows, list) else 0
        children: list[Widget] = []
        for n in range(count):
            row_path = (*path, n)
            remove = Button("Remove", compact=True, classes="remove-row")
            self._buttons[remove] = ("remove", path, n)
            head = Horizontal(Static(f"{f.title} {n + 1}"), remove, classes="sf-row-head")
            if f.item.kind == "object":
                body = self._fields(f.item.fields, row_path)
            else:
                body = self._scalar(f.item, row_path)
            children.append(Vertical(head, *body, classes="sf-group-row"))
        children.append(self._error_static(path_text(path)))
        add = Button(f"+ Add {f.title.lower()}", compact=True, classes="add-row")
        add.disabled = f.max_items is not None and count >= f.max_items
        self._buttons[add] = ("add", path, count)
        children.append(add)
        group = Vertical(*children, classes="sf-group")
        group.border_title = _label(f).plain
        return group

    async def redraw(self) -> None:
        await self.remove_children()
        await self.mount_all(self._build())

    # ------------------------------------------------------------------ model

    def widget_for(self, key: str) -> Widget | None:
        """The input for a path such as ``messages[0].to`` (tests and focus use it)."""
        return self._inputs.get(key)

    def to_input(self) -> dict[str, Any]:
        return values_to_input(self.form, self.values)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        self._store(event.input, event.value)

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._store(event.checkbox, event.value)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        self._store(event.select, None if event.value is Select.NULL else event.value)

    def _store(self, widget: Widget, value: Any) -> None:
        path = self._paths.get(widget)
        if path is not None:
            _set(self.values, path, value)

    @on(Button.Pressed)
    async def _row_button(self, event: Button.Pressed) -> None:
        what = self._buttons.get(event.button)
        if what is None:
            return
        event.stop()
        kind, path, index = what
        field = self.form.find(path)
        rows = _get(self.values, path)
        if not isinstance(rows, list):
            rows = []
            _set(self.values, path, rows)
        if kind == "add":
            assert field is not None and field.item is not None
            fresh = initial_values(self._row_form(field.item))
            rows.append(fresh if field.item.kind == "object" else None)
        else:
            del rows[index]
        await self.redraw()
        if kind == "add":
            first = next((w for w, p in self._paths.items() if p[: len(path) + 1] == (*path, index)), None)  # fmt: skip
            if first is not None:
                first.focus()

    @staticmethod
    def _row_form(item: FormField) -> Form:
        # a row's starting values are those of a one-field-set form over the item's fields
        return Form(fields=item.fields, schema=item.schema)

    # ------------------------------------------------------------------ errors

    def check(self) -> list[FieldError]:
        """Validate what the form holds and show each error beside its field."""
        errors = validate(self.form.schema, self.to_input())
        self.show_errors(errors)
        return errors

    def show_errors(self, errors: list[FieldError]) -> None:
        for static in self._errors.values():
            static.update("")
            static.add_class("-empty")
        for widget in self._inputs.values():
            widget.remove_class("-invalid")
        lines: dict[str, list[str]] = {}
        for error in errors:
            key = self._nearest_shown(error.path)
            where = "" if key == error.path or not error.path else f"{error.path}: "
            lines.setdefault(key, []).append(f"✖ {where}{error.message}")
            if key in self._inputs:
                self._inputs[key].add_class("-invalid")
        for key, messages in lines.items():
            static = self._errors[key]
            static.update(Text("\n".join(messages), end=""))  # messages quote user text: no markup
            static.remove_class("-empty")
        if errors:
            first = self._inputs.get(self._nearest_shown(errors[0].path))
            if first is not None:
                first.focus()

    def _nearest_shown(self, path: str) -> str:
        while path and path not in self._errors:
            path = _LAST_PART.sub("", path)
        return path

    def error_text(self, key: str) -> str:
        static = self._errors.get(key)
        return "" if static is None else str(static.render())


def values_from_input(form: Form, data: dict[str, Any]) -> dict[str, Any]:
    """The form's ``values`` for an input (raw JSON back into the form); the inverse of
    ``values_to_input`` for everything the form can show."""
    return {f.name: _value_of(f, data.get(f.name)) for f in form.fields}


def _value_of(f: FormField, value: Any) -> Any:
    if f.kind == "object":
        inner = value if isinstance(value, dict) else {}
        return {sub.name: _value_of(sub, inner.get(sub.name)) for sub in f.fields}
    if f.kind == "array":
        assert f.item is not None
        return [_value_of(f.item, v) for v in value] if isinstance(value, list) else []
    if f.kind in ("boolean", "enum") or value is None or isinstance(value, str):
        return value
    return json.dumps(value)  # a number (or a wrong type) as the text that means it
