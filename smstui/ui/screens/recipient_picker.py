"""Pick a contact or a whole list as recipients: type to filter, Enter to pick.

Lists are loaded once and matched fuzzily here; contacts are found by ClickSend's search
(substring) as you type and ranked with the same fuzzy matcher. A list is returned as a
``ContactList`` (Compose counts it as its members), a contact as its phone number.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from smstui.core.models import ContactList, SearchHit
from smstui.ui.safe_text import one_line
from smstui.ui.shell import SmsShell

SEARCH_DELAY = 0.25  # seconds of quiet before ClickSend's search is asked
MAX_SHOWN = 100

Pick = ContactList | str


def _label(pick: Pick) -> Text:
    text = Text(end="", no_wrap=True)
    if isinstance(pick, ContactList):
        text.append("list     ", style="bold")
        text.append(one_line(pick.name, 30))
        text.append(f"  {pick.contacts_count:,} contacts", style="dim")
    else:
        text.append("contact  ", style="dim")
        text.append(one_line(pick, 40))
    return text


class RecipientPicker(ModalScreen[Pick | None]):
    #: the app, typed (the backend, guarded calls)
    app = getters.app(SmsShell)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("down", "move(1)", "Down", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Up", show=False, id="picker.up"),
    ]
    DEFAULT_CSS = """
    RecipientPicker { align: center middle; }
    RecipientPicker > Vertical {
        width: 80; max-width: 100%; height: 80%; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    RecipientPicker .title { text-style: bold; height: 1; }
    RecipientPicker #picker-results { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.lists: list[ContactList] = []
        self.hits: list[SearchHit] = []
        self.picks: list[Pick] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Add recipients: a list or a contact (Enter picks)", classes="title")
            yield Input(placeholder="type to filter lists and contacts", id="picker-query")
            yield OptionList(id="picker-results")

    def on_mount(self) -> None:
        self.query_one("#picker-query", Input).focus()
        self._load_lists()

    @work(exclusive=True, group="picker-lists", exit_on_error=False)
    async def _load_lists(self) -> None:
        results = self.query_one("#picker-results", OptionList)
        results.loading = True
        try:
            found = await self.app.guarded("Loading lists", self.app.ws.contacts.lists())
        finally:
            results.loading = False
        self.lists = found or []
        self._refresh_options()

    @on(Input.Changed, "#picker-query")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.hits = []
        self._refresh_options()
        if self._timer is not None:
            self._timer.stop()
        if event.value.strip():
            self._timer = self.set_timer(SEARCH_DELAY, self._search)

    def _search(self) -> None:
        self._timer = None
        self._search_worker(self.query_one("#picker-query", Input).value.strip())

    @work(exclusive=True, group="picker-search", exit_on_error=False)
    async def _search_worker(self, query: str) -> None:
        if not query:
            return
        # ClickSend matches substrings: ask with the first word, rank fuzzily here
        hits = await self.app.guarded("Search", self.app.ws.contacts.search(query.split()[0]))
        if hits is not None and query == self.query_one("#picker-query", Input).value.strip():
            self.hits = hits
            self._refresh_options()

    def _refresh_options(self) -> None:
        query = self.query_one("#picker-query", Input).value.strip()
        matcher = Matcher(query) if query else None
        scored: list[tuple[float, int, Pick, str]] = []
        for i, lst in enumerate(self.lists):
            score = matcher.match(lst.name) if matcher else 1.0
            if score > 0:
                scored.append((score, i, lst, lst.name))
        seen: set[str] = set()
        for i, hit in enumerate(self.hits):
            number = hit.detail
            if hit.kind != "contact" or not number.startswith("+") or number in seen:
                continue
            seen.add(number)
            label = f"{hit.name} {number}".strip()
            score = max(matcher.match(label), 0.01) if matcher else 1.0
            scored.append((score, len(self.lists) + i, f"{label}", number))
        scored.sort(key=lambda s: (-s[0], s[1]))
        self.picks = []
        options: list[Option] = []
        for _, _, shown, _ in scored[:MAX_SHOWN]:
            options.append(Option(_label(shown)))
        self.picks = [s[2] if isinstance(s[2], ContactList) else s[3] for s in scored[:MAX_SHOWN]]
        results = self.query_one("#picker-results", OptionList)
        results.clear_options()
        results.add_options(options)
        if options:
            results.highlighted = 0

    def action_move(self, step: int) -> None:
        results = self.query_one("#picker-results", OptionList)
        if results.option_count:
            current = results.highlighted or 0
            results.highlighted = max(0, min(results.option_count - 1, current + step))

    @on(Input.Submitted, "#picker-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one("#picker-results", OptionList)
        if results.highlighted is not None and results.highlighted < len(self.picks):
            self.dismiss(self.picks[results.highlighted])

    @on(OptionList.OptionSelected, "#picker-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.picks):
            self.dismiss(self.picks[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
