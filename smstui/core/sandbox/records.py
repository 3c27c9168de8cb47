"""The simulated ClickSend account's stored messages, and how their state follows the clock.

Outcomes (delivered or not, replied or not) are drawn from the seeded RNG when a message is
accepted; only their *visibility* depends on the clock, so ``world.advance()`` is enough to
make receipts and replies arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

RECEIPT_DELIVERED_TEXT = "Success: Message received on handset."

#: (error_code, status_code, text) for permanent failures, from ClickSend's gateway code list
FAILURES: tuple[tuple[str, str, str], ...] = (
    ("8", "301", "Unknown subscriber (inactive or invalid number)."),
    ("12", "301", "Absent subscriber (phone switched off)."),
    ("13", "301", "Handset memory full."),
    ("15", "301", "Rejected by network."),
    ("19", "301", "Anti-spam rejection."),
)


@dataclass(slots=True)
class SmsRecord:
    """One outbound message that ClickSend accepted (or cancelled)."""

    message_id: str
    to: str
    sender: str
    body: str
    date: int  # when it was submitted
    send_at: int  # schedule, or ``date`` when sent now
    parts: int
    price: Decimal
    country: str
    carrier: str
    custom_string: str | None
    is_shared: bool
    test_number: bool
    #: None for test numbers (they never get a receipt)
    receipt_due: float | None
    delivered: bool = True
    failure: tuple[str, str, str] | None = None
    cancelled: bool = False
    receipt_read: bool = False
    scheduled: bool = False

    def status_at(self, now: float) -> tuple[str, str | None, str | None]:
        """History ``(status, status_code, status_text)`` at time ``now``."""
        if self.cancelled:
            return "Cancelled", None, None
        if self.scheduled and now < self.send_at:
            return "Scheduled", None, None
        if now < self.send_at + 1:
            return "Queued", None, None
        if self.receipt_due is None or now < self.receipt_due:
            return "Sent", "200", "Sent by network"
        if self.delivered:
            return "Sent", "201", "Message delivered to the handset"
        assert self.failure is not None
        return "Failed", self.failure[1], "Delivery failure"

    def receipt_visible(self, now: float) -> bool:
        return not self.cancelled and self.receipt_due is not None and now >= self.receipt_due

    def history_value(self, name: str, now: float) -> Any:
        """``history_json(now, ...)[name]`` for the fields history filters and sorts on,
        without building the row: a listing filters thousands and serialises one page."""
        if name == "status":
            return self.status_at(now)[0]
        if name == "from":
            return self.sender
        return getattr(self, name)  # date, to, body, message_id, custom_string

    def history_json(self, now: float, user: dict[str, Any]) -> dict[str, Any]:
        status, code, text = self.status_at(now)
        failed = status == "Failed" and self.failure is not None
        return {
            "direction": "out",
            "date": self.date,
            "to": self.to,
            "body": self.body,
            "status": status,
            "from": self.sender,
            "schedule": str(self.send_at),
            "status_code": code,
            "status_text": text,
            "error_code": self.failure[0] if failed and self.failure else None,
            "error_text": self.failure[2] if failed and self.failure else None,
            "message_id": self.message_id,
            "message_parts": self.parts,
            "message_price": f"{self.price:.4f}",
            "from_email": None,
            "list_id": None,
            "custom_string": self.custom_string,
            "contact_id": None,
            "user_id": user["user_id"],
            "subaccount_id": user["subaccount_id"],
            "country": self.country,
            "carrier": self.carrier,
            "first_name": None,
            "last_name": None,
            "_api_username": user["username"],
        }

    def receipt_json(self, subaccount_id: int) -> dict[str, Any]:
        assert self.receipt_due is not None
        failure = None if self.delivered else self.failure
        # integers, as ClickSend's SDK 6 model (SmsReceipt) has them; the reference's
        # examples show status_code as a string: smstui's parser reads both
        return {
            "timestamp_send": self.send_at,
            "timestamp": int(self.receipt_due),
            "message_id": self.message_id,
            "status_code": int(failure[1]) if failure else 201,
            "status_text": failure[2] if failure else RECEIPT_DELIVERED_TEXT,
            "error_code": int(failure[0]) if failure else None,
            "error_text": failure[2] if failure else None,
            "custom_string": self.custom_string,
            "subaccount_id": subaccount_id,
            "message_type": "sms",
            "digits": None,
        }


@dataclass(slots=True)
class InboundRecord:
    """A reply (or any inbound SMS) to the account's number; visible once ``timestamp`` passed."""

    message_id: str
    sender: str
    to: str
    body: str
    timestamp: int
    original_message_id: str | None
    original_body: str | None
    custom_string: str
    read: bool = False

    def json(self) -> dict[str, Any]:
        keyword = self.body.split()[0].lower() if self.body.split() else ""
        return {
            "timestamp": self.timestamp,
            "from": self.sender,
            "body": self.body,
            "original_body": self.original_body,
            "original_message_id": self.original_message_id,
            "to": self.to,
            "custom_string": self.custom_string,
            "message_id": self.message_id,
            "_keyword": keyword,
        }

    def history_value(self, name: str, now: float) -> Any:
        """``history_json(...)[name]`` for the fields history filters and sorts on."""
        if name == "status":
            return "Received"
        if name == "from":
            return self.sender
        if name == "date":
            return self.timestamp
        return getattr(self, name)  # to, body, message_id, custom_string

    def history_json(self, user: dict[str, Any]) -> dict[str, Any]:
        return {
            "direction": "in",
            "date": self.timestamp,
            "to": self.to,
            "body": self.body,
            "status": "Received",
            "from": self.sender,
            "schedule": "",
            "status_code": None,
            "status_text": None,
            "error_code": None,
            "error_text": None,
            "message_id": self.message_id,
            "message_parts": 1,
            "message_price": "0.0000",
            "from_email": None,
            "list_id": None,
            "custom_string": self.custom_string,
            "contact_id": None,
            "user_id": user["user_id"],
            "subaccount_id": user["subaccount_id"],
            "country": None,
            "carrier": None,
            "first_name": None,
            "last_name": None,
            "_api_username": user["username"],
        }


@dataclass(slots=True)
class TemplateRecord:
    template_id: int
    name: str
    body: str

    def json(self) -> dict[str, Any]:
        return {"template_id": self.template_id, "template_name": self.name, "body": self.body}
