"""Import a CSV into a list: the file is checked here, before anything is created.

Bad rows are listed with their line numbers and the dialog stays open, so nothing is ever
half-imported; a clean file dismisses with its bytes for the tab to import in a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from smstui.core.errors import SmstuiError
from smstui.core.service.types import ImportPlan
from smstui.ui.safe_text import plain
from smstui.ui.screens.contact_forms import FORM_CSS

#: bad rows listed in the dialog (the count says how many more)
SHOWN_PROBLEMS = 50


def describe_plan(plan: ImportPlan) -> Text:
    text = Text(end="")
    if plan.problems:
        text.append(f"✖ {len(plan.problems)} bad row(s); nothing imported.\n", style="bold red")
        for problem in plan.problems[:SHOWN_PROBLEMS]:
            text.append(f"line {problem.line}: ", style="bold")
            text.append_text(plain(problem.reason))
            text.append("\n")
        if len(plan.problems) > SHOWN_PROBLEMS:
            text.append(f"… and {len(plan.problems) - SHOWN_PROBLEMS} more\n")
    elif not plan.rows:
        text.append("✖ The CSV has no contacts.", style="bold red")
    text.rstrip()
    return text


class ImportCsvScreen(ModalScreen[bytes | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]
    DEFAULT_CSS = FORM_CSS.format(name="ImportCsvScreen") + (
        "ImportCsvScreen #import-report-scroll { height: auto; max-height: 12; }"
    )

    def __init__(self, list_name: str, check: Callable[[bytes], ImportPlan]) -> None:
        super().__init__()
        self._list_name = list_name
        self._check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            title = Text("Import a CSV into ", end="")
            title.append_text(plain(self._list_name, "bold"))
            yield Static(title, classes="title")
            yield Static(
                "Columns: phone (or mobile/number), first name, last name, email, "
                "organization, custom 1..4. The whole file is checked first.",
                classes="hint",
            )
            with Horizontal(classes="row"):
                yield Label("CSV file", classes="form-label")
                yield Input(placeholder="/path/to/contacts.csv", id="csv-path")
            with VerticalScroll(id="import-report-scroll"):
                yield Static("", id="import-report", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Import", id="import", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#csv-path", Input).focus()

    @on(Input.Changed, "#csv-path")
    def _clear(self) -> None:
        self.query_one("#import-report", Static).update("")

    @on(Input.Submitted, "#csv-path")
    @on(Button.Pressed, "#import")
    def _import(self) -> None:
        report = self.query_one("#import-report", Static)
        raw = self.query_one("#csv-path", Input).value.strip()
        if not raw:
            report.update("✖ Give the path of a CSV file.")
            return
        path = Path(raw).expanduser()
        try:
            data = path.read_bytes()
            plan = self._check(data)
        except OSError as err:
            report.update(plain(f"✖ Cannot read {path}: {err.strerror or err}"))
            return
        except SmstuiError as err:
            report.update(plain(f"✖ {err.message}"))
            return
        if not plan.ok:
            report.update(describe_plan(plan))
            return
        self.dismiss(data)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
