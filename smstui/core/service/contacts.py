"""Contact lists and contacts (ClickSend's address book), and CSV imports into a list."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from smstui.core.clicksend.contacts import ContactsService, ImportReport
    from smstui.core.clicksend.contacts_csv import ImportPlan
    from smstui.core.models import Contact, ContactList, NewContact, Page, SearchHit
    from smstui.core.service.workspace import Workspace


class ContactsPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    async def _service(self) -> ContactsService:
        from smstui.core.clicksend.contacts import ContactsService

        # wraps the session's one SmsService, so the /v3 prefix is learnt once
        return ContactsService(await self._ws._session().service())

    async def lists(self) -> list[ContactList]:
        return await (await self._service()).all_lists()

    async def create_list(self, name: str) -> ContactList:
        return await (await self._service()).create_list(name)

    async def rename_list(self, list_id: str, name: str) -> ContactList:
        return await (await self._service()).rename_list(list_id, name)

    async def delete_list(self, list_id: str) -> None:
        await (await self._service()).delete_list(list_id)

    async def contacts_page(self, list_id: str, page: int, limit: int) -> Page[Contact]:
        return await (await self._service()).contacts(list_id, page, limit)

    async def all_contacts(
        self, list_id: str, updated_after: datetime | None = None
    ) -> list[Contact]:
        """Every contact of a list (``updated_after``: only those changed since), all pages."""
        service = await self._service()
        if updated_after is None:
            return await service.members(list_id)
        items: list[Contact] = []
        page_no = 1
        while True:
            page = await service.contacts(list_id, page=page_no, updated_after=updated_after)
            items.extend(page.items)
            if not page.has_next or not page.items:
                return items
            page_no = page.page + 1

    async def add_contact(self, list_id: str, contact: NewContact) -> Contact:
        return await (await self._service()).add_contact(list_id, contact)

    async def edit_contact(self, list_id: str, contact_id: str, changes: NewContact) -> Contact:
        return await (await self._service()).edit_contact(list_id, contact_id, changes)

    async def delete_contact(self, list_id: str, contact_id: str) -> None:
        await (await self._service()).delete_contact(list_id, contact_id)

    async def search(self, q: str) -> list[SearchHit]:
        page: Page[SearchHit] = await (await self._service()).search(q)
        return page.items

    async def member_numbers(self, list_id: str) -> list[str]:
        return await (await self._service()).member_numbers(list_id)

    def plan_import(self, data: bytes) -> ImportPlan:
        """Check every row of a contacts CSV locally (nothing is sent)."""
        from smstui.core.clicksend.contacts_csv import plan_import

        return plan_import(data, default_region=self._ws.default_region)

    async def import_csv(self, list_id: str, data: bytes) -> ImportReport:
        service = await self._service()
        report: ImportReport = await service.import_csv(
            list_id, data, default_region=self._ws.default_region
        )
        return report
