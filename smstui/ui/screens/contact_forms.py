"""Dialogs of the Contacts tab: a list name, and a contact (validated before it leaves)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from smstui.core.errors import ValidationError
from smstui.core.models import Contact, NewContact
from smstui.core.phone import normalise_number
from smstui.ui.safe_text import plain

FORM_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 72; max-width: 95%; height: auto; max-height: 95%;
    border: thick $primary; background: $surface; padding: 0 1;
}}
{name} .title {{ text-style: bold; margin-bottom: 1; }}
{name} .row {{ height: auto; }}
{name} .form-label {{ width: 14; padding: 1 1 0 0; }}
{name} Input {{ width: 1fr; }}
{name} .field-error {{ color: $error; height: auto; padding-left: 14; }}
{name} .buttons {{ height: auto; align-horizontal: right; }}
{name} .buttons Button {{ margin-left: 2; }}
"""


def _error(message: str) -> Text:
    return plain(f"✖ {message}")


class NamePrompt(ModalScreen[str | None]):
    """Asks for a list name; dismisses with the cleaned name or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]
    DEFAULT_CSS = FORM_CSS.format(name="NamePrompt")

    def __init__(self, title: str, value: str = "", *, ok: str = "Save") -> None:
        super().__init__()
        self._title = title
        self._value = value
        self._ok = ok

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self._title), classes="title")
            with Horizontal(classes="row"):
                yield Label("Name", classes="form-label")
                yield Input(self._value, id="name-input")
            yield Static("", id="name-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self._ok, id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#name-input", Input).focus()

    @on(Input.Submitted, "#name-input")
    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        name = " ".join(self.query_one("#name-input", Input).value.split())
        if not name:
            self.query_one("#name-error", Static).update(_error("The name is empty."))
            return
        self.dismiss(name)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


#: (field id, label, placeholder)
_FIELDS = (
    ("phone", "Phone", "+61411111111 or 0411 111 111"),
    ("first", "First name", ""),
    ("last", "Last name", ""),
    ("email", "Email", ""),
    ("org", "Organisation", ""),
)


class ContactForm(ModalScreen[NewContact | None]):
    """Add or edit a contact; each problem is shown under its field, nothing leaves until
    every field is valid."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "save", "Save", id="dialog.save"),
    ]
    DEFAULT_CSS = FORM_CSS.format(name="ContactForm")

    def __init__(self, title: str, default_region: str, contact: Contact | None = None) -> None:
        super().__init__()
        self._title = title
        self._region = default_region
        self._contact = contact

    def _initial(self, field: str) -> str:
        c = self._contact
        if c is None:
            return ""
        return {
            "phone": c.phone_number or "",
            "first": c.first_name,
            "last": c.last_name,
            "email": c.email,
            "org": c.organization_name,
        }[field]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self._title), classes="title")
            for field, label, placeholder in _FIELDS:
                with Horizontal(classes="row"):
                    yield Label(label, classes="form-label")
                    yield Input(self._initial(field), placeholder=placeholder, id=f"f-{field}")
                yield Static("", id=f"f-{field}-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#f-phone", Input).focus()

    def _value(self, field: str) -> str | None:
        return self.query_one(f"#f-{field}", Input).value.strip() or None

    @on(Input.Changed)
    def _clear_error(self, event: Input.Changed) -> None:
        if event.input.id:
            self.query_one(f"#{event.input.id}-error", Static).update("")

    def build(self) -> NewContact | None:
        errors: dict[str, str] = {}
        phone = self._value("phone")
        if phone is not None:
            try:
                phone = normalise_number(phone, self._region)
            except ValidationError as err:
                errors["phone"] = err.message
        email = self._value("email")
        if email is not None and ("@" not in email or email.startswith("@") or " " in email):
            errors["email"] = "That does not look like an email address."
        if phone is None and email is None:
            errors["phone"] = "A contact needs a phone number or an email."
        for field, message in errors.items():
            self.query_one(f"#f-{field}-error", Static).update(_error(message))
        if errors:
            return None
        return NewContact(
            phone_number=phone,
            first_name=self._value("first"),
            last_name=self._value("last"),
            email=email,
            organization_name=self._value("org"),
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        contact = self.build()
        if contact is not None:
            self.dismiss(contact)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
