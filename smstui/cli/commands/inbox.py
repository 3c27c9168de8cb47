"""inbox and receipts: replies received, and delivery receipts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smstui.cli import reads
from smstui.cli.argtree import Parser, command, limit_arg
from smstui.cli.runtime import Runtime
from smstui.core.errors import UsageError
from smstui.core.safe_text import printable

if TYPE_CHECKING:
    from smstui.core.errors import SmstuiError
    from smstui.core.service import Reply
    from smstui.core.service.history import StoredMessage


async def inbox(rt: Runtime) -> int:
    if rt.args.follow:
        return await follow(rt)
    if rt.args.exec or rt.args.interval is not None:
        raise UsageError("--exec and --interval go with --follow")
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
                    # read for this operator (the team store keeps reads per operator)
                    "read": m.read,
                    "handled_by": m.handled_by,
                    "handled_at": m.handled_at,
                }
                for m in rows
            ]
        )
        return 0
    rt.out.table(
        ["DATE", "FROM", "TO", "", "HANDLED", "BODY"],
        [[m.date, m.sender, m.to, "" if m.read else "new", _handled(m), m.body] for m in rows],
    )
    return 0


def _handled(m: StoredMessage) -> str:
    """Who marked the conversation handled, and when: "Ana 10:42" (local time), or ""."""
    if m.handled_by is None or m.handled_at is None:
        return ""
    return f"{m.handled_by} {m.handled_at.astimezone():%H:%M}"


async def follow(rt: Runtime) -> int:
    """Print each new reply once as it arrives (and run ``--exec`` for it) until SIGTERM or
    Ctrl-C, which end the loop after the current reply: exit 0. A second Ctrl-C interrupts."""
    import asyncio
    import signal
    import sys

    from smstui.core.service.follow import CommandRunner, split_command

    a = rt.args
    interval = 10.0 if a.interval is None else a.interval
    if not interval > 0:  # also refuses NaN
        raise UsageError("--interval must be more than 0 seconds")
    runner = None
    if a.exec is not None:
        # the command's own output goes to stderr with --json: stdout stays JSON lines
        out_fd = sys.stderr.fileno() if rt.out.json_mode else None
        runner = CommandRunner(split_command(a.exec), stdout=out_fd)

    def on_error(err: SmstuiError, delay: float) -> None:
        rt.out.note(f"smstui: {printable(str(err))}; trying again in {delay:.0f} s")

    follower = rt.ws.replies.follower(interval=interval, on_error=on_error)
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)

    def stop() -> None:
        follower.stop()
        # a second Ctrl-C is Python's own again: it interrupts whatever is running
        loop.remove_signal_handler(signal.SIGINT)

    for sig in signals:
        loop.add_signal_handler(sig, stop)
    rt.out.note("smstui: following replies (Ctrl-C to stop)")
    try:
        async for reply in follower.replies():
            _print_reply(rt, reply)
            if runner is not None:
                outcome = await runner.run(reply)
                if not outcome.ok:
                    rt.out.note(f"smstui: {outcome.describe()}")
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
    rt.out.note("smstui: stopped following")
    return 0


def _print_reply(rt: Runtime, reply: Reply) -> None:
    if rt.out.json_mode:
        from smstui.cli.output import dumps_line, tag_sandbox

        doc = reply.to_json()
        rt.out.stdout.write(dumps_line(tag_sandbox(doc) if rt.out.sandbox else doc) + "\n")
    else:
        # untrusted text: printable() keeps escape sequences and line breaks inert
        rt.out.line(
            f"{reply.date:%Y-%m-%d %H:%M:%S}  {printable(reply.sender)}  {printable(reply.body)}"
        )
    rt.out.stdout.flush()  # a script reading the pipe sees each reply at once


async def handled(rt: Runtime) -> int:
    """Mark the conversation with NUMBER handled by this operator (``--undo``: not handled)."""
    replies = rt.ws.replies
    number = replies.conversation_number(rt.args.number)
    mark = replies.mark_handled(number, handled=not rt.args.undo)
    if rt.out.json_mode:
        rt.out.emit_json(
            {
                "number": number,
                "handled": mark is not None,
                "handled_by": mark.operator if mark is not None else None,
                "handled_at": mark.at if mark is not None else None,
            }
        )
    elif mark is not None:
        rt.out.line(
            f"{printable(number)} handled by {printable(mark.operator)}, {mark.at.astimezone():%H:%M}"
        )
    else:
        rt.out.line(f"{printable(number)} is not marked handled")
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
        "  smstui inbox\n  smstui inbox --unread --mark-read\n  smstui --json inbox\n"
        "  smstui inbox --follow\n  smstui --json inbox --follow --interval 30\n"
        "  smstui inbox --follow --exec '/usr/local/bin/on-reply --notify'",
        handler=inbox,
    )
    p.add_argument("--unread", action="store_true", help="only messages not yet read")
    p.add_argument("--mark-read", action="store_true", help="mark the shown messages read")
    p.add_argument(
        "--follow",
        action="store_true",
        help="keep running: print each new reply once as it arrives (SIGTERM/Ctrl-C stop)",
    )
    p.add_argument(
        "--interval",
        type=float,
        metavar="SECONDS",
        help="with --follow: seconds between polls (default 10; longer after errors)",
    )
    p.add_argument(
        "--exec",
        metavar="CMD",
        help="with --follow: run CMD for each new reply (never through a shell), the reply "
        "as JSON on its stdin, SMSTUI_FROM and SMSTUI_MESSAGE_ID in its environment",
    )
    limit_arg(p)
    # optional: ``smstui inbox`` alone lists the replies
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=False, parser_class=Parser)
    h = command(
        acts,
        "handled",
        "mark the conversation with NUMBER handled by you (the Inbox shows who, and when); "
        "a reply that arrives later clears the mark",
        "  smstui inbox handled +61411111111\n  smstui inbox handled 0411111111 --undo\n"
        "  smstui --json inbox handled +61411111111",
        handler=handled,
    )
    h.add_argument("number", metavar="NUMBER", help="the customer's number (or sender name)")
    h.add_argument("--undo", action="store_true", help="mark it not handled")
    p = command(
        sub,
        "receipts",
        "list delivery receipts",
        "  smstui receipts\n  smstui --json receipts --limit 200",
        handler=receipts,
    )
    limit_arg(p)
