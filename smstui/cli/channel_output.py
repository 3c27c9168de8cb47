"""What ``mms`` and ``voice`` print: a quote per recipient, or each recipient's outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from smstui.cli.runtime import Runtime
    from smstui.core.models import SendResult
    from smstui.core.service import RecipientResult


def quote(rt: Runtime, result: SendResult) -> int:
    currency = result.currency.code if result.currency else None
    rows = [
        {"to": m.to, "status": m.status, "parts": m.parts, "price": m.price}
        for m in result.messages
    ]
    doc = {"messages": rows, "total_price": result.total_price, "currency": currency}
    table = [[m["to"], m["status"], m["parts"], m["price"]] for m in rows]
    rt.emit(doc, ["TO", "STATUS", "PARTS", "PRICE"], table)
    return 0 if result.all_accepted else 1


def sent(rt: Runtime, results: Sequence[RecipientResult]) -> int:
    """Each recipient's outcome in the outbox's own words (``state``: accepted, rejected,
    failed, unknown ...)."""
    rows = [
        {
            "to": r.to,
            "outcome": r.state,
            "status": r.status or r.state.upper(),
            "message_id": r.message_id,
            "reason": (r.reason or None) if r.state != "accepted" else None,
            "sent_by": r.sent_by,
        }
        for r in results
    ]
    table = [[m["to"], m["status"], m["message_id"]] for m in rows]
    rt.emit({"messages": rows}, ["TO", "STATUS", "MESSAGE ID"], table)
    return 0 if all(r.state == "accepted" for r in results) else 1
