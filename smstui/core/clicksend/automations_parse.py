"""Lenient parsers for ClickSend's SMS automation rules (inbound and delivery-receipt rules).

The rule id has three spellings across ClickSend's own texts: ``inbound_rule_id`` (the SDK's
model and the create example), ``sms_inbound_rule_id`` (the list example) and
``receipt_rule_id``; all are read. ``enabled`` is ``0|1`` in the docs and read leniently.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from smstui.core.clicksend import coerce as c
from smstui.core.clicksend.parse import parse_one, parse_page
from smstui.core.models import AutomationRule, Page

POLL = "POLL"

_ID_KEYS = {
    "inbound": ("inbound_rule_id", "sms_inbound_rule_id", "rule_id", "id"),
    "receipt": ("receipt_rule_id", "sms_receipt_rule_id", "rule_id", "id"),
}


def _rule(kind: str, raw: dict[str, Any]) -> AutomationRule | None:
    rule_id = next((t for k in _ID_KEYS[kind] if (t := c.record_id(raw.get(k)))), None)
    if rule_id is None:
        return None
    return AutomationRule(
        rule_id=rule_id,
        name=c.text_or_empty(raw.get("rule_name")),
        kind=kind,
        action=c.text_or_empty(raw.get("action")).strip().upper(),
        action_address=c.text_or_empty(raw.get("action_address")),
        keyword=c.text_or_empty(raw.get("message_search_term")) if kind == "inbound" else "",
        enabled=c.flag(raw.get("enabled")),
        search_type=_search_type(raw.get("message_search_type")) if kind == "inbound" else 0,
        reply=c.text_or_empty(raw.get("body")) if kind == "inbound" else "",
    )


def _search_type(value: Any) -> int:
    try:
        found = int(value)
    except (TypeError, ValueError):
        return 0
    return found if 0 <= found <= 3 else 0


def parse_rules_page(kind: str, data: Any) -> Page[AutomationRule]:
    return parse_page(data, lambda raw: _rule(kind, raw))


def parse_rule(kind: str, data: Any) -> AutomationRule:
    return parse_one(data, lambda raw: _rule(kind, raw), f"{kind} automation rule", "rule id")


def has_enabled_poll_rule(rules: Iterable[AutomationRule]) -> bool:
    """True when one of ``rules`` makes ClickSend list messages for polling."""
    return any(rule.enabled and rule.action == POLL for rule in rules)
