"""mms price | send: a picture with text, sent exactly once through the session's outbox."""

from __future__ import annotations

import argparse
from typing import Any

from smstui.cli import channel_output
from smstui.cli.argtree import actions, command
from smstui.cli.commands.optouts import include_opted_out_arg
from smstui.cli.draft_args import mms_messages
from smstui.cli.runtime import Runtime
from smstui.core.when import WHEN_HELP


async def mms_price(rt: Runtime) -> int:
    messages = mms_messages(rt)
    return channel_output.quote(rt, await rt.ws.messages.price_each(messages))


async def mms_send(rt: Runtime) -> int:
    messages = mms_messages(rt)
    results = await rt.ws.messages.send_mms(messages, include_opted_out=rt.args.include_opted_out)
    return channel_output.sent(rt, results)


def recipient_args(p: argparse.ArgumentParser) -> None:
    """--to, --body and --schedule, as MMS and voice take them."""
    p.add_argument(
        "--to",
        action="append",
        required=True,
        metavar="NUMBER",
        help="recipient (repeat or comma-separate)",
    )
    p.add_argument("--body", required=True, help="text; '-' reads standard input")
    p.add_argument("--schedule", metavar="WHEN", help="send later. " + WHEN_HELP)


def register(sub: Any) -> None:
    top = command(
        sub,
        "mms",
        "MMS: a picture with text (subject <= 20 chars; 1500 GSM / 500 Unicode characters)",
        "  smstui mms price --to 0412345678 --subject Menu --media https://example.com/menu.jpg --body 'Tonight'\n"
        "  smstui mms send --to 0412345678 --subject Menu --media https://example.com/menu.jpg --body 'Tonight'",
    )
    acts = actions(top)
    for name, text, handler in (
        ("price", "price an MMS (sends nothing)", mms_price),
        ("send", "send an MMS exactly once", mms_send),
    ):
        p = command(
            acts,
            name,
            text,
            f"  smstui mms {name} --to 0412345678 --subject Hi --media https://x.test/a.jpg --body Hi",
            handler=handler,
        )
        recipient_args(p)
        p.add_argument("--subject", required=True)
        p.add_argument("--media", required=True, metavar="URL", help="a .jpg or .gif URL")
        p.add_argument("--from", dest="sender", metavar="SENDER")
        if name == "send":
            include_opted_out_arg(p)
