"""mms price|send and voice langs|price|send|cancel (sent exactly once through the outbox)."""

from __future__ import annotations

from typing import Any

from smstui.cli.cmd_messages import run_cancel
from smstui.cli.compose import read_text, recipients
from smstui.cli.output_beyond import emit
from smstui.cli.runtime import Runtime
from smstui.core.clicksend.mms_voice import MmsVoiceService, check_mms, check_voice
from smstui.core.delivery.outbox import OutboxResult
from smstui.core.delivery.outbox_channels import ChannelOutbox
from smstui.core.models import OutgoingMms, OutgoingVoice
from smstui.core.phone import validate_sender_id
from smstui.core.when import parse_when


def _common(rt: Runtime) -> tuple[list[str], str, Any]:
    a = rt.args
    to = recipients(a.to, rt.settings.default_region, warn=rt.out.note)
    when = parse_when(a.schedule, future=True) if a.schedule else None
    return to, read_text(a.body), when


def _mms_messages(rt: Runtime) -> list[OutgoingMms]:
    to, body, when = _common(rt)
    sender = (
        validate_sender_id(rt.args.sender, rt.settings.default_region) if rt.args.sender else None
    )
    return [
        check_mms(OutgoingMms(n, body, rt.args.subject, rt.args.media, sender, when)) for n in to
    ]


async def _voice_messages(rt: Runtime, service: MmsVoiceService) -> list[OutgoingVoice]:
    to, body, when = _common(rt)
    a = rt.args
    langs = await service.languages()
    return [
        check_voice(
            OutgoingVoice(
                n, body, a.voice, a.lang, a.require_input, a.machine_detection, schedule=when
            ),
            langs,
        )
        for n in to
    ]


def _quote(rt: Runtime, result: Any) -> int:
    currency = result.currency.code if result.currency else None
    rows = [
        {"to": m.to, "status": m.status, "parts": m.parts, "price": m.price}
        for m in result.messages
    ]
    doc = {"messages": rows, "total_price": result.total_price, "currency": currency}
    table = [[m["to"], m["status"], m["parts"], m["price"]] for m in rows]
    emit(rt, doc, ["TO", "STATUS", "PARTS", "PRICE"], table)
    return 0 if result.all_accepted else 1


def _sent(rt: Runtime, results: list[OutboxResult]) -> int:
    rows = [
        {
            "to": r.to,
            "outcome": r.outcome,
            "status": r.status or r.outcome.upper(),
            "message_id": r.message_id,
            "reason": r.reason if r.outcome != "accepted" else None,
        }
        for r in results
    ]
    table = [[m["to"], m["status"], m["message_id"]] for m in rows]
    emit(rt, {"messages": rows}, ["TO", "STATUS", "MESSAGE ID"], table)
    return 0 if all(r.outcome == "accepted" for r in results) else 1


async def mms_price(rt: Runtime) -> int:
    messages = _mms_messages(rt)
    return _quote(rt, await MmsVoiceService(await rt.service()).price_mms(messages))


async def mms_send(rt: Runtime) -> int:
    messages = _mms_messages(rt)
    outbox = ChannelOutbox(await rt.store(), MmsVoiceService(await rt.service()), "mms")
    return _sent(rt, await outbox.send_mms(messages))


async def voice_langs(rt: Runtime) -> int:
    langs = await MmsVoiceService(await rt.service()).languages()
    docs = [{"code": lg.code, "name": lg.name, "voices": list(lg.genders)} for lg in langs]
    rows = [[lg.code, lg.name, ", ".join(lg.genders)] for lg in langs]
    emit(rt, docs, ["CODE", "LANGUAGE", "VOICES"], rows)
    return 0


async def voice_price(rt: Runtime) -> int:
    service = MmsVoiceService(await rt.service())
    return _quote(rt, await service.price_voice(await _voice_messages(rt, service)))


async def voice_send(rt: Runtime) -> int:
    service = MmsVoiceService(await rt.service())
    messages = await _voice_messages(rt, service)
    outbox = ChannelOutbox(await rt.store(), service, "voice")
    return _sent(rt, await outbox.send_voice(messages))


async def voice_cancel(rt: Runtime) -> int:
    service = MmsVoiceService(await rt.service())
    return await run_cancel(rt, service.cancel_voice, service.cancel_all_voice, "voice call(s)")


HANDLERS = {
    "mms price": mms_price,
    "mms send": mms_send,
    "voice langs": voice_langs,
    "voice price": voice_price,
    "voice send": voice_send,
    "voice cancel": voice_cancel,
}
