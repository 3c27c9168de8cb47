"""send, price, account, cancel: the commands that act on ClickSend directly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from smstui.cli.compose import build_messages
from smstui.cli.runtime import Runtime
from smstui.core.models import OutgoingSms, SendResult, SentMessage
from smstui.core.safe_text import printable


class _Capture:
    """Wraps the service for the outbox, keeping ClickSend's per-message parts and price
    (the outbox records only the outcome) keyed by our per-message custom_string."""

    def __init__(self, service: Any) -> None:
        self._service = service
        self.sent: dict[str, SentMessage] = {}
        self.currency: str | None = None

    async def send(self, messages: Any) -> SendResult:
        result: SendResult = await self._service.send(messages)
        for m in result.messages:
            if m.custom_string:
                self.sent[m.custom_string] = m
        if result.currency:
            self.currency = result.currency.code
        return result

    async def find_by_custom_string(self, custom_string: str, since: Any) -> Any:
        return await self._service.find_by_custom_string(custom_string, since)

    async def price(self, messages: Any) -> SendResult:
        result: SendResult = await self._service.price(messages)
        return result

    async def ready_to_write(self) -> None:
        await self._service.ready_to_write()


async def _messages(rt: Runtime) -> list[OutgoingSms]:
    a = rt.args
    return await build_messages(
        rt.service,
        to=a.to,
        body=a.body,
        template=a.template,
        from_=a.sender,
        when=a.schedule,
        region=rt.settings.default_region,
        warn=rt.out.note,
    )


async def send(rt: Runtime) -> int:
    messages = await _messages(rt)
    session = await rt.session()
    capture = _Capture(await session.service())
    results = await (await session.outbox(capture)).send(messages)
    rows: list[dict[str, Any]] = []
    total = Decimal(0)
    for r in results:
        sent = capture.sent.get(r.token)
        price = sent.price if sent else None
        total += price or 0
        rows.append(
            {
                "to": r.to,
                "status": r.status or r.outcome.upper(),
                "outcome": r.outcome,
                "message_id": r.message_id,
                "parts": sent.parts if sent else 0,
                "price": price,
                "reason": r.reason if r.outcome != "accepted" else None,
            }
        )
    if rt.out.json_mode:
        rt.out.emit_json({"messages": rows, "total_price": total, "currency": capture.currency})
    else:
        rt.out.table(
            ["TO", "STATUS", "MESSAGE ID", "PARTS", "PRICE"],
            [[r["to"], r["status"], r["message_id"], r["parts"], r["price"]] for r in rows],
        )
        rt.out.line(f"total {total} {capture.currency or ''}".rstrip())
    failed = [r for r in results if r.outcome != "accepted"]
    for r in failed:
        rt.out.note(f"smstui: {r.to}: {r.outcome}: {printable(r.reason or r.status or '')}")
    return 0 if not failed else 1


async def price(rt: Runtime) -> int:
    messages = await _messages(rt)
    result = await (await rt.service()).price(messages)
    rows = [{"to": m.to, "parts": m.parts, "price": m.price} for m in result.messages]
    currency = result.currency.code if result.currency else None
    if rt.out.json_mode:
        rt.out.emit_json(
            {"messages": rows, "total_price": result.total_price, "currency": currency}
        )
    else:
        rt.out.table(
            ["TO", "PARTS", "PRICE", "STATUS"],
            [[m.to, m.parts, m.price, m.status] for m in result.messages],
        )
        rt.out.line(f"total {result.total_price} {currency or ''}".rstrip())
    return 0 if result.all_accepted else 1


async def account(rt: Runtime) -> int:
    acc = await (await rt.service()).account()
    doc = {
        "user_id": acc.user_id,
        "username": acc.username,
        "account_name": acc.account_name,
        "email": acc.email,
        "country": acc.country,
        "balance": acc.balance,
        "currency": acc.currency.code if acc.currency else None,
        "part_cap": acc.part_cap,
        "unicode_enabled": acc.unicode_enabled,
    }
    if rt.out.json_mode:
        rt.out.emit_json(doc)
        return 0
    for key, value in doc.items():
        rt.out.field(key.replace("_", " "), value)
    return 0


async def run_cancel(
    rt: Runtime,
    cancel_one: Callable[[str], Awaitable[object]],
    cancel_all: Callable[[], Awaitable[int]],
    what: str,
) -> int:
    """``cancel MESSAGE_ID | --all`` for any channel; ``what`` names the things cancelled."""
    if rt.args.all:
        count = await cancel_all()
        if rt.out.json_mode:
            rt.out.emit_json({"cancelled": count})
        else:
            rt.out.line(f"cancelled {count} scheduled {what}")
        return 0
    await cancel_one(rt.args.message_id)
    if rt.out.json_mode:
        rt.out.emit_json({"cancelled": 1, "message_id": rt.args.message_id})
    else:
        rt.out.line("cancelled")
    return 0


async def cancel(rt: Runtime) -> int:
    service = await rt.service()
    return await run_cancel(rt, service.cancel, service.cancel_all, "message(s)")


HANDLERS = {"send": send, "price": price, "account": account, "cancel": cancel}
