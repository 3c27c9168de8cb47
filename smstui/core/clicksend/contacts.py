"""Contact lists and contacts: browse, create, rename, delete, search, import a CSV.

All calls go through ``ClickSendApi`` (an ``SmsService``). A CSV import checks every row
first and creates nothing if any row is bad; if ClickSend fails part way through, the
contacts already created are deleted again, so a list is never left half-imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from smstui.core.clicksend import contacts_parse as parse
from smstui.core.clicksend.api import ClickSendApi
from smstui.core.clicksend.contacts_csv import MAX_CONTACTS, ImportPlan, plan_import
from smstui.core.clicksend.wire import clamp_limit, segment, unix
from smstui.core.errors import SmstuiError, ValidationError
from smstui.core.models import Contact, ContactList, NewContact, Page, SearchHit

T = TypeVar("T")

#: safety stop when expanding a list (100 per page -> 20,000 contacts, ClickSend's maximum)
MAX_PAGES = MAX_CONTACTS // 100


@dataclass(frozen=True, slots=True)
class ImportReport:
    list_id: str
    created: list[Contact]
    skipped_duplicates: list[int] = field(default_factory=list)

    @property
    def created_count(self) -> int:
        return len(self.created)


def contact_body(contact: NewContact) -> dict[str, Any]:
    """The JSON ClickSend takes for create/update: only the fields that are set."""
    body: dict[str, Any] = {}
    for key in ("phone_number", "first_name", "last_name", "email", "organization_name"):
        value = getattr(contact, key)
        if value is not None:
            body[key] = value
    for i, value in enumerate(contact.custom, start=1):
        if value is not None:
            body[f"custom_{i}"] = value
    return body


def _name(name: str, what: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError(f"The {what} name is empty.", field="name")
    return cleaned


class ContactsService:
    def __init__(self, api: ClickSendApi) -> None:
        self._api = api

    # ------------------------------------------------------------------ lists

    async def lists(self, page: int = 1, limit: int = 100) -> Page[ContactList]:
        params = {"page": max(1, page), "limit": clamp_limit(limit)}
        return parse.parse_lists_page((await self._api.read("/lists", params)).data)

    async def all_lists(self) -> list[ContactList]:
        return await _all_pages(self.lists)

    async def get_list(self, list_id: str) -> ContactList:
        return parse.parse_list((await self._api.read(f"/lists/{segment(list_id)}")).data)

    async def create_list(self, name: str) -> ContactList:
        envelope = await self._api.write("POST", "/lists", {"list_name": _name(name, "list")})
        return parse.parse_list(envelope.data)

    async def rename_list(self, list_id: str, name: str) -> ContactList:
        body = {"list_name": _name(name, "list")}
        envelope = await self._api.write("PUT", f"/lists/{segment(list_id)}", body)
        return parse.parse_list(envelope.data)

    async def delete_list(self, list_id: str) -> None:
        await self._api.write("DELETE", f"/lists/{segment(list_id)}")

    # ------------------------------------------------------------------ contacts

    async def contacts(
        self,
        list_id: str,
        page: int = 1,
        limit: int = 100,
        updated_after: datetime | int | None = None,
    ) -> Page[Contact]:
        params: dict[str, Any] = {"page": max(1, page), "limit": clamp_limit(limit)}
        if updated_after is not None:
            params["updated_after"] = unix(updated_after)
        path = f"/lists/{segment(list_id)}/contacts"
        return parse.parse_contacts_page((await self._api.read(path, params)).data)

    async def members(self, list_id: str) -> list[Contact]:
        """Every contact of a list (what a list means as recipients, for price and parts)."""

        async def page(page: int, limit: int) -> Page[Contact]:
            return await self.contacts(list_id, page=page, limit=limit)

        return await _all_pages(page)

    async def member_numbers(self, list_id: str) -> list[str]:
        """The list's phone numbers, de-duplicated, order kept (contacts without one skipped)."""
        seen: dict[str, None] = {}
        for c in await self.members(list_id):
            if c.phone_number:
                seen.setdefault(c.phone_number, None)
        return list(seen)

    async def get_contact(self, list_id: str, contact_id: str) -> Contact:
        path = f"/lists/{segment(list_id)}/contacts/{segment(contact_id)}"
        return parse.parse_contact((await self._api.read(path)).data)

    async def add_contact(self, list_id: str, contact: NewContact) -> Contact:
        body = contact_body(contact)
        if not any(body.get(k) for k in ("phone_number", "email")):
            raise ValidationError("A contact needs a phone number or an email.", field="phone")
        path = f"/lists/{segment(list_id)}/contacts"
        return parse.parse_contact((await self._api.write("POST", path, body)).data)

    async def edit_contact(self, list_id: str, contact_id: str, changes: NewContact) -> Contact:
        body = contact_body(changes)
        if not body:
            raise ValidationError("Nothing to change.", field="contact")
        path = f"/lists/{segment(list_id)}/contacts/{segment(contact_id)}"
        return parse.parse_contact((await self._api.write("PUT", path, body)).data)

    async def delete_contact(self, list_id: str, contact_id: str) -> None:
        path = f"/lists/{segment(list_id)}/contacts/{segment(contact_id)}"
        await self._api.write("DELETE", path)

    # ------------------------------------------------------------------ search

    async def search(self, q: str, page: int = 1, limit: int = 100) -> Page[SearchHit]:
        params = {"q": q, "page": max(1, page), "limit": clamp_limit(limit)}
        return parse.parse_search_page(
            (await self._api.read("/search/contacts-lists", params)).data
        )

    # ------------------------------------------------------------------ import

    async def import_csv(
        self, list_id: str, data: bytes, *, default_region: str = "AU"
    ) -> ImportReport:
        """Validate the whole file, then create every contact; all or nothing."""
        plan = plan_import(data, default_region=default_region)
        _raise_for_problems(plan)
        created: list[Contact] = []
        try:
            for row in plan.rows:
                created.append(await self.add_contact(list_id, row.contact))
        except SmstuiError as err:
            undone = await self._undo(list_id, created)
            err.message = (
                f"{err.message} (import stopped at line {plan.rows[len(created)].line}; "
                f"{undone} of {len(created)} contacts already created were removed again)"
            )
            err.args = (err.message,)
            raise
        return ImportReport(list_id, created, plan.duplicates)

    async def _undo(self, list_id: str, created: list[Contact]) -> int:
        undone = 0
        for contact in created:
            try:
                await self.delete_contact(list_id, contact.contact_id)
                undone += 1
            except SmstuiError:
                continue
        return undone


def _raise_for_problems(plan: ImportPlan) -> None:
    if plan.problems:
        shown = "; ".join(f"line {p.line}: {p.reason}" for p in plan.problems[:20])
        more = len(plan.problems) - 20
        raise ValidationError(
            f"{len(plan.problems)} bad rows, nothing imported: {shown}"
            + (f" (and {more} more)" if more > 0 else ""),
            field="file",
            hint="Fix those lines and import again.",
        )
    if not plan.rows:
        raise ValidationError("The CSV has no contacts.", field="file")


async def _all_pages(fetch: Callable[[int, int], Awaitable[Page[T]]]) -> list[T]:
    items: list[T] = []
    page_no = 1
    while page_no <= MAX_PAGES:
        page = await fetch(page_no, 100)
        items.extend(page.items)
        if not page.has_next or not page.items:
            break
        page_no = page.page + 1
    return items
