"""Typed models that cross the core/UI line.

Parsers in ``smstui.core.clicksend.parse`` and ``smstui.core.membrane.client`` build these from lenient
JSON; everything downstream (store, CLI, TUI) sees only these types. Money is ``Decimal``,
times are timezone-aware UTC ``datetime``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

T = TypeVar("T")

Direction = Literal["out", "in"]

#: per-message statuses ClickSend returns on send/price that mean "accepted"
ACCEPTED_SEND_STATUSES = frozenset({"SUCCESS", "QUEUED"})


# --------------------------------------------------------------------------- ClickSend


@dataclass(frozen=True, slots=True)
class Currency:
    code: str  # "AUD"
    symbol: str = ""  # "$"
    name: str = ""  # "Australian Dollars"

    def format(self, amount: Decimal) -> str:
        return f"{self.symbol}{amount:.4f} {self.code}".strip()


@dataclass(frozen=True, slots=True)
class Account:
    user_id: str
    username: str
    balance: Decimal
    currency: Currency | None
    account_name: str = ""
    email: str = ""
    country: str = ""
    default_country_sms: str = ""
    timezone: str = ""
    #: max SMS parts the account allows (``setting_sms_message_char_limit``), default 6
    part_cap: int = 6
    unicode_enabled: bool = False


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    """One SMS the user wants to send (or price)."""

    to: str  # E.164
    body: str
    sender: str | None = None  # "from": None = shared number
    schedule: datetime | None = None  # None = now
    custom_string: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class SentMessage:
    """The per-message outcome of a send (or a price quote).

    ``status`` is ClickSend's per-message status (``SUCCESS``, ``INVALID_RECIPIENT``,
    ``COUNTRY_NOT_ENABLED``...). Anything not in ``ACCEPTED_SEND_STATUSES`` is a failure.
    """

    to: str
    body: str
    status: str
    message_id: str | None = None
    sender: str | None = None
    parts: int = 0
    price: Decimal | None = None
    date: datetime | None = None
    schedule: datetime | None = None
    custom_string: str | None = None
    country: str | None = None
    carrier: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status.upper() in ACCEPTED_SEND_STATUSES


@dataclass(frozen=True, slots=True)
class SendResult:
    """Result of ``/sms/send`` or ``/sms/price`` (a 200 can carry failed messages)."""

    messages: list[SentMessage]
    total_price: Decimal
    currency: Currency | None
    total_count: int = 0
    queued_count: int = 0
    blocked_count: int = 0

    @property
    def all_accepted(self) -> bool:
        return all(m.accepted for m in self.messages)


@dataclass(frozen=True, slots=True)
class HistoryMessage:
    """A record of ``/sms/history`` (outbound and inbound)."""

    message_id: str
    direction: Direction
    to: str
    sender: str
    body: str
    status: str  # Queued, Completed, Scheduled, WaitApproval, Failed, Cancelled, Received, Sent
    date: datetime | None
    schedule: datetime | None = None
    parts: int = 0
    price: Decimal | None = None
    status_code: str | None = None
    status_text: str | None = None
    error_code: str | None = None
    error_text: str | None = None
    custom_string: str | None = None
    country: str | None = None
    carrier: str | None = None
    list_id: str | None = None
    #: which ClickSend history this record came from
    channel: str = "sms"
    #: the operator whose smstui sent it (set by the outbox; ClickSend's records have none)
    sent_by: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    message_id: str
    sender: str  # "from": who replied
    to: str  # our number
    body: str
    date: datetime | None
    original_message_id: str | None = None  # our outbound message this answers
    original_body: str | None = None
    custom_string: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    message_id: str
    status_code: str | None  # "201" delivered, "200" sent, "300"/"301"/"302" failure
    status_text: str | None
    date: datetime | None  # when the receipt was produced ("timestamp")
    sent_at: datetime | None = None  # "timestamp_send"
    error_code: str | None = None
    error_text: str | None = None
    custom_string: str | None = None
    message_type: str = "sms"

    @property
    def delivered(self) -> bool:
        return self.status_code == "201"

    @property
    def failed(self) -> bool:
        return self.status_code in {"300", "301", "302"}


@dataclass(frozen=True, slots=True)
class Template:
    template_id: str
    name: str
    body: str


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a ClickSend paginated list (``page`` is 1-based)."""

    items: list[T]
    page: int = 1
    last_page: int = 1
    total: int = 0
    per_page: int = 15

    @property
    def has_next(self) -> bool:
        return self.page < self.last_page


AutomationKind = Literal["inbound", "receipt"]


@dataclass(frozen=True, slots=True)
class AutomationRule:
    """An SMS automation rule (``/automations/sms/inbound`` or ``/automations/sms/receipts``).

    ClickSend lists replies and delivery receipts only while an enabled rule with action
    ``POLL`` exists, so these rules decide whether the Inbox can ever fill.
    """

    rule_id: str
    name: str
    kind: str  # "inbound" | "receipt"
    action: str  # "POLL", "AUTO_REPLY", "URL", "EMAIL_USER"...
    action_address: str
    keyword: str  # the inbound rule's message_search_term; "" if none (receipt rules)
    enabled: bool
    #: how an inbound rule matches ``keyword`` (ClickSend's message_search_type): 0 any
    #: message, 1 starts with, 2 contains, 3 does not contain
    search_type: int = 0
    #: the rule's message text (``body``): what an AUTO_REPLY rule answers
    reply: str = ""


# ------------------------------------------------------- MMS, voice, contacts and campaigns

Channel = Literal["sms", "mms", "voice"]


@dataclass(frozen=True, slots=True)
class ContactList:
    list_id: str
    name: str
    contacts_count: int = 0
    email_id: str = ""
    import_in_progress: bool = False


@dataclass(frozen=True, slots=True)
class Contact:
    contact_id: str
    list_id: str
    phone_number: str | None = None  # E.164 (ClickSend requires a phone, fax or email)
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    organization_name: str = ""
    custom: tuple[str, str, str, str] = ("", "", "", "")
    date_added: datetime | None = None
    date_updated: datetime | None = None
    list_name: str = ""


@dataclass(frozen=True, slots=True)
class NewContact:
    """A contact to create or the fields to change (``None`` = leave as is)."""

    phone_number: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    organization_name: str | None = None
    custom: tuple[str | None, str | None, str | None, str | None] = (None, None, None, None)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A result of ``/search/contacts-lists``: a contact or a list."""

    kind: Literal["contact", "list"]
    id: str
    name: str
    detail: str = ""  # the contact's number, or the list's email id
    contacts_count: int | None = None


@dataclass(frozen=True, slots=True)
class Campaign:
    campaign_id: str
    name: str
    list_id: str
    sender: str
    body: str
    status: str  # Queued, Scheduled, Sent, Cancelled, Draft, Approved, Failed
    schedule: datetime | None = None
    date_added: datetime | None = None
    custom_string: str | None = None
    total_count: int | None = None
    list_name: str = ""


@dataclass(frozen=True, slots=True)
class CampaignPrice:
    total_price: Decimal
    total_count: int
    currency: Currency | None = None


@dataclass(frozen=True, slots=True)
class VoiceLanguage:
    code: str  # "en-au"
    name: str  # "English, Australia"
    genders: tuple[str, ...]  # ("female", "male")


@dataclass(frozen=True, slots=True)
class OutgoingMms:
    to: str  # E.164
    body: str
    subject: str
    media_url: str
    sender: str | None = None
    schedule: datetime | None = None
    custom_string: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class OutgoingVoice:
    to: str  # E.164
    body: str
    voice: Literal["female", "male"] = "female"
    lang: str = "en-au"
    require_input: bool = False
    machine_detection: bool = False
    schedule: datetime | None = None
    custom_string: str | None = None
    country: str | None = None


# --------------------------------------------------------------------------- Membrane


@dataclass(frozen=True, slots=True)
class Connector:
    id: str
    key: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class ClientAction:
    type: str  # "connect" | "provide-input"
    description: str = ""
    ui_url: str | None = None


@dataclass(frozen=True, slots=True)
class Connection:
    id: str
    name: str = ""
    state: str | None = None  # READY, BUILDING, CLIENT_ACTION_REQUIRED, CONFIGURATION_ERROR...
    connector_id: str | None = None
    connected: bool | None = None
    is_defunct: bool = False
    client_action: ClientAction | None = None
    error: str | None = None

    @property
    def usable(self) -> bool:
        if self.is_defunct or self.connected is False:
            return False
        return self.state in (None, "READY")


@dataclass(frozen=True, slots=True)
class ConnectionRequest:
    request_id: str
    status: str  # pending | success | cancelled | error
    url: str | None = None
    result_connection_id: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    key: str
    name: str = ""
    description: str = ""
    input_schema: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ActionResult:
    output: Any
    action_run_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProxyResponse:
    """A raw ClickSend request's answer, through the structured proxy
    (``POST /connections/{id}/request``) or the transparent one (``/proxy/<path>``)."""

    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    #: the whole answer as Membrane sent it, for when its keys were not the expected ones
    raw: Any = None
    #: the Membrane route that carried it: "request" (structured) or "proxy" (transparent)
    route: str = "request"
