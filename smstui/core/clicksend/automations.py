"""SMS automation rules: the POLL rules that make ClickSend list replies and receipts.

ClickSend answers ``GET /sms/inbound`` and ``GET /sms/receipts`` only while the account has
an enabled rule with action ``POLL`` (clicksend-api.md §7.4-7.6); a fresh account may have
none, and then the Inbox stays empty with no error anywhere. This module reads, creates,
updates and deletes those rules through ``SmsService.read``/``write`` (same prefix learning).
"""

from __future__ import annotations

from typing import Any

from smstui.core.clicksend import automations_parse as parse
from smstui.core.clicksend.api import ClickSendApi
from smstui.core.clicksend.automations_parse import POLL, has_enabled_poll_rule
from smstui.core.clicksend.wire import segment
from smstui.core.errors import ValidationError
from smstui.core.models import AutomationRule, Page

__all__ = ["KINDS", "POLL", "AutomationsService", "has_enabled_poll_rule"]

KINDS = ("inbound", "receipt")
#: the name smstui gives the rules it creates (users see it in ClickSend's dashboard)
POLL_RULE_NAME = "smstui: poll"
#: safety stop (100 per page): no account has 2,000 automation rules
MAX_PAGES = 20

_PATHS = {"inbound": "/automations/sms/inbound", "receipt": "/automations/sms/receipts"}


def _path(kind: str, rule_id: str | None = None) -> str:
    if kind not in _PATHS:
        raise ValidationError(
            f"Unknown automation kind {kind!r}: use 'inbound' or 'receipt'.", field="kind"
        )
    return _PATHS[kind] if rule_id is None else f"{_PATHS[kind]}/{segment(rule_id)}"


def _poll_body(kind: str) -> dict[str, Any]:
    # Field names from the SDK's Create*Request models. What ClickSend wants in
    # action_address for POLL is undocumented (nothing is delivered anywhere): "" is sent.
    if kind == "inbound":
        return {
            "dedicated_number": "*",  # every number on the account
            "rule_name": POLL_RULE_NAME,
            "message_search_type": 0,  # any message
            "message_search_term": "",
            "action": POLL,
            "action_address": "",
            "enabled": 1,
        }
    return {
        "rule_name": POLL_RULE_NAME,
        "match_type": 0,  # all reports
        "action": POLL,
        "action_address": "",
        "enabled": 1,
    }


#: ClickSend's message_search_type for "the message starts with the term"
STARTS_WITH = 1
AUTO_REPLY = "AUTO_REPLY"


def _auto_reply_body(keyword: str, reply: str, number: str, name: str) -> dict[str, Any]:
    # Unverified: where ClickSend takes an AUTO_REPLY rule's answer. The SDK's create model
    # has one free-text field besides action_address, ``body`` (its example rule carries
    # "Hello, World!" there), and an auto reply goes back to the sender, so it has no
    # address: the answer goes in ``body`` and action_address stays "" (as for POLL).
    return {
        "dedicated_number": number,
        "rule_name": name,
        "message_search_type": STARTS_WITH,
        "message_search_term": keyword,
        "action": AUTO_REPLY,
        "action_address": "",
        "body": reply,
        "enabled": 1,
    }


def _full_body(rule: AutomationRule, raw: dict[str, Any]) -> dict[str, Any]:
    """The current rule as a PUT body, so fields we do not change are sent unchanged
    (whether ClickSend's PUT accepts a partial body is unverified)."""
    body: dict[str, Any] = {
        "rule_name": rule.name,
        "action": rule.action,
        "action_address": rule.action_address,
        "enabled": 1 if rule.enabled else 0,
    }
    if rule.kind == "inbound":
        body["dedicated_number"] = str(raw.get("dedicated_number") or "*")
        body["message_search_type"] = _int(raw.get("message_search_type"))
        body["message_search_term"] = rule.keyword
        if rule.reply:
            body["body"] = rule.reply  # an AUTO_REPLY rule keeps its answer
    else:
        body["match_type"] = _int(raw.get("match_type"))
    return body


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class AutomationsService:
    def __init__(self, api: ClickSendApi) -> None:
        self._api = api

    async def page(self, kind: str, page: int = 1, limit: int = 100) -> Page[AutomationRule]:
        params = {"page": max(1, page), "limit": max(15, min(100, limit))}
        envelope = await self._api.read(_path(kind), params)
        return parse.parse_rules_page(kind, envelope.data)

    async def rules(self, kind: str) -> list[AutomationRule]:
        """Every rule of ``kind`` (all pages)."""
        found: list[AutomationRule] = []
        page_no = 1
        while page_no <= MAX_PAGES:
            page = await self.page(kind, page_no)
            found.extend(page.items)
            if not page.has_next or not page.items:
                break
            page_no = page.page + 1
        return found

    async def get(self, kind: str, rule_id: str) -> AutomationRule:
        return parse.parse_rule(kind, (await self._api.read(_path(kind, rule_id))).data)

    async def create_poll_rule(self, kind: str) -> AutomationRule:
        envelope = await self._api.write("POST", _path(kind), _poll_body(kind))
        return parse.parse_rule(kind, envelope.data)

    async def create_auto_reply(
        self, keyword: str, reply: str, *, number: str = "*", name: str | None = None
    ) -> AutomationRule:
        """An inbound rule answering ``reply`` to every message that starts with ``keyword``."""
        body = _auto_reply_body(keyword, reply, number, name or f"smstui: {keyword}")
        envelope = await self._api.write("POST", _path("inbound"), body)
        return parse.parse_rule("inbound", envelope.data)

    async def update(
        self,
        kind: str,
        rule_id: str,
        *,
        enabled: bool | None = None,
        name: str | None = None,
        action: str | None = None,
        action_address: str | None = None,
        keyword: str | None = None,
    ) -> AutomationRule:
        envelope = await self._api.read(_path(kind, rule_id))
        raw = envelope.data if isinstance(envelope.data, dict) else {}
        current = parse.parse_rule(kind, envelope.data)
        body = _full_body(current, raw)
        if enabled is not None:
            body["enabled"] = 1 if enabled else 0
        if name is not None:
            body["rule_name"] = name
        if action is not None:
            body["action"] = action.strip().upper()
        if action_address is not None:
            body["action_address"] = action_address
        if keyword is not None and kind == "inbound":
            body["message_search_term"] = keyword
        written = await self._api.write("PUT", _path(kind, rule_id), body)
        return parse.parse_rule(kind, written.data)

    async def delete(self, kind: str, rule_id: str) -> None:
        await self._api.write("DELETE", _path(kind, rule_id))
