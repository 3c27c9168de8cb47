"""Who did what, on both stores: who sent each message (``sent_by``), conversations marked
handled (a new reply clears the mark), reads per operator on the team store, and stores of
the previous schema version migrating with their reads intact."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from support.store_backends import StoreBackend

from smstui.core.models import HistoryMessage, InboundMessage, OutgoingSms
from smstui.core.store import schema as sqlite_schema
from smstui.core.store.message_store import MessageStore
from smstui.core.store.postgres import PostgresStore
from smstui.core.store.postgres import schema as pg_schema
from smstui.core.store.query import MessageFilter

ANN = "+61412345681"
OURS = "+61400000000"
UNREAD = MessageFilter(direction="in", unread_only=True)


def _reply(mid: str, sender: str = ANN, at: int = 1_700_000_000) -> InboundMessage:
    return InboundMessage(
        message_id=mid, sender=sender, to=OURS, body="hello", date=datetime.fromtimestamp(at, UTC)
    )


def _sent(mid: str, *, sent_by: str | None = None, token: str | None = None) -> HistoryMessage:
    return HistoryMessage(
        message_id=mid,
        direction="out",
        to=ANN,
        sender=OURS,
        body="your table is ready",
        status="Sent",
        date=datetime.fromtimestamp(1_700_000_000, UTC),
        custom_string=token,
        sent_by=sent_by,
    )


# ---------------------------------------------------------------------- sent_by


def test_an_outbox_row_records_the_operator_who_sent_it(store_backend: StoreBackend) -> None:
    store = store_backend.open(account="a", operator="Ana")
    [row] = store.outbox_table().add([("tok1", OutgoingSms(to=ANN, body="hi"))], now=1)
    assert row.sent_by == "Ana"
    assert store.outbox_table().get(row.id) == row


def test_sent_by_survives_the_sync_that_refreshes_the_message(
    store_backend: StoreBackend,
) -> None:
    store = store_backend.open(account="a", operator="Ana")
    store.upsert_history([_sent("M1", sent_by="Ana", token="tok1")])
    # ClickSend's own record of it comes back with the next sync: it cannot say who sent it
    store.upsert_history([_sent("M1", token="tok1")])
    stored = store.get("M1")
    assert stored is not None and stored.sent_by == "Ana"


def test_a_message_synced_from_clicksend_has_no_sender_invented(
    store_backend: StoreBackend,
) -> None:
    store = store_backend.open(account="a", operator="Ana")
    store.upsert_history([_sent("M2")])
    stored = store.get("M2")
    assert stored is not None and stored.sent_by is None


def test_sent_by_recorded_later_fills_a_row_a_sync_stored_first(
    store_backend: StoreBackend,
) -> None:
    # another operator's sync stored our message before our outbox recorded it
    store_backend.open(account="a", operator="Bob").upsert_history([_sent("M3", token="t")])
    store = store_backend.open(account="a", operator="Ana")
    store.upsert_history([_sent("M3", sent_by="Ana", token="t")])
    stored = store.get("M3")
    assert stored is not None and stored.sent_by == "Ana"


# ---------------------------------------------------------------------- handled


def test_a_conversation_marked_handled_shows_who_and_when(store_backend: StoreBackend) -> None:
    store = store_backend.open(account="a", operator="Ana")
    store.upsert_inbound([_reply("R1")])
    mark = store.mark_handled(ANN, at=1_700_000_600)
    assert mark is not None and mark.operator == "Ana"
    assert mark.at == datetime.fromtimestamp(1_700_000_600, UTC)
    assert store.handled_mark(ANN) == mark
    [row] = store.page(filters=MessageFilter(direction="in")).rows
    assert (row.handled_by, row.handled_at) == ("Ana", mark.at)


def test_a_new_reply_after_the_mark_makes_the_conversation_not_handled(
    store_backend: StoreBackend,
) -> None:
    store = store_backend.open(account="a", operator="Ana")
    store.upsert_inbound([_reply("R1")])
    store.mark_handled(ANN)
    store.upsert_inbound([_reply("R1")])  # the same reply listed again: not news
    assert store.handled_mark(ANN) is not None
    store.upsert_inbound([_reply("R2", at=1_700_000_900)])  # the customer wrote again
    assert store.handled_mark(ANN) is None
    rows = store.page(filters=MessageFilter(direction="in")).rows
    assert [r.handled_by for r in rows] == [None, None]


def test_old_replies_a_history_sync_brings_in_leave_the_mark(
    store_backend: StoreBackend,
) -> None:
    store = store_backend.open(account="a", operator="Ana")
    store.mark_handled(ANN)
    old = HistoryMessage(
        message_id="OLD1",
        direction="in",
        to=OURS,
        sender=ANN,
        body="from last month",
        status="Received",
        date=datetime.fromtimestamp(1_690_000_000, UTC),
    )
    store.upsert_history([old])  # backlog: stored read, not a new reply
    assert store.handled_mark(ANN) is not None


def test_undo_clears_the_mark_whoever_made_it(store_backend: StoreBackend) -> None:
    ana = store_backend.open(account="a", operator="Ana")
    bob = store_backend.open(account="a", operator="Bob")
    ana.mark_handled(ANN)
    bob_mark = bob.handled_mark(ANN)
    assert bob_mark is not None and bob_mark.operator == "Ana"  # the team sees Ana's mark
    assert bob.mark_handled(ANN, handled=False) is None
    assert ana.handled_mark(ANN) is None


def test_marks_are_kept_per_account(store_backend: StoreBackend) -> None:
    store_backend.open(account="a", operator="Ana").mark_handled(ANN)
    assert store_backend.open(account="b", operator="Ana").handled_mark(ANN) is None


# ---------------------------------------------------------------------- reads per operator


def test_one_operator_reading_a_reply_leaves_it_unread_for_another(pg_url: str) -> None:
    ana = PostgresStore(pg_url, account="a", operator="Ana")
    bob = PostgresStore(pg_url, account="a", operator="Bob")
    try:
        mark_a, mark_b = ana.reply_watermark(), bob.reply_watermark()
        ana.upsert_inbound([_reply("R1"), _reply("R2", at=1_700_000_100)])
        assert ana.count(UNREAD) == bob.count(UNREAD) == 2

        assert ana.mark_inbound_read(["r1"]) == 1
        assert (ana.count(UNREAD), bob.count(UNREAD)) == (1, 2)
        assert [r.read for r in ana.page(filters=UNREAD).rows] == [False]
        assert {r.message_id: r.read for r in bob.page(filters=MessageFilter()).rows} == {
            "R1": False,
            "R2": False,
        }
        ana_got = ana.get("R1")
        bob_got = bob.get("R1")
        assert ana_got is not None and ana_got.read
        assert bob_got is not None and not bob_got.read
        # what a front-end announces as new is each operator's own
        assert [m.message_id for m in ana.unread_replies_after(mark_a)[0]] == ["R2"]
        assert [m.message_id for m in bob.unread_replies_after(mark_b)[0]] == ["R1", "R2"]
        # reading twice is harmless; unread again is unread for this operator only
        ana.mark_inbound_read(["R1"])
        bob.mark_inbound_read(["R1", "R2"])
        assert bob.count(UNREAD) == 0
        ana.mark_inbound_read(["R1"], read=False)
        assert (ana.count(UNREAD), bob.count(UNREAD)) == (2, 0)
        # the Inbox's count (replies less reads) agrees with the row-by-row condition
        of_ann = MessageFilter(direction="in", unread_only=True, number=ANN)
        assert (ana.count(of_ann), bob.count(of_ann)) == (2, 0)
    finally:
        ana.close()
        bob.close()


def test_a_reply_read_for_everyone_made_unread_is_unread_for_that_operator_only(
    pg_url: str,
) -> None:
    ana = PostgresStore(pg_url, account="a", operator="Ana")
    bob = PostgresStore(pg_url, account="a", operator="Bob")
    try:
        backlog = HistoryMessage(
            message_id="OLD1",
            direction="in",
            to=OURS,
            sender=ANN,
            body="old",
            status="Received",
            date=datetime.fromtimestamp(1_690_000_000, UTC),
        )
        ana.upsert_history([backlog])  # read for everyone
        assert ana.count(UNREAD) == bob.count(UNREAD) == 0
        ana.mark_inbound_read(["OLD1"], read=False)
        assert (ana.count(UNREAD), bob.count(UNREAD)) == (1, 0)
        of_ann = MessageFilter(direction="in", unread_only=True, number=ANN)
        assert (ana.count(of_ann), bob.count(of_ann)) == (1, 0)
    finally:
        ana.close()
        bob.close()


def test_on_sqlite_reading_sets_the_flag_as_before(tmp_path: Path) -> None:
    store = MessageStore(tmp_path / "s.db", account="a", operator="Ana")
    try:
        store.upsert_inbound([_reply("R1")])
        store.mark_inbound_read(["R1"])
        # another name on the same file (a new host name): one person's reads stay read
        other = MessageStore(tmp_path / "s.db", account="a", operator="ana@laptop")
        assert other.count(UNREAD) == 0
        other.close()
    finally:
        store.close()


# ---------------------------------------------------------------------- migrations


def _old_reply_rows() -> list[tuple[str, int]]:
    return [("OLDREAD", 1), ("OLDNEW", 0)]


def test_a_sqlite_store_of_the_previous_version_migrates_with_its_reads(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(str(path), isolation_level=None)
    previous = 6  # the version before who did what (V7)
    assert sqlite_schema.migrate(conn, target=previous) == previous
    for mid, read in _old_reply_rows():
        conn.execute(
            'INSERT INTO messages (message_id, account, direction, "from", body, date, read, '
            "updated_at) VALUES (?, 'a', 'in', ?, 'hi', 1000, ?, 1000)",
            (mid, ANN, read),
        )
    conn.execute(
        'INSERT INTO outbox (token, account, "to", body, state, created_at, updated_at) '
        "VALUES ('tok', 'a', ?, 'hi', 'accepted', 1, 1)",
        (ANN,),
    )
    conn.close()

    store = MessageStore(path, account="a", operator="Ana")
    try:
        version = store.run_read(lambda c: c.execute("PRAGMA user_version").fetchone()[0])
        assert version == sqlite_schema.SCHEMA_VERSION
        assert [m.message_id for m in store.page(filters=UNREAD).rows] == ["OLDNEW"]
        old = store.get("OLDREAD")
        assert old is not None and old.read and old.sent_by is None
        assert [r.sent_by for r in store.outbox_table().all()] == [None]
        store.mark_handled(ANN)  # the new table is there
    finally:
        store.close()


def test_a_team_store_of_the_previous_version_migrates_with_its_reads(pg_url: str) -> None:
    previous = 2  # the version before who did what (V3)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert pg_schema.migrate(conn, target=previous) == previous
        for mid, read in _old_reply_rows():
            conn.execute(
                'INSERT INTO messages (message_id, account, direction, "from", body, date, '
                "read, updated_at) VALUES (%s, 'a', 'in', %s, 'hi', 1000, %s, 1000)",
                (mid, ANN, read),
            )

    # what was read before reads were per operator stays read, for every operator
    ana = PostgresStore(pg_url, account="a", operator="Ana")
    bob = PostgresStore(pg_url, account="a", operator="Bob")
    try:
        with psycopg.connect(pg_url) as conn:
            assert pg_schema.schema_version(conn) == pg_schema.SCHEMA_VERSION
        for store in (ana, bob):
            assert [m.message_id for m in store.page(filters=UNREAD).rows] == ["OLDNEW"]
        ana.mark_inbound_read(["OLDNEW"])
        assert (ana.count(UNREAD), bob.count(UNREAD)) == (0, 1)
    finally:
        ana.close()
        bob.close()


@pytest.mark.parametrize("operator", ["O'Brien", "ana; DROP TABLE reads", "Zoë 🙂"])
def test_any_operator_name_is_only_data(pg_url: str, operator: str) -> None:
    store = PostgresStore(pg_url, account="a", operator=operator)
    try:
        store.upsert_inbound([_reply("R1")])
        store.mark_inbound_read(["R1"])
        assert store.count(UNREAD) == 0
        mark = store.mark_handled(ANN)
        assert mark is not None and store.handled_mark(ANN) == mark
        assert mark.operator == operator
    finally:
        store.close()


def test_a_bulk_batch_synced_in_gets_the_operator_who_started_it(
    store_backend: StoreBackend,
) -> None:
    ana = store_backend.open(account="a", operator="Ana")
    ana.record_senders(["smstui-bulk-J1-b0", "smstui-bulk-J1-b1"])
    # Bob resumes the job: the batches stay Ana's
    store_backend.open(account="a", operator="Bob").record_senders(["smstui-bulk-J1-b1"])
    bob_sync = store_backend.open(account="a", operator="Bob")
    bob_sync.upsert_history(
        [_sent("B0", token="smstui-bulk-J1-b0"), _sent("B1", token="smstui-bulk-J1-b1")]
    )
    bob_sync.upsert_history([_sent("X1", token="someone-elses")])
    assert [(m.message_id, m.sent_by) for m in bob_sync.conversation(ANN)] == [
        ("B0", "Ana"),
        ("B1", "Ana"),
        ("X1", None),
    ]
