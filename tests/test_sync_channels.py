"""MMS and voice in sync_all: history of both channels and voice receipts reach the store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from support.fake_clicksend import T0, paginate, unix
from support.sandbox_client import START, make_client, make_sms, make_world

from smstui.core.clicksend.mms_voice import MmsVoiceService
from smstui.core.delivery.sync import history_cursor_name, sync_all
from smstui.core.errors import NetworkError
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.models import (
    DeliveryReceipt,
    HistoryMessage,
    OutgoingMms,
    OutgoingVoice,
    Page,
)
from smstui.core.sandbox import SandboxWorld
from smstui.core.sandbox.transport import SandboxTransport
from smstui.core.store.message_store import MessageStore


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(T0 + seconds, UTC)


def sent(channel: str, i: int, **kw: object) -> HistoryMessage:
    fields: dict[str, object] = {
        "message_id": f"{channel}-{i:04d}",
        "direction": "out",
        "to": "+61411000001",
        "sender": "+61400000000",
        "body": f"{channel} {i}",
        "status": "Sent",
        "date": at(i),
        "channel": channel,
    }
    fields.update(kw)
    return HistoryMessage(**fields)  # type: ignore[arg-type]


class NoSms:
    """An SMS side with nothing to list (these tests are about the other channels)."""

    async def history(self, page: int = 1, limit: int = 100, **_: object) -> Page[HistoryMessage]:
        return paginate([], page, limit)

    async def inbound(self, page: int = 1, limit: int = 100) -> Page[object]:
        return paginate([], page, limit)

    async def receipts(self, page: int = 1, limit: int = 100) -> Page[DeliveryReceipt]:
        return paginate([], page, limit)

    async def mark_inbound_read(self, message_id: object = None, date_before: object = None) -> int:
        return 0

    async def mark_receipts_read(self, date_before: object = None) -> int:
        return 0


class FakeChannels:
    """MMS and voice listings with ClickSend's paging and date window."""

    def __init__(self, n_mms: int = 0, n_voice: int = 0) -> None:
        self.mms = [sent("mms", i) for i in range(n_mms)]
        self.voice = [sent("voice", i) for i in range(n_voice)]
        self.voice_receipt_items: list[DeliveryReceipt] = []
        self.calls: list[tuple[str, int, int | None]] = []
        self.fail: set[tuple[str, int]] = set()

    def _list(
        self, kind: str, items: list[HistoryMessage], page: int, limit: int, date_from: object
    ) -> Page[HistoryMessage]:
        lo = unix(date_from)  # type: ignore[arg-type]
        self.calls.append((kind, page, lo))
        if (kind, page) in self.fail:
            raise NetworkError("link dropped", may_have_reached_server=True)
        return paginate([m for m in items if lo is None or unix(m.date) >= lo], page, limit)  # type: ignore[operator]

    async def mms_history(
        self, page: int = 1, limit: int = 100, date_from: object = None, date_to: object = None
    ) -> Page[HistoryMessage]:
        return self._list("mms", self.mms, page, limit, date_from)

    async def voice_history(
        self, page: int = 1, limit: int = 100, date_from: object = None, date_to: object = None
    ) -> Page[HistoryMessage]:
        return self._list("voice", self.voice, page, limit, date_from)

    async def voice_receipts(self, page: int = 1, limit: int = 100) -> Page[DeliveryReceipt]:
        self.calls.append(("voice_receipts", page, None))
        return paginate(self.voice_receipt_items, page, limit)


def channels_of(store: MessageStore) -> dict[str, str]:
    return {r.message_id: r.channel for r in store.page(limit=100_000).rows}


def snapshot(store: MessageStore) -> list[object]:
    epoch = datetime.fromtimestamp(0, UTC)
    return [replace(r, updated_at=epoch) for r in store.page(limit=100_000).rows]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MessageStore]:
    with MessageStore(tmp_path / "a.db") as s:
        yield s


# --------------------------------------------------------------------------- fake service


async def test_mms_and_voice_history_are_stored_with_their_channel(store: MessageStore) -> None:
    fake = FakeChannels(n_mms=3, n_voice=2)
    report = await sync_all(NoSms(), store, channels=fake)  # type: ignore[arg-type]
    assert channels_of(store) == {
        **{f"MMS-{i:04d}": "mms" for i in range(3)},
        **{f"VOICE-{i:04d}": "voice" for i in range(2)},
    }
    assert (report.mms_messages, report.voice_messages) == (3, 2)


async def test_every_page_of_a_long_channel_history_is_stored_once(store: MessageStore) -> None:
    fake = FakeChannels(n_mms=250)
    fake.mms.append(fake.mms[0])  # ClickSend listing a message twice stores it once
    await sync_all(NoSms(), store, channels=fake)  # type: ignore[arg-type]
    assert store.count() == 250
    assert sorted(p for kind, p, _ in fake.calls if kind == "mms") == [1, 2, 3]


async def test_next_sync_reads_channel_history_from_its_cursor_minus_the_overlap(
    store: MessageStore,
) -> None:
    fake = FakeChannels(n_mms=5, n_voice=7)
    await sync_all(NoSms(), store, channels=fake)  # type: ignore[arg-type]
    fake.calls.clear()
    await sync_all(NoSms(), store, channels=fake, overlap_seconds=60)  # type: ignore[arg-type]
    assert ("mms", 1, T0 + 4 - 60) in fake.calls
    assert ("voice", 1, T0 + 6 - 60) in fake.calls


async def test_a_channel_cursor_moves_only_once_the_whole_listing_is_stored(
    store: MessageStore,
) -> None:
    # MMS/voice history order is undocumented: a stored newest page proves nothing older is in
    fake = FakeChannels(n_voice=300)
    fake.fail.add(("voice", 2))
    report = await sync_all(NoSms(), store, channels=fake)  # type: ignore[arg-type]
    assert report.channel_failures == {"voice": "link dropped"}
    assert store.get_cursor(history_cursor_name(store, "voice")) is None


async def test_an_interrupted_channel_sync_then_restart_equals_an_uninterrupted_one(
    tmp_path: Path,
) -> None:
    fake = FakeChannels(n_mms=220, n_voice=180)
    fake.voice_receipt_items = [DeliveryReceipt("voice-0003", "201", "Delivered", at(500))]
    with MessageStore(tmp_path / "once.db") as once:
        await sync_all(NoSms(), once, channels=fake)  # type: ignore[arg-type]
        expected = snapshot(once)
    with MessageStore(tmp_path / "twice.db") as twice:
        fake.fail.add(("voice", 2))
        report = await sync_all(NoSms(), twice, channels=fake)  # type: ignore[arg-type]
        assert set(report.channel_failures) == {"voice"}
        fake.fail.clear()
        await sync_all(NoSms(), twice, channels=fake)  # type: ignore[arg-type]
        assert snapshot(twice) == expected


async def test_a_voice_receipt_before_its_message_is_applied_when_the_message_arrives(
    store: MessageStore,
) -> None:
    fake = FakeChannels()
    fake.voice_receipt_items = [DeliveryReceipt("voice-0000", "301", "Not answered", at(100))]
    await sync_all(NoSms(), store, channels=fake)  # type: ignore[arg-type]
    assert store.pending_receipts() == 1
    fake.voice.append(sent("voice", 0))
    report = await sync_all(NoSms(), store, channels=fake)  # type: ignore[arg-type]
    row = store.get("VOICE-0000")
    assert row is not None and (row.status_code, row.status_text) == ("301", "Not answered")
    assert store.pending_receipts() == 0 and report.voice_receipts == 1


async def test_channels_can_be_left_out(store: MessageStore) -> None:
    fake = FakeChannels(n_mms=2, n_voice=2)
    await sync_all(NoSms(), store, channels=fake, mms=False, voice=False)  # type: ignore[arg-type]
    assert fake.calls == [] and store.count() == 0


async def test_progress_counts_the_channel_pages_too(store: MessageStore) -> None:
    fake = FakeChannels(n_mms=150, n_voice=1)
    seen: list[tuple[int, int]] = []
    await sync_all(NoSms(), store, channels=fake, on_progress=lambda d, t: seen.append((d, t)))  # type: ignore[arg-type]
    # SMS: history, inbound, receipts (one page each); voice receipts 1, MMS 2, voice 1
    assert seen[-1] == (7, 7)


# --------------------------------------------------------------------------- sandbox


async def test_sandbox_mms_and_voice_sent_elsewhere_appear_after_a_sync(tmp_path: Path) -> None:
    world = make_world()
    async with make_client(world) as client:
        sms = make_sms(client)
        channels = MmsVoiceService(sms)
        mms = await channels.send_mms(
            [OutgoingMms("+61412345678", "See attached", "Hello", "https://example.com/p.jpg")]
        )
        voice = await channels.send_voice(
            [OutgoingVoice("+61412345679", "Your table is ready", "female", "en-au")]
        )
        world.advance(3600)  # delivered: the voice receipt is listed
        with MessageStore(tmp_path / "other.db") as store:  # a store that never saw the sends
            report = await sync_all(sms, store)
            mms_row = store.get(mms.messages[0].message_id)
            voice_row = store.get(voice.messages[0].message_id)
    assert mms_row is not None and mms_row.channel == "mms" and mms_row.body == "See attached"
    assert voice_row is not None and voice_row.channel == "voice"
    assert voice_row.status_code == "201"
    assert (report.mms_messages, report.voice_messages, report.voice_receipts) == (1, 1, 1)


class RecordingTransport(SandboxTransport):
    """The sandbox transport, keeping the query of every request."""

    def __init__(self, world: SandboxWorld) -> None:
        super().__init__(world)
        self.queries: list[tuple[str, dict[str, str]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.queries.append((request.url.path, dict(request.url.params)))
        return await super().handle_async_request(request)


async def test_sandbox_second_sync_asks_channel_history_from_the_cursor(tmp_path: Path) -> None:
    world = make_world()
    transport = RecordingTransport(world)
    async with MembraneClient(
        "https://membrane.sandbox.invalid", StaticToken("sandbox-token"), transport=transport
    ) as client:
        sms = make_sms(client)
        await MmsVoiceService(sms).send_voice(
            [OutgoingVoice("+61412345679", "Hello", "female", "en-au")]
        )
        with MessageStore(tmp_path / "a.db") as store:
            await sync_all(sms, store)
            assert store.get_cursor(history_cursor_name(store, "voice")) == str(int(START))
            transport.queries.clear()
            await sync_all(sms, store, overlap_seconds=10)
    asked = [q for path, q in transport.queries if path.endswith("/voice/history")]
    assert [q.get("date_from") for q in asked] == [str(int(START) - 10)]
