"""history: sent and received messages from the local store, after a sync."""

from __future__ import annotations

from typing import Any

from smstui.cli import reads
from smstui.cli.argtree import command, limit_arg, sync_flag
from smstui.cli.runtime import Runtime
from smstui.core.errors import UsageError


async def history(rt: Runtime) -> int:
    if rt.args.limit < 1:
        raise UsageError("--limit must be at least 1")
    await reads.sync(rt)
    rows = list(reads.filtered(rt, rt.args.limit))
    if rt.out.json_mode:
        rt.out.emit_json(
            [
                {
                    "message_id": m.message_id,
                    "direction": m.direction,
                    "to": m.to,
                    "from": m.sender,
                    "body": m.body,
                    "status": m.status,
                    "date": m.date,
                    "parts": m.parts,
                    "price": m.price,
                    # who sent it from here (null: ClickSend's record, sent from elsewhere)
                    "sent_by": m.sent_by,
                }
                for m in rows
            ]
        )
        return 0
    rt.out.table(
        ["DATE", "DIR", "TO", "FROM", "STATUS", "BODY"],
        [[m.date, m.direction, m.to, m.sender, m.status, m.body] for m in rows],
    )
    return 0


def register(sub: Any) -> None:
    p = command(
        sub,
        "history",
        "list sent and received messages (syncs first)",
        "  smstui history\n  smstui history --since 2d --search invoice\n"
        "  smstui --json history --status Failed --limit 500 --no-sync",
        handler=history,
    )
    reads.range_args(p)
    limit_arg(p)
    sync_flag(p)
