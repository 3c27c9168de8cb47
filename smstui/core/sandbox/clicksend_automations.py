"""ClickSend's SMS automation rules for the sandbox, and what POLL rules change.

Routes: ``/v3/automations/sms/inbound[/{inbound_rule_id}]`` and
``/v3/automations/sms/receipts[/{receipt_rule_id}]`` (GET list/one, POST, PUT, DELETE), in the
shapes of ClickSend's SDK 6 models (``SmsInboundRule``, ``SmsDeliveryReceiptRule``; integer
ids and ``enabled``; a delete answers ``data: []``).

The real behaviour this reproduces (clicksend-api.md §7.4-7.5): ``GET /sms/inbound`` and
``GET /sms/receipts`` list messages only while an enabled POLL rule of that kind exists, and
with several enabled POLL rules each message is listed once per rule.

``AUTO_REPLY`` inbound rules answer messages that match them (``answer_arrivals``). What is
documented (§7.6): the rule's ``message_search_type`` (0 any, 1 starts with, 2 contains, 3
does not contain) and ``message_search_term``. Inferred, unverified against live ClickSend:
the answer is the rule's ``body`` (``action_address`` when ``body`` is empty); matching
ignores case; the answer goes from the number the message reached, is billed like any SMS
and shows in history as an outbound message; a rule answers only messages that arrive while
it is enabled; ``dedicated_number`` ``"*"`` means every number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .envelope import ClickSendProblem, envelope, page_params, paginate
from .pricing import billed_parts, carrier_for, new_message_id, parse_recipient, rate_for
from .records import InboundRecord, SmsRecord

if TYPE_CHECKING:
    from .clicksend import SimClickSend
    from .http import SandboxResponse

KINDS = ("inbound", "receipt")
ACTIONS = frozenset(
    {
        "AUTO_REPLY",
        "EMAIL_USER",
        "EMAIL_FIXED",
        "URL",
        "SMS",
        "POLL",
        "GROUP_SMS",
        "MOVE_CONTACT",
        "CREATE_CONTACT",
        "CREATE_CONTACT_PLUS_EMAIL",
        "CREATE_CONTACT_PLUS_NAME_EMAIL",
        "CREATE_CONTACT_PLUS_NAME",
        "SMPP",
        "NONE",
    }
)
_ID_KEY = {"inbound": "inbound_rule_id", "receipt": "receipt_rule_id"}
_FIELDS = {
    "inbound": {
        "dedicated_number": str,
        "rule_name": str,
        "message_search_type": int,
        "message_search_term": str,
        "action": str,
        "action_address": str,
        "body": str,
        "enabled": int,
        "webhook_type": str,
    },
    "receipt": {
        "rule_name": str,
        "match_type": int,
        "action": str,
        "action_address": str,
        "enabled": int,
    },
}
_API_PATH = {"inbound": "/v3/automations/sms/inbound", "receipt": "/v3/automations/sms/receipts"}


@dataclass(slots=True)
class RuleBook:
    """The account's rules: ``{kind: {rule_id: fields}}`` (fields as ClickSend stores them)."""

    rules: dict[str, dict[int, dict[str, Any]]] = field(
        default_factory=lambda: {"inbound": {}, "receipt": {}}
    )
    next_id: int = 10
    #: (rule id, inbound message id) a rule has dealt with: answered, or arrived before the
    #: rule was (last) enabled
    answered: set[tuple[int, str]] = field(default_factory=set)

    def add(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        rule_id = self.next_id
        self.next_id += 1
        record = {_ID_KEY[kind]: rule_id, **_defaults(kind), **fields}
        self.rules[kind][rule_id] = record
        return record

    def enabled_now(self, rule_id: int, arrived: list[InboundRecord]) -> None:
        """A rule answers only what arrives from now on: ``arrived`` is not its to answer."""
        self.answered.update((rule_id, m.message_id) for m in arrived)

    def add_poll_rule(self, kind: str, name: str = "Poll") -> dict[str, Any]:
        return self.add(kind, {"rule_name": name, "action": "POLL", "enabled": 1})

    def poll_copies(self, kind: str) -> int:
        """How many times ClickSend lists each message: once per enabled POLL rule."""
        return sum(
            1 for r in self.rules[kind].values() if r.get("action") == "POLL" and r.get("enabled")
        )


def _defaults(kind: str) -> dict[str, Any]:
    if kind == "inbound":
        return {
            "dedicated_number": "*",
            "rule_name": "",
            "message_search_type": 0,
            "message_search_term": "",
            "action": "NONE",
            "action_address": "",
            "body": None,
            "enabled": 1,
            "webhook_type": None,
        }
    return {"rule_name": "", "match_type": 0, "action": "NONE", "action_address": "", "enabled": 1}


def _clean(kind: str, payload: Any, *, partial: bool) -> dict[str, Any]:
    """The payload's known fields, type-checked as ClickSend's validator would."""
    fields = payload if isinstance(payload, dict) else {}
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key, kind_of in _FIELDS[kind].items():
        if key not in fields or fields[key] is None:
            continue
        value = fields[key]
        if kind_of is int:
            try:
                clean[key] = int(value)
            except (TypeError, ValueError):
                problems[key] = f"The {key} must be an integer."
        else:
            clean[key] = str(value)
    action = str(clean.get("action", "")).upper()
    if "action" in clean:
        clean["action"] = action
        if action not in ACTIONS:
            problems["action"] = "The selected action is invalid."
    elif not partial:
        problems["action"] = "The action field is required."
    if not partial and not str(clean.get("rule_name", "")).strip():
        problems["rule_name"] = "The rule name field is required."
    if "enabled" in clean and clean["enabled"] not in (0, 1):
        problems["enabled"] = "The enabled field must be 0 or 1."
    if problems:
        raise ClickSendProblem(400, "Invalid input.", problems)
    return clean


def _kind(match: re.Match[str]) -> str:
    return "inbound" if match["kind"] == "inbound" else "receipt"


def _rule(cs: SimClickSend, match: re.Match[str]) -> tuple[str, dict[str, Any]]:
    kind = _kind(match)
    try:
        record = cs.automations.rules[kind].get(int(match["id"]))
    except ValueError:
        record = None
    if record is None:
        raise ClickSendProblem(404, "Your record is not found.")
    return kind, record


def list_rules(
    cs: SimClickSend, match: re.Match[str], query: dict[str, str], _p: Any
) -> SandboxResponse:
    kind = _kind(match)
    page, limit = page_params(query)
    rows = [cs.automations.rules[kind][k] for k in sorted(cs.automations.rules[kind])]
    data = paginate(rows, page, limit, _API_PATH[kind])
    data["data"] = [dict(r) for r in data["data"]]
    what = "inbound rules" if kind == "inbound" else "rule incoming sms receipt"
    return envelope(200, f"Your list of {what}.", data)


def get_rule(
    cs: SimClickSend, match: re.Match[str], _q: dict[str, str], _p: Any
) -> SandboxResponse:
    _, record = _rule(cs, match)
    return envelope(200, "Your record.", dict(record))


def create_rule(
    cs: SimClickSend, match: re.Match[str], _q: dict[str, str], payload: Any
) -> SandboxResponse:
    kind = _kind(match)
    answer_arrivals(cs)  # messages that came before the rule are not its to answer
    record = cs.automations.add(kind, _clean(kind, payload, partial=False))
    if kind == "inbound":
        cs.automations.enabled_now(record[_ID_KEY[kind]], cs.visible_inbound())
    return envelope(200, "Your record has been added.", dict(record))


def update_rule(
    cs: SimClickSend, match: re.Match[str], _q: dict[str, str], payload: Any
) -> SandboxResponse:
    kind, record = _rule(cs, match)
    answer_arrivals(cs)
    was_enabled = bool(record.get("enabled"))
    record.update(_clean(kind, payload, partial=True))
    if kind == "inbound" and record.get("enabled") and not was_enabled:
        cs.automations.enabled_now(record[_ID_KEY[kind]], cs.visible_inbound())
    return envelope(200, "Your record has been updated.", dict(record))


def delete_rule(
    cs: SimClickSend, match: re.Match[str], _q: dict[str, str], _p: Any
) -> SandboxResponse:
    kind, record = _rule(cs, match)
    del cs.automations.rules[kind][record[_ID_KEY[kind]]]
    return envelope(200, "Your record has been deleted.", [])


# --------------------------------------------------------------------------- AUTO_REPLY


def _matches(rule: dict[str, Any], message: InboundRecord) -> bool:
    number = str(rule.get("dedicated_number") or "*")
    if number not in ("*", message.to):
        return False
    term = str(rule.get("message_search_term") or "").strip().casefold()
    body = message.body.strip().casefold()
    search = rule.get("message_search_type") or 0
    if search == 1:
        return body.startswith(term)
    if search == 2:
        return term in body
    if search == 3:
        return term not in body
    return True


def answer_arrivals(cs: SimClickSend) -> None:
    """Send the auto replies due for every message that has arrived by now (called before
    each request is handled, so whoever looks sees the answers)."""
    book = cs.automations
    rules = [
        (rule_id, r)
        for rule_id, r in book.rules["inbound"].items()
        if r.get("action") == "AUTO_REPLY" and r.get("enabled")
    ]
    if not rules:
        return
    for message in sorted(cs.visible_inbound(), key=lambda m: m.timestamp):
        for rule_id, rule in rules:
            key = (rule_id, message.message_id)
            if key in book.answered:
                continue
            book.answered.add(key)
            if _matches(rule, message):
                _auto_reply(cs, rule, message)
                break  # one answer per message: the first matching rule


def _auto_reply(cs: SimClickSend, rule: dict[str, Any], message: InboundRecord) -> None:
    text = str(rule.get("body") or rule.get("action_address") or "")
    parsed = parse_recipient(message.sender, None)
    if not text.strip() or parsed is None:
        return
    to, country = parsed
    parts = billed_parts(text, cs.part_cap)
    price = (rate_for(country) * parts).quantize(Decimal("0.0001"))
    if price > cs.world.balance:
        return  # ClickSend would refuse it for credit, silently from the replier's side
    cs.world.balance -= price
    cs.store(
        SmsRecord(
            message_id=new_message_id(cs.world.rng),
            to=to,
            sender=message.to,
            body=text,
            date=message.timestamp,
            send_at=message.timestamp,
            parts=parts,
            price=price,
            country=country,
            carrier=carrier_for(to, country),
            custom_string=None,
            is_shared=True,
            test_number=False,
            receipt_due=message.timestamp + cs.world.receipt_delay,
        )
    )


_BASE = r"/v3/automations/sms/(?P<kind>inbound|receipts)"
_ONE = _BASE + r"/(?P<id>[^/]+)"

ROUTES: list[tuple[str, str, Any]] = [
    ("GET", _BASE, list_rules),
    ("POST", _BASE, create_rule),
    ("GET", _ONE, get_rule),
    ("PUT", _ONE, update_rule),
    ("DELETE", _ONE, delete_rule),
]
