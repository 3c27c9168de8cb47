"""Every cache has a bound, and the footer lets go of the keys it replaced."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, ClassVar

import pytest
from support.sandbox_app import fake_history, fill_store, sandbox_app, store_of
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Input

from smstui.core.models import Contact, ContactList, Page
from smstui.core.service import history_rows
from smstui.core.service.history_rows import MessageRows
from smstui.core.store.message_store import MessageStore
from smstui.ui import contact_pages
from smstui.ui.compose_send import ComposeDraft, MemberCache
from smstui.ui.contact_pages import CLICKSEND_PAGE, ContactPages
from smstui.ui.widgets import virtual_list
from smstui.ui.widgets.app_footer import AppFooter
from smstui.ui.widgets.page_cache import PageCache
from smstui.ui.widgets.virtual_list import VirtualList


def _store(tmp_path: Path, count: int) -> MessageStore:
    store = MessageStore(tmp_path / "s.db")
    store.upsert_history(fake_history(count))
    return store


def test_a_reloaded_list_counts_the_rows_a_sync_added(tmp_path: Path) -> None:
    store = _store(tmp_path, 450)
    cache = PageCache(MessageRows(lambda: store))
    assert cache.count() == 450
    newer = fake_history(10, start=1_800_000_000)  # newer than all the others
    store.upsert_history(dataclasses.replace(m, message_id=f"NEW{m.message_id}") for m in newer)
    cache.clear()  # what VirtualList.reload does after a sync
    assert cache.count() == 460
    last = cache.get(459)
    assert last is not None and last.message_id == "BENCH0000000000"  # the oldest still shows
    store.close()


def test_page_keys_are_bounded_and_a_forgotten_one_is_found_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_rows, "KEYS_KEPT", 3)
    store = _store(tmp_path, 1000)
    source = MessageRows(lambda: store)
    first = [row.message_id for start in range(0, 1000, 100) for row in source.rows(start, 100)]
    assert len(source._ends) <= 3
    again = [row.message_id for row in source.rows(100, 100)]  # its key was forgotten
    assert again == first[100:200]
    store.close()


def test_contact_pages_keep_only_the_latest_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contact_pages, "PAGES_KEPT", 2)
    asked: list[int] = []
    pages = ContactPages("L1", 500, asked.append)

    def page(n: int) -> Page[Contact]:
        items = [Contact(f"c{n}-{i}", "L1") for i in range(CLICKSEND_PAGE)]
        return Page(items, page=n, last_page=5, total=500, per_page=CLICKSEND_PAGE)

    for n in (1, 2, 3):
        pages.rows((n - 1) * CLICKSEND_PAGE, 1)
        pages.put(page(n), n)
    assert sorted(pages._pages) == [2, 3]
    asked.clear()
    assert pages.rows(0, 1) == [contact_pages.LOADING]  # page 1 was dropped: fetched again
    assert asked == [1]


async def test_a_paged_list_keeps_at_most_strip_cache_rows_and_repaints_the_screen_from_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(virtual_list, "STRIP_CACHE", 60)  # two screens of 30 rows
    app, _ = sandbox_app()
    fill_store(store_of(app), 2_000)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.action_show_tab("history")
        await pilot.pause()
        history = app.query_one("#history-list", VirtualList)
        history.focus()
        height = history.scrollable_content_region.height
        assert 20 <= height <= 30
        for _ in range(8):  # 8 screens of rows rendered, far more than the cache holds
            await pilot.press("pagedown")
            await pilot.pause()
        assert len(history._strips) == 60
        top = round(history.scroll_y)
        width = history.size.width
        shown = [history._strips.get((top + y, width)) for y in range(height)]
        assert all(strip is not None for strip in shown)  # the screen on show is all kept
        await pilot.press("down")  # a cursor move repaints the screen from the cache
        await pilot.pause()
        assert [history._strips.get((top + y, width)) for y in range(height)] == shown


class _Members:
    def __init__(self) -> None:
        self.fetched: list[str] = []

    async def member_numbers(self, list_id: str) -> list[str]:
        self.fetched.append(list_id)
        return [f"+6149157{len(self.fetched):04d}"]


async def test_member_numbers_are_kept_only_for_lists_in_the_draft() -> None:
    members = MemberCache()
    source: Any = _Members()
    a, b = ContactList("A", "a", 1), ContactList("B", "b", 1)
    await members.recipients(ComposeDraft("sms", [], [a, b], "hi"), source)
    await members.recipients(ComposeDraft("sms", [], [b], "hi"), source)
    assert sorted(members._numbers) == ["B"] and source.fetched == ["A", "B"]  # B not refetched


class _Fields(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f2", "bell", "Bell")]  # a key to show

    def __init__(self, footer: Footer | AppFooter) -> None:
        super().__init__()
        self._footer = footer

    def compose(self) -> ComposeResult:
        yield Input(id="a")
        yield Input(id="b")
        yield self._footer


def _watchers(footer: Footer | AppFooter) -> int:
    return sum(len(v) for v in getattr(footer, "__watchers", {}).values())


@pytest.mark.parametrize(("footer_type", "leaks"), [(Footer, True), (AppFooter, False)])
async def test_the_footer_forgets_the_keys_it_replaced(
    footer_type: type[Footer | AppFooter], leaks: bool
) -> None:
    app = _Fields(footer_type())
    async with app.run_test() as pilot:
        await pilot.pause()
        start = _watchers(app._footer)
        for _ in range(20):  # each focus move rebuilds the footer's keys
            await pilot.press("tab")
            await pilot.pause()
        grown = _watchers(app._footer) - start
    # Textual's own footer keeps every replaced key (textual#6666); AppFooter has no key
    # widgets to keep (it draws them), and its rebuilds still drop closed widgets' watchers
    assert (grown > 0) == leaks


async def test_the_app_uses_the_footer_that_forgets() -> None:
    app, _ = sandbox_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.query_one(AppFooter) and not app.query(Footer)
