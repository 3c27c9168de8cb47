"""Contacts: lists (with counts) on the left, the selected list's contacts on the right.

Both panes are ``VirtualList``s: the contacts of a list are fetched a ClickSend page at a time
as they scroll into view (``ContactPages``), so a 20,000-contact list opens with one request.
Every network call runs in a worker; failures become notifications via ``app.guarded``.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from smstui.core.models import Contact, ContactList, SearchHit
from smstui.core.service.contacts import ContactsPart
from smstui.ui.contact_pages import CLICKSEND_PAGE, ContactPages, ListSource, Loading
from smstui.ui.safe_text import one_line, plain, visible
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.screens.contact_forms import ContactForm, NamePrompt
from smstui.ui.screens.import_csv import ImportCsvScreen
from smstui.ui.tabs.base import SmsTab
from smstui.ui.widgets.page_cache import PageCache
from smstui.ui.widgets.virtual_list import VirtualList


def list_row(item: ContactList, width: int) -> Text:
    count = f"{item.contacts_count:>6,}"
    text = Text(end="", no_wrap=True)
    text.append(one_line(item.name, max(1, width - len(count) - 1)).ljust(width - len(count)))
    text.append(count, style="dim")
    return text


def contact_name(c: Contact) -> str:
    return " ".join(p for p in (c.first_name, c.last_name) if p) or "(no name)"


def contact_row(item: object, width: int) -> Text:
    text = Text(end="", no_wrap=True)
    if isinstance(item, Contact):
        text.append(one_line(contact_name(item), 24).ljust(25))
        text.append(one_line(item.phone_number or "—", 16).ljust(17))
        rest = " · ".join(p for p in (item.email, item.organization_name) if p)
        text.append(one_line(rest, max(1, width - 42)), style="dim")
    elif isinstance(item, SearchHit):
        kind = "list   " if item.kind == "list" else "contact"
        text.append(f"{kind} ", style="bold" if item.kind == "list" else "dim")
        text.append(one_line(item.name or "(no name)", 24).ljust(25))
        detail = (
            f"{item.contacts_count} contacts" if item.contacts_count is not None else item.detail
        )
        text.append(one_line(detail, max(1, width - 34)), style="dim")
    elif isinstance(item, Loading):
        text.append("loading…", style="italic dim")
    return text


class ContactsTab(Vertical, SmsTab):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="contacts.search"),
        Binding("n", "new_list", "New list", id="contacts.new_list"),
        Binding("r", "rename_list", "Rename list", show=False, id="contacts.rename_list"),
        Binding("D", "delete_list", "Delete list", show=False, id="contacts.delete_list"),
        Binding("a", "add_contact", "Add contact", id="contacts.add"),
        Binding("e", "edit_contact", "Edit", id="contacts.edit"),
        Binding("d", "delete_contact", "Delete", id="contacts.delete"),
        Binding("i", "import_csv", "Import CSV", id="contacts.import"),
        Binding("s", "campaign", "Campaign", id="contacts.campaign"),
        Binding("c", "campaigns", "Campaigns", id="contacts.campaigns"),
        Binding("o", "optouts", "Opt-outs", id="contacts.optouts"),
        Binding("h,left", "focus_lists", "Lists", show=False, id="contacts.focus_lists"),
        Binding("l,right", "focus_contacts", "Contacts", show=False, id="contacts.focus"),
        Binding("escape", "clear_search", "Clear search", show=False, id="contacts.clear"),
    ]
    DEFAULT_CSS = """
    ContactsTab #contacts-main { height: 1fr; }
    ContactsTab #lists-pane { width: 30; border-right: solid $primary; }
    ContactsTab #contacts-pane { width: 1fr; }
    ContactsTab .pane-title { height: 1; padding: 0 1; text-style: bold; background: $panel; }
    ContactsTab #contacts-search { display: none; }
    ContactsTab #contacts-search.-visible { display: block; }
    """

    def __init__(self) -> None:
        super().__init__(id="contacts-tab")
        self.current_list: ContactList | None = None
        self.pages: ContactPages | None = None
        self.searching = False
        self._lists: list[ContactList] = []

    @property
    def contacts(self) -> ContactsPart:
        return self.app.ws.contacts

    def compose(self) -> ComposeResult:
        with Horizontal(id="contacts-main"):
            with Vertical(id="lists-pane"):
                yield Static("Lists", classes="pane-title")
                yield VirtualList[ContactList](
                    ListSource([]), list_row, empty_text="No lists yet (n: new).", id="list-list"
                )
            with Vertical(id="contacts-pane"):
                yield Input(placeholder="/ search contacts and lists", id="contacts-search")
                yield Static("", id="contacts-title", classes="pane-title")
                yield VirtualList[Any](
                    ListSource([]), contact_row, empty_text="No contacts.", id="contact-list"
                )

    def on_mount(self) -> None:
        self.focus_default()
        self.load_lists()

    def focus_default(self) -> None:
        self.list_list.focus()

    def reload(self) -> None:
        self.load_lists()

    @property
    def list_list(self) -> VirtualList[ContactList]:
        return cast("VirtualList[ContactList]", self.query_one("#list-list", VirtualList))

    @property
    def contact_list(self) -> VirtualList[Any]:
        return self.query_one("#contact-list", VirtualList)

    @property
    def selected_contact(self) -> Contact | None:
        row = self.contact_list.current
        return row if isinstance(row, Contact) and not self.searching else None

    # ------------------------------------------------------------------ lists

    @work(exclusive=True, group="contacts-lists", exit_on_error=False)
    async def load_lists(self, select_id: str | None = None) -> None:
        lists_widget = self.list_list
        lists_widget.loading = True
        try:
            found = await self.app.guarded("Loading lists", self.contacts.lists())
        finally:
            lists_widget.loading = False
        if found is None:
            return
        keep = select_id or (self.current_list.list_id if self.current_list else None)
        self._lists = found
        lists_widget.set_source(ListSource(found))
        index = next((i for i, x in enumerate(found) if x.list_id == keep), 0)
        lists_widget.cursor = index
        self._show_list(lists_widget.current, force=True)

    @on(VirtualList.Highlighted, "#list-list")
    def _list_highlighted(self, event: VirtualList.Highlighted) -> None:
        event.stop()
        self._show_list(event.row)

    @on(VirtualList.Selected, "#list-list")
    def _list_selected(self, event: VirtualList.Selected) -> None:
        event.stop()
        self.contact_list.focus()

    def _show_list(self, item: ContactList | None, *, force: bool = False) -> None:
        if not force and self.current_list is item and self.pages is not None:
            return
        if (
            not force
            and item is not None
            and self.current_list is not None
            and item.list_id == self.current_list.list_id
        ):
            return
        self.current_list = item
        self.searching = False
        self.query_one("#contacts-search", Input).remove_class("-visible")
        if item is None:
            self.pages = None
            self.contact_list.set_source(ListSource([]))
            self.query_one("#contacts-title", Static).update("")
            return
        self.pages = ContactPages(item.list_id, item.contacts_count, self._want_page)
        # rows are cached in ClickSend-sized pages: painting the top asks for page 1 only
        self.contact_list.cache = PageCache(self.pages, CLICKSEND_PAGE)
        self.contact_list.reload(keep_cursor=False)
        self._update_title()

    def _update_title(self) -> None:
        title = self.query_one("#contacts-title", Static)
        if self.current_list is None:
            title.update("")
            return
        text = plain(self.current_list.name, "bold")
        total = self.pages.total if self.pages else self.current_list.contacts_count
        text.append(f" · {total:,} contact{'s' if total != 1 else ''}", style="not bold")
        title.update(text)

    def _want_page(self, page_no: int) -> None:
        # asked while painting: start fetching after this frame, not inside it
        self.call_later(self._fetch_pages, self.pages)

    @work(exclusive=True, group="contacts-pages", exit_on_error=False)
    async def _fetch_pages(self, pages: ContactPages | None) -> None:
        if pages is None or pages is not self.pages:
            return
        widget = self.contact_list
        while pages is self.pages and pages.pending:
            page_no = min(pages.pending)
            widget.loading = page_no == 1
            try:
                page = await self.app.guarded(
                    "Loading contacts",
                    self.contacts.contacts_page(pages.list_id, page_no, CLICKSEND_PAGE),
                )
            finally:
                widget.loading = False
            if page is None:
                pages.failed(page_no)
                return
            pages.put(page, page_no)
            if pages is self.pages:
                widget.reload()
                self._update_title()

    # ------------------------------------------------------------------ search

    def action_search(self) -> None:
        box = self.query_one("#contacts-search", Input)
        box.add_class("-visible")
        box.focus()

    @on(Input.Submitted, "#contacts-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        query = event.value.strip()
        if query:
            self._search(query)

    @work(exclusive=True, group="contacts-search", exit_on_error=False)
    async def _search(self, query: str) -> None:
        widget = self.contact_list
        widget.loading = True
        try:
            hits = await self.app.guarded("Search", self.contacts.search(query))
        finally:
            widget.loading = False
        if hits is None:
            return
        self.searching = True
        self.pages = None
        widget.set_source(ListSource(hits))
        title = Text("Search ", style="bold", end="")
        title.append_text(plain(query))
        title.append(f" · {len(hits)} match{'es' if len(hits) != 1 else ''} (esc: back)")
        self.query_one("#contacts-title", Static).update(title)
        widget.focus()

    @on(VirtualList.Selected, "#contact-list")
    def _contact_selected(self, event: VirtualList.Selected) -> None:
        event.stop()
        row = event.row
        if isinstance(row, SearchHit) and row.kind == "list":
            self._jump_to_list(row.id)
        elif isinstance(row, Contact):
            self.action_edit_contact()

    def _jump_to_list(self, list_id: str) -> None:
        index = next((i for i, x in enumerate(self._lists) if x.list_id == list_id), None)
        if index is None:
            return
        self.list_list.cursor = index
        self._show_list(self._lists[index], force=True)
        self.contact_list.focus()

    def action_clear_search(self) -> None:
        if self.searching or self.query_one("#contacts-search", Input).has_class("-visible"):
            self.query_one("#contacts-search", Input).value = ""
            self._show_list(self.current_list, force=True)
            self.contact_list.focus()

    def action_focus_lists(self) -> None:
        self.list_list.focus()

    def action_focus_contacts(self) -> None:
        self.contact_list.focus()

    # ------------------------------------------------------------------ list actions

    @work(exclusive=True, group="contacts-edit", exit_on_error=False)
    async def action_new_list(self) -> None:
        app = self.app
        name = await app.push_screen_wait(NamePrompt("New list", ok="Create"))
        if name is None:
            return
        created = await app.guarded("Creating the list", self.contacts.create_list(name))
        if created is not None:
            self.notify(visible(f"List {created.name!r} created."), markup=False)
            self.load_lists(created.list_id)

    @work(exclusive=True, group="contacts-edit", exit_on_error=False)
    async def action_rename_list(self) -> None:
        item = self.current_list
        if item is None:
            return
        app = self.app
        name = await app.push_screen_wait(NamePrompt("Rename list", item.name, ok="Rename"))
        if name is None or name == item.name:
            return
        renamed = await app.guarded(
            "Renaming the list", self.contacts.rename_list(item.list_id, name)
        )
        if renamed is not None:
            self.load_lists(item.list_id)

    @work(exclusive=True, group="contacts-edit", exit_on_error=False)
    async def action_delete_list(self) -> None:
        item = self.current_list
        if item is None:
            return
        app = self.app
        body = plain(item.name, "bold")
        body.append(f"\n{item.contacts_count:,} contact(s) will be deleted with it.")
        if not await app.push_screen_wait(ConfirmScreen("Delete this list?", body, yes="Delete")):
            return
        done = await app.guarded("Deleting the list", self._delete_list(item.list_id))
        if done:
            self.current_list = None
            self.load_lists()

    async def _delete_list(self, list_id: str) -> bool:
        await self.contacts.delete_list(list_id)
        return True

    # ------------------------------------------------------------------ contact actions

    @work(exclusive=True, group="contacts-edit", exit_on_error=False)
    async def action_add_contact(self) -> None:
        item = self.current_list
        if item is None:
            self.notify("Create a list first (n).", severity="warning")
            return
        app = self.app
        region = app.ws.default_region
        new = await app.push_screen_wait(ContactForm("Add contact", region))
        if new is None:
            return
        added = await app.guarded(
            "Adding the contact", self.contacts.add_contact(item.list_id, new)
        )
        if added is not None:
            self.notify(visible(f"Added {contact_name(added)}."), markup=False)
            self.load_lists(item.list_id)

    @work(exclusive=True, group="contacts-edit", exit_on_error=False)
    async def action_edit_contact(self) -> None:
        contact = self.selected_contact
        if contact is None:
            return
        app = self.app
        region = app.ws.default_region
        changes = await app.push_screen_wait(ContactForm("Edit contact", region, contact))
        if changes is None:
            return
        edited = await app.guarded(
            "Saving the contact",
            self.contacts.edit_contact(contact.list_id, contact.contact_id, changes),
        )
        if edited is not None:
            self._show_list(self.current_list, force=True)

    @work(exclusive=True, group="contacts-edit", exit_on_error=False)
    async def action_delete_contact(self) -> None:
        contact = self.selected_contact
        if contact is None:
            return
        app = self.app
        body = plain(contact_name(contact), "bold")
        body.append("  ")
        body.append_text(plain(contact.phone_number or contact.email))
        if not await app.push_screen_wait(ConfirmScreen("Delete contact?", body, yes="Delete")):
            return
        done = await app.guarded(
            "Deleting the contact", self._delete_contact(contact.list_id, contact.contact_id)
        )
        if done:
            self.load_lists(contact.list_id)

    async def _delete_contact(self, list_id: str, contact_id: str) -> bool:
        await self.contacts.delete_contact(list_id, contact_id)
        return True

    @work(exclusive=True, group="contacts-edit", exit_on_error=False)
    async def action_import_csv(self) -> None:
        item = self.current_list
        if item is None:
            self.notify("Choose or create a list first.", severity="warning")
            return
        app = self.app
        data = await app.push_screen_wait(ImportCsvScreen(item.name, self.contacts.plan_import))
        if data is None:
            return
        self.contact_list.loading = True
        try:
            report = await app.guarded(
                "Importing the CSV", self.contacts.import_csv(item.list_id, data)
            )
        finally:
            self.contact_list.loading = False
        if report is not None:
            skipped = len(report.skipped_duplicates)
            self.notify(
                f"Imported {report.created_count} contact(s)"
                + (f"; {skipped} duplicate row(s) skipped" if skipped else ""),
                title="Import",
            )
        self.load_lists(item.list_id)

    # ------------------------------------------------------------------ campaigns

    def action_campaign(self) -> None:
        if self.current_list is None:
            self.notify("Choose a list to send to.", severity="warning")
            return
        from smstui.ui.screens.campaign import CampaignScreen

        self.app.push_screen(CampaignScreen(self.current_list))

    def action_campaigns(self) -> None:
        from smstui.ui.screens.campaigns import CampaignsScreen

        self.app.push_screen(CampaignsScreen())

    def action_optouts(self) -> None:
        from smstui.ui.screens.optouts import OptOutsScreen

        self.app.push_screen(OptOutsScreen(self.app.ws))
