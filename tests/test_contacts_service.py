"""ContactsService with the real MembraneClient against the in-process sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from support.sandbox_client import START, make_client, make_sms, make_world

from smstui.core.clicksend.contacts import ContactsService
from smstui.core.clicksend.prefix_learning import InMemoryPrefix
from smstui.core.clicksend.sms import SmsService
from smstui.core.errors import ClickSendError, ValidationError
from smstui.core.models import NewContact
from smstui.core.sandbox import Fault, SandboxWorld


@pytest.fixture(params=["/v3", ""], ids=["base-without-v3", "base-with-v3"])
def world(request: pytest.FixtureRequest) -> SandboxWorld:
    return make_world(request.param)


@pytest.fixture
async def contacts(world: SandboxWorld) -> AsyncIterator[ContactsService]:
    async with make_client(world) as client:
        yield ContactsService(make_sms(client))


async def test_seeded_lists_are_listed_with_counts(contacts: ContactsService) -> None:
    found = {lst.name: lst.contacts_count for lst in await contacts.all_lists()}
    assert found == {"Customers": 25, "VIP": 3}


async def test_first_call_learns_the_prefix_shared_with_sms(world: SandboxWorld) -> None:
    memory = InMemoryPrefix()
    async with make_client(world) as client:
        await ContactsService(make_sms(client, memory)).lists()
    assert memory.prefix == world.prefix


async def test_create_rename_delete_list(contacts: ContactsService) -> None:
    created = await contacts.create_list("  Spring   promo ")
    assert created.name == "Spring promo"
    renamed = await contacts.rename_list(created.list_id, "Autumn promo")
    assert (await contacts.get_list(created.list_id)).name == renamed.name == "Autumn promo"
    await contacts.delete_list(created.list_id)
    with pytest.raises(ClickSendError) as err:
        await contacts.get_list(created.list_id)
    assert err.value.http_status == 404


async def test_empty_list_name_is_refused_before_sending(
    contacts: ContactsService, world: SandboxWorld
) -> None:
    before = len(world.request_log)
    with pytest.raises(ValidationError):
        await contacts.create_list("   ")
    assert len(world.request_log) == before


async def test_contacts_of_a_list_are_paged(contacts: ContactsService) -> None:
    customers = next(x for x in await contacts.all_lists() if x.name == "Customers")
    first = await contacts.contacts(customers.list_id, page=1, limit=15)
    second = await contacts.contacts(customers.list_id, page=2, limit=15)
    assert (len(first.items), len(second.items), first.total) == (15, 10, 25)
    assert not {c.contact_id for c in first.items} & {c.contact_id for c in second.items}


async def test_updated_after_returns_only_changed_contacts(
    contacts: ContactsService, world: SandboxWorld
) -> None:
    vip = next(x for x in await contacts.all_lists() if x.name == "VIP")
    members = await contacts.members(vip.list_id)
    world.advance(60)
    await contacts.edit_contact(vip.list_id, members[0].contact_id, NewContact(first_name="Zed"))
    changed = await contacts.contacts(vip.list_id, updated_after=datetime.fromtimestamp(START, UTC))
    assert [(c.contact_id, c.first_name) for c in changed.items] == [(members[0].contact_id, "Zed")]


async def test_add_edit_delete_contact(contacts: ContactsService) -> None:
    lst = await contacts.create_list("Team")
    added = await contacts.add_contact(
        lst.list_id, NewContact(phone_number="+61412345678", first_name="Ann")
    )
    assert (added.phone_number, added.first_name, added.list_name) == (
        "+61412345678",
        "Ann",
        "Team",
    )
    edited = await contacts.edit_contact(lst.list_id, added.contact_id, NewContact(last_name="Lee"))
    assert (edited.first_name, edited.last_name) == ("Ann", "Lee")
    await contacts.delete_contact(lst.list_id, added.contact_id)
    assert (await contacts.members(lst.list_id)) == []


async def test_contact_without_phone_or_email_is_refused(contacts: ContactsService) -> None:
    with pytest.raises(ValidationError):
        await contacts.add_contact("428", NewContact(first_name="Nobody"))


async def test_member_numbers_expand_a_list_for_pricing(contacts: ContactsService) -> None:
    customers = next(x for x in await contacts.all_lists() if x.name == "Customers")
    numbers = await contacts.member_numbers(customers.list_id)
    assert len(numbers) == 25
    assert all(n.startswith("+614") for n in numbers)


async def test_search_finds_lists_and_contacts(contacts: ContactsService) -> None:
    hits = (await contacts.search("vip")).items
    assert [(h.kind, h.name, h.contacts_count) for h in hits] == [("list", "VIP", 3)]
    people = (await contacts.search("+61412500000")).items
    assert [(h.kind, h.detail) for h in people] == [("contact", "+61412500000")]


async def test_csv_import_creates_every_row_and_reports_counts(
    contacts: ContactsService,
) -> None:
    lst = await contacts.create_list("Imported")
    csv = b"First Name,Mobile,Email\nAnn,0412 345 678,ann@x.invalid\nBo,+61 498 765 432,\n"
    report = await contacts.import_csv(lst.list_id, csv)
    assert report.created_count == 2
    members = await contacts.members(lst.list_id)
    assert [(c.first_name, c.phone_number) for c in members] == [
        ("Ann", "+61412345678"),
        ("Bo", "+61498765432"),
    ]


async def test_csv_with_a_bad_row_imports_nothing_and_names_the_line(
    contacts: ContactsService, world: SandboxWorld
) -> None:
    lst = await contacts.create_list("Strict")
    csv = b"phone,first name\n0412345678,Ann\nnot-a-number,Bo\n0498765432,Cy\n,Di\n"
    with pytest.raises(ValidationError) as err:
        await contacts.import_csv(lst.list_id, csv)
    assert "line 3" in str(err.value) and "line 5" in str(err.value)
    assert "2 bad rows" in str(err.value)
    assert (await contacts.members(lst.list_id)) == []


async def test_csv_duplicates_are_skipped_and_reported(contacts: ContactsService) -> None:
    lst = await contacts.create_list("Dupes")
    report = await contacts.import_csv(lst.list_id, b"phone\n0412345678\n+61412345678\n")
    assert (report.created_count, report.skipped_duplicates) == (1, [3])


class _FailThirdCreate:
    """The real service's transport, with a ClickSend 500 armed for the third contact create."""

    def __init__(self, sms: SmsService, world: SandboxWorld) -> None:
        self.sms, self.world, self.creates = sms, world, 0

    async def read(self, path: str, params: Any = None) -> Any:
        return await self.sms.read(path, params)

    async def write(self, method: str, path: str, body: Any = None) -> Any:
        if method == "POST" and path.endswith("/contacts"):
            self.creates += 1
            if self.creates == 3:
                self.world.inject(Fault(kind="status", status=500, method="POST"))
        return await self.sms.write(method, path, body)


async def test_server_failure_mid_import_removes_what_was_created(world: SandboxWorld) -> None:
    async with make_client(world) as client:
        sms = make_sms(client)
        lst = await ContactsService(sms).create_list("Half")
        contacts = ContactsService(_FailThirdCreate(sms, world))
        csv = b"phone\n0412345671\n0412345672\n0412345673\n0412345674\n"
        with pytest.raises(ClickSendError) as err:
            await contacts.import_csv(lst.list_id, csv)
        assert "line 4" in str(err.value)
        assert "2 of 2" in str(err.value)
        assert (await contacts.members(lst.list_id)) == []
