"""F1: every key binding that applies where the user is, including remapped ones."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def format_key(key: str) -> str:
    return key.replace("ctrl+", "^").replace("question_mark", "?").replace("slash", "/")


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "app.pop_screen", "Close", id="help.close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, title: str, bindings: list[tuple[str, str, str]]) -> None:
        """``bindings`` is (keys, description, binding id) for each active binding."""
        super().__init__()
        self._title = title
        self._rows = bindings

    def compose(self) -> ComposeResult:
        table = Table(title=self._title, expand=True, show_edge=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Action")
        table.add_column("Id (for [keymap] in config.toml)", style="dim")
        for keys, description, binding_id in self._rows:
            table.add_row(Text(format_key(keys)), Text(description), Text(binding_id))
        with VerticalScroll():
            yield Static(table, id="help-table")
            yield Static(Text('Esc closes. Remap keys in config.toml: [keymap] id = "key".'))


def active_bindings(
    screen_bindings: dict[str, list[tuple[str, Binding]]],
) -> list[tuple[str, str, str]]:
    """Group active bindings by action, ``{action: [(key, binding)]}`` -> help rows."""
    rows: list[tuple[str, str, str]] = []
    for pairs in screen_bindings.values():
        keys = ", ".join(format_key(key) for key, _ in pairs)
        binding = pairs[0][1]
        rows.append((keys, binding.description or binding.action, binding.id or ""))
    return rows
