"""Create or edit a template: name, body, and the same segment meter as Compose."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from smstui.core.models import Template
from smstui.ui.widgets.segment_meter import SegmentMeter


class TemplateEditScreen(ModalScreen[tuple[str, str] | None]):
    """Dismisses with (name, body), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="template_edit.cancel"),
        Binding("ctrl+s", "save", "Save", id="template_edit.save"),
    ]
    DEFAULT_CSS = """
    TemplateEditScreen { align: center middle; }
    TemplateEditScreen > Vertical {
        width: 80; max-width: 98%; height: auto; max-height: 95%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    TemplateEditScreen TextArea { height: 8; }
    TemplateEditScreen .field-error { color: $error; height: auto; }
    TemplateEditScreen Horizontal { height: auto; align-horizontal: right; }
    TemplateEditScreen Button { margin-left: 2; }
    """

    def __init__(self, template: Template | None) -> None:
        super().__init__()
        self.template = template

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Edit template" if self.template else "New template")
            yield Input(
                self.template.name if self.template else "", placeholder="name", id="template-name"
            )
            yield TextArea(self.template.body if self.template else "", id="template-body")
            yield SegmentMeter(id="template-meter")
            yield Static("", id="template-error", classes="field-error")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#template-meter", SegmentMeter).text = self.query_one(
            "#template-body", TextArea
        ).text
        self.query_one("#template-name", Input).focus()

    @on(TextArea.Changed, "#template-body")
    def _body_changed(self) -> None:
        self.query_one("#template-meter", SegmentMeter).text = self.query_one(
            "#template-body", TextArea
        ).text

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        name = self.query_one("#template-name", Input).value.strip()
        body = self.query_one("#template-body", TextArea).text
        if not name or not body.strip():
            self.query_one("#template-error", Static).update("✖ A template needs a name and a body")
            return
        self.dismiss((name, body))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
