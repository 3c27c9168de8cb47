"""Opt-outs: STOP replies opt their sender out, START undoes it, and every send path refuses
opted-out numbers before anything is recorded or sent (counted at the sandbox and in the
outbox table), unless the caller vouches for them. Every test taking ``ws`` or
``store_backend`` runs on this machine's SQLite store and on a team database (PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.store_backends import StoreBackend

from smstui.core.clicksend.campaigns import new_campaign
from smstui.core.config import load_settings
from smstui.core.delivery.bulk import BulkJob, BulkRow
from smstui.core.delivery.bulk.job import OPTED_OUT
from smstui.core.errors import OptedOutError, ValidationError
from smstui.core.models import InboundMessage, NewContact, OutgoingMms, OutgoingSms, OutgoingVoice
from smstui.core.sandbox import SandboxWorld
from smstui.core.service import Workspace
from smstui.core.stop_words import word_set

ANN = "+61412345681"
BOB = "+61412345682"


def _workspace(
    world: SandboxWorld, env: dict[str, str] | None = None, **flags: object
) -> Workspace:
    settings = load_settings(flags={"sandbox": True, **flags}, env=env or {})
    return Workspace.from_settings(settings, world=world)


@pytest.fixture
async def ws(store_env: dict[str, str]):
    world = SandboxWorld(seed=7)
    workspace = _workspace(world, store_env)
    try:
        yield workspace
    finally:
        await workspace.aclose()


def _world(ws: Workspace) -> SandboxWorld:
    assert ws.world is not None
    return ws.world


def _outbox_rows(ws: Workspace, kind: str = "sms") -> int:
    return len(ws._store().outbox_table(kind).all())


# ---------------------------------------------------------------------- detection during sync


async def test_a_stop_reply_opts_the_sender_out_with_its_date_and_id(ws: Workspace) -> None:
    reply_id = _world(ws).add_inbound(ANN, " Stop. ")
    result = await ws.messages.sync()
    assert result.opted_out == (ANN,)
    [entry] = ws.optouts.list()
    assert entry.number == ANN and entry.source == "reply"
    assert entry.reply_id == reply_id
    assert abs(entry.date.timestamp() - _world(ws).clock()) < 5
    assert ws.optouts.is_opted_out(ANN)
    assert not ws.optouts.is_opted_out(BOB)


async def test_start_after_stop_removes_the_number(ws: Workspace) -> None:
    world = _world(ws)
    world.add_inbound(ANN, "STOP")
    await ws.messages.sync()
    world.advance(60)
    world.add_inbound(ANN, "start")
    result = await ws.messages.sync()
    assert result.opted_in == (ANN,)
    assert ws.optouts.list() == []
    world.advance(60)
    world.add_inbound(ANN, "UNSUBSCRIBE")  # and they can opt out again
    assert (await ws.messages.sync()).opted_out == (ANN,)


async def test_ordinary_replies_opt_nobody_out(ws: Workspace) -> None:
    _world(ws).add_inbound(ANN, "Stop by at 5 please")
    result = await ws.messages.sync()
    assert result.opted_out == () and ws.optouts.list() == []


async def test_configured_words_replace_the_defaults(store_env: dict[str, str]) -> None:
    world = SandboxWorld(seed=7)
    ws = _workspace(world, store_env, stop_words=("ARRET",), start_words=())
    try:
        world.add_inbound(ANN, "stop")
        world.add_inbound(BOB, "Arret!")
        await ws.messages.sync()
        assert [e.number for e in ws.optouts.list()] == [BOB]
    finally:
        await ws.aclose()


def _inbound(mid: str, sender: str, body: str, at: int) -> InboundMessage:
    return InboundMessage(
        message_id=mid,
        sender=sender,
        to="+61400000000",
        body=body,
        date=datetime.fromtimestamp(at, UTC),
    )


def test_keywords_apply_in_the_order_they_were_sent_not_read(store_backend: StoreBackend) -> None:
    store = store_backend.open("a")
    table = store.optout_table()
    stop, start = word_set(["STOP"]), word_set(["START"])
    store.upsert_inbound([_inbound("B", ANN, "START", 2000)])
    assert table.scan_replies(stop, start).removed == []
    # the older STOP is met later (history synced out of order): START still wins
    store.upsert_inbound([_inbound("A", ANN, "STOP", 1000)])
    assert table.scan_replies(stop, start).added == []
    assert table.active() == []
    # a STOP sent after the START counts
    store.upsert_inbound([_inbound("C", ANN, "STOP", 3000)])
    [added] = table.scan_replies(stop, start).added
    assert added.reply_id == "C" and added.date.timestamp() == 3000
    # an older START met later does not undo it
    store.upsert_inbound([_inbound("D", ANN, "START", 2500)])
    assert table.scan_replies(stop, start).removed == []
    assert [e.number for e in table.active()] == [ANN]
    # each reply is read once: scanning again changes nothing
    assert table.scan_replies(stop, start) == type(table.scan_replies(stop, start))()
    # another process (a second store on the same data) reads the same list
    other = store_backend.open("a").optout_table()
    assert [e.number for e in other.active()] == [ANN]
    assert other.scan_replies(stop, start) == type(other.scan_replies(stop, start))()


def test_the_first_scan_reads_replies_already_in_the_store(store_backend: StoreBackend) -> None:
    store = store_backend.open("a")
    store.upsert_inbound([_inbound("OLD", BOB, "quit", 1000)])
    table = store.optout_table()
    assert [e.number for e in table.scan_replies(word_set(["QUIT"]), frozenset()).added] == [BOB]


def test_the_list_on_the_store_add_remove_among_and_accounts(store_backend: StoreBackend) -> None:
    table = store_backend.open("a").optout_table()
    added = table.add("+61 412 345 681", at=1000, source="manual")
    assert added is not None and added.number == ANN and added.date.timestamp() == 1000
    assert table.add(ANN, at=1500, source="manual") is None  # opted out already
    assert table.among([ANN, BOB]) == {ANN} and table.count() == 1
    assert [e.number for e in table.add_many([BOB, ANN, BOB], at=1200, source="import")] == [BOB]
    # a removal dated before the opt-out does not undo it; a later one does, once
    assert table.remove(ANN, at=900) is False
    assert table.remove(ANN, at=2000) is True and table.remove(ANN, at=2100) is False
    assert table.get(ANN) is None and table.among([ANN, BOB]) == {BOB}
    # an opt-out older than the removal does not come back; a newer one does
    assert table.add(ANN, at=1900, source="manual") is None
    assert table.add(ANN, at=2200, source="manual") is not None
    # another account's list is its own
    assert store_backend.open("b").optout_table().active() == []
    many = [f"+6141234{i:04d}" for i in range(1200)]  # more than one lookup chunk
    table.add_many(many, at=3000, source="import")
    assert table.among(many[::-1]) == set(many)


def test_new_replies_after_a_watermark_on_the_store(store_backend: StoreBackend) -> None:
    store = store_backend.open("a")
    store.upsert_inbound([_inbound("R1", ANN, "hello", 1000)])
    mark = store.reply_watermark()
    assert store.unread_replies_after(mark) == ([], mark)
    # written by another process, one older than the reply already there
    store_backend.open("a").upsert_inbound(
        [_inbound("R2", BOB, "late", 500), _inbound("R3", ANN, "again", 2000)]
    )
    store_backend.open("b").upsert_inbound([_inbound("X1", BOB, "other account", 3000)])
    store.mark_inbound_read(["R3"])
    rows, new = store.unread_replies_after(mark)
    assert [m.message_id for m in rows] == ["R2"] and new > mark
    assert store.unread_replies_after(new) == ([], new)
    # a reply synced again (an update) is not new
    store.upsert_inbound([_inbound("R2", BOB, "late", 500)])
    assert store.unread_replies_after(new) == ([], new)


# ---------------------------------------------------------------------- the list itself


async def test_add_remove_and_bad_numbers(ws: Workspace) -> None:
    entry = ws.optouts.add("0412 345 681")  # local format, default region AU
    assert entry is not None and entry.number == ANN and entry.source == "manual"
    assert ws.optouts.add(ANN) is None  # already there
    assert ws.optouts.among([BOB, ANN, ANN]) == [ANN]
    assert ws.optouts.remove(ANN) is True
    assert ws.optouts.remove(ANN) is False
    with pytest.raises(ValidationError):
        ws.optouts.add("not a number")


async def test_csv_import_and_export_round_trip(ws: Workspace) -> None:
    plan, added = ws.optouts.import_csv(b"Name,Mobile\nAnn,0412345681\nX,nope\nBob,+61412345682\n")
    assert [e.number for e in added] == [ANN, BOB]
    assert [(p.line, "nope" in p.reason or "valid" in p.reason) for p in plan.problems] == [
        (3, True)
    ]
    text = ws.optouts.export_csv()
    lines = text.strip().splitlines()
    assert lines[0] == "number,date,source,reply_id"
    assert sorted(line.split(",")[0] for line in lines[1:]) == [ANN, BOB]
    assert all(line.split(",")[2] == "import" for line in lines[1:])
    # a headerless file of numbers imports too; numbers already there are left alone
    plan, added = ws.optouts.import_csv(b"+61412345682\n+61412345683\n")
    assert [e.number for e in added] == ["+61412345683"]


# ---------------------------------------------------------------------- every send path refuses


async def test_sms_send_refuses_opted_out_numbers_before_anything_happens(ws: Workspace) -> None:
    world = _world(ws)
    ws.optouts.add(ANN)
    before = len(world.clicksend.received)
    messages = [OutgoingSms(to=BOB, body="hello"), OutgoingSms(to=ANN, body="hello")]
    with pytest.raises(OptedOutError) as info:
        await ws.messages.send(messages)
    assert info.value.numbers == (ANN,)
    assert ANN in str(info.value) and BOB not in str(info.value)
    assert info.value.exit_code == 2
    assert len(world.clicksend.received) == before  # nothing reached ClickSend
    assert _outbox_rows(ws) == 0  # nothing was recorded
    # the user vouches (a transactional message): sent to both
    results = await ws.messages.send(messages, include_opted_out=True)
    assert [r.outcome for r in results] == ["accepted", "accepted"]
    assert len(world.clicksend.received) == before + 2
    assert _outbox_rows(ws) == 2


async def test_an_opted_out_number_is_refused_and_another_is_sent_to(ws: Workspace) -> None:
    # on the team store too: ``store_env`` gives the workspace a database_url
    world = _world(ws)
    ws.optouts.add(ANN)
    before = len(world.clicksend.received)
    with pytest.raises(OptedOutError):
        await ws.messages.send([OutgoingSms(to=ANN, body="promo")])
    [result] = await ws.messages.send([OutgoingSms(to=BOB, body="promo")])
    assert result.outcome == "accepted"
    assert [m["to"] for m in world.clicksend.received[before:]] == [BOB]
    assert _outbox_rows(ws) == 1


async def test_a_stop_reply_blocks_the_next_send(ws: Workspace) -> None:
    _world(ws).add_inbound(ANN, "STOP")
    await ws.messages.sync()
    with pytest.raises(OptedOutError):
        await ws.messages.send([OutgoingSms(to=ANN, body="promo")])


async def test_mms_send_refuses_and_can_be_overridden(ws: Workspace) -> None:
    world = _world(ws)
    ws.optouts.add(ANN)
    mms = [OutgoingMms(to=ANN, body="pic", subject="Hi", media_url="https://x.test/a.jpg")]
    with pytest.raises(OptedOutError):
        await ws.messages.send_mms(mms)
    assert world.clicksend.channels.mms_received == []
    assert _outbox_rows(ws, "mms") == 0
    [r] = await ws.messages.send_mms(mms, include_opted_out=True)
    assert r.outcome == "accepted" and len(world.clicksend.channels.mms_received) == 1


async def test_voice_send_refuses_and_can_be_overridden(ws: Workspace) -> None:
    world = _world(ws)
    ws.optouts.add(ANN)
    voice = [OutgoingVoice(to=ANN, body="Your order is ready")]
    with pytest.raises(OptedOutError):
        await ws.messages.send_voice(voice)
    assert world.clicksend.channels.voice_received == []
    assert _outbox_rows(ws, "voice") == 0
    [r] = await ws.messages.send_voice(voice, include_opted_out=True)
    assert r.outcome == "accepted" and len(world.clicksend.channels.voice_received) == 1


async def test_campaign_to_a_list_with_opted_out_members_is_refused(ws: Workspace) -> None:
    world = _world(ws)
    made = await ws.contacts.create_list("Desk customers")
    for number in (ANN, BOB):
        await ws.contacts.add_contact(made.list_id, NewContact(phone_number=number))
    campaign = new_campaign(made.list_id, "Sale", "50% off. Reply STOP to opt out")
    assert await ws.campaigns.opted_out_members(made.list_id) == []
    ws.optouts.add(BOB)
    assert await ws.campaigns.opted_out_members(made.list_id) == [BOB]
    sent_before = len(world.clicksend.campaigns.campaigns)
    with pytest.raises(OptedOutError) as info:
        await ws.campaigns.send(campaign)
    assert info.value.numbers == (BOB,)
    assert "every contact of the list" in info.value.hint
    assert len(world.clicksend.campaigns.campaigns) == sent_before  # nothing reached ClickSend
    sent = await ws.campaigns.send(campaign, include_opted_out=True)
    assert sent.campaign_id
    assert len(world.clicksend.campaigns.campaigns) == sent_before + 1


async def test_bulk_job_skips_opted_out_rows_and_lists_them(ws: Workspace, tmp_path: Path) -> None:
    world = _world(ws)
    ws.optouts.add(ANN)
    rows = [BulkRow(2, ANN, "hi"), BulkRow(3, BOB, "hi"), BulkRow(4, "+61412345683", "hi")]
    job = BulkJob.create(tmp_path / "jobs", rows)
    before = len(world.clicksend.received)
    service = await ws._session().service()
    await job.run(service, settle=0, skip=ws.optouts.among)
    assert job.finished
    assert job.opted_out == [0]
    assert job.results[0].status == OPTED_OUT and not job.results[0].accepted
    sent_to = [m["to"] for m in world.clicksend.received[before:]]
    assert sorted(sent_to) == [BOB, "+61412345683"]
    # the skip is in the job's log: a reload sees the same results
    again = BulkJob.load(job.path)
    assert again.opted_out == [0] and again.finished


async def test_bulk_job_resumed_later_honours_a_stop_that_arrived_meanwhile(
    ws: Workspace, tmp_path: Path
) -> None:
    world = _world(ws)
    rows = [BulkRow(2 + i, f"+6141234569{i}", "hi") for i in range(4)]
    job = BulkJob.create(tmp_path / "jobs", rows, batch_size=2)
    service = await ws._session().service()
    world.add_inbound(rows[3].to, "STOP")  # arrives before the second batch goes
    await ws.messages.sync()
    before = len(world.clicksend.received)
    await job.run(service, settle=0, skip=ws.optouts.among)
    assert [m["to"] for m in world.clicksend.received[before:]] == [r.to for r in rows[:3]]
    assert job.opted_out == [3]


# ---------------------------------------------------------------------- replies for the UI


async def test_unread_count_and_new_replies_since_the_last_sync(ws: Workspace) -> None:
    world = _world(ws)
    await ws.messages.sync()  # seeded history and replies
    baseline = ws.replies.unread_count()
    first = world.add_inbound(ANN, "Is the shop open today?")
    result = await ws.messages.sync()
    assert [r.message_id for r in result.new_replies] == [first]
    assert result.new_replies[0].sender == ANN
    assert result.new_replies[0].to_json()["body"] == "Is the shop open today?"
    assert ws.replies.unread_count() == baseline + 1
    # nothing new: nothing announced twice
    assert (await ws.messages.sync()).new_replies == ()
    await ws.messages.mark_read([first])
    assert ws.replies.unread_count() == baseline


def test_opted_out_error_names_at_most_ten_numbers() -> None:
    numbers = [f"+614123456{i:02d}" for i in range(12)]
    err = OptedOutError(numbers)
    assert "and 2 more" in str(err) and numbers[9] in str(err) and numbers[10] not in str(err)
    assert err.numbers == tuple(numbers)
