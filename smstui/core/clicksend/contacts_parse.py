"""Lenient parsers for ClickSend contact lists, contacts and ``/search/contacts-lists``.

Same rules as ``smstui.core.clicksend.parse``: any JSON yields a model or a typed error. Ids are
ints in the docs; they are kept as text so they round-trip into paths unchanged.
"""

from __future__ import annotations

from typing import Any

from smstui.core.clicksend import coerce as c
from smstui.core.clicksend.parse import parse_one, parse_page
from smstui.core.models import Contact, ContactList, Page, SearchHit


def _list(raw: dict[str, Any]) -> ContactList | None:
    list_id = c.record_id(raw.get("list_id"))
    if list_id is None:
        return None
    return ContactList(
        list_id=list_id,
        name=c.text_or_empty(raw.get("list_name")),
        contacts_count=max(0, c.integer(raw.get("_contacts_count"))),
        email_id=c.text_or_empty(raw.get("list_email_id")),
        import_in_progress=c.flag(raw.get("_import_in_progress")),
    )


def parse_lists_page(data: Any) -> Page[ContactList]:
    return parse_page(data, _list)


def parse_list(data: Any) -> ContactList:
    return parse_one(data, _list, "contact list", "list id")


def _contact(raw: dict[str, Any]) -> Contact | None:
    contact_id = c.record_id(raw.get("contact_id"))
    if contact_id is None:
        return None
    custom = tuple(c.text_or_empty(raw.get(f"custom_{i}")) for i in range(1, 5))
    return Contact(
        contact_id=contact_id,
        list_id=c.record_id(raw.get("list_id")) or "",
        phone_number=c.optional_text(raw.get("phone_number")),
        first_name=c.text_or_empty(raw.get("first_name")),
        last_name=c.text_or_empty(raw.get("last_name")),
        email=c.text_or_empty(raw.get("email")),
        organization_name=c.text_or_empty(raw.get("organization_name")),
        custom=(custom[0], custom[1], custom[2], custom[3]),
        date_added=c.timestamp(raw.get("date_added")),
        date_updated=c.timestamp(raw.get("date_updated")),
        list_name=c.text_or_empty(raw.get("_list_name")),
    )


def parse_contacts_page(data: Any) -> Page[Contact]:
    return parse_page(data, _contact)


def parse_contact(data: Any) -> Contact:
    return parse_one(data, _contact, "contact", "contact id")


def _hit(raw: dict[str, Any]) -> SearchHit | None:
    hit_id = c.record_id(raw.get("id"))
    kind = (c.text(raw.get("type")) or "").strip().lower()
    if hit_id is None or kind not in ("contact", "list"):
        return None
    count = raw.get("contacts_count")
    return SearchHit(
        kind="contact" if kind == "contact" else "list",
        id=hit_id,
        name=c.text_or_empty(raw.get("name")),
        detail=c.text_or_empty(raw.get("contact")),
        contacts_count=None if count is None else c.optional_integer(count),
    )


def parse_search_page(data: Any) -> Page[SearchHit]:
    return parse_page(data, _hit)
