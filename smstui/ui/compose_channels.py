"""Compose's MMS and voice fields (the widget; the messages each mode sends are the core's).

SMS keeps Compose's own fields; MMS adds a subject (at most 20 characters) and a media URL;
voice adds the voice, the language (from ClickSend's language list, asked once), and the
``require_input`` / ``machine_detection`` switches. The checks are the core's
(``smstui.core.service.drafts``), so the TUI and the CLI refuse the same things.
"""

from __future__ import annotations

from textual import getters, work
from textual.containers import Horizontal, Vertical
from textual.widget import AwaitMount
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
from smstui.ui.widgets.field_error import show_field_error
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
        self.mode: Mode = "sms"
        self._built = False

    def _build(self) -> list[AwaitMount]:
        """Mount the fields, each container before its children so that every field is in
        the DOM when this returns (queryable, values can be set; children given to a
        container's constructor would join it only when it is mounted)."""
        self._built = True
        mms = Horizontal(id="mms-fields", classes="row")
        voice = Vertical(id="voice-fields")
        voice_row = Horizontal(classes="row")
        # one line (compact switches): at 80x24 the voice mode still shows the body,
        # meter, Send and schedule without scrolling
        switches = Horizontal(classes="row", id="voice-switches")
        return [
            self.mount_all([mms, voice]),
            mms.mount_all(
                [
                    Label("Subject", classes="field-label"),
                    Input(placeholder="MMS subject", id="mms-subject", max_length=MAX_SUBJECT),
                    Static(f"0/{MAX_SUBJECT}", id="subject-count"),
                    Input(placeholder="https://…/picture.jpg (.jpg or .gif)", id="mms-media"),
                ]
            ),
            voice.mount_all([voice_row, switches]),
            voice_row.mount_all(
                [
                    Label("Voice", classes="field-label"),
                    LeanSelect[str](
                        [("female", "female"), ("male", "male")],
                        value="female",
                        allow_blank=False,
                        id="voice-gender",
                    ),
                    LeanSelect[str](
                        [("English, Australia (en-au)", DEFAULT_LANG)],
                        value=DEFAULT_LANG,
                        allow_blank=False,
                        id="voice-lang",
                    ),
                ]
            ),
            switches.mount_all(
                [
                    Checkbox("require input (keypad)", id="voice-require-input", compact=True),
                    Checkbox("machine detection", id="voice-machine", compact=True),
                ]
            ),
        ]

    def on_mount(self) -> None:
        self.set_mode("sms")

    @property
    def built(self) -> bool:
        """Whether the fields exist: they are built the first time MMS or voice is chosen
        (an SMS-only session never carries their 24 widgets, each a cost on every key that
        Textual's Pilot drives: the History bench, the tests)."""
        return self._built

    def set_mode(self, mode: Mode) -> None:
        self.mode = mode
        if mode != "sms" and not self.built:
            # shown once mounted, so that the form is laid out once with them, as when they
            # were always there
            mounted = self._build()

            async def show() -> None:
                for waiting in mounted:
                    await waiting
                self._apply_mode()

            self.call_next(show)
            return
        self._apply_mode()

    def _apply_mode(self) -> None:
        mode = self.mode
        if not self.built:
            self.display = False
            return
        self.query_one("#mms-fields").display = mode == "mms"
        self.query_one("#voice-fields").display = mode == "voice"
        self.display = mode != "sms"
        self.show_error("")
        if mode == "voice" and self.languages is None:
            self.load_languages()

    def show_error(self, message: str) -> None:
        show_field_error(self, "channel-error", plain(message and f"✖ {message}"))

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
        if not self.built:
            return MmsFields(subject="", media_url="")  # what the empty fields hold
        return MmsFields(
            subject=self.query_one("#mms-subject", Input).value,
            media_url=self.query_one("#mms-media", Input).value,
        )

    def voice(self) -> VoiceFields:
        if not self.built:  # what the fields hold when built
            return VoiceFields(
                voice="female", lang=DEFAULT_LANG, require_input=False, machine_detection=False
            )
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
        if mms is not None and (self.built or mms.subject or mms.media_url):
            if not self.built:
                self._build()
            self.query_one("#mms-subject", Input).value = mms.subject
            self.query_one("#mms-media", Input).value = mms.media_url

    def clear(self) -> None:
        if not self.built:
            return  # nothing typed in fields that do not exist
        self.prefill(MmsFields("", ""))
        self.query_one("#voice-require-input", Checkbox).value = False
        self.query_one("#voice-machine", Checkbox).value = False
