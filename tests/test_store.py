"""The store contract: upserts, keyset paging, filters, search, receipts, drafts, templates.

Tests taking ``store`` or ``store_backend`` run on both backends (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.store_backends import StoreBackend

from smstui.core.models import DeliveryReceipt, HistoryMessage, InboundMessage, Template
from smstui.core.store.contract import Store
from smstui.core.store.message_store import NO_FILTER, MessageFilter, MessageStore, StoredMessage
from smstui.core.store.query import fts_query

T0 = 1_700_000_000


def ts(offset: int) -> datetime:
    return datetime.fromtimestamp(T0 + offset, UTC)


def hist(i: int, *, date: int | None = None, **kw: object) -> HistoryMessage:
    fields: dict[str, object] = {
        "message_id": f"id-{i:05d}",
        "direction": "out",
        "to": f"+6141100{i % 100:04d}",
        "sender": "+61400000000",
        "body": f"hello number {i}",
        "status": "Sent",
        "date": ts(i if date is None else date),
        "parts": 1,
        "price": Decimal("0.0770"),
    }
    fields.update(kw)
    return HistoryMessage(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(store_backend: StoreBackend) -> Store:
    return store_backend.open()


def all_pages(store: Store, limit: int, f: MessageFilter = NO_FILTER) -> list[str]:
    ids: list[str] = []
    page = store.page(limit=limit, filters=f)
    ids += [r.message_id for r in page.rows]
    while page.next is not None:
        page = store.page(after=page.next, limit=limit, filters=f)
        ids += [r.message_id for r in page.rows]
    return ids


def test_default_path_follows_xdg_data_home(isolated_dirs: Path) -> None:
    with MessageStore() as s:
        assert s.path == isolated_dirs / "xdg_data_home" / "smstui" / "smstui.db"
        assert s.path.exists()


def test_upsert_is_idempotent_and_ids_are_upper_cased(store: Store) -> None:
    store.upsert_history([hist(1, message_id="abc-def")])
    store.upsert_history([hist(1, message_id="ABC-DEF", status="Completed")])
    assert store.count() == 1
    got = store.get("abc-def")
    assert got is not None
    assert got.message_id == "ABC-DEF"
    assert got.status == "Completed"
    assert got.price == Decimal("0.0770")
    assert got.date == ts(1)


def test_keyset_paging_forward_matches_a_full_sort_with_ties(store: Store) -> None:
    rng = random.Random(7)
    msgs = [hist(i, date=rng.randrange(0, 40)) for i in range(237)]  # many equal dates
    store.upsert_history(msgs)
    expected = [
        m.message_id.upper()
        for m in sorted(msgs, key=lambda m: (m.date, m.message_id.upper()), reverse=True)
    ]
    assert all_pages(store, 10) == expected
    assert all_pages(store, 1000) == expected


def test_paging_backwards_returns_the_rows_before_a_cursor(store: Store) -> None:
    store.upsert_history(hist(i, date=i // 3) for i in range(100))
    first = store.page(limit=20)
    second = store.page(after=first.next, limit=20)
    third = store.page(after=second.next, limit=20)
    back = store.page(before=third.prev, limit=20)
    assert [r.message_id for r in back.rows] == [r.message_id for r in second.rows]
    top = store.page(before=back.prev, limit=20)
    assert [r.message_id for r in top.rows] == [r.message_id for r in first.rows]
    assert top.prev is None  # nothing newer than the first page
    assert first.prev is None


def test_last_page_has_no_next(store: Store) -> None:
    store.upsert_history(hist(i) for i in range(5))
    page = store.page(limit=5)
    assert len(page.rows) == 5
    assert page.next is None


def test_filters_direction_status_number_dates_and_unread(store: Store) -> None:
    store.upsert_history(
        [
            hist(1, to="+61411111111", status="Failed"),
            hist(2, to="+61422222222", status="Sent"),
            hist(3, to="+61411111111", status="Cancelled"),
        ]
    )
    store.upsert_inbound(
        [
            InboundMessage("in-1", "+61411111111", "+61400000000", "yes please", ts(4)),
            InboundMessage("in-2", "+61433333333", "+61400000000", "stop", ts(5)),
        ]
    )
    store.mark_inbound_read(["in-2"])

    def ids(f: MessageFilter) -> list[str]:
        return [r.message_id for r in store.page(filters=f).rows]

    assert ids(MessageFilter(direction="in")) == ["IN-2", "IN-1"]
    assert ids(MessageFilter(statuses=frozenset({"failed", "CANCELLED"}))) == [
        "ID-00003",
        "ID-00001",
    ]
    assert ids(MessageFilter(statuses=frozenset())) == []
    assert ids(MessageFilter(number="+61411111111")) == ["IN-1", "ID-00003", "ID-00001"]
    assert ids(MessageFilter(date_from=ts(2), date_to=ts(4))) == ["ID-00003", "ID-00002"]
    assert ids(MessageFilter(unread_only=True)) == ["IN-1"]
    assert store.count(MessageFilter(number="+61411111111", direction="out")) == 2


def test_conversation_is_both_directions_oldest_first(store: Store) -> None:
    store.upsert_history([hist(5, to="+61411111111"), hist(1, to="+61411111111"), hist(2)])
    store.upsert_inbound(
        [InboundMessage("in-1", "+61411111111", "+61400000000", "ok", ts(3), "ID-00001")]
    )
    conv = store.conversation("+61411111111")
    assert [m.message_id for m in conv] == ["ID-00001", "IN-1", "ID-00005"]
    assert conv[1].reply_to == "ID-00001"
    assert conv[1].read is False


def test_inbound_seen_through_history_is_read_but_polled_inbound_is_unread(
    store: Store,
) -> None:
    store.upsert_history([hist(1, direction="in", message_id="in-old")])
    store.upsert_inbound([InboundMessage("in-new", "+61411", "+61400", "hi", ts(2))])
    unread = store.page(filters=MessageFilter(unread_only=True)).rows
    assert [m.message_id for m in unread] == ["IN-NEW"]
    # a later history pass over the same reply keeps it unread
    store.upsert_history([hist(2, direction="in", message_id="in-new")])
    assert store.count(MessageFilter(unread_only=True)) == 1


def test_full_text_search_finds_words_prefixes_and_numbers(store: Store) -> None:
    store.upsert_history(
        [
            hist(1, body="Your appointment is tomorrow at 10am"),
            hist(2, body="Invoice 42 overdue", to="+61499887766"),
            hist(3, body="appointments are closed"),
        ]
    )

    def search(text: str) -> list[str]:
        return [r.message_id for r in store.page(filters=MessageFilter(text=text)).rows]

    assert search("appointment") == ["ID-00003", "ID-00001"]  # last word is a prefix
    assert search("tomorrow appointment") == ["ID-00001"]
    assert search("61499887766") == ["ID-00002"]
    assert search("overdue invoice") == ["ID-00002"]


def test_search_index_follows_body_changes(store: Store) -> None:
    store.upsert_history([hist(1, body="first draft wording")])
    store.upsert_history([hist(1, body="final wording")])
    assert store.count(MessageFilter(text="draft")) == 0
    assert store.count(MessageFilter(text="final")) == 1


HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "a*b",
    "NOT",
    "AND OR NEAR",
    "body:secret",
    "(",
    ")",
    "^start",
    "-x",
    "col : x",
    "NEAR(a b, 2)",
    "\x00",
    "🙂",
    "   ",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_search_input_never_raises(store: Store, text: str) -> None:
    store.upsert_history([hist(1, body='NOT a "quoted" AND body:secret (x)')])
    store.page(filters=MessageFilter(text=text))
    store.count(MessageFilter(text=text))


def test_operators_typed_by_users_are_searched_as_words(store: Store) -> None:
    store.upsert_history([hist(1, body="cats AND dogs"), hist(2, body="cats only")])
    assert store.count(MessageFilter(text="AND")) == 1
    assert store.count(MessageFilter(text="cats NOT")) == 0


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fts_query_always_parses(text: str) -> None:
    query = fts_query(text)
    if query is None:
        return
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    conn.execute("INSERT INTO t VALUES ('x')")
    conn.execute("SELECT * FROM t WHERE t MATCH ?", (query,)).fetchall()


def receipt(mid: str, code: str, at: int, **kw: object) -> DeliveryReceipt:
    return DeliveryReceipt(mid, code, f"text {code}", ts(at), **kw)  # type: ignore[arg-type]


def test_receipt_merges_status_into_its_message(store: Store) -> None:
    store.upsert_history([hist(1)])
    assert store.apply_receipts([receipt("id-00001", "201", 10)]) == 1
    got = store.get("ID-00001")
    assert got is not None
    assert (got.status_code, got.status_text, got.receipt_at) == ("201", "text 201", ts(10))


def test_receipt_before_its_message_is_kept_and_merged_later(store: Store) -> None:
    assert store.apply_receipts([receipt("id-00009", "301", 10, error_code="8")]) == 0
    assert store.pending_receipts() == 1
    store.upsert_history([hist(9)])
    got = store.get("ID-00009")
    assert got is not None
    assert (got.status_code, got.error_code) == ("301", "8")
    assert store.pending_receipts() == 0


def test_older_receipt_never_regresses_a_final_state(store: Store) -> None:
    store.upsert_history([hist(1)])
    store.apply_receipts([receipt("ID-00001", "201", 20)])
    store.apply_receipts([receipt("ID-00001", "200", 10)])
    got = store.get("ID-00001")
    assert got is not None and got.status_code == "201"
    # and a history snapshot taken before delivery does not undo it either
    store.upsert_history([hist(1, status_code="200", status_text="Sent")])
    got = store.get("ID-00001")
    assert got is not None and got.status_code == "201"


def test_newer_receipt_replaces_an_older_one(store: Store) -> None:
    store.upsert_history([hist(1)])
    store.apply_receipts([receipt("ID-00001", "200", 10)])
    store.apply_receipts([receipt("ID-00001", "201", 20)])
    got = store.get("ID-00001")
    assert got is not None and got.status_code == "201"


def test_pending_receipts_keep_the_newest(store: Store) -> None:
    store.apply_receipts([receipt("X", "201", 20), receipt("X", "200", 5)])
    store.upsert_history([hist(1, message_id="x")])
    got = store.get("X")
    assert got is not None and got.status_code == "201"


def test_drafts_round_trip_and_clear(store: Store, store_backend: StoreBackend) -> None:
    assert store.load_draft("compose") is None
    store.save_draft("compose", "Hi <b>[red]there[/]")
    store.save_draft("compose", "Hi again")
    other = store_backend.open()
    assert other.load_draft("compose") == "Hi again"
    store.clear_draft("compose")
    assert store.load_draft("compose") is None


def test_templates_cache_is_replaced_whole_in_order(store: Store) -> None:
    store.replace_templates([Template("1", "a", "A"), Template("2", "b", "B")])
    store.replace_templates([Template("3", "c", "C"), Template("1", "a", "A2")])
    assert store.templates() == [Template("3", "c", "C"), Template("1", "a", "A2")]


def test_sync_cursors_persist(store: Store, store_backend: StoreBackend) -> None:
    store.set_cursor("history:", "123")
    store.set_cursor("history:", "456")
    other = store_backend.open()
    assert other.get_cursor("history:") == "456"
    assert other.get_cursor("nothing") is None


def test_accounts_do_not_see_each_other(store_backend: StoreBackend) -> None:
    a, b = store_backend.open(account="a"), store_backend.open(account="b")
    a.upsert_history([hist(1)])
    assert b.count() == 0
    assert b.get("ID-00001") is None
    assert a.count() == 1


def test_stored_message_is_frozen(store: Store) -> None:
    store.upsert_history([hist(1)])
    got = store.get("ID-00001")
    assert isinstance(got, StoredMessage)
    with pytest.raises(AttributeError):
        got.body = "changed"  # type: ignore[misc]
