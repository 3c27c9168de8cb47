"""lists, contacts, campaign, mms, voice: the commands beyond one-off SMS.

Every command has ``--json``. Sends are exactly once: MMS and voice go through the outbox
(``ChannelOutbox``); a campaign is one request that is never repeated, priced and confirmed
first (``--yes`` when standard input is not a terminal).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smstui.cli.compose import read_text, recipients
from smstui.cli.runtime import Runtime
from smstui.cli.when import parse_when
from smstui.core.campaigns import (
    OPT_OUT_WARNING,
    CampaignService,
    needs_opt_out,
    new_campaign,
)
from smstui.core.contacts import ContactsService
from smstui.core.errors import UsageError, ValidationError
from smstui.core.mms_voice import MmsVoiceService, check_mms, check_voice
from smstui.core.models import (
    Campaign,
    Contact,
    ContactList,
    NewContact,
    OutgoingMms,
    OutgoingVoice,
)
from smstui.core.outbox import OutboxResult
from smstui.core.outbox_channels import ChannelOutbox
from smstui.core.phone import validate_sender_id


async def _contacts(rt: Runtime) -> ContactsService:
    return ContactsService(await rt.service())


def _emit(rt: Runtime, doc: Any, headers: list[str], rows: list[list[Any]]) -> None:
    if rt.out.json_mode:
        rt.out.emit_json(doc)
    else:
        rt.out.table(headers, rows)


def _confirm(rt: Runtime, prompt: str, *, what: str) -> bool:
    if rt.args.yes:
        return True
    if not rt.stdin_is_tty:
        raise UsageError(
            f"refusing to {what} without confirmation: standard input is not a terminal",
            hint="Add --yes to go ahead without asking.",
        )
    return rt.ask(prompt).lower() in ("y", "yes")


# --------------------------------------------------------------------------- lists


def _list_doc(x: ContactList) -> dict[str, Any]:
    return {"list_id": x.list_id, "name": x.name, "contacts": x.contacts_count}


async def lists_list(rt: Runtime) -> int:
    found = await (await _contacts(rt)).all_lists()
    _emit(
        rt,
        [_list_doc(x) for x in found],
        ["ID", "NAME", "CONTACTS"],
        [[x.list_id, x.name, x.contacts_count] for x in found],
    )
    return 0


async def _show_list(rt: Runtime, x: ContactList) -> int:
    _emit(rt, _list_doc(x), ["ID", "NAME", "CONTACTS"], [[x.list_id, x.name, x.contacts_count]])
    return 0


async def lists_create(rt: Runtime) -> int:
    return await _show_list(rt, await (await _contacts(rt)).create_list(rt.args.name))


async def lists_rename(rt: Runtime) -> int:
    service = await _contacts(rt)
    return await _show_list(rt, await service.rename_list(rt.args.list_id, rt.args.name))


async def lists_delete(rt: Runtime) -> int:
    if not _confirm(rt, f"Delete list {rt.args.list_id} and its contacts? [y/N] ", what="delete"):
        rt.out.note("not deleted")
        return 1
    await (await _contacts(rt)).delete_list(rt.args.list_id)
    _emit(rt, {"deleted": rt.args.list_id}, ["DELETED"], [[rt.args.list_id]])
    return 0


# --------------------------------------------------------------------------- contacts


def _contact_doc(c: Contact) -> dict[str, Any]:
    return {
        "contact_id": c.contact_id,
        "list_id": c.list_id,
        "phone_number": c.phone_number,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "organization": c.organization_name,
        "date_updated": c.date_updated,
    }


def _contact_rows(items: list[Contact]) -> list[list[Any]]:
    return [[c.contact_id, c.phone_number, c.first_name, c.last_name, c.email] for c in items]


_CONTACT_HEADERS = ["ID", "PHONE", "FIRST", "LAST", "EMAIL"]


async def contacts_list(rt: Runtime) -> int:
    service = await _contacts(rt)
    a = rt.args
    if a.updated_after:
        after = parse_when(a.updated_after, future=False)
        items: list[Contact] = []
        page_no = 1
        while True:
            page = await service.contacts(a.list_id, page=page_no, updated_after=after)
            items.extend(page.items)
            if not page.has_next or not page.items:
                break
            page_no = page.page + 1
    else:
        items = await service.members(a.list_id)
    _emit(rt, [_contact_doc(c) for c in items], _CONTACT_HEADERS, _contact_rows(items))
    return 0


def _new_contact(rt: Runtime) -> NewContact:
    a = rt.args
    phone = None
    if a.phone is not None:
        phone = recipients([a.phone], rt.settings.default_region)[0]
    return NewContact(
        phone_number=phone,
        first_name=a.first_name,
        last_name=a.last_name,
        email=a.email,
        organization_name=a.organization,
    )


async def contacts_add(rt: Runtime) -> int:
    added = await (await _contacts(rt)).add_contact(rt.args.list_id, _new_contact(rt))
    _emit(rt, _contact_doc(added), _CONTACT_HEADERS, _contact_rows([added]))
    return 0


async def contacts_edit(rt: Runtime) -> int:
    service = await _contacts(rt)
    edited = await service.edit_contact(rt.args.list_id, rt.args.contact_id, _new_contact(rt))
    _emit(rt, _contact_doc(edited), _CONTACT_HEADERS, _contact_rows([edited]))
    return 0


async def contacts_delete(rt: Runtime) -> int:
    a = rt.args
    if not _confirm(rt, f"Delete contact {a.contact_id}? [y/N] ", what="delete"):
        rt.out.note("not deleted")
        return 1
    await (await _contacts(rt)).delete_contact(a.list_id, a.contact_id)
    _emit(rt, {"deleted": a.contact_id}, ["DELETED"], [[a.contact_id]])
    return 0


async def contacts_import(rt: Runtime) -> int:
    path = Path(rt.args.file)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ValidationError(f"cannot read {path}: {err.strerror}", field="file") from None
    service = await _contacts(rt)
    report = await service.import_csv(
        rt.args.list_id, data, default_region=rt.settings.default_region
    )
    doc = {
        "list_id": report.list_id,
        "created": report.created_count,
        "skipped_duplicates": report.skipped_duplicates,
    }
    if rt.out.json_mode:
        rt.out.emit_json(doc)
    else:
        skipped = len(report.skipped_duplicates)
        rt.out.line(f"imported {report.created_count} contact(s); {skipped} duplicate(s) skipped")
    return 0


async def contacts_search(rt: Runtime) -> int:
    hits = (await (await _contacts(rt)).search(rt.args.query)).items
    docs = [
        {
            "type": h.kind,
            "id": h.id,
            "name": h.name,
            "detail": h.detail,
            "contacts": h.contacts_count,
        }
        for h in hits
    ]
    rows = [[h.kind, h.id, h.name, h.detail] for h in hits]
    _emit(rt, docs, ["TYPE", "ID", "NAME", "DETAIL"], rows)
    return 0


# --------------------------------------------------------------------------- campaigns


def _campaign_doc(c: Campaign) -> dict[str, Any]:
    return {
        "campaign_id": c.campaign_id,
        "name": c.name,
        "list_id": c.list_id,
        "status": c.status,
        "schedule": c.schedule,
        "recipients": c.total_count,
        "body": c.body,
    }


def _campaign_rows(items: list[Campaign]) -> list[list[Any]]:
    return [[c.campaign_id, c.name, c.list_id, c.status, c.total_count, c.schedule] for c in items]


_CAMPAIGN_HEADERS = ["ID", "NAME", "LIST", "STATUS", "RECIPIENTS", "SCHEDULE"]


def _campaign_from_args(rt: Runtime) -> Any:
    a = rt.args
    when = parse_when(a.schedule, future=True) if a.schedule else None
    campaign = new_campaign(
        a.list_id,
        a.name,
        read_text(a.body),
        sender=a.sender,
        schedule=when,
        default_region=rt.settings.default_region,
    )
    if needs_opt_out(campaign.body):
        rt.out.note("smstui: warning: " + OPT_OUT_WARNING)
    return campaign


async def campaign_price(rt: Runtime) -> int:
    campaign = _campaign_from_args(rt)
    service = CampaignService(await rt.service())
    await service.check_size(campaign.list_id)
    quote = await service.price(campaign)
    currency = quote.currency.code if quote.currency else None
    doc = {
        "recipients": quote.total_count,
        "total_price": quote.total_price,
        "currency": currency,
        "needs_opt_out": needs_opt_out(campaign.body),
    }
    _emit(
        rt,
        doc,
        ["RECIPIENTS", "PRICE", "CURRENCY"],
        [[quote.total_count, quote.total_price, currency]],
    )
    return 0


async def campaign_send(rt: Runtime) -> int:
    campaign = _campaign_from_args(rt)
    service = CampaignService(await rt.service())
    await service.check_size(campaign.list_id)
    quote = await service.price(campaign)
    currency = quote.currency.code if quote.currency else ""
    rt.out.note(f"{quote.total_count} recipient(s), total {quote.total_price} {currency}".rstrip())
    if not _confirm(rt, "Send this campaign now? [y/N] ", what="send"):
        rt.out.note("nothing sent")
        return 1
    sent = await service.send(campaign)
    _emit(rt, _campaign_doc(sent), _CAMPAIGN_HEADERS, _campaign_rows([sent]))
    return 0


async def campaign_list(rt: Runtime) -> int:
    service = CampaignService(await rt.service())
    items: list[Campaign] = []
    page_no = 1
    while True:
        page = await service.list(page=page_no)
        items.extend(page.items)
        if not page.has_next or not page.items:
            break
        page_no = page.page + 1
    _emit(rt, [_campaign_doc(c) for c in items], _CAMPAIGN_HEADERS, _campaign_rows(items))
    return 0


async def campaign_show(rt: Runtime) -> int:
    found = await CampaignService(await rt.service()).get(rt.args.campaign_id)
    _emit(rt, _campaign_doc(found), _CAMPAIGN_HEADERS, _campaign_rows([found]))
    return 0


async def campaign_cancel(rt: Runtime) -> int:
    found = await CampaignService(await rt.service()).cancel(rt.args.campaign_id)
    _emit(rt, _campaign_doc(found), _CAMPAIGN_HEADERS, _campaign_rows([found]))
    return 0


# --------------------------------------------------------------------------- mms / voice


def _common(rt: Runtime) -> tuple[list[str], str, Any]:
    a = rt.args
    to = recipients(a.to, rt.settings.default_region)
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
    _emit(rt, doc, ["TO", "STATUS", "PARTS", "PRICE"], table)
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
    _emit(rt, {"messages": rows}, ["TO", "STATUS", "MESSAGE ID"], table)
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
    _emit(rt, docs, ["CODE", "LANGUAGE", "VOICES"], rows)
    return 0


async def voice_price(rt: Runtime) -> int:
    service = MmsVoiceService(await rt.service())
    return _quote(rt, await service.price_voice(await _voice_messages(rt, service)))


async def voice_send(rt: Runtime) -> int:
    service = MmsVoiceService(await rt.service())
    messages = await _voice_messages(rt, service)
    outbox = ChannelOutbox(await rt.store(), service, "voice")
    return _sent(rt, await outbox.send_voice(messages))


HANDLERS = {
    "lists list": lists_list,
    "lists create": lists_create,
    "lists rename": lists_rename,
    "lists delete": lists_delete,
    "contacts list": contacts_list,
    "contacts add": contacts_add,
    "contacts edit": contacts_edit,
    "contacts delete": contacts_delete,
    "contacts import": contacts_import,
    "contacts search": contacts_search,
    "campaign price": campaign_price,
    "campaign send": campaign_send,
    "campaign list": campaign_list,
    "campaign show": campaign_show,
    "campaign cancel": campaign_cancel,
    "mms price": mms_price,
    "mms send": mms_send,
    "voice langs": voice_langs,
    "voice price": voice_price,
    "voice send": voice_send,
}
