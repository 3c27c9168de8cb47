"""Unread inbound lists that change while sync pages through them: nothing is marked read
unseen, whether ClickSend lists unread replies oldest first or newest first."""

from __future__ import annotations

import pytest
from support.fake_clicksend import T0, FakeClickSend
from support.store_backends import StoreBackend

from smstui.core.delivery.sync import SETTLE_ROUNDS, sync_all
from smstui.core.store.contract import Store

LATE = T0 + 10_000  # newer than every reply already waiting


@pytest.fixture
def store(store_backend: StoreBackend) -> Store:
    """Tests taking ``store`` run on both backends (SQLite and PostgreSQL)."""
    return store_backend.open()


def lost(fake: FakeClickSend, store: Store) -> list[str]:
    """Replies ClickSend no longer lists as unread that never reached the store."""
    return [
        m.message_id
        for m in fake.inbound_items
        if m.message_id in fake.inbound_read and store.get(m.message_id) is None
    ]


def arrive_once(fake: FakeClickSend, on_page: int) -> None:
    def hook(page: int) -> None:
        if page == on_page and not any(m.message_id == "in-late" for m in fake.inbound_items):
            fake.reply_arrives("in-late", LATE)

    fake.before_inbound_answer.append(hook)


@pytest.mark.parametrize("newest_first", [True, False], ids=["newest-first", "oldest-first"])
async def test_a_reply_arriving_after_page_one_loses_nothing(
    store: Store, newest_first: bool
) -> None:
    # 300 replies fill 3 pages exactly: one more pushes the oldest (newest-first) or the new
    # one (oldest-first) onto a page 4 that page 1 did not announce
    fake = FakeClickSend(n_inbound=300)
    fake.inbound_newest_first = newest_first
    arrive_once(fake, on_page=2)
    report = await sync_all(fake, store, history=False, receipts=False)
    assert lost(fake, store) == []
    assert store.count() == 301  # the late reply was stored in the same sync
    assert report.unsettled == ()
    assert len(fake.inbound_read) == 300  # marked up to the newest stored, which stays unread


@pytest.mark.parametrize("newest_first", [True, False], ids=["newest-first", "oldest-first"])
async def test_a_reply_arriving_between_out_of_order_pages_loses_nothing(
    store: Store, newest_first: bool
) -> None:
    # page 3 is answered before page 2; the reply arrives in between, so newest-first
    # shifts the last reply of page 2 onto page 3, which was already read
    fake = FakeClickSend(n_inbound=300)
    fake.inbound_newest_first = newest_first
    fake.inbound_slow_pages = {2: 50}
    arrive_once(fake, on_page=2)
    await sync_all(fake, store, history=False, receipts=False, concurrency=4)
    assert [p for k, p in fake.calls[:3] if k == "inbound"] == [1, 2, 3]
    assert lost(fake, store) == []
    assert store.count() == 301


async def test_replies_that_keep_arriving_defer_marking_to_the_next_sync(
    store: Store,
) -> None:
    fake = FakeClickSend(n_inbound=150)
    fake.inbound_newest_first = True
    arrived = 0

    def every_page_one(page: int) -> None:
        nonlocal arrived
        if page == 1:
            arrived += 1
            fake.reply_arrives(f"in-late-{arrived}", LATE + arrived)

    fake.before_inbound_answer.append(every_page_one)
    report = await sync_all(fake, store, history=False, receipts=False)
    assert report.unsettled == ("inbound",)
    assert fake.inbound_read == set()
    assert store.count() == 150 + 1 + SETTLE_ROUNDS  # all it saw is stored


async def test_a_quiet_list_costs_one_more_read_of_page_one_and_the_last_page(
    store: Store,
) -> None:
    fake = FakeClickSend(n_inbound=250)
    await sync_all(fake, store, history=False, receipts=False)
    pages = [p for k, p in fake.calls if k == "inbound"]
    assert sorted(pages) == [1, 1, 2, 3, 3]
    assert len(fake.inbound_read) == 249


async def test_a_reply_arriving_between_the_unread_list_and_history_counts_as_new(
    store: Store,
) -> None:
    """Sync reads the unread list, then history, which lists replies too and stores those it
    meets first as read (a backlog of months must not flood the unread view). A reply that
    arrives after the unread list was read must not be stored read by history: no unread
    count, toast or follower would ever show it (found by bench/team.py)."""
    from datetime import UTC, datetime

    from smstui.core.models import HistoryMessage, InboundMessage
    from smstui.core.store.query import MessageFilter

    fake = FakeClickSend(n_history=3, n_inbound=2)
    old = HistoryMessage(
        "in-old",
        "in",
        "+61400000000",
        "+61411000009",
        "read on the dashboard",
        "Received",
        datetime.fromtimestamp(T0, UTC),
    )
    fake.history_items.append(old)  # a reply no unread list shows: read elsewhere long ago

    def arrives(kind: str) -> None:
        if kind == "inbound" and not any(m.message_id == "in-new" for m in fake.inbound_items):
            now = datetime.now(UTC)
            fake.inbound_items.append(
                InboundMessage("in-new", "+61411000002", "+61400000000", "just now", now)
            )
            fake.history_items.append(
                HistoryMessage(
                    "in-new", "in", "+61400000000", "+61411000002", "just now", "Received", now
                )
            )

    fake.on_mark.append(arrives)  # after the unread list is stored, before history runs
    await sync_all(fake, store)
    unread = {
        m.message_id for m in store.page(filters=MessageFilter(unread_only=True), limit=50).rows
    }
    assert "IN-NEW" in unread
    assert "IN-OLD" not in unread  # the backlog is still stored read
    assert {"IN-0", "IN-1"} <= unread

    # the next sync finds it in the unread list: still unread, stored once
    fake.on_mark.clear()
    await sync_all(fake, store)
    assert store.count(MessageFilter(unread_only=True)) == 3
