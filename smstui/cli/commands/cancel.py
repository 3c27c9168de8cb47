"""cancel: scheduled SMS (``run_cancel`` is shared with ``voice cancel``)."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from smstui.cli.argtree import command
from smstui.cli.runtime import Runtime


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


def one_or_all(p: argparse.ArgumentParser, one: str, every: str) -> None:
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("message_id", nargs="?", metavar="MESSAGE_ID", help=one)
    g.add_argument("--all", action="store_true", help=every)


async def cancel(rt: Runtime) -> int:
    messages = rt.ws.messages

    async def cancel_one(message_id: str) -> bool:
        return await messages.cancel(message_id, sync=False)

    return await run_cancel(rt, cancel_one, messages.cancel_all, "message(s)")


def register(sub: Any) -> None:
    p = command(
        sub,
        "cancel",
        "cancel scheduled messages",
        "  smstui cancel 1E7A4F2C-2C5B-4C55-9A55-0F4B0B0E6E11\n  smstui cancel --all",
        handler=cancel,
    )
    one_or_all(p, "the message to cancel", "cancel every scheduled message")
