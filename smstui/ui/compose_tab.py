"""Compose: recipients (numbers, picked contacts and lists), SMS / MMS / voice, sender, body
with a live meter, template, schedule, price, send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from smstui.core.errors import SmstuiError, StoreError, ValidationError
from smstui.core.models import ContactList
from smstui.core.phone import UNKNOWN_RANGE, parse_recipients, validate_sender_id
from smstui.core.sms_text import normalise_newlines
from smstui.core.when import local_tz_name, parse_schedule
from smstui.ui.backend import Quote, RecipientResult
from smstui.ui.beyond_backend import beyond_of
from smstui.ui.compose_channels import MODE_TITLES, MODES, ChannelFields, Mode, Outgoing
from smstui.ui.compose_send import (
    ComposeDraft,
    MemberCache,
    confirm_text,
    describe_results,
    messages_for,
    price,
    quote_text,
    send,
)
from smstui.ui.safe_text import plain
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.widgets.channel_meter import ChannelMeter
from smstui.ui.widgets.segment_meter import SegmentMeter

if TYPE_CHECKING:
    from smstui.ui.app import SmsApp

DRAFT_DELAY = 0.5  # at most this long after a change the draft is saved (brief: <= 1 s)
PRICE_DELAY = 0.8  # seconds of quiet before a price estimate is requested
SHOWN_UNKNOWN_RANGES = 10  # numbers listed in the unknown-range confirmation


def unknown_ranges_text(numbers: Sequence[str]) -> str:
    """The confirmation for numbers libphonenumber calls possible but does not know."""
    shown = "\n".join(f"  {n}" for n in numbers[:SHOWN_UNKNOWN_RANGES])
    more = len(numbers) - SHOWN_UNKNOWN_RANGES
    return (
        "The phone library does not know these number ranges (new ranges reach it late):\n"
        f"{shown}\n"
        + (f"  … and {more} more\n" if more > 0 else "")
        + f"They are {UNKNOWN_RANGE}: a number that does not exist comes back rejected."
    )


def zone_label() -> str:
    """The local zone the schedule is typed in, by name and offset (it is sent as UTC)."""
    now = datetime.now().astimezone()
    raw = now.strftime("%z")  # "+1000"
    offset = f"UTC{raw[:3]}:{raw[3:]}"
    name = local_tz_name()
    zone = offset if name in ("UTC", "local", raw) else f"{name}, {offset}"
    return f"local time ({zone}); sent as UTC"


class ComposeTab(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="compose.send"),
        Binding("ctrl+l", "clear", "Clear", id="compose.clear"),
        Binding(
            "ctrl+o", "cycle_mode", "Mode", id="compose.mode", tooltip="Switch SMS / MMS / voice"
        ),
        Binding(
            "ctrl+t",
            "pick",
            "Pick",
            id="compose.pick",
            tooltip="Pick contacts or lists as recipients",
        ),
    ]
    DEFAULT_CSS = """
    ComposeTab #mode { width: 14; }
    ComposeTab #pick { min-width: 8; width: 10; }
    ComposeTab #picked-lists { height: auto; padding-left: 10; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__(id="compose-tab")
        self._draft_timer: Timer | None = None
        self._price_timer: Timer | None = None
        self._restoring = False
        self.part_cap = 6
        self.last_results: list[RecipientResult] = []
        self.mode: Mode = "sms"
        self.picked_lists: dict[str, ContactList] = {}
        self.members = MemberCache()

    @property
    def sms_app(self) -> SmsApp:
        return cast("SmsApp", self.app)

    def focus_default(self) -> None:
        self.query_one("#recipients", Input).focus()

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            with Horizontal(classes="row"):
                yield Label("To", classes="field-label")
                yield Input(placeholder="+61411111111, 0412 345 678 …", id="recipients")
                yield Button("Pick…", id="pick", tooltip="Pick contacts or lists (ctrl+t)")
                yield Select[str](
                    [(MODE_TITLES[m], m) for m in MODES], value="sms", allow_blank=False, id="mode"
                )
            yield Static("", id="picked-lists")
            yield Static("", id="recipients-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Label("From", classes="field-label")
                yield Input(placeholder="sender id or number (optional)", id="sender")
                yield Select[str]([], prompt="Insert template", id="template-picker")
            yield Static("", id="sender-error", classes="field-error")
            yield ChannelFields()
            body = TextArea(id="body", soft_wrap=True, show_line_numbers=False)
            body.border_title = "Message"
            yield body
            yield SegmentMeter(id="meter")
            yield ChannelMeter(id="channel-meter")
            yield Static("", id="body-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Label("Schedule", classes="field-label")
                yield Input(placeholder="YYYY-MM-DD", id="schedule-date", max_length=10)
                yield Input(placeholder="HH:MM", id="schedule-time", max_length=5)
                yield Static(zone_label(), id="tz-label")
            yield Static("", id="schedule-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Button("Send", id="send", variant="primary")
                yield Static("", id="price")
            yield Static("", id="results")

    def on_mount(self) -> None:
        self.query_one("#channel-meter").display = False
        self.query_one("#picked-lists").display = False
        self._load_templates()
        self._restore_draft()
        self.query_one("#recipients", Input).focus()

    # ------------------------------------------------------------------ draft

    def _restore_draft(self) -> None:
        try:
            draft = self.sms_app.backend.load_draft()
        except StoreError as err:
            self.sms_app.store_failed(err)
            return
        except SmstuiError:
            return
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
            self.sms_app.backend.save_draft(self.current_draft())
            self.sms_app.store_worked()
        except StoreError as err:
            # the banner says it (once): a toast every half second of typing would not help;
            # the draft stays in the fields
            self.sms_app.store_failed(err)
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
            self.query_one(f"#{name}", Static).update("")
        self._changed()

    @on(TextArea.Changed, "#body")
    def _body_changed(self) -> None:
        text = self.query_one("#body", TextArea).text
        self.query_one("#meter", SegmentMeter).text = text
        self.query_one("#channel-meter", ChannelMeter).text = text
        self.query_one("#body-error", Static).update("")
        self._changed()

    def _validate_recipients(self) -> list[str]:
        text = self.query_one("#recipients", Input).value
        parsed = parse_recipients(text, self.sms_app.backend.default_region)
        error = self.query_one("#recipients-error", Static)
        if parsed.invalid:
            message = Text(end="")
            for raw, reason in parsed.invalid[:3]:
                message.append("✖ ", style="bold")
                message.append_text(plain(f"{raw}: {reason}"))
                message.append("  ")
            error.update(message)
        elif parsed.warnings:
            message = Text(end="")
            for number, reason in parsed.warnings[:3]:
                message.append("⚠ ", style="bold")
                message.append_text(plain(f"{number}: {reason}"))
                message.append("  ")
            error.update(message)
        else:
            error.update("")
        self.query_one("#recipients", Input).set_class(bool(parsed.invalid), "-invalid")
        return parsed.valid if not parsed.invalid else []

    def set_part_cap(self, cap: int) -> None:
        self.part_cap = cap
        self.query_one("#meter", SegmentMeter).part_cap = cap

    # ------------------------------------------------------------------ templates

    def _load_templates(self) -> None:
        try:
            templates = self.sms_app.backend.templates()
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
        meter = self.query_one("#channel-meter", ChannelMeter)
        meter.display = mode != "sms"
        if mode != "sms":
            meter.mode = mode
        # a voice call has no sender id: ClickSend calls from its own numbers
        self.query_one("#sender", Input).disabled = mode == "voice"
        self.query_one("#body-error", Static).update("")
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

        pick = await self.sms_app.push_screen_wait(RecipientPicker())
        if isinstance(pick, ContactList):
            self.picked_lists[pick.list_id] = pick
            self.members.forget(pick.list_id)
            self._show_picked()
        elif isinstance(pick, str):
            box = self.query_one("#recipients", Input)
            box.value = f"{box.value.rstrip(' ,')}, {pick}" if box.value.strip() else pick
        self._changed()

    def _show_picked(self) -> None:
        label = self.query_one("#picked-lists", Static)
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
        self.query_one("#recipients-error", Static).update("")

    # ------------------------------------------------------------------ sending

    def build_draft(self, *, show_errors: bool = True) -> ComposeDraft | None:
        """Validate every field; show each problem next to its field; None if any."""
        ok = True
        region = self.sms_app.backend.default_region

        def problem(widget_id: str, message: str) -> None:
            nonlocal ok
            ok = False
            if show_errors:
                self.query_one(f"#{widget_id}", Static).update(plain(f"✖ {message}"))

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
                    self.query_one("#body-error", Static).update(plain(f"✖ {issue.message}"))
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
        quote = await self.sms_app.guarded("Price estimate", self._quote(draft))
        label.update(quote_text(quote, draft.mode) if quote else "")

    async def _quote(self, draft: ComposeDraft) -> Quote:
        app = self.sms_app
        beyond = beyond_of(app.backend)
        numbers = await self.members.recipients(draft, beyond)
        languages = await beyond.languages() if draft.mode == "voice" else None
        return await price(draft.mode, messages_for(draft, numbers, languages), app.backend, beyond)

    def action_send(self) -> None:
        draft = self.build_draft()
        if draft is None:
            self.notify("Fix the highlighted fields first.", severity="error")
            return
        self._confirm_and_send(draft)

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        self.action_send()

    async def _prepare(self, draft: ComposeDraft) -> tuple[list[Outgoing], Quote]:
        """Recipients expanded, messages checked (voice: against the language list), priced."""
        app = self.sms_app
        beyond = beyond_of(app.backend)
        numbers = await self.members.recipients(draft, beyond)
        if not numbers:
            raise ValidationError("The picked lists have no phone numbers.", field="to")
        languages = await beyond.languages() if draft.mode == "voice" else None
        messages = messages_for(draft, numbers, languages)
        return messages, await price(draft.mode, messages, app.backend, beyond)

    @work(exclusive=True, group="send", exit_on_error=False)
    async def _confirm_and_send(self, draft: ComposeDraft) -> None:
        app = self.sms_app
        if draft.unknown_ranges and not await app.push_screen_wait(
            ConfirmScreen(
                f"{len(draft.unknown_ranges)} number(s) in an unknown range",
                unknown_ranges_text(draft.unknown_ranges),
                yes="Send anyway",
                no="Go back",
            )
        ):
            return
        button = self.query_one("#send", Button)
        button.loading = True
        try:
            prepared = await app.guarded("Price estimate", self._prepare(draft))
        finally:
            button.loading = False
        if prepared is None:
            return
        messages, quote = prepared
        body = confirm_text(draft, messages, quote, self.part_cap)
        title = f"Send {MODE_TITLES[draft.mode]} to {len(messages)} recipient(s)?"
        if not await app.push_screen_wait(ConfirmScreen(title, body, yes="Send")):
            return
        button.loading = True
        try:
            results = await app.guarded(
                "Send", send(draft.mode, messages, app.backend, beyond_of(app.backend))
            )
        finally:
            button.loading = False
        if results is None:
            return
        self.last_results = results
        self.query_one("#results", Static).update(describe_results(results))
        accepted = sum(r.outcome == "accepted" for r in results)
        rejected = sum(r.outcome == "rejected" for r in results)
        self.notify(
            f"{accepted} accepted, {rejected} rejected",
            title="Sent",
            severity="information" if rejected == 0 else "warning",
        )
        if accepted and not rejected:
            self.query_one("#body", TextArea).load_text("")
            self.save_draft_now()
        app.refresh_lists()
        if accepted:
            await app.refresh_account()  # the header's balance went down: show it now

    def update_results(self, revisited: Sequence[RecipientResult]) -> None:
        """A sync reconciled sends whose outcome was unknown: update those result lines."""
        by_row: dict[int | None, RecipientResult] = {
            r.outbox_id: r for r in revisited if r.outbox_id is not None
        }
        if not any(r.outbox_id in by_row for r in self.last_results):
            return
        self.last_results = [by_row.get(r.outbox_id, r) for r in self.last_results]
        self.query_one("#results", Static).update(describe_results(self.last_results))

    def action_clear(self) -> None:
        for name in ("recipients", "sender", "schedule-date", "schedule-time"):
            self.query_one(f"#{name}", Input).value = ""
        self.query_one("#body", TextArea).load_text("")
        self.query_one("#results", Static).update("")
        self.picked_lists.clear()
        self.members.forget()
        self._show_picked()
        self.query_one(ChannelFields).clear()
