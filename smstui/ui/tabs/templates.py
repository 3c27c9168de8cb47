"""Templates: list, create, edit, delete (confirmed), use in Compose."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smstui.core.errors import StoreError
from smstui.core.models import Template
from smstui.ui.messages import OpenInCompose, StoreChanged, TemplatesChanged
from smstui.ui.safe_text import one_line, plain
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.screens.template_edit import TemplateEditScreen
from smstui.ui.tabs.base import SmsTab


class TemplatesTab(Vertical, SmsTab):
    RELOADS_ON = frozenset({StoreChanged})
    DEFAULT_CSS = """
    TemplatesTab #template-list { width: 1fr; height: 1fr; }
    TemplatesTab #template-preview-scroll { width: 1fr; border-left: solid $primary; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="templates.new"),
        Binding("e", "edit", "Edit", id="templates.edit"),
        Binding("d,delete", "delete", "Delete", id="templates.delete"),
        Binding("u", "use", "Use in Compose", id="templates.use"),
        Binding("j", "cursor_down", "Down", show=False, id="templates.down"),
        Binding("k", "cursor_up", "Up", show=False, id="templates.up"),
        Binding("g", "top", "Top", show=False, id="templates.top"),
        Binding("G", "bottom", "Bottom", show=False, id="templates.bottom"),
    ]

    def __init__(self) -> None:
        super().__init__(id="templates-tab")
        self.templates: list[Template] = []

    def focus_default(self) -> None:
        self.query_one("#template-list").focus()

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield OptionList(id="template-list")
            with VerticalScroll(id="template-preview-scroll"):
                yield Static("", id="template-preview")

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#template-list").focus()
        self._refresh_from_server()

    @work(exclusive=True, group="templates", exit_on_error=False)
    async def _refresh_from_server(self) -> None:
        app = self.app
        if await app.guarded("Loading templates", app.ws.templates.refresh()) is not None:
            self.reload()

    def reload(self) -> None:
        try:
            self.templates = self.app.ws.templates.cached()
        except StoreError as err:
            self.app.store_failed(err)
            self.templates = []
        options = self.query_one("#template-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        if not self.templates:
            options.add_option(
                Option(
                    Text("No templates yet: press n to create one.", style="italic"), disabled=True
                )
            )
        for t in self.templates:
            row = plain(t.name, "bold")
            row.append("  ")
            row.append(one_line(t.body, 60), style="dim")
            options.add_option(Option(row, id=t.template_id))
        if self.templates:
            options.highlighted = min(highlighted or 0, len(self.templates) - 1)
        self._preview()

    @property
    def current(self) -> Template | None:
        options = self.query_one("#template-list", OptionList)
        if options.highlighted is None or not self.templates:
            return None
        return self.templates[min(options.highlighted, len(self.templates) - 1)]

    @on(OptionList.OptionHighlighted, "#template-list")
    def _preview(self) -> None:
        t = self.current
        self.query_one("#template-preview", Static).update(
            plain(t.body, keep_newlines=True) if t else ""
        )

    @on(OptionList.OptionSelected, "#template-list")
    def _selected(self) -> None:
        self.action_use()

    def action_cursor_down(self) -> None:
        self.query_one("#template-list", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#template-list", OptionList).action_cursor_up()

    def action_top(self) -> None:
        self.query_one("#template-list", OptionList).action_first()

    def action_bottom(self) -> None:
        self.query_one("#template-list", OptionList).action_last()

    def action_use(self) -> None:
        t = self.current
        if t is not None:
            self.post_message(OpenInCompose(body=t.body))

    def action_new(self) -> None:
        self._edit(None)

    def action_edit(self) -> None:
        if self.current is not None:
            self._edit(self.current)

    @work(exclusive=True, group="template-edit", exit_on_error=False)
    async def _edit(self, template: Template | None) -> None:
        app = self.app
        result = await app.push_screen_wait(TemplateEditScreen(template))
        if result is None:
            return
        name, body = result
        self.loading = True
        try:
            if template is None:
                call = app.ws.templates.create(name, body)
            else:
                call = app.ws.templates.update(template.template_id, name, body)
            saved = await app.guarded("Saving the template", call)
        finally:
            self.loading = False
        if saved is not None:
            self.notify(f"Template {saved.name!r} saved")
            self.reload()
            self._refresh_compose()

    def action_delete(self) -> None:
        if self.current is not None:
            self._delete(self.current)

    @work(exclusive=True, group="template-edit", exit_on_error=False)
    async def _delete(self, template: Template) -> None:
        app = self.app
        if not await app.push_screen_wait(
            ConfirmScreen("Delete this template?", plain(template.name), yes="Delete")
        ):
            return
        self.loading = True
        try:
            done = await app.guarded(
                "Deleting the template", app.ws.templates.delete(template.template_id)
            )
        finally:
            self.loading = False
        if done is not None:
            self.reload()
            self._refresh_compose()

    def _refresh_compose(self) -> None:
        self.post_message(TemplatesChanged())  # Compose's template picker re-reads
