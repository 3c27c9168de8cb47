"""The Contacts tab driven as a user would (keys and clicks) on the in-process sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.sandbox_app import sandbox_app
from test_ui_flows import settle, type_into
from textual.pilot import Pilot
from textual.widgets import Static

from smstui.core.sandbox import SandboxWorld
from smstui.ui.app import SmsApp
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.screens.contact_forms import ContactForm, NamePrompt
from smstui.ui.screens.import_csv import ImportCsvScreen
from smstui.ui.tabs.contacts import ContactsTab


async def open_contacts(pilot: Pilot[None]) -> ContactsTab:
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, SmsApp)
    app.action_show_tab("contacts")
    await settle(pilot)
    await settle(pilot)  # the first page of contacts is asked for while painting
    return app.query_one(ContactsTab)


def shown(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def book(world: SandboxWorld) -> Any:
    return world.clicksend.contacts


def list_named(world: SandboxWorld, name: str) -> int:
    return next(i for i, x in book(world).lists.items() if x["list_name"] == name)


async def test_lists_are_shown_with_counts_and_the_first_lists_contacts() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_contacts(pilot)
        names = [(x.name, x.contacts_count) for x in tab._lists]
        assert names == [("Customers", 25), ("VIP", 3)]
        assert tab.contact_list.row_count == 25
        assert "Customers · 25 contacts" in shown(app, "#contacts-title")


async def test_j_on_the_lists_shows_the_next_lists_contacts() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_contacts(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert tab.current_list is not None and tab.current_list.name == "VIP"
        assert tab.contact_list.row_count == 3


async def test_vim_keys_move_through_the_contacts() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_contacts(pilot)
        await pilot.press("l", "G")
        assert tab.contact_list.cursor == 24
        await pilot.press("k", "k")
        assert tab.contact_list.cursor == 22
        await pilot.press("g")
        assert tab.contact_list.cursor == 0


async def test_a_big_list_is_fetched_a_page_at_a_time_as_it_scrolls() -> None:
    world = SandboxWorld(seed=1)
    list_id = book(world).add_list("Big")
    for i in range(250):
        book(world).add_contact(list_id, {"phone_number": f"+6141300{i:04d}"}, 0)
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_contacts(pilot)
        await pilot.press("G")  # the lists pane: Big is the last list
        await settle(pilot)
        await settle(pilot)

        def contact_reads() -> int:
            return sum(1 for _, p in world.request_log if p.endswith(f"/lists/{list_id}/contacts"))

        assert tab.contact_list.row_count == 250
        assert contact_reads() == 1
        await pilot.press("l", "G")
        await settle(pilot)
        await settle(pilot)
        assert contact_reads() == 2  # page 3 only: page 2 was never on screen
        assert tab.contact_list.current.phone_number == "+61413000249"


async def test_n_creates_a_list() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_contacts(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NamePrompt)
        await pilot.press(*"Spring promo", "enter")
        await settle(pilot)
        assert "Spring promo" in [x["list_name"] for x in book(world).lists.values()]
        assert tab.current_list is not None and tab.current_list.name == "Spring promo"


async def test_an_empty_list_name_is_refused_in_the_dialog() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contacts(pilot)
        before = len(book(world).lists)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("space", "enter")
        await pilot.pause()
        assert isinstance(app.screen, NamePrompt)
        assert "empty" in shown(app, "#name-error")
        assert len(book(world).lists) == before


async def test_rename_list_with_r() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contacts(pilot)
        await pilot.press("j", "r")
        await pilot.pause()
        await pilot.press("ctrl+u", *"Very important", "enter")
        await settle(pilot)
        assert book(world).lists[list_named(world, "Very important")]


async def test_delete_list_asks_first_and_no_keeps_it() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_contacts(pilot)
        await pilot.press("j", "D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert "VIP" in [x["list_name"] for x in book(world).lists.values()]
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert "VIP" not in [x["list_name"] for x in book(world).lists.values()]
        assert [x.name for x in tab._lists] == ["Customers"]


async def test_add_contact_shows_a_bad_number_inline_then_adds_the_fixed_one() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_contacts(pilot)
        await pilot.press("j", "a")
        await pilot.pause()
        assert isinstance(app.screen, ContactForm)
        await pilot.press(*"12ab", "tab", *"Kim", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactForm)
        assert "12ab" in shown(app, "#f-phone-error") or shown(app, "#f-phone-error").strip()
        assert len(book(world).members(list_named(world, "VIP"))) == 3
        await type_into(pilot, "#f-phone", "0412 555 000")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        members = book(world).members(list_named(world, "VIP"))
        assert "+61412555000" in [m["phone_number"] for m in members]
        assert tab.contact_list.row_count == 4


async def test_edit_contact_changes_its_name() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contacts(pilot)
        await pilot.press("j", "l", "e")
        await pilot.pause()
        assert isinstance(app.screen, ContactForm)
        await type_into(pilot, "#f-first", "Renamed")
        await pilot.press("ctrl+s")
        await settle(pilot)
        members = book(world).members(list_named(world, "VIP"))
        assert members[0]["first_name"] == "Renamed"


async def test_delete_contact_after_confirmation() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_contacts(pilot)
        await pilot.press("j", "l", "d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert len(book(world).members(list_named(world, "VIP"))) == 2


async def test_csv_with_a_bad_row_imports_nothing_and_names_the_line_then_a_good_one_imports(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("phone,first name\n0412 000 111,Ann\nnot-a-number,Bob\n0412 000 222,Cy\n")
    good = tmp_path / "good.csv"
    good.write_text("phone,first name\n0412 000 111,Ann\n0412 000 222,Cy\n")
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_contacts(pilot)
        await pilot.press("j", "i")
        await pilot.pause()
        assert isinstance(app.screen, ImportCsvScreen)
        await pilot.press(*str(bad), "enter")
        await pilot.pause()  # the dialog stays open: its worker is still waiting on it
        assert isinstance(app.screen, ImportCsvScreen)
        report = shown(app, "#import-report")
        assert "line 3" in report and "nothing imported" in report
        assert len(book(world).members(list_named(world, "VIP"))) == 3
        await type_into(pilot, "#csv-path", str(good))
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert not isinstance(app.screen, ImportCsvScreen)
        numbers = [m["phone_number"] for m in book(world).members(list_named(world, "VIP"))]
        assert numbers[-2:] == ["+61412000111", "+61412000222"]
        assert tab.contact_list.row_count == 5


async def test_slash_searches_contacts_and_enter_on_a_list_hit_opens_it() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_contacts(pilot)
        await pilot.press("slash", *"vip", "enter")
        await settle(pilot)
        assert tab.searching
        hit = tab.contact_list.current
        assert hit.kind == "list" and hit.name == "VIP"
        await pilot.press("enter")
        await settle(pilot)
        assert tab.current_list is not None and tab.current_list.name == "VIP"
        assert not tab.searching


async def test_untrusted_contact_names_are_shown_literally() -> None:
    world = SandboxWorld(seed=1)
    list_id = book(world).add_list("[red]Evil[/red]")
    hostile = {"phone_number": "+61412999000", "first_name": "[bold]Mal\x1b[31m", "last_name": "x"}
    book(world).add_contact(list_id, hostile, 0)
    app, _ = sandbox_app(world)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_contacts(pilot)
        await pilot.press("G")
        await settle(pilot)
        await settle(pilot)
        title = shown(app, "#contacts-title")
        assert "[red]Evil[/red]" in title
        row = tab.contact_list.current
        painted = "".join(s.text for s in tab.contact_list.render_line(0))
        assert row is not None and "[bold]Mal␛[31m" in painted
        assert "\x1b" not in painted
