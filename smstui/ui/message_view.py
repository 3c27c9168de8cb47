"""How one stored message is drawn: a list row and a detail pane. All text is untrusted."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from smstui.core.service.history import StoredMessage, shown_status
from smstui.ui.cells import cells
from smstui.ui.safe_text import one_line, plain

STATUS_STYLES = {
    "failed": "red",
    "cancelled": "dim",
    "scheduled": "cyan",
    "received": "magenta",
    "delivered": "green",
}


#: the status a user cares about: the receipt's verdict when there is one
status_of = shown_status


def local_time(when: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return when.astimezone().strftime(fmt) if when else "—"


def handled_note(m: StoredMessage) -> str | None:
    """The row's conversation's mark, "handled by Ana, 10:42" (local time; the day too when
    it was not today); None: not handled."""
    if m.handled_by is None:
        return None
    at = m.handled_at.astimezone() if m.handled_at else None
    today = at is not None and at.date() == datetime.now().astimezone().date()
    return f"handled by {one_line(m.handled_by, 24)}, {local_time(at, '%H:%M' if today else '%m-%d %H:%M')}"


def message_row(m: StoredMessage, width: int, *, handled: bool = False) -> Text:
    """One list line; ``handled``: with the conversation's handled mark (the Inbox)."""
    arrow = "→" if m.direction == "out" else "←"
    number = m.to if m.direction == "out" else m.sender
    status = status_of(m)
    text = Text(end="", no_wrap=True)
    if m.direction == "in" and not m.read:
        text.append("● ", style="bold magenta")
    else:
        text.append("  ")
    text.append(local_time(m.date, "%m-%d %H:%M"), style="dim")
    text.append(f" {arrow} ")
    text.append(one_line(number, 16).ljust(16))
    text.append(" ")
    text.append(status[:10].ljust(10), style=STATUS_STYLES.get(status.lower(), ""))
    text.append(" ")
    if m.channel != "sms":
        # MMS and voice share the list with SMS: their channel is the first thing on the line
        text.append(f"{m.channel.upper()} ", style="bold cyan")
    note = handled_note(m) if handled else None
    if note is not None:
        text.append(f"{note} · ", style="green")
    used = cells(text.plain)  # Rich's text.cell_len, without a lookup per character
    text.append(one_line(m.body, max(1, width - used)))
    return text


def message_detail(m: StoredMessage) -> Text:
    text = Text(end="")

    def field(label: str, value: str | None) -> None:
        if value:
            text.append(f"{label}: ", style="bold")
            text.append_text(plain(value))
            text.append("\n")

    field("Message id", m.message_id)
    field("Direction", "outbound" if m.direction == "out" else "inbound")
    field("Channel", m.channel.upper() if m.channel != "sms" else None)
    field("To", m.to)
    field("From", m.sender)
    field("Status", status_of(m))
    field("Date", local_time(m.date))
    field("Scheduled for", local_time(m.schedule) if m.schedule else None)
    field("Parts", str(m.parts) if m.parts else None)
    field("Price", f"{m.price}" if m.price is not None else None)
    if m.status_code or m.status_text:
        field("Receipt", f"{m.status_code or ''} {m.status_text or ''}".strip())
    field("Receipt at", local_time(m.receipt_at) if m.receipt_at else None)
    field("Sent by", m.sent_by)
    note = handled_note(m)
    field("Conversation", note)
    if m.error_code or m.error_text:
        field("Error", f"{m.error_code or ''} {m.error_text or ''}".strip())
    text.append("\n")
    text.append_text(plain(m.body, keep_newlines=True))
    return text
