"""lists, contacts, campaign, mms, voice: the commands beyond one-off SMS.

Every command has ``--json``. Sends are exactly once: MMS and voice go through the outbox
(``ChannelOutbox``); a campaign is one request that is never repeated, priced and confirmed
first (``--yes`` when standard input is not a terminal).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smstui.cli import cmd_channels
from smstui.cli.compose import read_text, recipients
from smstui.cli.output_beyond import confirm, emit
from smstui.cli.runtime import Runtime
from smstui.core.clicksend.campaigns import (
    OPT_OUT_WARNING,
    CampaignService,
    needs_opt_out,
    new_campaign,
)
from smstui.core.clicksend.contacts import ContactsService
from smstui.core.errors import ValidationError
from smstui.core.models import (
    Campaign,
    Contact,
    ContactList,
    NewContact,
)
from smstui.core.when import parse_when


async def _contacts(rt: Runtime) -> ContactsService:
    return ContactsService(await rt.service())


# --------------------------------------------------------------------------- lists


def _list_doc(x: ContactList) -> dict[str, Any]:
    return {"list_id": x.list_id, "name": x.name, "contacts": x.contacts_count}


async def lists_list(rt: Runtime) -> int:
    found = await (await _contacts(rt)).all_lists()
    emit(
        rt,
        [_list_doc(x) for x in found],
        ["ID", "NAME", "CONTACTS"],
        [[x.list_id, x.name, x.contacts_count] for x in found],
    )
    return 0


async def _show_list(rt: Runtime, x: ContactList) -> int:
    emit(rt, _list_doc(x), ["ID", "NAME", "CONTACTS"], [[x.list_id, x.name, x.contacts_count]])
    return 0


async def lists_create(rt: Runtime) -> int:
    return await _show_list(rt, await (await _contacts(rt)).create_list(rt.args.name))


async def lists_rename(rt: Runtime) -> int:
    service = await _contacts(rt)
    return await _show_list(rt, await service.rename_list(rt.args.list_id, rt.args.name))


async def lists_delete(rt: Runtime) -> int:
    if not confirm(rt, f"Delete list {rt.args.list_id} and its contacts? [y/N] ", what="delete"):
        rt.out.note("not deleted")
        return 1
    await (await _contacts(rt)).delete_list(rt.args.list_id)
    emit(rt, {"deleted": rt.args.list_id}, ["DELETED"], [[rt.args.list_id]])
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
        **{f"custom_{i}": value for i, value in enumerate(c.custom, start=1)},
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
    emit(rt, [_contact_doc(c) for c in items], _CONTACT_HEADERS, _contact_rows(items))
    return 0


def _new_contact(rt: Runtime) -> NewContact:
    a = rt.args
    phone = None
    if a.phone is not None:
        phone = recipients([a.phone], rt.settings.default_region, warn=rt.out.note)[0]
    return NewContact(
        phone_number=phone,
        first_name=a.first_name,
        last_name=a.last_name,
        email=a.email,
        organization_name=a.organization,
        custom=(a.custom1, a.custom2, a.custom3, a.custom4),
    )


async def contacts_add(rt: Runtime) -> int:
    added = await (await _contacts(rt)).add_contact(rt.args.list_id, _new_contact(rt))
    emit(rt, _contact_doc(added), _CONTACT_HEADERS, _contact_rows([added]))
    return 0


async def contacts_edit(rt: Runtime) -> int:
    service = await _contacts(rt)
    edited = await service.edit_contact(rt.args.list_id, rt.args.contact_id, _new_contact(rt))
    emit(rt, _contact_doc(edited), _CONTACT_HEADERS, _contact_rows([edited]))
    return 0


async def contacts_delete(rt: Runtime) -> int:
    a = rt.args
    if not confirm(rt, f"Delete contact {a.contact_id}? [y/N] ", what="delete"):
        rt.out.note("not deleted")
        return 1
    await (await _contacts(rt)).delete_contact(a.list_id, a.contact_id)
    emit(rt, {"deleted": a.contact_id}, ["DELETED"], [[a.contact_id]])
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
    emit(rt, docs, ["TYPE", "ID", "NAME", "DETAIL"], rows)
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
    emit(
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
    if not confirm(rt, "Send this campaign now? [y/N] ", what="send"):
        rt.out.note("nothing sent")
        return 1
    sent = await service.send(campaign)
    emit(rt, _campaign_doc(sent), _CAMPAIGN_HEADERS, _campaign_rows([sent]))
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
    emit(rt, [_campaign_doc(c) for c in items], _CAMPAIGN_HEADERS, _campaign_rows(items))
    return 0


async def campaign_show(rt: Runtime) -> int:
    found = await CampaignService(await rt.service()).get(rt.args.campaign_id)
    emit(rt, _campaign_doc(found), _CAMPAIGN_HEADERS, _campaign_rows([found]))
    return 0


async def campaign_cancel(rt: Runtime) -> int:
    found = await CampaignService(await rt.service()).cancel(rt.args.campaign_id)
    emit(rt, _campaign_doc(found), _CAMPAIGN_HEADERS, _campaign_rows([found]))
    return 0


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
    **cmd_channels.HANDLERS,
}
