"""Compose's form: recipients (numbers, picked contacts and lists), SMS / MMS / voice,
sender, body with a live meter, template, schedule; the draft saved as it is typed; each
field checked as it changes; a price estimate when typing pauses.

``ComposeTab`` (``compose.py``) is this form plus sending: confirm, send, show the results."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from smstui.core.errors import SmstuiError, StoreError, ValidationError
from smstui.core.models import ContactList
from smstui.core.phone import parse_recipients, validate_sender_id
from smstui.core.service import DRAFT_KEY, Quote
from smstui.core.sms_text import normalise_newlines
from smstui.core.when import local_tz_name, parse_schedule
from smstui.ui.compose_channels import MODE_TITLES, MODES, ChannelFields, Mode
from smstui.ui.compose_send import ComposeDraft, MemberCache, quote_text
from smstui.ui.safe_text import plain
from smstui.ui.tabs.base import SmsTab
from smstui.ui.widgets.channel_meter import ChannelMeter
from smstui.ui.widgets.field_error import show_field_error
from smstui.ui.widgets.lean_select import LeanSelect
from smstui.ui.widgets.segment_meter import SegmentMeter

DRAFT_DELAY = 0.5  # at most this long after a change the draft is saved (brief: <= 1 s)
PRICE_DELAY = 0.8  # seconds of quiet before a price estimate is requested


def zone_label() -> str:
    """The local zone the schedule is typed in, by name and offset (it is sent as UTC)."""
    now = datetime.now().astimezone()
    raw = now.strftime("%z")  # "+1000"
    offset = f"UTC{raw[:3]}:{raw[3:]}"
    name = local_tz_name()
    zone = offset if name in ("UTC", "local", raw) else f"{name}, {offset}"
    return f"local time ({zone}); sent as UTC"


class ComposeForm(Vertical, SmsTab):
    """The fields and what they hold; ``build_draft`` reads them into a ``ComposeDraft``."""

    def __init__(self) -> None:
        super().__init__(id="compose-tab")
        self._draft_timer: Timer | None = None
        self._price_timer: Timer | None = None
        self._restoring = False
        #: the saved draft could not be read when this tab was built (the store was away)
        self._draft_unread = False
        self.part_cap = 6
        self.mode: Mode = "sms"
        self.picked_lists: dict[str, ContactList] = {}
        self.members = MemberCache()

    def focus_default(self) -> None:
        self.query_one("#recipients", Input).focus()

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            with Horizontal(classes="row"):
                yield Label("To", classes="field-label")
                yield Input(placeholder="+61411111111, 0412 345 678 …", id="recipients")
                yield Button("Pick…", id="pick", tooltip="Pick contacts or lists (ctrl+t)")
                yield LeanSelect[str](
                    [(MODE_TITLES[m], m) for m in MODES], value="sms", allow_blank=False, id="mode"
                )
            with Horizontal(classes="row"):
                yield Label("From", classes="field-label")
                yield Input(placeholder="sender id or number (optional)", id="sender")
                yield LeanSelect[str]([], prompt="Insert template", id="template-picker")
            yield ChannelFields()
            body = TextArea(id="body", soft_wrap=True, show_line_numbers=False)
            body.border_title = "Message"
            yield body
            # Send sits beside the meter (a one-line button), so that at 80x24 recipients,
            # body, meter, schedule and Send all show without scrolling, in every mode (the
            # error lines take no room while empty, and are mounted when first needed:
            # FieldError)
            with Horizontal(classes="row", id="meter-row"):
                yield SegmentMeter(id="meter")
                yield Button("Send", id="send", variant="primary", compact=True)
            with Horizontal(classes="row"):
                yield Label("Schedule", classes="field-label")
                yield Input(placeholder="YYYY-MM-DD", id="schedule-date", max_length=10)
                yield Input(placeholder="HH:MM", id="schedule-time", max_length=5)
                yield Static(zone_label(), id="tz-label")
            yield Static("", id="price")
            yield Static("", id="results")

    def on_mount(self) -> None:
        if not self.children:
            # the app quit while this tab was being built (it is built right after the first
            # frame): Textual mounts nothing into a closing widget, so there is nothing to set
            return
        self._load_templates()
        self._restore_draft()
        self.query_one("#recipients", Input).focus()
        if self.app.account is not None:  # read before this tab was built
            self.set_part_cap(self.app.account.part_cap)

    # ------------------------------------------------------------------ draft

    def _restore_draft(self) -> None:
        try:
            draft = self.app.ws.drafts.load(DRAFT_KEY)
        except StoreError as err:
            self.app.store_failed(err)
            self._draft_unread = True
            return
        except SmstuiError:
            return
        self._draft_unread = False
        self._restoring = True
        self.query_one("#recipients", Input).value = draft.get("to", "")
        self.query_one("#sender", Input).value = draft.get("sender", "")
        self.query_one("#schedule-date", Input).value = draft.get("schedule_date", "")
        self.query_one("#schedule-time", Input).value = draft.get("schedule_time", "")
        self.query_one("#body", TextArea).load_text(draft.get("body", ""))
        self.call_after_refresh(self._done_restoring)

    def _done_restoring(self) -> None:
        self._restoring = False
        self._validate_recipients()

    def store_back(self) -> None:
        """The store opened after this tab was built: the draft saved there shows now,
        unless something was typed meanwhile (what is in the fields is never replaced)."""
        if self._draft_unread and not any(self.current_draft().values()):
            self._restore_draft()

    def current_draft(self) -> dict[str, str]:
        return {
            "to": self.query_one("#recipients", Input).value,
            "sender": self.query_one("#sender", Input).value,
            "body": self.query_one("#body", TextArea).text,
            "schedule_date": self.query_one("#schedule-date", Input).value,
            "schedule_time": self.query_one("#schedule-time", Input).value,
        }

    def save_draft_now(self) -> None:
        self._draft_timer = None
        try:
            self.app.ws.drafts.save(DRAFT_KEY, self.current_draft())
            self.app.store_worked()
        except StoreError as err:
            # the banner says it (once): a toast every half second of typing would not help;
            # the draft stays in the fields
            self.app.store_failed(err)
        except SmstuiError as err:
            self.notify(f"Draft not saved: {err.message}", severity="warning")

    def _changed(self) -> None:
        if self._restoring:
            return
        # a deadline, not a debounce: restarting the timer on every key meant steady typing
        # never saved, and a SIGKILL lost a draft typed long before (save reads the fields)
        if self._draft_timer is None:
            self._draft_timer = self.set_timer(DRAFT_DELAY, self.save_draft_now)
        if self._price_timer is not None:
            self._price_timer.stop()
        self.query_one("#price", Static).update("")
        self._price_timer = self.set_timer(PRICE_DELAY, self._estimate)

    # ------------------------------------------------------------------ live validation

    def show_error(self, error_id: str, content: VisualType) -> None:
        """A field's problem ("" clears it), on its line under the field (mounted when first
        needed: ``show_field_error``)."""
        if error_id == "recipients-error":
            lists = self.query("#picked-lists")
            after = lists.first() if lists else self.query_one("#recipients").parent
            assert isinstance(after, Widget)
            show_field_error(self, error_id, content, after=after)
        elif error_id == "sender-error":
            show_field_error(self, error_id, content, before=self.query_one(ChannelFields))
        elif error_id == "body-error":
            show_field_error(self, error_id, content, after=self.query_one("#meter-row"))
        else:  # schedule-error
            show_field_error(self, error_id, content, before=self.query_one("#price"))

    @on(Input.Changed, "#recipients")
    def _recipients_changed(self) -> None:
        self._validate_recipients()
        self._changed()

    @on(Input.Changed, "#sender")
    @on(Input.Changed, "#schedule-date")
    @on(Input.Changed, "#schedule-time")
    def _field_changed(self, event: Input.Changed) -> None:
        event.stop()
        for name in ("sender-error", "schedule-error"):
            self.show_error(name, "")
        self._changed()

    @on(TextArea.Changed, "#body")
    def _body_changed(self) -> None:
        text = self.query_one("#body", TextArea).text
        self.query_one("#meter", SegmentMeter).text = text
        for meter in self.query("#channel-meter").results(ChannelMeter):
            meter.text = text
        self.show_error("body-error", "")
        self._changed()

    def _validate_recipients(self) -> list[str]:
        text = self.query_one("#recipients", Input).value
        parsed = parse_recipients(text, self.app.ws.default_region)
        opted_out = [] if parsed.invalid else self._opted_out(parsed.valid)
        if parsed.invalid:
            message = Text(end="")
            for raw, reason in parsed.invalid[:3]:
                message.append("✖ ", style="bold")
                message.append_text(plain(f"{raw}: {reason}"))
                message.append("  ")
            self.show_error("recipients-error", message)
        elif parsed.warnings or opted_out:
            message = Text(end="")
            for number, reason in parsed.warnings[:3]:
                message.append("⚠ ", style="bold")
                message.append_text(plain(f"{number}: {reason}"))
                message.append("  ")
            # opted-out recipients are marked as typed; sending asks before including them
            for number in opted_out[:3]:
                message.append("⊘ ", style="bold")
                message.append_text(plain(f"{number}: opted out"))
                message.append("  ")
            self.show_error("recipients-error", message)
        else:
            self.show_error("recipients-error", "")
        self.query_one("#recipients", Input).set_class(bool(parsed.invalid), "-invalid")
        return parsed.valid if not parsed.invalid else []

    def _opted_out(self, numbers: list[str]) -> list[str]:
        """Which typed numbers opted out (local read; a store failure marks none: the
        banner says why, and the send checks again)."""
        if not numbers:
            return []
        try:
            return self.app.ws.optouts.among(numbers, fresh=False)
        except StoreError:
            return []

    def set_part_cap(self, cap: int) -> None:
        self.part_cap = cap
        self.query_one("#meter", SegmentMeter).part_cap = cap

    # ------------------------------------------------------------------ templates

    def _load_templates(self) -> None:
        try:
            templates = self.app.ws.templates.cached()
        except SmstuiError:
            templates = []
        picker = self.query_one("#template-picker", Select)
        picker.set_options((plain(t.name).plain, t.template_id) for t in templates)
        self._templates = {t.template_id: t for t in templates}

    def reload(self) -> None:
        self._load_templates()

    @on(Select.Changed, "#template-picker")
    def _template_chosen(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK or not isinstance(event.value, str):
            return
        template = self._templates.get(event.value)
        if template is not None:
            self.query_one("#body", TextArea).insert(template.body)
        event.select.clear()

    def prefill(self, *, to: str = "", body: str | None = None) -> None:
        if to:
            self.query_one("#recipients", Input).value = to
        if body is not None:
            self.query_one("#body", TextArea).load_text(body)
        self.query_one("#body", TextArea).focus()

    # ------------------------------------------------------------------ mode and recipients

    def set_mode(self, mode: Mode) -> None:
        self.mode = mode
        select = self.query_one("#mode", Select)
        if select.value != mode:
            select.value = mode
        self.query_one(ChannelFields).set_mode(mode)
        self.query_one("#meter").display = mode == "sms"
        found = self.query("#channel-meter").results(ChannelMeter)
        meter = next(found, None)
        if meter is None and mode != "sms":
            # mounted the first time a mode needs it (each widget costs on every key that
            # Textual's Pilot drives: the History bench, the tests)
            meter = ChannelMeter(id="channel-meter")
            meter.text = self.query_one("#body", TextArea).text
            self.query_one("#meter-row").mount(meter, after="#meter")
        if meter is not None:
            meter.display = mode != "sms"
            if mode != "sms":
                meter.mode = mode
        # a voice call has no sender id: ClickSend calls from its own numbers
        self.query_one("#sender", Input).disabled = mode == "voice"
        self.show_error("body-error", "")
        self._changed()

    @on(Select.Changed, "#mode")
    def _mode_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str) and event.value in MODES and event.value != self.mode:
            self.set_mode(cast("Mode", event.value))

    def action_cycle_mode(self) -> None:
        self.set_mode(MODES[(MODES.index(self.mode) + 1) % len(MODES)])

    @on(Button.Pressed, "#pick")
    def _pick_pressed(self) -> None:
        self.action_pick()

    @work(exclusive=True, group="pick", exit_on_error=False)
    async def action_pick(self) -> None:
        from smstui.ui.screens.recipient_picker import RecipientPicker

        pick = await self.app.push_screen_wait(RecipientPicker())
        if isinstance(pick, ContactList):
            self.picked_lists[pick.list_id] = pick
            self.members.forget(pick.list_id)
            self._show_picked()
        elif isinstance(pick, str):
            box = self.query_one("#recipients", Input)
            box.value = f"{box.value.rstrip(' ,')}, {pick}" if box.value.strip() else pick
        self._changed()

    def _show_picked(self) -> None:
        found = self.query("#picked-lists").results(Static)
        label = next(found, None)
        if label is None:
            if not self.picked_lists:
                return
            # mounted the first time a list is picked, under the recipients' row
            label = Static("", id="picked-lists")
            row = self.query_one("#recipients").parent
            assert isinstance(row, Widget)
            assert isinstance(row.parent, Widget)
            row.parent.mount(label, after=row)
        label.display = bool(self.picked_lists)
        if not self.picked_lists:
            label.update("")
            return
        text = Text("Lists: ", end="")
        for i, item in enumerate(self.picked_lists.values()):
            if i:
                text.append(" · ")
            text.append_text(plain(item.name, "bold"))
            text.append(f" ({item.contacts_count:,})")
        text.append("   ctrl+l clears")
        label.update(text)
        self.show_error("recipients-error", "")

    # ------------------------------------------------------------------ sending

    def build_draft(self, *, show_errors: bool = True) -> ComposeDraft | None:
        """Validate every field; show each problem next to its field; None if any."""
        ok = True
        region = self.app.ws.default_region

        def problem(widget_id: str, message: str) -> None:
            nonlocal ok
            ok = False
            if show_errors:
                self.show_error(widget_id, plain(f"✖ {message}"))

        parsed = parse_recipients(self.query_one("#recipients", Input).value, region)
        if not parsed.valid and not parsed.invalid and not self.picked_lists:
            problem("recipients-error", "Add at least one recipient")
        elif parsed.invalid:
            ok = False
            if show_errors:
                self._validate_recipients()
        body = normalise_newlines(self.query_one("#body", TextArea).text)
        if not body.strip():
            problem("body-error", "The message is empty")
        sender: str | None = None
        raw_sender = self.query_one("#sender", Input).value.strip()
        if raw_sender and self.mode != "voice":
            try:
                sender = validate_sender_id(raw_sender, region)
            except ValidationError as err:
                problem("sender-error", err.message)
        schedule: datetime | None = None
        try:
            schedule = parse_schedule(
                self.query_one("#schedule-date", Input).value,
                self.query_one("#schedule-time", Input).value,
            )
        except ValidationError as err:
            problem("schedule-error", err.message)
        fields = self.query_one(ChannelFields)
        if ok and self.mode != "sms":
            issue = fields.check(self.mode, body)
            if issue is not None:
                ok = False
                if show_errors and issue.field == "body":
                    self.show_error("body-error", plain(f"✖ {issue.message}"))
                elif show_errors:
                    fields.show_error(issue.message)
        if not ok:
            return None
        return ComposeDraft(
            mode=self.mode,
            numbers=parsed.valid,
            lists=list(self.picked_lists.values()),
            body=body,
            sender=sender,
            schedule=schedule,
            mms=fields.mms(),
            voice=fields.voice(),
            unknown_ranges=[number for number, _ in parsed.warnings],
        )

    def _estimate(self) -> None:
        self._price_timer = None
        draft = self.build_draft(show_errors=False)
        if draft is not None:
            self._price_worker(draft)

    @work(exclusive=True, group="price", exit_on_error=False)
    async def _price_worker(self, draft: ComposeDraft) -> None:
        label = self.query_one("#price", Static)
        label.update("estimating…")
        quote = await self.app.guarded("Price estimate", self._quote(draft))
        label.update(quote_text(quote, draft.mode) if quote else "")

    async def _quote(self, draft: ComposeDraft) -> Quote:
        return await self.app.ws.drafts.estimate(draft, self.members)
