"""Any JSON value as a collapsible ``Tree``, every label inert, with copy as JSON.

Labels are built as ``rich.text.Text`` from plain strings (a ``str`` label would be parsed as
markup), so an action output holding ``[bold]`` or an escape sequence shows literally.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from smstui.core.explorer.request_console import safe_json
from smstui.ui.safe_text import plain

#: children shown per object or list; a huge answer must not build a million nodes
MAX_CHILDREN = 500
#: characters of a string shown in its label (the copy holds all of it)
MAX_LABEL = 200
#: levels opened when a value is shown
OPEN_DEPTH = 3


def scalar_text(value: Any) -> Text:
    """A leaf's value: strings quoted as JSON writes them, numbers/bools/null by type colour."""
    if isinstance(value, str):
        shown = value if len(value) <= MAX_LABEL else value[:MAX_LABEL] + "…"
        return plain(json.dumps(shown, ensure_ascii=False), "green")
    if value is None:
        return Text("null", style="dim italic", end="")
    if isinstance(value, bool):
        return Text("true" if value else "false", style="magenta", end="")
    if isinstance(value, int | float):
        return Text(json.dumps(value), style="cyan", end="")
    return plain(str(value))


def _summary(value: dict[str, Any] | list[Any]) -> str:
    n = len(value)
    if isinstance(value, dict):
        return f"{{}} {n} field{'s' if n != 1 else ''}"
    return f"[] {n} item{'s' if n != 1 else ''}"


class JsonTree(Tree[Any]):
    """A read-only tree of one JSON value; ``c`` copies the whole value as JSON."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy JSON", id="json_tree.copy"),
    ]

    def __init__(
        self, label: str = "output", *, placeholder: str = "", id: str | None = None
    ) -> None:
        super().__init__(Text(label, end=""), id=id)
        self.value: Any = None
        self.has_value = False
        self.show_root = False
        if placeholder:
            self.root.add_leaf(Text(placeholder, style="dim italic", end=""))
        self.root.expand()

    def show(self, value: Any, *, label: str = "output") -> None:
        self.value = value
        self.has_value = True
        self.clear()
        self.root.set_label(Text(label, end=""))
        self._add(self.root, value, 0)
        self.root.expand()

    def _add(self, node: TreeNode[Any], value: Any, depth: int) -> None:
        if isinstance(value, dict):
            items: list[tuple[Text, Any]] = [
                (plain(str(k), "bold"), v) for k, v in list(value.items())[:MAX_CHILDREN]
            ]
        elif isinstance(value, list):
            items = [
                (Text(f"[{i}]", style="dim", end=""), v) for i, v in enumerate(value[:MAX_CHILDREN])
            ]
        else:
            node.add_leaf(scalar_text(value), data=value)
            return
        for key, child in items:
            label = key.copy()
            label.append(": ")
            if isinstance(child, dict | list):
                label.append(_summary(child), style="dim")
                branch = node.add(label, data=child, expand=depth + 1 < OPEN_DEPTH)
                self._add(branch, child, depth + 1)
            else:
                label.append_text(scalar_text(child))
                node.add_leaf(label, data=child)
        hidden = len(value) - MAX_CHILDREN
        if hidden > 0:
            node.add_leaf(Text(f"… {hidden} more (copy to see all)", style="dim italic", end=""))

    def as_json(self) -> str:
        # bidi and C1 characters escaped: pasted JSON stays the same data and inert
        return safe_json(self.value)

    def action_copy(self) -> None:
        if not self.has_value:
            self.notify("Nothing to copy yet.", severity="warning")
            return
        self.app.copy_to_clipboard(self.as_json())
        self.notify("Output copied as JSON")
