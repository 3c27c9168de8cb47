"""A reply read for everyone that one operator makes unread again, on the team store: unread
for that operator alone, whoever joins the team later (schema V5's ``unreads``), in every
place the app looks (the row's read state, the Inbox's count, the unread-only lists, the new
replies a front-end announces), and a store of the previous version keeping what its rows
said."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
from support.store_backends import StoreBackend

from smstui.core.models import HistoryMessage, InboundMessage
from smstui.core.store.postgres import PostgresStore
from smstui.core.store.postgres import schema as pg_schema
from smstui.core.store.query import MessageFilter

ANN = "+61412345681"
OURS = "+61400000000"
UNREAD = MessageFilter(direction="in", unread_only=True)
ANY_UNREAD = MessageFilter(unread_only=True)
ANNS_UNREAD = MessageFilter(direction="in", unread_only=True, number=ANN)


def _backlog(mid: str, at: int = 1_690_000_000) -> HistoryMessage:
    """A reply a history sync brings in: read for everyone (flag 1)."""
    return HistoryMessage(
        message_id=mid,
        direction="in",
        to=OURS,
        sender=ANN,
        body="old",
        status="Received",
        date=datetime.fromtimestamp(at, UTC),
    )


def _reply(mid: str, at: int = 1_700_000_000) -> InboundMessage:
    return InboundMessage(
        message_id=mid, sender=ANN, to=OURS, body="hello", date=datetime.fromtimestamp(at, UTC)
    )


def _read(store: PostgresStore, mid: str) -> bool:
    got = store.get(mid)
    assert got is not None
    return got.read


def _unread_ids(store: PostgresStore, filters: MessageFilter = UNREAD) -> list[str]:
    return [m.message_id for m in store.page(filters=filters).rows]


def _state(store: PostgresStore) -> tuple[bool, int, int, int, list[str], list[str]]:
    """Every way the store answers "is OLD1 unread for you": the row, the Inbox's count
    (both unread filters), a count the row-by-row condition answers, and the lists."""
    return (
        _read(store, "OLD1"),
        store.count(UNREAD),
        store.count(ANY_UNREAD),
        store.count(ANNS_UNREAD),
        _unread_ids(store),
        _unread_ids(store, ANY_UNREAD),
    )


UNREAD_ONE = (False, 1, 1, 1, ["OLD1"], ["OLD1"])
READ_ALL = (True, 0, 0, 0, [], [])


def test_a_reply_made_unread_again_stays_read_for_an_operator_who_joins_later(
    pg_url: str,
) -> None:
    ana = PostgresStore(pg_url, account="a", operator="Ana")
    bob = PostgresStore(pg_url, account="a", operator="Bob")
    stores = [ana, bob]
    try:
        ana.upsert_history([_backlog("OLD1")])
        assert _state(ana) == _state(bob) == READ_ALL
        assert ana.mark_inbound_read(["old1"], read=False) == 1
        cid = PostgresStore(pg_url, account="a", operator="Cid")  # joins the team now
        stores.append(cid)
        assert _state(ana) == UNREAD_ONE
        assert _state(bob) == _state(cid) == READ_ALL
        # Ana's whole-Inbox page shows it unread, Cid's read
        assert {r.message_id: r.read for r in ana.page(filters=MessageFilter()).rows} == {
            "OLD1": False
        }
        assert {r.message_id: r.read for r in cid.page(filters=MessageFilter()).rows} == {
            "OLD1": True
        }
        # marking it unread twice is one mark
        ana.mark_inbound_read(["OLD1"], read=False)
        assert _state(ana) == UNREAD_ONE

        # reading it again makes it read for Ana, as for everyone
        assert ana.mark_inbound_read(["OLD1"]) == 1
        assert _state(ana) == _state(bob) == _state(cid) == READ_ALL
        # and Bob making it unread later is Bob's alone
        bob.mark_inbound_read(["OLD1"], read=False)
        assert _state(bob) == UNREAD_ONE
        assert _state(ana) == _state(cid) == READ_ALL
    finally:
        for store in stores:
            store.close()


def test_unread_again_is_per_operator_and_per_account(pg_url: str) -> None:
    ana = PostgresStore(pg_url, account="a", operator="Ana")
    bob = PostgresStore(pg_url, account="a", operator="Bob")
    ana_b = PostgresStore(pg_url, account="b", operator="Ana")
    try:
        ana.upsert_history([_backlog("OLD1"), _backlog("OLD2", at=1_690_000_100)])
        ana_b.upsert_history([_backlog("BOLD", at=1_690_000_200)])
        ana.upsert_inbound([_reply("NEW1")])
        ana.mark_inbound_read(["OLD1", "NEW1"], read=False)
        bob.mark_inbound_read(["OLD2"], read=False)
        # Ana: OLD1 (made unread) and NEW1 (came in as new); Bob: OLD2 and NEW1
        assert (_unread_ids(ana), ana.count(UNREAD)) == (["NEW1", "OLD1"], 2)
        assert (_unread_ids(bob), bob.count(UNREAD)) == (["NEW1", "OLD2"], 2)
        # Ana's marks on account a are nothing on account b
        assert (_unread_ids(ana_b), ana_b.count(UNREAD)) == ([], 0)
        # another account's store cannot mark account a's replies
        assert ana_b.mark_inbound_read(["OLD2"], read=False) == 0
        assert ana_b.count(UNREAD) == 0
        # what a front-end announces as new stays what was stored after its mark: a reply
        # made unread again is not news
        mark = ana.reply_watermark()
        ana.mark_inbound_read(["OLD2"], read=False)
        assert ana.unread_replies_after(mark)[0] == []
        assert ana.count(UNREAD) == 3
    finally:
        ana.close()
        bob.close()
        ana_b.close()


def test_new_replies_are_announced_to_each_operator_by_their_own_reads(pg_url: str) -> None:
    ana = PostgresStore(pg_url, account="a", operator="Ana")
    bob = PostgresStore(pg_url, account="a", operator="Bob")
    try:
        mark_a, mark_b = ana.reply_watermark(), bob.reply_watermark()
        ana.upsert_history([_backlog("OLD1")])
        ana.upsert_inbound([_reply("NEW1")])
        bob.mark_inbound_read(["NEW1"])
        assert [m.message_id for m in ana.unread_replies_after(mark_a)[0]] == ["NEW1"]
        assert bob.unread_replies_after(mark_b)[0] == []
    finally:
        ana.close()
        bob.close()


def test_a_team_store_of_the_previous_version_keeps_its_unread_again_rows(pg_url: str) -> None:
    """V4's unread again (flag 0 and reads for the others) is still valid data: V5 leaves
    it as it is, and the operators it names see what they saw."""
    previous = 4  # the version before unreads (V5)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert pg_schema.migrate(conn, target=previous) == previous
        for mid, read in (("OLDREAD", 1), ("WASREAD", 0), ("NEW", 0)):
            conn.execute(
                'INSERT INTO messages (message_id, account, direction, "from", body, date, '
                "read, updated_at) VALUES (%s, 'a', 'in', %s, 'hi', 1000, %s, 1000)",
                (mid, ANN, read),
            )
        for name in ("Ana", "Bob"):
            conn.execute(
                "INSERT INTO operators (name, first_seen, last_seen) VALUES (%s, 1, 1)", (name,)
            )
        # Ana made WASREAD unread again under V4: Bob got a read of it; Bob read NEW too
        conn.execute(
            "INSERT INTO reads (account, operator, message_id, at) VALUES "
            "('a', 'Bob', 'WASREAD', 2), ('a', 'Bob', 'NEW', 2)"
        )

    ana = PostgresStore(pg_url, account="a", operator="Ana")
    bob = PostgresStore(pg_url, account="a", operator="Bob")
    try:
        with psycopg.connect(pg_url) as conn:
            assert pg_schema.schema_version(conn) == pg_schema.SCHEMA_VERSION
            (rows,) = conn.execute("SELECT COUNT(*) FROM reads").fetchone() or (None,)
            assert rows == 2
        assert (sorted(_unread_ids(ana)), ana.count(UNREAD)) == (["NEW", "WASREAD"], 2)
        assert (_unread_ids(bob), bob.count(UNREAD)) == ([], 0)
        assert _read(ana, "OLDREAD") and _read(bob, "OLDREAD")
        # the new table is there: unread again of a flag-1 reply works on the migrated store
        ana.mark_inbound_read(["OLDREAD"], read=False)
        assert (ana.count(UNREAD), bob.count(UNREAD)) == (3, 0)
        ana.mark_inbound_read(["OLDREAD", "WASREAD", "NEW"])
        assert (ana.count(UNREAD), bob.count(UNREAD)) == (0, 0)
    finally:
        ana.close()
        bob.close()


def test_sqlite_keeps_reading_with_the_flag(store_backend: StoreBackend) -> None:
    """One person's store: unread again and read again are the flag, as always; the team
    store answers the same for one operator."""
    store = store_backend.open(account="a", operator="Ana")
    store.upsert_history([_backlog("OLD1")])
    store.mark_inbound_read(["OLD1"], read=False)
    assert store.count(UNREAD) == 1
    assert [m.message_id for m in store.page(filters=UNREAD).rows] == ["OLD1"]
    store.mark_inbound_read(["OLD1"])
    assert store.count(UNREAD) == 0
