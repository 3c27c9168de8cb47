"""ClickSend's contact lists, contacts and ``/search/contacts-lists`` for the sandbox."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .envelope import ClickSendProblem, envelope, page_params, paginate
from .http import SandboxResponse
from .pricing import parse_recipient

if TYPE_CHECKING:
    from .clicksend import SimClickSend

CONTACT_FIELDS = (
    "phone_number",
    "first_name",
    "last_name",
    "custom_1",
    "custom_2",
    "custom_3",
    "custom_4",
    "fax_number",
    "organization_name",
    "email",
    "address_line_1",
    "address_line_2",
    "address_city",
    "address_state",
    "address_postal_code",
    "address_country",
)
#: seeded lists: name -> number of contacts (fictional AU mobile numbers)
SEED_LISTS = {"Customers": 25, "VIP": 3}
_FIRST = ("Ava", "Noah", "Mia", "Leo", "Zoe", "Jack", "Ruby", "Oscar", "Isla", "Liam")
_LAST = ("Nguyen", "Smith", "Patel", "Brown", "Wilson", "Chen", "Taylor", "Kelly")


@dataclass(slots=True)
class ContactBook:
    lists: dict[int, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_list_id: int = 428
    next_contact_id: int = 552786

    def seed(self, now: int) -> None:
        n = 0
        for name, size in SEED_LISTS.items():
            list_id = self.add_list(name)
            for _ in range(size):
                contact = {
                    "phone_number": f"+614125{n:05d}",
                    "first_name": _FIRST[n % len(_FIRST)],
                    "last_name": _LAST[n % len(_LAST)],
                }
                self.add_contact(list_id, contact, now)
                n += 1

    def add_list(self, name: str) -> int:
        list_id = self.next_list_id
        self.next_list_id += 1
        self.lists[list_id] = {"list_id": list_id, "list_name": name, "list_email_id": ""}
        self.lists[list_id]["list_email_id"] = f"SBX{list_id:013d}"
        return list_id

    def add_contact(self, list_id: int, fields: dict[str, Any], now: int) -> dict[str, Any]:
        contact_id = self.next_contact_id
        self.next_contact_id += 1
        record: dict[str, Any] = {"contact_id": contact_id, "list_id": list_id}
        record.update({k: fields.get(k) for k in CONTACT_FIELDS})
        record["date_added"] = now
        record["date_updated"] = now
        self.contacts[contact_id] = record
        return record

    def members(self, list_id: int) -> list[dict[str, Any]]:
        return [c for c in self.contacts.values() if c["list_id"] == list_id]

    def list_json(self, list_id: int) -> dict[str, Any]:
        record = self.lists[list_id]
        return {
            **record,
            "_contacts_count": len(self.members(list_id)),
            "_import_in_progress": 0,
            "_optout_in_progress": 0,
        }

    def contact_json(self, record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "_list_name": self.lists[record["list_id"]]["list_name"]}


def _list_id(cs: SimClickSend, raw: str) -> int:
    if not raw.isdigit() or int(raw) not in cs.contacts.lists:
        raise ClickSendProblem(404, "List not found.", code="NOT_FOUND")
    return int(raw)


def _list_name(payload: Any) -> str:
    name = payload.get("list_name") if isinstance(payload, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise ClickSendProblem(400, "Invalid input.", {"list_name": "List name is required."})
    return name.strip()


def lists(cs: SimClickSend, _m: re.Match[str], query: dict[str, str], _p: Any) -> SandboxResponse:
    page, limit = page_params(query)
    rows = [cs.contacts.list_json(i) for i in sorted(cs.contacts.lists)]
    return envelope(200, "Here are your data.", paginate(rows, page, limit, "/v3/lists"))


def list_create(cs: SimClickSend, _m: re.Match[str], _q: dict[str, str], p: Any) -> SandboxResponse:
    list_id = cs.contacts.add_list(_list_name(p))
    return envelope(200, "New list has been created.", cs.contacts.list_json(list_id))


def list_get(cs: SimClickSend, m: re.Match[str], _q: dict[str, str], _p: Any) -> SandboxResponse:
    return envelope(200, "Here are your data.", cs.contacts.list_json(_list_id(cs, m["id"])))


def list_update(cs: SimClickSend, m: re.Match[str], _q: dict[str, str], p: Any) -> SandboxResponse:
    list_id = _list_id(cs, m["id"])
    cs.contacts.lists[list_id]["list_name"] = _list_name(p)
    return envelope(200, f"List #{list_id} has been updated.", cs.contacts.list_json(list_id))


def list_delete(cs: SimClickSend, m: re.Match[str], _q: dict[str, str], _p: Any) -> SandboxResponse:
    list_id = _list_id(cs, m["id"])
    del cs.contacts.lists[list_id]
    for contact in cs.contacts.members(list_id):
        del cs.contacts.contacts[contact["contact_id"]]
    return envelope(200, f"List #{list_id} has been deleted.", [])


def contacts(cs: SimClickSend, m: re.Match[str], query: dict[str, str], _p: Any) -> SandboxResponse:
    list_id = _list_id(cs, m["id"])
    page, limit = page_params(query)
    rows = cs.contacts.members(list_id)
    if query.get("updated_after"):
        try:
            after = int(query["updated_after"])
        except ValueError as exc:
            raise ClickSendProblem(400, "updated_after must be a Unix timestamp.") from exc
        rows = [c for c in rows if c["date_updated"] > after]
    docs = [cs.contacts.contact_json(c) for c in rows]
    path = f"/v3/lists/{list_id}/contacts"
    return envelope(200, "Here's your list of contacts.", paginate(docs, page, limit, path))


def _contact_fields(cs: SimClickSend, payload: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ClickSendProblem(400, "Invalid input.")
    fields = {k: payload[k] for k in CONTACT_FIELDS if k in payload}
    phone = fields.get("phone_number")
    if phone not in (None, ""):
        parsed = parse_recipient(phone, fields.get("address_country") or "AU")
        if parsed is None:
            raise ClickSendProblem(
                400, "Invalid input.", {"phone_number": "The phone number is not valid."}
            )
        fields["phone_number"] = parsed[0]
    if creating and not any(fields.get(k) for k in ("phone_number", "fax_number", "email")):
        raise ClickSendProblem(
            400,
            "Invalid input.",
            {"phone_number": "A phone number, fax number or email is required."},
        )
    return fields


def contact_create(
    cs: SimClickSend, m: re.Match[str], _q: dict[str, str], payload: Any
) -> SandboxResponse:
    list_id = _list_id(cs, m["id"])
    fields = _contact_fields(cs, payload, creating=True)
    record = cs.contacts.add_contact(list_id, fields, int(cs.now()))
    return envelope(200, "New contact has been created.", cs.contacts.contact_json(record))


def _contact(cs: SimClickSend, m: re.Match[str]) -> dict[str, Any]:
    list_id = _list_id(cs, m["id"])
    raw = m["cid"]
    record = cs.contacts.contacts.get(int(raw)) if raw.isdigit() else None
    if record is None or record["list_id"] != list_id:
        raise ClickSendProblem(404, "Contact not found.", code="NOT_FOUND")
    return record


def contact_get(cs: SimClickSend, m: re.Match[str], _q: dict[str, str], _p: Any) -> SandboxResponse:
    return envelope(200, "Here are your data.", cs.contacts.contact_json(_contact(cs, m)))


def contact_update(
    cs: SimClickSend, m: re.Match[str], _q: dict[str, str], payload: Any
) -> SandboxResponse:
    record = _contact(cs, m)
    record.update(_contact_fields(cs, payload, creating=False))
    record["date_updated"] = int(cs.now())
    message = f"Contact #{record['contact_id']} has been updated successfully."
    return envelope(200, message, cs.contacts.contact_json(record))


def contact_delete(
    cs: SimClickSend, m: re.Match[str], _q: dict[str, str], _p: Any
) -> SandboxResponse:
    record = _contact(cs, m)
    del cs.contacts.contacts[record["contact_id"]]
    return envelope(200, f"Contact #{record['contact_id']} has been deleted.", [])


def search(cs: SimClickSend, _m: re.Match[str], query: dict[str, str], _p: Any) -> SandboxResponse:
    page, limit = page_params(query)
    q = query.get("q", "").strip().lower()
    if not q:
        raise ClickSendProblem(400, "Invalid input.", {"q": "The q field is required."})
    hits: list[dict[str, Any]] = []
    for list_id in sorted(cs.contacts.lists):
        record = cs.contacts.lists[list_id]
        if q in record["list_name"].lower():
            count = len(cs.contacts.members(list_id))
            hits.append(
                {
                    "contact": record["list_email_id"],
                    "contacts_count": count,
                    "id": list_id,
                    "name": record["list_name"],
                    "type": "list",
                }
            )
    for contact in cs.contacts.contacts.values():
        name = f"{contact.get('first_name') or ''} {contact.get('last_name') or ''}".strip()
        haystack = f"{name} {contact.get('phone_number') or ''} {contact.get('email') or ''}"
        if q in haystack.lower():
            hits.append(
                {
                    "contact": contact.get("phone_number") or contact.get("email") or "",
                    "contacts_count": None,
                    "id": contact["contact_id"],
                    "name": name,
                    "type": "contact",
                }
            )
    data = paginate(hits, page, limit, "/v3/search/contacts-lists")
    return envelope(200, "Here are some search result.", data)


_LIST = r"(?P<id>[^/]+)"
ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/v3/lists", lists),
    ("POST", "/v3/lists", list_create),
    ("GET", f"/v3/lists/{_LIST}", list_get),
    ("PUT", f"/v3/lists/{_LIST}", list_update),
    ("DELETE", f"/v3/lists/{_LIST}", list_delete),
    ("GET", f"/v3/lists/{_LIST}/contacts", contacts),
    ("POST", f"/v3/lists/{_LIST}/contacts", contact_create),
    ("GET", f"/v3/lists/{_LIST}/contacts/(?P<cid>[^/]+)", contact_get),
    ("PUT", f"/v3/lists/{_LIST}/contacts/(?P<cid>[^/]+)", contact_update),
    ("DELETE", f"/v3/lists/{_LIST}/contacts/(?P<cid>[^/]+)", contact_delete),
    ("GET", "/v3/search/contacts-lists", search),
]
