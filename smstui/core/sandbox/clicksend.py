"""The simulated ClickSend v3 REST API behind the sandbox's Membrane connection.

``SimClickSend.handle`` takes a path as ClickSend sees it (``/v3/...``) and answers with
ClickSend's envelope. The world holds the lock; nothing here is thread-safe on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import clicksend_automations, clicksend_campaigns, clicksend_contacts, clicksend_mms_voice
from . import clicksend_lists as lists
from .clicksend_send import send_or_price
from .envelope import ClickSendProblem, envelope, not_found_endpoint
from .history_index import HistoryIndex
from .http import SandboxResponse
from .pricing import SHARED_NUMBER, new_message_id
from .records import InboundRecord, SmsRecord, TemplateRecord
from .seed import seed_account

if TYPE_CHECKING:
    from .world import SandboxWorld

Handler = Callable[["SimClickSend", re.Match[str], dict[str, str], Any], SandboxResponse]


class SimClickSend:
    """State of one ClickSend account: messages, receipts, replies, templates, balance."""

    def __init__(self, world: SandboxWorld, history_size: int) -> None:
        self.world = world
        #: every message body that reached /sms/send, accepted or not (tests count sends here)
        self.received: list[dict[str, Any]] = []
        self.messages: list[SmsRecord] = []
        self.by_id: dict[str, SmsRecord] = {}
        self.inbound: list[InboundRecord] = []
        #: history's records in date order, rebuilt when a record is added (history_index)
        self.history_index: HistoryIndex | None = None
        self.templates: dict[int, TemplateRecord] = {}
        self.part_cap = 6
        self.requests = 0
        self._next_template_id = 587713
        #: a fake credential in ``GET /account``; smstui must never show or log it
        self.api_key = new_message_id(world.rng)
        self.user: dict[str, Any] = {
            "user_id": 116342,
            "subaccount_id": 126501,
            "username": "sandbox.demo",
        }
        seed_account(self, world.rng, int(world.clock()), history_size)
        # lists/contacts, campaigns, MMS and voice (seeded without the RNG: SMS ids stay put)
        self.contacts = clicksend_contacts.ContactBook()
        self.contacts.seed(int(world.clock()))
        self.campaigns = clicksend_campaigns.CampaignBook()
        self.channels = clicksend_mms_voice.ChannelBook()
        self.automations = clicksend_automations.RuleBook()

    # ------------------------------------------------------------------ state helpers

    def now(self) -> float:
        return self.world.clock()

    def store(self, record: SmsRecord) -> None:
        self.messages.append(record)
        self.by_id[record.message_id] = record

    def add_template(self, name: str, body: str) -> TemplateRecord:
        template = TemplateRecord(self._next_template_id, name, body)
        self._next_template_id += 1
        self.templates[template.template_id] = template
        return template

    def visible_inbound(self) -> list[InboundRecord]:
        now = self.now()
        return [r for r in self.inbound if r.timestamp <= now]

    def add_inbound(
        self,
        from_: str,
        body: str,
        *,
        to: str = SHARED_NUMBER,
        original_message_id: str | None = None,
        custom_string: str | None = None,
        at: float | None = None,
    ) -> InboundRecord:
        """An SMS arrives; like ClickSend, link it to our latest message to that number."""
        original = self.by_id.get(original_message_id) if original_message_id else None
        if original is None and original_message_id is None:
            sent_to_them = [m for m in self.messages if m.to == from_ and not m.cancelled]
            original = sent_to_them[-1] if sent_to_them else None
        record = InboundRecord(
            message_id=new_message_id(self.world.rng),
            sender=from_,
            to=to,
            body=body,
            timestamp=int(self.now() if at is None else at),
            original_message_id=original.message_id if original else original_message_id,
            original_body=original.body if original else None,
            custom_string=custom_string
            if custom_string is not None
            else ((original.custom_string or "") if original else ""),
        )
        self.inbound.append(record)
        return record

    # ------------------------------------------------------------------ routing

    def handle(self, method: str, path: str, query: dict[str, str], body: bytes) -> SandboxResponse:
        self.requests += 1
        clicksend_automations.answer_arrivals(self)
        refused = clicksend_mms_voice.refusal(self.world.refused_channels, path)
        if refused is not None:
            return self._count(refused)
        for route_method, pattern, handler in _ROUTES:
            match = pattern.fullmatch(path)
            if match is None or route_method != method.upper():
                continue
            try:
                payload = json.loads(body) if body.strip() else {}
            except ValueError:
                return envelope(400, "The request body is not valid JSON.", None)
            try:
                response = handler(self, match, query, payload)
            except ClickSendProblem as problem:
                response = envelope(
                    problem.status, problem.message, problem.data, code=problem.code
                )
            return self._count(response)
        # ClickSend answers a wrong method with the same 404 as an unknown path
        return self._count(not_found_endpoint())

    def _count(self, response: SandboxResponse) -> SandboxResponse:
        remaining = max(6000 - self.requests, 0)
        response.headers["x-ratelimit-remaining"] = str(remaining)
        return response

    # ------------------------------------------------------------------ small endpoints

    def account(self, *_: Any) -> SandboxResponse:
        data = {
            "user_id": self.user["user_id"],
            "username": self.user["username"],
            "user_email": "demo@sandbox.smstui.invalid",
            "active": 1,
            "banned": 0,
            "date_sign_up": 1700000000,
            "balance": f"{self.world.balance:.6f}",
            "user_phone": "+61491570156",
            "reply_to": "originalemail",
            "delivery_to": "",
            "user_first_name": "Sam",
            "user_last_name": "Sandbox",
            "account": 0,
            "account_name": "Sandbox Pty Ltd",
            "account_billing_email": "billing@sandbox.smstui.invalid",
            "account_billing_mobile": "+61491570156",
            "priority": 2,
            "country": "AU",
            "country_ip": "AU",
            "default_country_sms": "AU",
            "auto_recharge": 0,
            "auto_recharge_amount": "20.00",
            "low_credit_amount": "0.00",
            "setting_unicode_sms": 0,
            "setting_email_sms_subject": 0,
            "setting_fix_sender_id": 0,
            "setting_sms_message_char_limit": self.part_cap,
            "old_dashboard": 0,
            "balance_commission": "0.000000",
            "timezone": "Australia/Melbourne",
            "price_rate": 0,
            "private_uploads": 0,
            "fax_quality": 0,
            "setting_sms_hide_your_number": 0,
            "setting_sms_hide_business_name": 0,
            "pricing_variant": 0,
            "on_trial": 0,
            "trial_expiry": None,
            "ai_enabled": 0,
            "_currency": CURRENCY,
            "_subaccount": {
                "subaccount_id": self.user["subaccount_id"],
                "api_username": self.user["username"],
                "email": "demo@sandbox.smstui.invalid",
                "phone_number": "+61491570156",
                "first_name": "Sam",
                "last_name": "Sandbox",
                "api_key": self.api_key,
                "access_smpp": 0,
                "access_users": 1,
                "access_billing": 1,
                "access_reporting": 1,
                "access_contacts": 1,
                "access_settings": 1,
                "access_sms": 1,
                "access_email": 1,
                "access_voice": 1,
                "access_fax": 1,
                "access_post": 1,
                "access_reseller": 0,
                "access_global_sending": 1,
                "access_mms": 1,
                "hide_pricing": 0,
                "share_campaigns": 0,
                "notes": None,
                "is_main": 1,
                "sign_up_type": "api",
            },
            "_referrer_chosen": {"id": 8, "name": "Other"},
        }
        return envelope(200, "Here's your account.", data)

    def cancel_one(self, match: re.Match[str], *_: Any) -> SandboxResponse:
        message_id = match["id"]
        record = self.by_id.get(message_id.upper())
        if record is None:
            raise ClickSendProblem(404, "Message not found.")
        if record.status_at(self.now())[0] != "Scheduled":
            raise ClickSendProblem(
                400, f"Message {message_id} is not scheduled, so it cannot be cancelled."
            )
        self._cancel(record)
        return envelope(200, "Scheduled sms message has been cancelled.", None)

    def cancel_all(self, _m: re.Match[str], _q: dict[str, str], payload: Any) -> SandboxResponse:
        wanted = payload.get("custom_string") if isinstance(payload, dict) else None
        now = self.now()
        count = 0
        for record in self.messages:
            if record.status_at(now)[0] != "Scheduled":
                continue
            if wanted is not None and record.custom_string != wanted:
                continue
            self._cancel(record)
            count += 1
        return envelope(200, f"{count} sms messages have been cancelled.", {"count": count})

    def _cancel(self, record: SmsRecord) -> None:
        record.cancelled = True
        self.world.balance += record.price  # a cancelled message is refunded
        # its pending reply (drawn at send time) will never come
        self.inbound = [
            r
            for r in self.inbound
            if not (r.original_message_id == record.message_id and r.timestamp > self.now())
        ]


CURRENCY = {
    "currency_name_short": "AUD",
    "currency_prefix_d": "$",
    "currency_prefix_c": "c",
    "currency_name_long": "Australian Dollars",
    "min_recharge_amount": "20.00",
    "max_recharge_amount": "10000.00",
}

_ID = r"(?P<id>[^/]+)"


def _send(cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], payload: Any) -> SandboxResponse:
    return send_or_price(cs, payload, commit=True)


def _price(
    cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], payload: Any
) -> SandboxResponse:
    return send_or_price(cs, payload, commit=False)


_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (m, re.compile(p), h)
    for m, p, h in (
        ("POST", "/v3/sms/send", _send),
        ("POST", "/v3/sms/price", _price),
        ("GET", "/v3/sms/history", lists.history),
        ("GET", "/v3/sms/receipts", lists.receipts),
        ("GET", f"/v3/sms/receipts/{_ID}", lists.receipt),
        ("PUT", "/v3/sms/receipts-read", lists.receipts_read),
        ("GET", "/v3/sms/inbound", lists.inbound),
        ("GET", f"/v3/sms/inbound/{_ID}", lists.inbound_one),
        ("PUT", "/v3/sms/inbound-read", lists.inbound_read),
        ("PUT", f"/v3/sms/inbound-read/{_ID}", lists.inbound_read_one),
        ("PUT", "/v3/sms/cancel-all", SimClickSend.cancel_all),
        ("PUT", f"/v3/sms/{_ID}/cancel", SimClickSend.cancel_one),
        ("GET", "/v3/sms/templates", lists.templates),
        ("POST", "/v3/sms/templates", lists.template_create),
        ("GET", r"/v3/sms/templates/(?P<id>\d+)", lists.template_get),
        ("PUT", r"/v3/sms/templates/(?P<id>\d+)", lists.template_update),
        ("DELETE", r"/v3/sms/templates/(?P<id>\d+)", lists.template_delete),
        ("GET", "/v3/account", SimClickSend.account),
        *clicksend_contacts.ROUTES,
        *clicksend_campaigns.ROUTES,
        *clicksend_mms_voice.ROUTES,
        *clicksend_automations.ROUTES,
    )
]
