"""Actions: find the connection's actions by intent, fill their input, run, read the output.

The input is a form built from the action's ``inputSchema`` when the form can show it, else
(or on request) raw JSON; both are checked with the same validator before anything is sent,
and the errors appear beside the field (or under the editor). A run is a write that Membrane
does not retry: while one is in flight, Run does nothing, so one press is one call.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import (
    Button,
    Checkbox,
    Collapsible,
    Input,
    OptionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from smstui.core.errors import SmstuiError
from smstui.core.explorer.request_console import mask_secrets, safe_json
from smstui.core.explorer.schema_form import FieldError, build_form, can_express, validate
from smstui.core.models import Action
from smstui.ui.safe_text import one_line, plain, visible
from smstui.ui.tabs.base import SmsTab

if TYPE_CHECKING:
    from smstui.core.service.types import ActionRun
from smstui.ui.widgets.json_tree import JsonTree
from smstui.ui.widgets.schema_form import SchemaForm, values_from_input

#: seconds of quiet typing before the intent search asks Membrane
SEARCH_DEBOUNCE = 0.35
#: actions whose typed input is kept while looking at others (each a small dict)
KEPT_INPUTS = 100


def raw_errors(schema: dict[str, Any] | None, text: str) -> tuple[Any, list[FieldError]]:
    """The raw editor's input and its problems: JSON syntax first, then the schema."""
    try:
        data = json.loads(text)
    except ValueError as err:
        where = (
            f"line {err.lineno}, column {err.colno}"
            if isinstance(err, json.JSONDecodeError)
            else "input"
        )
        message = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
        return None, [FieldError("", f"not valid JSON ({where}): {message}")]
    if not isinstance(data, dict):
        return None, [FieldError("", "the input must be a JSON object { ... }")]
    return data, validate(schema, data) if schema else []


def option_id(action: Action) -> str:
    """The list row's id: Membrane's action id, or the key when Membrane gave no id."""
    return action.id or f"key:{action.key}"


class ActionsTab(Horizontal, SmsTab):
    DEFAULT_CSS = """
    ActionsTab #actions-left { width: 26; border-right: vkey $primary 30%; }
    ActionsTab #action-list { height: 1fr; border: none; }
    ActionsTab #actions-right { width: 1fr; }
    ActionsTab #action-detail { height: 1fr; padding: 0 1; }
    ActionsTab #action-description { color: $text-muted; }
    ActionsTab #action-toolbar { height: 1; margin: 1 0 0 0; }
    ActionsTab #action-toolbar > Button { margin: 0 0 0 1; }
    ActionsTab #run-status { width: 1fr; padding: 0 0 0 1; }
    ActionsTab #raw-input { height: 10; }
    ActionsTab #raw-error { color: $error; height: auto; }
    ActionsTab #action-output { height: 40%; min-height: 4; border-top: hkey $primary 30%; }
    ActionsTab Collapsible { padding: 0; border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "run", "Run", id="actions.run"),
        Binding("ctrl+t", "toggle_raw", "Raw JSON", id="actions.raw"),
        Binding("ctrl+f", "search", "Search", show=False, id="actions.search"),
    ]

    def __init__(self) -> None:
        super().__init__(id="actions-tab")
        self.actions: list[Action] = []
        self.current: Action | None = None
        self.running = False
        self._debounce: Timer | None = None
        #: what was typed per action key, so looking at another action loses nothing; the
        #: ``KEPT_INPUTS`` actions last edited (small dicts)
        self._kept: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="actions-left"):
            yield Input(placeholder="Search by intent…", id="action-search", compact=True)
            yield OptionList(id="action-list")
        with Vertical(id="actions-right"):
            with VerticalScroll(id="action-detail"):
                yield Static("Choose an action on the left.", id="action-heading")
                yield Static("", id="action-description")
                with Collapsible(title="Input schema", id="action-schema-box"):
                    yield Static("", id="action-schema")
                with Horizontal(id="action-toolbar"):
                    yield Checkbox("Raw JSON", id="raw-toggle", compact=True)
                    yield Button("Run (F5)", id="run-action", variant="primary", compact=True)
                    yield Button("Copy output", id="copy-output", compact=True)
                    yield Static("", id="run-status")
                yield Vertical(id="form-holder")
                yield TextArea(id="raw-input", soft_wrap=True, show_line_numbers=True)
                yield Static("", id="raw-error")
            yield JsonTree(
                placeholder="Run the action (F5) to see its output here.", id="action-output"
            )

    def on_mount(self) -> None:
        self.query_one("#raw-input").display = False
        self.query_one("#action-output", JsonTree).border_title = "Output"
        self.query_one("#action-search").focus()
        self.load_actions(None)

    def focus_default(self) -> None:
        self.query_one("#action-search").focus()

    def action_search(self) -> None:
        self.focus_default()

    # ------------------------------------------------------------------ the list

    @on(Input.Changed, "#action-search")
    def _search_typed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        intent = event.value
        self._debounce = self.set_timer(SEARCH_DEBOUNCE, lambda: self.load_actions(intent))

    @on(Input.Submitted, "#action-search")
    def _search_now(self, event: Input.Submitted) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.load_actions(event.value)
        self.query_one("#action-list").focus()

    @work(exclusive=True, group="actions-list", exit_on_error=False)
    async def load_actions(self, intent: str | None) -> None:
        options = self.query_one("#action-list", OptionList)
        options.loading = True
        try:

            async def fetch() -> list[Action]:
                await self.app.wait_for_connect()
                return await self.app.ws.membrane.list_actions((intent or "").strip() or None)

            found = await self.app.guarded("Listing actions", fetch())
        finally:
            options.loading = False
        if found is None:
            return
        self.actions = found
        options.clear_options()
        for a in found:
            row = plain(one_line(a.name or a.key, 23), "bold")
            row.append("\n")
            row.append_text(plain(one_line(a.key, 23), "dim"))
            options.add_option(Option(row, id=option_id(a)))
        if not found:
            options.add_option(Option(Text("No action matches.", style="italic"), disabled=True))
        else:
            options.highlighted = 0

    @on(OptionList.OptionHighlighted, "#action-list")
    async def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        chosen = next((a for a in self.actions if option_id(a) == event.option_id), None)
        if chosen is not None and chosen != self.current:
            await self.show_action(chosen)

    # ------------------------------------------------------------------ one action

    async def show_action(self, action: Action) -> None:
        self._keep_current()
        self.current = action
        heading = plain(action.name or action.key, "bold")
        heading.append("  ")
        heading.append_text(plain(action.key, "dim"))
        self.query_one("#action-heading", Static).update(heading)
        self.query_one("#action-description", Static).update(
            plain(action.description or "No description.", keep_newlines=True)
        )
        schema = action.input_schema or {}
        self.query_one("#action-schema", Static).update(
            plain(safe_json(schema), keep_newlines=True)
        )
        self.query_one("#run-status", Static).update("")
        expressible = can_express(schema)
        toggle = self.query_one("#raw-toggle", Checkbox)
        toggle.disabled = not expressible
        with toggle.prevent(Checkbox.Changed):
            toggle.value = not expressible
        await self._show_editor(raw=not expressible, data=self._kept.get(action.key))
        if not expressible:
            self._raw_note("This input needs the raw JSON editor (the form cannot show it).")

    def _keep_current(self) -> None:
        if self.current is None:
            return
        data = self._current_input_lenient()
        if data is not None:
            self._kept.pop(self.current.key, None)  # the newest goes last
            self._kept[self.current.key] = data
            while len(self._kept) > KEPT_INPUTS:
                del self._kept[next(iter(self._kept))]

    def _current_input_lenient(self) -> dict[str, Any] | None:
        form = self._form()
        if form is not None and form.display:
            return form.to_input()
        data, _ = raw_errors(None, self.query_one("#raw-input", TextArea).text)
        return data if isinstance(data, dict) else None

    def _form(self) -> SchemaForm | None:
        found = self.query("#action-form").results(SchemaForm)
        return next(iter(found), None)

    async def _show_editor(self, *, raw: bool, data: dict[str, Any] | None) -> None:
        assert self.current is not None
        schema = self.current.input_schema or {}
        holder = self.query_one("#form-holder", Vertical)
        await holder.remove_children()
        editor = self.query_one("#raw-input", TextArea)
        self._raw_note("")
        if raw:
            editor.load_text(json.dumps(data if data is not None else {}, indent=2))
        else:
            form = build_form(schema)
            values = values_from_input(form, data) if data is not None else None
            await holder.mount(SchemaForm(form, values, id="action-form"))
        editor.display = raw

    @on(Checkbox.Changed, "#raw-toggle")
    async def _toggle_changed(self, event: Checkbox.Changed) -> None:
        await self._switch_editor(event.value)

    def action_toggle_raw(self) -> None:
        toggle = self.query_one("#raw-toggle", Checkbox)
        if not toggle.disabled:
            toggle.value = not toggle.value

    async def _switch_editor(self, raw: bool) -> None:
        if self.current is None:
            return
        if raw:
            form = self._form()
            await self._show_editor(raw=True, data=form.to_input() if form else None)
            return
        data, errors = raw_errors(None, self.query_one("#raw-input", TextArea).text)
        if errors:
            # stay on the raw editor: the form cannot hold text that is not JSON
            toggle = self.query_one("#raw-toggle", Checkbox)
            with toggle.prevent(Checkbox.Changed):
                toggle.value = True
            self._show_raw_errors(errors)
            return
        await self._show_editor(raw=False, data=data)

    def _raw_note(self, text: str) -> None:
        self.query_one("#raw-error", Static).update(Text(text, style="italic", end=""))

    def _show_raw_errors(self, errors: list[FieldError]) -> None:
        lines = [f"✖ {e.path + ': ' if e.path else ''}{e.message}" for e in errors]
        self.query_one("#raw-error", Static).update(plain("\n".join(lines), keep_newlines=True))

    # ------------------------------------------------------------------ running

    def checked_input(self) -> dict[str, Any] | None:
        """The input to send, or None after showing why not (beside the fields)."""
        assert self.current is not None
        form = self._form()
        if form is not None and not self.query_one("#raw-input").display:
            return None if form.check() else form.to_input()
        text = self.query_one("#raw-input", TextArea).text
        data, errors = raw_errors(self.current.input_schema, text)
        self._show_raw_errors(errors)
        return None if errors else cast("dict[str, Any]", data)

    def action_run(self) -> None:
        if self.current is None:
            self.notify("Choose an action first.", severity="warning")
            return
        if self.running:
            self.notify("The action is still running.", severity="warning")
            return
        data = self.checked_input()
        if data is None:
            self.query_one("#run-status", Static).update(
                Text("Fix the marked fields first.", style="bold red", end="")
            )
            return
        self.running = True  # set before the worker starts: a second press must not slip in
        self._run(self.current, data)

    @on(Button.Pressed, "#run-action")
    def _run_pressed(self) -> None:
        self.action_run()

    @on(Button.Pressed, "#copy-output")
    def _copy_pressed(self) -> None:
        self.query_one("#action-output", JsonTree).action_copy()

    @work(group="action-run", exit_on_error=False)
    async def _run(self, action: Action, data: dict[str, Any]) -> None:
        status = self.query_one("#run-status", Static)
        tree = self.query_one("#action-output", JsonTree)
        status.update(Text("Running…", style="italic", end=""))
        tree.loading = True
        failed_run: list[str] = []
        try:

            async def call() -> ActionRun:
                await self.app.wait_for_connect()
                try:
                    # by the id the listing gave: a catalog action is not found by its key
                    return await self.app.ws.membrane.run_action(action, data)
                except SmstuiError as err:
                    if err.action_run_id:
                        failed_run.append(err.action_run_id)
                    raise

            run = await self.app.guarded(f"Running {action.key}", call())
        finally:
            tree.loading = False
            self.running = False
        if run is None:
            failed = Text("Failed", style="bold red", end="")
            if failed_run:  # users look the run up in Membrane's console (the notification
                # shows the id too, in full)
                failed.append_text(plain(f" · run {failed_run[0]}", "dim"))
            failed.append(" (see the notification).", style="bold red")
            status.update(failed)
            return
        result = run.result
        run_note = visible(f"run {result.action_run_id or 'id not given'}")  # server text
        # the output's title carries the run id too: the status line is short on a narrow screen
        if result.output is None:
            # an action whose call returns nothing (a delete) may answer without an output
            tree.show(None, label=f"{action.key}: no output · {run_note}")
        else:
            # an answer can carry credentials (an account's api_key): masked on screen and
            # in copies
            tree.show(mask_secrets(result.output), label=f"{action.key} · {run_note}")
        done = Text("Done", style="bold green", end="")
        done.append_text(plain(f" · {run_note}", "dim"))
        status.update(done)
