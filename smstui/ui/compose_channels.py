"""Compose's MMS and voice fields (the widget; the messages each mode sends are the core's).

SMS keeps Compose's own fields; MMS adds a subject (at most 20 characters) and a media URL;
voice adds the voice, the language (from ClickSend's language list, asked once), and the
``require_input`` / ``machine_detection`` switches. The checks are the core's
(``smstui.core.service.drafts``), so the TUI and the CLI refuse the same things.
"""

from __future__ import annotations

from textual import getters, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Select, Static

from smstui.core.errors import ValidationError
from smstui.core.models import VoiceLanguage
from smstui.core.service.drafts import (
    DEFAULT_LANG,
    MAX_SUBJECT,
    MODE_TITLES,
    MODES,
    MmsFields,
    Mode,
    Outgoing,
    VoiceFields,
    field_problem,
)
from smstui.ui.safe_text import plain
from smstui.ui.shell import SmsShell
from smstui.ui.widgets.field_error import FieldError
from smstui.ui.widgets.lean_select import LeanSelect

__all__ = ["MODES", "MODE_TITLES", "ChannelFields", "MmsFields", "Mode", "Outgoing", "VoiceFields"]


class ChannelFields(Vertical):
    """The extra fields of the MMS and voice modes (hidden in SMS mode)."""

    #: the app, typed (the backend, guarded calls)
    app = getters.app(SmsShell)

    DEFAULT_CSS = """
    ChannelFields { height: auto; }
    ChannelFields .row { height: auto; }
    ChannelFields #mms-subject { width: 30; }
    ChannelFields #mms-media { width: 1fr; }
    ChannelFields #subject-count { width: 8; padding: 1 1 0 1; color: $text-muted; }
    ChannelFields #voice-gender { width: 16; }
    ChannelFields #voice-lang { width: 1fr; max-width: 40; }
    ChannelFields Checkbox { width: auto; margin-right: 2; }
    ChannelFields #voice-switches { padding-left: 10; }
    ChannelFields #voice-fields { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__(id="channel-fields")
        self.languages: list[VoiceLanguage] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="mms-fields", classes="row"):
            yield Label("Subject", classes="field-label")
            yield Input(placeholder="MMS subject", id="mms-subject", max_length=MAX_SUBJECT)
            yield Static(f"0/{MAX_SUBJECT}", id="subject-count")
            yield Input(placeholder="https://…/picture.jpg (.jpg or .gif)", id="mms-media")
        with Vertical(id="voice-fields"):
            with Horizontal(classes="row"):
                yield Label("Voice", classes="field-label")
                yield LeanSelect[str](
                    [("female", "female"), ("male", "male")],
                    value="female",
                    allow_blank=False,
                    id="voice-gender",
                )
                yield LeanSelect[str](
                    [("English, Australia (en-au)", DEFAULT_LANG)],
                    value=DEFAULT_LANG,
                    allow_blank=False,
                    id="voice-lang",
                )
            # one line (compact switches): at 80x24 the voice mode still shows the body,
            # meter, Send and schedule without scrolling
            with Horizontal(classes="row", id="voice-switches"):
                yield Checkbox("require input (keypad)", id="voice-require-input", compact=True)
                yield Checkbox("machine detection", id="voice-machine", compact=True)
        yield FieldError(id="channel-error")

    def on_mount(self) -> None:
        self.set_mode("sms")

    def set_mode(self, mode: Mode) -> None:
        self.display = mode != "sms"
        self.query_one("#mms-fields").display = mode == "mms"
        self.query_one("#voice-fields").display = mode == "voice"
        self.show_error("")
        if mode == "voice" and self.languages is None:
            self.load_languages()

    def show_error(self, message: str) -> None:
        self.query_one("#channel-error", Static).update(plain(message and f"✖ {message}"))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "mms-subject":
            self.query_one("#subject-count", Static).update(f"{len(event.value)}/{MAX_SUBJECT}")
        self.show_error("")

    # ------------------------------------------------------------------ voice languages

    @work(exclusive=True, group="voice-languages", exit_on_error=False)
    async def load_languages(self) -> None:
        select = self.query_one("#voice-lang", Select)
        select.loading = True
        try:
            found = await self.app.guarded("Voice languages", self.app.ws.messages.languages())
        finally:
            select.loading = False
        if not found:
            return
        self.languages = found
        current = select.value
        options = [(plain(f"{lg.name} ({lg.code})").plain, lg.code) for lg in found]
        select.set_options(options)
        codes = {lg.code for lg in found}
        select.value = (
            current
            if current in codes
            else (DEFAULT_LANG if DEFAULT_LANG in codes else found[0].code)
        )

    # ------------------------------------------------------------------ values

    def mms(self) -> MmsFields:
        return MmsFields(
            subject=self.query_one("#mms-subject", Input).value,
            media_url=self.query_one("#mms-media", Input).value,
        )

    def voice(self) -> VoiceFields:
        gender = self.query_one("#voice-gender", Select).value
        lang = self.query_one("#voice-lang", Select).value
        return VoiceFields(
            voice="male" if gender == "male" else "female",
            lang=lang if isinstance(lang, str) else DEFAULT_LANG,
            require_input=self.query_one("#voice-require-input", Checkbox).value,
            machine_detection=self.query_one("#voice-machine", Checkbox).value,
        )

    def check(self, mode: Mode, body: str) -> ValidationError | None:
        """The first problem of ``mode``'s fields and ``body``, before recipients are known."""
        return field_problem(mode, body, self.mms(), self.voice(), self.languages)

    def prefill(self, mms: MmsFields | None = None) -> None:
        if mms is not None:
            self.query_one("#mms-subject", Input).value = mms.subject
            self.query_one("#mms-media", Input).value = mms.media_url

    def clear(self) -> None:
        self.prefill(MmsFields("", ""))
        self.query_one("#voice-require-input", Checkbox).value = False
        self.query_one("#voice-machine", Checkbox).value = False
