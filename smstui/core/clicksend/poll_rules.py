"""Does ClickSend list replies and receipts for this account? (the POLL-rule check)

ClickSend answers ``GET /sms/inbound`` and ``GET /sms/receipts`` with nothing, and no error,
unless the account has an enabled automation rule with action POLL of that kind. The check
reads both rule lists once and remembers the answer with the connection: a rule that exists
is trusted for ``FOUND_TTL``; a missing one is asked again after ``MISSING_TTL``, so a rule
made in ClickSend's dashboard is noticed soon. ``create_missing`` makes the rules that lack.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from smstui.core.clicksend.account_facts import Facts
from smstui.core.clicksend.automations_parse import has_enabled_poll_rule
from smstui.core.errors import ClickSendError, SmstuiError
from smstui.core.models import AutomationRule

log = logging.getLogger("smstui.poll_rules")

FACT = "poll_rules"
FOUND_TTL = 6 * 3600.0
MISSING_TTL = 600.0
#: the account would not show its rules (no access to automations): ask again after this
UNREADABLE_TTL = 3600.0

#: what each kind of POLL rule makes ClickSend list
WHAT = {"inbound": "replies", "receipt": "delivery receipts"}


class RuleService(Protocol):
    async def automation_rules(self, kind: str) -> list[AutomationRule]: ...

    async def create_poll_rule(self, kind: str) -> AutomationRule: ...


@dataclass(frozen=True, slots=True)
class PollRules:
    """Whether each kind has an enabled POLL rule."""

    inbound: bool
    receipt: bool

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(k for k in ("inbound", "receipt") if not getattr(self, k))

    def problem(self, kinds: tuple[str, ...] = ("inbound", "receipt")) -> str | None:
        """One plain sentence about the missing rules among ``kinds``; None when none lack."""
        lacking = [k for k in self.missing if k in kinds]
        if not lacking:
            return None
        what = " and ".join(WHAT[k] for k in lacking)
        rules = "rules" if len(lacking) > 1 else "rule"
        kinds_text = " and ".join(lacking)
        return (
            f"ClickSend lists {what} only when the account has an enabled POLL automation "
            f"{rules} ({kinds_text}), and this account has none, so they will not show up here"
        )

    def cli_warning(self, kinds: tuple[str, ...] = ("inbound", "receipt")) -> str | None:
        problem = self.problem(kinds)
        if problem is None:
            return None
        return f"warning: {problem}. Run `smstui doctor --fix` to create it."


def _to_fact(rules: PollRules) -> dict[str, bool]:
    return {"inbound": rules.inbound, "receipt": rules.receipt}


def _from_fact(value: object) -> PollRules | None:
    if isinstance(value, dict) and all(isinstance(value.get(k), bool) for k in WHAT):
        return PollRules(inbound=value["inbound"], receipt=value["receipt"])
    return None


def _remember(facts: Facts, rules: PollRules) -> None:
    ttl = MISSING_TTL if rules.missing else FOUND_TTL
    facts.remember(FACT, _to_fact(rules), ttl=ttl)


async def read(service: RuleService, facts: Facts, *, refresh: bool = False) -> PollRules | None:
    """The remembered answer, else both rule lists read now (two requests).

    None when the account would not show its rules (ClickSend refused): nothing is claimed
    then. Other failures (network) raise; callers that only warn catch ``SmstuiError``.
    """
    if not refresh:
        remembered = facts.recall(FACT)
        if remembered == "unreadable":
            return None
        found = _from_fact(remembered)
        if found is not None:
            return found
    try:
        return await _read_now(service, facts)
    except ClickSendError as err:
        if err.http_status not in (400, 403, 404):
            raise
        log.info("automation rules unreadable: %s", err)
        facts.remember(FACT, "unreadable", ttl=UNREADABLE_TTL)
        return None


async def _read_now(service: RuleService, facts: Facts) -> PollRules:
    rules = PollRules(
        inbound=has_enabled_poll_rule(await service.automation_rules("inbound")),
        receipt=has_enabled_poll_rule(await service.automation_rules("receipt")),
    )
    _remember(facts, rules)
    return rules


async def quiet_read(service: RuleService, facts: Facts) -> PollRules | None:
    """``read`` for a warning that must never fail the command it decorates."""
    try:
        return await read(service, facts)
    except SmstuiError as err:
        log.info("POLL rule check skipped: %s", err)
        return None


async def create_missing(
    service: RuleService, facts: Facts, kinds: tuple[str, ...] = ("inbound", "receipt")
) -> list[AutomationRule]:
    """Create a POLL rule for each of ``kinds`` that has none (reads the rules fresh first,
    so a rule made meanwhile elsewhere is not duplicated: duplicates list messages twice)."""
    current = await _read_now(service, facts)  # a refusal here is the user's to see
    created = [await service.create_poll_rule(kind) for kind in current.missing if kind in kinds]
    if created:
        await _read_now(service, facts)
    return created
