"""voice langs | price | send | cancel: calls that read text aloud, placed exactly once."""

from __future__ import annotations

from typing import Any

from smstui.cli import channel_output
from smstui.cli.argtree import actions, command
from smstui.cli.commands.cancel import one_or_all, run_cancel
from smstui.cli.commands.mms import recipient_args
from smstui.cli.commands.optouts import include_opted_out_arg
from smstui.cli.draft_args import voice_messages
from smstui.cli.runtime import Runtime


async def voice_langs(rt: Runtime) -> int:
    langs = await rt.ws.messages.languages()
    docs = [{"code": lg.code, "name": lg.name, "voices": list(lg.genders)} for lg in langs]
    rows = [[lg.code, lg.name, ", ".join(lg.genders)] for lg in langs]
    rt.emit(docs, ["CODE", "LANGUAGE", "VOICES"], rows)
    return 0


async def voice_price(rt: Runtime) -> int:
    messages = await voice_messages(rt)
    return channel_output.quote(rt, await rt.ws.messages.price_each(messages))


async def voice_send(rt: Runtime) -> int:
    messages = await voice_messages(rt)
    results = await rt.ws.messages.send_voice(messages, include_opted_out=rt.args.include_opted_out)
    return channel_output.sent(rt, results)


async def voice_cancel(rt: Runtime) -> int:
    messages = rt.ws.messages
    return await run_cancel(rt, messages.cancel_voice, messages.cancel_all_voice, "voice call(s)")


def register(sub: Any) -> None:
    top = command(
        sub,
        "voice",
        "voice calls that read text aloud (1200 GSM / 600 Unicode characters)",
        "  smstui voice langs\n  smstui voice price --to 0412345678 --body 'Your code is 1 2 3'\n"
        "  smstui voice send --to 0412345678 --body 'Your code is 1 2 3' --voice male --lang en-gb\n"
        "  smstui voice cancel --all",
    )
    acts = actions(top)
    command(
        acts,
        "langs",
        "list voice languages and their voices",
        "  smstui --json voice langs",
        handler=voice_langs,
    )
    p = command(
        acts,
        "cancel",
        "cancel scheduled voice calls",
        "  smstui voice cancel 1E7A4F2C-2C5B-4C55-9A55-0F4B0B0E6E11\n  smstui voice cancel --all",
        handler=voice_cancel,
    )
    one_or_all(p, "the call to cancel", "cancel every scheduled voice call")
    for name, text, handler in (
        ("price", "price a voice call (calls nobody)", voice_price),
        ("send", "call exactly once", voice_send),
    ):
        p = command(
            acts,
            name,
            text,
            f"  smstui voice {name} --to 0412345678 --body 'Hello' --lang en-au",
            handler=handler,
        )
        recipient_args(p)
        p.add_argument("--voice", choices=("female", "male"), default="female")
        p.add_argument("--lang", default="en-au", help="a code from 'smstui voice langs'")
        p.add_argument("--require-input", action="store_true", help="wait for a key press")
        p.add_argument("--machine-detection", action="store_true", help="detect answering machines")
        if name == "send":
            include_opted_out_arg(p)
