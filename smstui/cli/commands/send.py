"""send and price: one SMS to each recipient, sent exactly once through the outbox."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from smstui.cli.argtree import command
from smstui.cli.commands.optouts import include_opted_out_arg
from smstui.cli.draft_args import sms_messages
from smstui.cli.runtime import Runtime
from smstui.core.safe_text import printable
from smstui.core.when import WHEN_HELP


async def send(rt: Runtime) -> int:
    messages = await sms_messages(rt)
    results = await rt.ws.messages.send(messages, include_opted_out=rt.args.include_opted_out)
    rows: list[dict[str, Any]] = []
    total = Decimal(0)
    currency: str | None = None
    for r in results:
        total += r.price or 0
        currency = currency or r.currency
        rows.append(
            {
                "to": r.to,
                "status": r.status or r.state.upper(),
                "outcome": r.state,
                "message_id": r.message_id,
                "parts": r.parts,
                "price": r.price,
                "reason": (r.reason or None) if r.state != "accepted" else None,
                "sent_by": r.sent_by,
            }
        )
    if rt.out.json_mode:
        rt.out.emit_json({"messages": rows, "total_price": total, "currency": currency})
    else:
        rt.out.table(
            ["TO", "STATUS", "MESSAGE ID", "PARTS", "PRICE"],
            [[r["to"], r["status"], r["message_id"], r["parts"], r["price"]] for r in rows],
        )
        rt.out.line(f"total {total} {currency or ''}".rstrip())
    failed = [r for r in results if r.state != "accepted"]
    for r in failed:
        rt.out.note(f"smstui: {r.to}: {r.state}: {printable(r.reason)}")
    return 0 if not failed else 1


async def price(rt: Runtime) -> int:
    messages = await sms_messages(rt)
    result = await rt.ws.messages.price_each(messages)
    refused = rt.ws.optouts.among([m.to for m in messages])
    if refused:
        rt.out.note(
            f"smstui: warning: {', '.join(refused)} opted out: 'send' refuses them "
            "unless --include-opted-out"
        )
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


def _message_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--to",
        action="append",
        required=True,
        metavar="NUMBER",
        help="recipient (repeat, or separate with commas)",
    )
    body = p.add_mutually_exclusive_group(required=True)
    body.add_argument("--body", metavar="TEXT", help="message text; '-' reads standard input")
    body.add_argument("--template", metavar="ID|NAME", help="use a saved template")
    p.add_argument("--from", dest="sender", metavar="SENDER", help="sender number or name")
    p.add_argument("--schedule", metavar="WHEN", help="send later. " + WHEN_HELP)


def register(sub: Any) -> None:
    p = command(
        sub,
        "send",
        "send an SMS (exactly once, even if interrupted)",
        "  smstui send --to 0412345678 --body 'Your order is ready'\n"
        "  smstui send --to +61412345678 --to +61498765432 --template 'Reminder'\n"
        "  echo 'Meeting moved to 3pm' | smstui send --to 0412345678 --body -\n"
        "  smstui send --to 0412345678 --body 'Tomorrow!' --schedule 2024-05-01T09:00\n"
        "  smstui --json send --to 0412345678 --body hi --from ACME",
        handler=send,
    )
    _message_args(p)
    include_opted_out_arg(p)
    p = command(
        sub,
        "price",
        "show what a send would cost, without sending",
        "  smstui price --to 0412345678 --body 'Hello there'\n"
        "  smstui --json price --to +61412345678 --to +447700900123 --template 7",
        handler=price,
    )
    _message_args(p)
