"""Keyword rules: ClickSend's inbound automation rules (auto replies, POLL...), seen and managed.

ClickSend runs the rules itself, on its side: an ``AUTO_REPLY`` rule answers every message
that starts with its keyword even while smstui is closed. POLL rules are what make ClickSend
list replies and receipts at all, so turning off the last one needs ``confirm=True``
(``LastPollRuleError`` explains what would stop otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smstui.core.errors import LastPollRuleError, NotFoundError, UsageError, ValidationError
from smstui.core.sms_text import normalise_newlines

if TYPE_CHECKING:
    from smstui.core.clicksend.automations import AutomationsService
    from smstui.core.models import AutomationRule
    from smstui.core.service.workspace import Workspace

KINDS = ("inbound", "receipt")
#: ClickSend's rule names are short labels in its dashboard
MAX_KEYWORD = 50


class RulesPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    async def _service(self) -> AutomationsService:
        from smstui.core.clicksend.automations import AutomationsService

        return AutomationsService(await self._ws._session().service())

    async def list(self) -> list[AutomationRule]:
        """Every inbound rule, then every receipt rule."""
        service = await self._service()
        return [rule for kind in KINDS for rule in await service.rules(kind)]

    async def add_auto_reply(self, keyword: str, reply: str) -> AutomationRule:
        """An ``AUTO_REPLY`` rule: ClickSend answers ``reply`` to messages starting with
        ``keyword`` (on every number of the account)."""
        word = " ".join(keyword.split())
        if not word:
            raise ValidationError("The rule needs a keyword.", field="keyword")
        if len(word) > MAX_KEYWORD:
            raise ValidationError(
                f"The keyword is {len(word)} characters; at most {MAX_KEYWORD}.", field="keyword"
            )
        text = normalise_newlines(reply).strip()
        if not text:
            raise ValidationError("The auto reply is empty.", field="reply")
        return await (await self._service()).create_auto_reply(word, text)

    async def enable(self, rule_id: str, *, kind: str | None = None) -> AutomationRule:
        rule = await self.find(rule_id, kind=kind)
        changed = await (await self._service()).update(rule.kind, rule.rule_id, enabled=True)
        await self._poll_rules_changed(rule)
        return changed

    async def disable(
        self, rule_id: str, *, kind: str | None = None, confirm: bool = False
    ) -> AutomationRule:
        """Raises ``LastPollRuleError`` for the last enabled POLL rule of its kind unless
        ``confirm``."""
        rule = await self.find(rule_id, kind=kind)
        await self._guard(rule, "disable", confirm)
        changed = await (await self._service()).update(rule.kind, rule.rule_id, enabled=False)
        await self._poll_rules_changed(rule)
        return changed

    async def delete(self, rule_id: str, *, kind: str | None = None, confirm: bool = False) -> None:
        """Raises ``LastPollRuleError`` like ``disable``."""
        rule = await self.find(rule_id, kind=kind)
        await self._guard(rule, "delete", confirm)
        await (await self._service()).delete(rule.kind, rule.rule_id)
        await self._poll_rules_changed(rule)

    async def find(self, rule_id: str, *, kind: str | None = None) -> AutomationRule:
        """The rule with this id; inbound and receipt rules are numbered apart, so an id
        found in both lists needs ``kind``."""
        if kind is not None and kind not in KINDS:
            raise UsageError(f"Unknown rule kind {kind!r}: use 'inbound' or 'receipt'.")
        service = await self._service()
        wanted = rule_id.strip()
        found = [
            rule
            for k in (KINDS if kind is None else (kind,))
            for rule in await service.rules(k)
            if rule.rule_id == wanted
        ]
        if not found:
            raise NotFoundError(f"no automation rule {wanted!r}")
        if len(found) > 1:
            raise UsageError(
                f"rule {wanted} exists as an inbound and as a receipt rule: say which",
                hint="Give the kind (CLI: --kind inbound or --kind receipt).",
            )
        return found[0]

    async def _guard(self, rule: AutomationRule, action: str, confirm: bool) -> None:
        if confirm or rule.action != "POLL" or not rule.enabled:
            return
        others = [
            r
            for r in await (await self._service()).rules(rule.kind)
            if r.action == "POLL" and r.enabled and r.rule_id != rule.rule_id
        ]
        if not others:
            raise LastPollRuleError(rule.kind, rule.rule_id, action)

    async def _poll_rules_changed(self, rule: AutomationRule) -> None:
        # the remembered "has POLL rules" answer (Inbox warnings, doctor) must follow
        if rule.action == "POLL":
            await self._ws._session().poll_rules(refresh=True)
