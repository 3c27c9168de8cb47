"""lists and contacts: ClickSend contact lists and the contacts in them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from smstui.cli.argtree import actions, command, yes_flag
from smstui.cli.draft_args import numbers
from smstui.cli.runtime import Runtime
from smstui.core.errors import ValidationError
from smstui.core.when import WHEN_HELP, parse_when

if TYPE_CHECKING:
    from smstui.core.models import Contact, ContactList, NewContact


def _list_doc(x: ContactList) -> dict[str, Any]:
    return {"list_id": x.list_id, "name": x.name, "contacts": x.contacts_count}


async def lists_list(rt: Runtime) -> int:
    found = await rt.ws.contacts.lists()
    rt.emit(
        [_list_doc(x) for x in found],
        ["ID", "NAME", "CONTACTS"],
        [[x.list_id, x.name, x.contacts_count] for x in found],
    )
    return 0


async def _show_list(rt: Runtime, x: ContactList) -> int:
    rt.emit(_list_doc(x), ["ID", "NAME", "CONTACTS"], [[x.list_id, x.name, x.contacts_count]])
    return 0


async def lists_create(rt: Runtime) -> int:
    return await _show_list(rt, await rt.ws.contacts.create_list(rt.args.name))


async def lists_rename(rt: Runtime) -> int:
    renamed = await rt.ws.contacts.rename_list(rt.args.list_id, rt.args.name)
    return await _show_list(rt, renamed)


async def lists_delete(rt: Runtime) -> int:
    if not rt.confirm(f"Delete list {rt.args.list_id} and its contacts? [y/N] ", what="delete"):
        rt.out.note("not deleted")
        return 1
    await rt.ws.contacts.delete_list(rt.args.list_id)
    rt.emit({"deleted": rt.args.list_id}, ["DELETED"], [[rt.args.list_id]])
    return 0


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
    a = rt.args
    after = parse_when(a.updated_after, future=False) if a.updated_after else None
    items = await rt.ws.contacts.all_contacts(a.list_id, updated_after=after)
    rt.emit([_contact_doc(c) for c in items], _CONTACT_HEADERS, _contact_rows(items))
    return 0


def _new_contact(rt: Runtime) -> NewContact:
    from smstui.core.models import NewContact

    a = rt.args
    phone = None
    if a.phone is not None:
        phone = numbers(rt, [a.phone])[0]
    return NewContact(
        phone_number=phone,
        first_name=a.first_name,
        last_name=a.last_name,
        email=a.email,
        organization_name=a.organization,
        custom=(a.custom1, a.custom2, a.custom3, a.custom4),
    )


async def contacts_add(rt: Runtime) -> int:
    added = await rt.ws.contacts.add_contact(rt.args.list_id, _new_contact(rt))
    rt.emit(_contact_doc(added), _CONTACT_HEADERS, _contact_rows([added]))
    return 0


async def contacts_edit(rt: Runtime) -> int:
    a = rt.args
    edited = await rt.ws.contacts.edit_contact(a.list_id, a.contact_id, _new_contact(rt))
    rt.emit(_contact_doc(edited), _CONTACT_HEADERS, _contact_rows([edited]))
    return 0


async def contacts_delete(rt: Runtime) -> int:
    a = rt.args
    if not rt.confirm(f"Delete contact {a.contact_id}? [y/N] ", what="delete"):
        rt.out.note("not deleted")
        return 1
    await rt.ws.contacts.delete_contact(a.list_id, a.contact_id)
    rt.emit({"deleted": a.contact_id}, ["DELETED"], [[a.contact_id]])
    return 0


async def contacts_import(rt: Runtime) -> int:
    path = Path(rt.args.file)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ValidationError(f"cannot read {path}: {err.strerror}", field="file") from None
    report = await rt.ws.contacts.import_csv(rt.args.list_id, data)
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
    hits = await rt.ws.contacts.search(rt.args.query)
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
    rt.emit(docs, ["TYPE", "ID", "NAME", "DETAIL"], rows)
    return 0


def _contact_fields(p: Any) -> None:
    p.add_argument("--phone", metavar="NUMBER")
    p.add_argument("--first-name")
    p.add_argument("--last-name")
    p.add_argument("--email")
    p.add_argument("--organization")
    for i in range(1, 5):
        p.add_argument(
            f"--custom{i}", metavar="TEXT", help=f"custom field {i} (merge field (Custom {i}))"
        )


def _register_lists(sub: Any) -> None:
    top = command(
        sub,
        "lists",
        "manage ClickSend contact lists",
        "  smstui lists list\n  smstui lists create 'Spring promo'\n"
        "  smstui lists rename 428 'Autumn promo'\n  smstui lists delete 428 --yes",
    )
    acts = actions(top)
    command(
        acts,
        "list",
        "list contact lists with their sizes",
        "  smstui --json lists list",
        handler=lists_list,
    )
    p = command(
        acts,
        "create",
        "create a list",
        "  smstui lists create 'Spring promo'",
        handler=lists_create,
    )
    p.add_argument("name")
    p = command(
        acts,
        "rename",
        "rename a list",
        "  smstui lists rename 428 'Autumn promo'",
        handler=lists_rename,
    )
    p.add_argument("list_id", metavar="LIST")
    p.add_argument("name")
    p = command(
        acts,
        "delete",
        "delete a list and its contacts",
        "  smstui lists delete 428 --yes",
        handler=lists_delete,
    )
    p.add_argument("list_id", metavar="LIST")
    yes_flag(p, "delete without asking")


def register(sub: Any) -> None:
    _register_lists(sub)
    top = command(
        sub,
        "contacts",
        "manage the contacts of a list",
        "  smstui contacts list 428\n  smstui contacts add 428 --phone 0412345678 --first-name Ann\n"
        "  smstui contacts import 428 customers.csv\n  smstui contacts search ann",
    )
    acts = actions(top)
    p = command(
        acts,
        "list",
        "list a list's contacts",
        "  smstui contacts list 428\n  smstui --json contacts list 428 --updated-after 1d",
        handler=contacts_list,
    )
    p.add_argument("list_id", metavar="LIST")
    p.add_argument(
        "--updated-after", metavar="WHEN", help="only contacts changed since. " + WHEN_HELP
    )
    p = command(
        acts,
        "add",
        "add a contact (a phone number or an email is needed)",
        "  smstui contacts add 428 --phone 0412345678 --first-name Ann --custom1 Gold",
        handler=contacts_add,
    )
    p.add_argument("list_id", metavar="LIST")
    _contact_fields(p)
    p = command(
        acts,
        "edit",
        "change a contact (only the fields given)",
        "  smstui contacts edit 428 552786 --last-name Lee --email ann@example.com --custom2 ''",
        handler=contacts_edit,
    )
    p.add_argument("list_id", metavar="LIST")
    p.add_argument("contact_id", metavar="CONTACT")
    _contact_fields(p)
    p = command(
        acts,
        "delete",
        "delete a contact",
        "  smstui contacts delete 428 552786 --yes",
        handler=contacts_delete,
    )
    p.add_argument("list_id", metavar="LIST")
    p.add_argument("contact_id", metavar="CONTACT")
    yes_flag(p, "delete without asking")
    p = command(
        acts,
        "import",
        "import a CSV into a list (every row checked first; nothing imported on error)",
        "  smstui contacts import 428 customers.csv\n"
        "  (columns: phone/mobile/number, optional first name, last name, email, custom 1..4)",
        handler=contacts_import,
    )
    p.add_argument("list_id", metavar="LIST")
    p.add_argument("file", metavar="FILE.csv")
    p = command(
        acts,
        "search",
        "search contacts and lists",
        "  smstui contacts search ann",
        handler=contacts_search,
    )
    p.add_argument("query")
