"""inbox and receipts: replies received, and delivery receipts."""

from __future__ import annotations

from typing import Any

from smstui.cli import reads
from smstui.cli.argtree import command, limit_arg
from smstui.cli.runtime import Runtime


async def inbox(rt: Runtime) -> int:
    await reads.sync(rt, history=False, needs=("inbound",))
    rows = list(reads.filtered(rt, rt.args.limit, direction="in", unread_only=rt.args.unread))
    if rt.args.mark_read and rows:
        # ClickSend hears about the unread ones; the local record marks them too
        await rt.ws.messages.mark_read([m.message_id for m in rows if not m.read])
    if rt.out.json_mode:
        rt.out.emit_json(
            [
                {
                    "message_id": m.message_id,
                    "from": m.sender,
                    "to": m.to,
                    "body": m.body,
                    "date": m.date,
                    "reply_to": m.reply_to,
                }
                for m in rows
            ]
        )
        return 0
    rt.out.table(
        ["DATE", "FROM", "TO", "", "BODY"],
        [[m.date, m.sender, m.to, "" if m.read else "new", m.body] for m in rows],
    )
    return 0


async def receipts(rt: Runtime) -> int:
    items = await rt.ws.messages.receipts(rt.args.limit)
    await reads.warn_poll_rules(rt, ("receipt",))
    if rt.out.json_mode:
        rt.out.emit_json(
            [
                {
                    "message_id": r.message_id,
                    "status_code": r.status_code,
                    "status_text": r.status_text,
                    "date": r.date,
                    "error_code": r.error_code,
                    "error_text": r.error_text,
                }
                for r in items
            ]
        )
        return 0
    rt.out.table(
        ["DATE", "MESSAGE ID", "CODE", "STATUS"],
        [[r.date, r.message_id, r.status_code, r.status_text] for r in items],
    )
    return 0


def register(sub: Any) -> None:
    p = command(
        sub,
        "inbox",
        "list received messages",
        "  smstui inbox\n  smstui inbox --unread --mark-read\n  smstui --json inbox",
        handler=inbox,
    )
    p.add_argument("--unread", action="store_true", help="only messages not yet read")
    p.add_argument("--mark-read", action="store_true", help="mark the shown messages read")
    limit_arg(p)
    p = command(
        sub,
        "receipts",
        "list delivery receipts",
        "  smstui receipts\n  smstui --json receipts --limit 200",
        handler=receipts,
    )
    limit_arg(p)
