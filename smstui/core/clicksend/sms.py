"""SmsService: ClickSend's SMS endpoints (send, price, history, replies, receipts, cancel,
templates, automation rules, account) on ``PrefixLearningApi`` (which learns the ``/v3``
path prefix; see ``prefix_learning``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from smstui.core.clicksend import parse as cs
from smstui.core.clicksend.automations_parse import has_enabled_poll_rule as has_enabled_poll_rule
from smstui.core.clicksend.history_lookup import find_in_history
from smstui.core.clicksend.prefix_learning import PrefixLearningApi
from smstui.core.clicksend.wire import MAX_LIMIT, clamp_limit, segment, unix
from smstui.core.errors import (
    MalformedResponseError,
    SendOutcomeUnknown,
    SmstuiError,
    ValidationError,
)
from smstui.core.models import (
    Account,
    AutomationRule,
    DeliveryReceipt,
    HistoryMessage,
    InboundMessage,
    OutgoingSms,
    Page,
    SendResult,
    Template,
)

if TYPE_CHECKING:
    from smstui.core.clicksend.automations import AutomationsService

#: ClickSend's documented maximum number of messages in one ``/sms/send`` request
MAX_PER_REQUEST = 1000
#: safety stop for ``find_by_custom_string`` (100 per page -> 5,000 records)
MAX_SEARCH_PAGES = 50
SOURCE = "smstui"


def _message_json(sms: OutgoingSms) -> dict[str, Any]:
    item: dict[str, Any] = {"to": sms.to, "body": sms.body}
    if sms.sender:
        item["from"] = sms.sender
    if sms.schedule is not None:
        item["schedule"] = unix(sms.schedule)
    if sms.custom_string is not None:
        item["custom_string"] = sms.custom_string
    if sms.country:
        item["country"] = sms.country
    item["source"] = SOURCE
    return item


def merge_results(results: Sequence[SendResult]) -> SendResult:
    """One ``SendResult`` for several batches (messages in request order)."""
    currency = next((r.currency for r in results if r.currency is not None), None)
    return SendResult(
        messages=[m for r in results for m in r.messages],
        total_price=sum((r.total_price for r in results), Decimal(0)),
        currency=currency,
        total_count=sum(r.total_count for r in results),
        queued_count=sum(r.queued_count for r in results),
        blocked_count=sum(r.blocked_count for r in results),
    )


class SmsService(PrefixLearningApi):
    # ------------------------------------------------------------------ send / price

    async def send(self, messages: Sequence[OutgoingSms]) -> SendResult:
        """Send in requests of at most 1,000 messages; one merged result.

        If a later request fails, the error carries ``.partial`` (the merged result of the
        requests already accepted) and says how many messages those were.
        """
        return await self._batched("/sms/send", messages, is_send=True)

    async def price(self, messages: Sequence[OutgoingSms]) -> SendResult:
        return await self._batched("/sms/price", messages, is_send=False)

    async def _batched(
        self, path: str, messages: Sequence[OutgoingSms], *, is_send: bool
    ) -> SendResult:
        if not messages:
            raise ValidationError("There is no message to send.", field="to")
        bodies = (
            {"messages": [_message_json(m) for m in messages[start : start + MAX_PER_REQUEST]]}
            for start in range(0, len(messages), MAX_PER_REQUEST)
        )
        return await self.post_batches(path, bodies, is_send=is_send)

    async def post_batches(self, path: str, bodies: Iterable[Any], *, is_send: bool) -> SendResult:
        """POST each body (a batch of at most 1,000 messages) in turn; one merged result.

        Shared by SMS, MMS and voice. A send answered SUCCESS but unreadable may have gone out:
        ``SendOutcomeUnknown``. If a later request fails, the error carries ``.partial`` (the
        merged result of the requests already accepted) and says how many messages those were.
        """
        done: list[SendResult] = []
        for body in bodies:
            try:
                envelope = await self._write("POST", path, body)
                try:
                    done.append(cs.parse_send_result(envelope.data))
                except MalformedResponseError as err:
                    if not is_send:
                        raise
                    # ClickSend said SUCCESS but we cannot read which messages went out.
                    raise SendOutcomeUnknown(
                        "ClickSend accepted the request but its answer could not be read."
                    ) from err
            except SmstuiError as err:
                if done:
                    self._attach_partial(err, merge_results(done))
                raise
        return merge_results(done)

    @staticmethod
    def _attach_partial(err: SmstuiError, partial: SendResult) -> None:
        accepted = sum(1 for m in partial.messages if m.accepted)
        note = (
            f" ({len(partial.messages)} earlier messages were already submitted; "
            f"{accepted} accepted.)"
        )
        err.message = err.message + note
        err.args = (err.message,)
        err.partial = partial  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ history

    async def history(
        self,
        page: int = 1,
        limit: int = 100,
        date_from: datetime | int | None = None,
        date_to: datetime | int | None = None,
        q: str | None = None,
        order_by: str | None = None,
    ) -> Page[HistoryMessage]:
        params: dict[str, Any] = {"page": max(1, page), "limit": clamp_limit(limit)}
        if date_from is not None:
            params["date_from"] = unix(date_from)
        if date_to is not None:
            params["date_to"] = unix(date_to)
        if q:
            params["q"] = q
        if order_by:
            params["order_by"] = order_by
        return cs.parse_history_page((await self._read("/sms/history", params)).data)

    async def find_by_custom_string(
        self, custom_string: str, since: datetime | None
    ) -> list[HistoryMessage]:
        """Every history record carrying ``custom_string`` (reconciliation of unknown sends).

        ``q=custom_string:<value>`` is unverified on the live API (the documented ``q`` fields
        are status, to, from, subaccount_id and message_id), so results are filtered here too
        and a listing that ignores ``q`` is walked page by page. ``[]`` is returned only when
        the listing proves absence (``history_lookup``); any doubt raises
        ``MalformedResponseError``, which reconciliation never takes as "not sent".
        A value with ``,`` would split ClickSend's ``q`` syntax: then no ``q``.
        """
        q = f"custom_string:{custom_string}" if "," not in custom_string else None

        async def fetch(page_no: int) -> Any:
            params: dict[str, Any] = {"page": page_no, "limit": MAX_LIMIT, "q": q}
            if since is not None:
                params["date_from"] = unix(since)
            return (await self._read("/sms/history", {k: v for k, v in params.items() if v})).data

        return await find_in_history(
            fetch,
            cs.parse_history_record,
            lambda m: m.custom_string == custom_string,
            limit=MAX_LIMIT,
            max_pages=MAX_SEARCH_PAGES,
        )

    # ------------------------------------------------------------------ inbound / receipts

    async def inbound(self, page: int = 1, limit: int = 100) -> Page[InboundMessage]:
        params = {"page": max(1, page), "limit": clamp_limit(limit)}
        return cs.parse_inbound_page((await self._read("/sms/inbound", params)).data)

    async def get_inbound(self, original_message_id: str) -> InboundMessage:
        """The first reply to one of our outbound messages (read or unread)."""
        path = f"/sms/inbound/{segment(original_message_id)}"
        return cs.parse_inbound((await self._read(path)).data)

    async def mark_inbound_read(
        self, message_id: str | None = None, date_before: datetime | int | None = None
    ) -> int:
        if message_id is not None:
            envelope = await self._write("PUT", f"/sms/inbound-read/{segment(message_id)}")
        else:
            envelope = await self._write("PUT", "/sms/inbound-read", self._before(date_before))
        return cs.parse_count(envelope)

    async def receipts(self, page: int = 1, limit: int = 100) -> Page[DeliveryReceipt]:
        params = {"page": max(1, page), "limit": clamp_limit(limit)}
        return cs.parse_receipts_page((await self._read("/sms/receipts", params)).data)

    async def get_receipt(self, message_id: str) -> DeliveryReceipt:
        path = f"/sms/receipts/{segment(message_id)}"
        return cs.parse_receipt((await self._read(path)).data)

    async def mark_receipts_read(self, date_before: datetime | int | None = None) -> int:
        envelope = await self._write("PUT", "/sms/receipts-read", self._before(date_before))
        return cs.parse_count(envelope)

    def _before(self, date_before: datetime | int | None) -> dict[str, int]:
        # The legacy docs required date_before and an empty body was never tested live:
        # "everything until now" is always sent explicitly.
        ts = unix(date_before)
        return {"date_before": ts if ts is not None else int(self._clock())}

    # ------------------------------------------------------------------ cancel

    async def cancel(self, message_id: str) -> None:
        await self._write("PUT", f"/sms/{segment(message_id)}/cancel")

    async def cancel_all(self, custom_string: str | None = None) -> int:
        body = {"custom_string": custom_string} if custom_string is not None else {}
        return cs.parse_count(await self._write("PUT", "/sms/cancel-all", body))

    # ------------------------------------------------------------------ templates

    async def list_templates(self, page: int = 1, limit: int = 100) -> Page[Template]:
        params = {"page": max(1, page), "limit": clamp_limit(limit)}
        return cs.parse_templates_page((await self._read("/sms/templates", params)).data)

    async def get_template(self, template_id: str | int) -> Template:
        path = f"/sms/templates/{segment(str(template_id))}"
        return cs.parse_template((await self._read(path)).data)

    async def create_template(self, name: str, body: str) -> Template:
        envelope = await self._write(
            "POST", "/sms/templates", {"template_name": name, "body": body}
        )
        return cs.parse_template(envelope.data)

    async def update_template(
        self, template_id: str | int, name: str | None = None, body: str | None = None
    ) -> Template:
        # The API documents both fields in the PUT body; fill the missing one from the server.
        if name is None or body is None:
            current = await self.get_template(template_id)
            name = current.name if name is None else name
            body = current.body if body is None else body
        path = f"/sms/templates/{segment(str(template_id))}"
        envelope = await self._write("PUT", path, {"template_name": name, "body": body})
        return cs.parse_template(envelope.data)

    async def delete_template(self, template_id: str | int) -> None:
        await self._write("DELETE", f"/sms/templates/{segment(str(template_id))}")

    # ------------------------------------------------------------------ automation rules
    # (POLL rules decide whether replies and receipts are listed at all; see automations.py)

    async def automation_rules(self, kind: str) -> list[AutomationRule]:
        """Every ``"inbound"`` or ``"receipt"`` automation rule (all pages)."""
        return await self._automations().rules(kind)

    async def create_poll_rule(self, kind: str) -> AutomationRule:
        return await self._automations().create_poll_rule(kind)

    async def update_automation_rule(
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
        return await self._automations().update(
            kind,
            rule_id,
            enabled=enabled,
            name=name,
            action=action,
            action_address=action_address,
            keyword=keyword,
        )

    async def delete_automation_rule(self, kind: str, rule_id: str) -> None:
        await self._automations().delete(kind, rule_id)

    def _automations(self) -> AutomationsService:
        from smstui.core.clicksend.automations import AutomationsService  # imports this module

        return AutomationsService(self)

    # ------------------------------------------------------------------ account

    async def account(self) -> Account:
        """Balance, currency and limits. ``_subaccount.api_key`` never leaves this method."""
        return cs.parse_account((await self._read_account()).data)
