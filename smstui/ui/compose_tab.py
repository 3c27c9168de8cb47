"""Compose: recipients, sender, body with a live segment meter, template, schedule, send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from smstui.core.errors import SmstuiError, ValidationError
from smstui.core.models import OutgoingSms
from smstui.core.phone import parse_recipients, validate_sender_id
from smstui.core.sms_text import normalise_newlines, segments_for
from smstui.ui.backend import Quote, RecipientResult
from smstui.ui.safe_text import plain
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.widgets.segment_meter import SegmentMeter

if TYPE_CHECKING:
    from smstui.ui.app import SmsApp

DRAFT_DELAY = 0.5  # seconds of quiet before the draft is saved (brief: <= 1 s)
PRICE_DELAY = 0.8  # seconds of quiet before a price estimate is requested


def local_tz_name() -> str:
    return datetime.now().astimezone().tzname() or "local"


def parse_schedule(date_text: str, time_text: str) -> datetime | None:
    """Local date + time typed by the user -> aware UTC datetime (None when both are empty)."""
    date_text, time_text = date_text.strip(), time_text.strip()
    if not date_text and not time_text:
        return None
    if not date_text:
        raise ValidationError("Give a date (YYYY-MM-DD) for the schedule", field="schedule")
    try:
        naive = datetime.strptime(f"{date_text} {time_text or '00:00'}", "%Y-%m-%d %H:%M")
    except ValueError:
        raise ValidationError(
            "Schedule must look like 2025-12-31 and 09:30", field="schedule"
        ) from None
    when = naive.astimezone().astimezone(UTC)  # naive = local time of this machine
    if when <= datetime.now(UTC):
        raise ValidationError("The schedule is in the past", field="schedule")
    return when


def describe_results(results: Sequence[RecipientResult]) -> Text:
    text = Text(end="")
    for r in results:
        mark, style = {
            "accepted": ("✔", "green"),
            "rejected": ("✖", "red"),
            "unknown": ("?", "yellow"),
        }[r.outcome]
        text.append(f"{mark} ", style=style)
        text.append_text(plain(r.to))
        if r.outcome == "accepted":
            text.append(f"  accepted  {r.message_id or ''}")
        elif r.outcome == "rejected":
            text.append("  rejected: ")
            text.append_text(plain(r.reason))
        else:
            text.append("  outcome unknown, being reconciled: ")
            text.append_text(plain(r.reason))
        text.append("\n")
    text.rstrip()
    return text


class ComposeTab(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="compose.send"),
        Binding("ctrl+l", "clear", "Clear", id="compose.clear"),
    ]

    def __init__(self) -> None:
        super().__init__(id="compose-tab")
        self._draft_timer: Timer | None = None
        self._price_timer: Timer | None = None
        self._restoring = False
        self.part_cap = 6
        self.last_results: list[RecipientResult] = []

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
            yield Static("", id="recipients-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Label("From", classes="field-label")
                yield Input(placeholder="sender id or number (optional)", id="sender")
                yield Select[str]([], prompt="Insert template", id="template-picker")
            yield Static("", id="sender-error", classes="field-error")
            yield TextArea(id="body", soft_wrap=True, show_line_numbers=False)
            yield SegmentMeter(id="meter")
            yield Static("", id="body-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Label("Schedule", classes="field-label")
                yield Input(placeholder="YYYY-MM-DD", id="schedule-date", max_length=10)
                yield Input(placeholder="HH:MM", id="schedule-time", max_length=5)
                yield Static(f"{local_tz_name()} (sent as UTC)", id="tz-label")
            yield Static("", id="schedule-error", classes="field-error")
            with Horizontal(classes="row"):
                yield Button("Send", id="send", variant="primary")
                yield Static("", id="price")
            yield Static("", id="results")

    def on_mount(self) -> None:
        self._load_templates()
        self._restore_draft()
        self.query_one("#recipients", Input).focus()

    # ------------------------------------------------------------------ draft

    def _restore_draft(self) -> None:
        try:
            draft = self.sms_app.backend.load_draft()
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
        except SmstuiError as err:
            self.notify(f"Draft not saved: {err.message}", severity="warning")

    def _changed(self) -> None:
        if self._restoring:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
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
        self.query_one("#meter", SegmentMeter).text = self.query_one("#body", TextArea).text
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

    # ------------------------------------------------------------------ sending

    def build_messages(self) -> list[OutgoingSms] | None:
        """Validate every field; show each problem next to its field; None if any."""
        ok = True
        region = self.sms_app.backend.default_region
        recipients_text = self.query_one("#recipients", Input).value
        parsed = parse_recipients(recipients_text, region)
        if not parsed.valid and not parsed.invalid:
            self.query_one("#recipients-error", Static).update("✖ Add at least one recipient")
            ok = False
        elif parsed.invalid:
            self._validate_recipients()
            ok = False
        body = normalise_newlines(self.query_one("#body", TextArea).text)
        if not body.strip():
            self.query_one("#body-error", Static).update("✖ The message is empty")
            ok = False
        sender: str | None = None
        raw_sender = self.query_one("#sender", Input).value.strip()
        if raw_sender:
            try:
                sender = validate_sender_id(raw_sender, region)
            except ValidationError as err:
                self.query_one("#sender-error", Static).update(plain(f"✖ {err.message}"))
                ok = False
        schedule: datetime | None = None
        try:
            schedule = parse_schedule(
                self.query_one("#schedule-date", Input).value,
                self.query_one("#schedule-time", Input).value,
            )
        except ValidationError as err:
            self.query_one("#schedule-error", Static).update(plain(f"✖ {err.message}"))
            ok = False
        if not ok:
            return None
        return [
            OutgoingSms(to=to, body=body, sender=sender, schedule=schedule) for to in parsed.valid
        ]

    def _estimate(self) -> None:
        self._price_timer = None
        region = self.sms_app.backend.default_region
        parsed = parse_recipients(self.query_one("#recipients", Input).value, region)
        body = self.query_one("#body", TextArea).text
        if parsed.invalid or not parsed.valid or not body.strip():
            return
        messages = [OutgoingSms(to=to, body=normalise_newlines(body)) for to in parsed.valid]
        self._price_worker(messages)

    @work(exclusive=True, group="price", exit_on_error=False)
    async def _price_worker(self, messages: list[OutgoingSms]) -> None:
        price = self.query_one("#price", Static)
        price.update("estimating…")
        quote = await self.sms_app.guarded("Price estimate", self.sms_app.backend.price(messages))
        price.update(self._quote_text(quote) if quote else "")

    @staticmethod
    def _quote_text(quote: Quote) -> str:
        return f"Estimate: {quote.total:.4f} {quote.currency} for {quote.parts} part(s)"

    def action_send(self) -> None:
        messages = self.build_messages()
        if messages is None:
            self.notify("Fix the highlighted fields first.", severity="error")
            return
        self._confirm_and_send(messages)

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        self.action_send()

    @work(exclusive=True, group="send", exit_on_error=False)
    async def _confirm_and_send(self, messages: list[OutgoingSms]) -> None:
        app = self.sms_app
        button = self.query_one("#send", Button)
        button.loading = True
        try:
            quote = await app.guarded("Price estimate", app.backend.price(messages))
        finally:
            button.loading = False
        if quote is None:
            return
        info = segments_for(messages[0].body, part_cap=self.part_cap)
        body = Text(end="")
        body.append("To: ", style="bold")
        body.append_text(plain(", ".join(m.to for m in messages)))
        body.append(f"\n{info.parts} part(s) each, {info.encoding}")
        if messages[0].schedule:
            local = messages[0].schedule.astimezone()
            body.append(f"\nScheduled for {local:%Y-%m-%d %H:%M %Z}")
        body.append(f"\nTotal cost: {quote.total:.4f} {quote.currency} ({quote.parts} part(s))")
        if not await app.push_screen_wait(
            ConfirmScreen(f"Send to {len(messages)} recipient(s)?", body, yes="Send")
        ):
            return
        button.loading = True
        try:
            results = await app.guarded("Send", app.backend.send(messages))
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
