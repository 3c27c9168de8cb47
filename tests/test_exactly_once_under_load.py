"""Exactly-once on a busy machine: each root cause the soak found under load, in seconds.

1. A send whose request leaves long after its outbox row was committed (a slow prefix
   confirmation, a starved event loop): another reconciler, counting the settle window from
   the commit, concluded "never sent" and resent it while the first request was still coming.
2. A message ClickSend refuses per recipient (``INVALID_RECIPIENT`` inside HTTP 200) never
   shows in history, so when its answer was lost it was resent after the window and refused
   again: received twice. A price request (which sends nothing) now tells that it would be
   refused, so it is settled as rejected without a second send.
3. History that lists a sent message a little late: "not listed yet" is not "never sent".
4. History answers that parse but prove nothing (a partial walk, a full bare list, a record
   that cannot be read, MMS/voice history with ``data: null``) never count as absence.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from support.fake_sender import NOW, Clock, FakeSender, sms

from smstui.core.clicksend.history_lookup import find_in_history
from smstui.core.clicksend.mms_voice import MmsVoiceService
from smstui.core.clicksend.sms import SmsService
from smstui.core.delivery.outbox import Outbox
from smstui.core.errors import MalformedResponseError
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.models import OutgoingSms
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, Fault, SandboxWorld, serve
from smstui.core.sandbox.chaos import ChaosPlan
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import OutboxTable


@pytest.fixture
def store(tmp_path: Path) -> MessageStore:
    s = MessageStore(tmp_path / "o.db")
    yield s  # type: ignore[misc]
    s.close()


# --------------------------------------------------------------- 1. a request that leaves late


async def test_a_send_that_leaves_late_is_sent_once_when_another_reconciler_resends_it(
    store: MessageStore,
) -> None:
    server = FakeSender()
    go = asyncio.Event()
    stalled = asyncio.Event()

    async def slow_first_write() -> None:
        server.before_write = None  # only the first writer is slow
        stalled.set()
        await go.wait()

    server.before_write = slow_first_write
    clock = Clock()
    slow = asyncio.create_task(Outbox(store, server, clock=clock).send([sms()]))
    await stalled.wait()  # the row is committed; its request has not left

    # another process, well past the window counted from the commit, finds nothing
    clock.now = NOW + 600
    [other] = await Outbox(store, server, clock=clock).reconcile()
    assert other.outcome == "accepted" and len(server.received) == 1

    go.set()
    [first] = await slow
    assert len(server.received) == 1, "the late first request must not go out as well"
    assert first.outcome == "accepted"
    [row] = OutboxTable(store).all()
    assert row.attempts == 2 and row.state == "accepted"


async def test_the_settle_window_counts_from_when_the_request_left(store: MessageStore) -> None:
    server = FakeSender()
    clock = Clock()

    async def slow_then_lose() -> None:
        clock.now = NOW + 300  # five minutes between commit and departure
        server.lose_answer = True

    server.before_write = slow_then_lose
    [sent] = await Outbox(store, server, clock=clock).send([sms()])
    assert sent.outcome == "unknown"
    [row] = OutboxTable(store).all()
    assert row.attempted_at is not None and row.attempted_at.timestamp() == NOW + 300


def test_a_claim_made_on_a_stale_read_loses_to_a_request_that_just_left(
    store: MessageStore,
) -> None:
    table = OutboxTable(store)
    [row] = table.add([("tok-1", sms())], now=int(NOW))
    assert table.start_attempt([row], now=int(NOW) + 200) == {row.id}
    # ``row`` is the reconciler's stale copy: same attempt, same state, older stamp
    assert not table.claim_resend(row, now=int(NOW) + 201)
    assert not table.give_up(row, reason="x")
    fresh = table.get(row.id)
    assert fresh is not None and fresh.attempts == 1 and fresh.state == "pending"


def test_a_request_whose_resend_was_claimed_elsewhere_does_not_leave(
    store: MessageStore,
) -> None:
    table = OutboxTable(store)
    [row] = table.add([("tok-1", sms())], now=int(NOW))
    assert table.claim_resend(row, now=int(NOW) + 130)
    assert table.start_attempt([row], now=int(NOW) + 131) == set()


# --------------------------------------------------------------- 2. refused, answer lost


def invalid_but_plausible() -> str:
    """A number phonenumbers calls possible but not valid (so the sandbox, like ClickSend for
    an unallocated range, refuses it with INVALID_RECIPIENT)."""
    number = "+61500000000"
    parsed = phonenumbers.parse(number)
    assert phonenumbers.is_possible_number(parsed) and not phonenumbers.is_valid_number(parsed)
    return number


async def test_a_refused_message_whose_answer_was_lost_is_not_sent_again(
    tmp_path: Path,
) -> None:
    world = SandboxWorld(seed=3, history_size=3)
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/sms/send$"))
    with serve(world) as server:
        async with MembraneClient(server.url, StaticToken("t"), max_retries=0) as client:
            service = SmsService(client, DEFAULT_CONNECTION_ID)
            await service.account()
            with MessageStore(tmp_path / "s.db") as s:
                [sent] = await Outbox(s, service).send(
                    [OutgoingSms(to=invalid_but_plausible(), body="refused")]
                )
                assert sent.outcome == "unknown"
                later = time.time() + 600
                [settled] = await Outbox(s, service, clock=lambda: later).reconcile()
    assert len(world.clicksend.received) == 1
    assert settled.outcome == "rejected" and settled.status == "INVALID_RECIPIENT"
    assert settled.reason is not None and "not resent" in settled.reason


async def test_a_message_clicksend_would_take_is_still_resent_once(store: MessageStore) -> None:
    server = FakeSender()
    server.lose_answer = True
    clock = Clock()
    await Outbox(store, server, clock=clock).send([sms()])
    server.history.clear()  # the first request never arrived after all
    server.received.clear()
    clock.now = NOW + 600
    [again] = await Outbox(store, server, clock=clock).reconcile()
    assert [m.to for m in server.priced] == ["+61411111111"]
    assert again.outcome == "accepted" and len(server.received) == 1


async def test_a_failed_price_check_keeps_the_message_unknown(store: MessageStore) -> None:
    server = FakeSender()
    server.lose_answer = True
    clock = Clock()
    await Outbox(store, server, clock=clock).send([sms()])
    server.history.clear()
    server.received.clear()

    async def broken_price(messages: Any) -> Any:
        raise MalformedResponseError("garbled price answer")

    server.price = broken_price  # type: ignore[method-assign]
    clock.now = NOW + 600
    [row] = await Outbox(store, server, clock=clock).reconcile()
    assert row.outcome == "unknown" and server.received == []


# --------------------------------------------------------------- 3. history that lags


async def test_history_that_lists_a_message_late_does_not_cause_a_resend(tmp_path: Path) -> None:
    world = SandboxWorld(seed=5, history_size=3)
    world.history_lag = 2.0
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/sms/send$"))
    with serve(world) as server:
        async with MembraneClient(server.url, StaticToken("t"), max_retries=0) as client:
            service = SmsService(client, DEFAULT_CONNECTION_ID)
            await service.account()
            with MessageStore(tmp_path / "s.db") as s:
                outbox = Outbox(s, service, window=60)
                [sent] = await outbox.send([OutgoingSms(to="+61412345678", body="lagging")])
                assert sent.outcome == "unknown"
                # inside the window and not listed yet: wait, do not resend
                [waiting] = await outbox.reconcile()
                assert waiting.outcome == "unknown"
                world.advance(5)  # now it is listed
                [found] = await outbox.reconcile()
    assert found.outcome == "accepted"
    assert len(world.clicksend.received) == 1


def test_the_sandbox_lists_a_message_only_after_its_history_lag() -> None:
    world = SandboxWorld(seed=5, history_size=0)
    world.history_lag = 10.0
    with serve(world) as server:
        import httpx

        proxy = f"{server.url}/connections/{DEFAULT_CONNECTION_ID}/proxy/v3"
        auth = {"Authorization": "Bearer t"}
        msg = {"to": "+61412345678", "body": "x", "custom_string": "lag-1"}
        with httpx.Client(headers=auth, timeout=5) as c:
            assert c.post(f"{proxy}/sms/send", json={"messages": [msg]}).status_code == 200
            q = {"q": "custom_string:lag-1"}
            before = c.get(f"{proxy}/sms/history", params=q).json()["data"]["data"]
            world.advance(11)
            after = c.get(f"{proxy}/sms/history", params=q).json()["data"]["data"]
    assert before == [] and [m["custom_string"] for m in after] == ["lag-1"]


# --------------------------------------------------------------- 4. answers that prove nothing


def paged(pages: list[Any]) -> Callable[[int], Awaitable[Any]]:
    async def fetch(page_no: int) -> Any:
        return pages[page_no - 1]

    return fetch


def rec(token: str, mid: str = "M1") -> dict[str, Any]:
    return {"message_id": mid, "direction": "out", "custom_string": token, "date": 1}


def pager(records: list[Any], page: int, last: int) -> dict[str, Any]:
    return {"current_page": page, "last_page": last, "total": 999, "data": records}


async def lookup(pages: list[Any], *, limit: int = 3, max_pages: int = 5) -> list[Any]:
    from smstui.core.clicksend import parse as cs

    return await find_in_history(
        paged(pages),
        cs.parse_history_record,
        lambda m: m.custom_string == "want",
        limit=limit,
        max_pages=max_pages,
    )


@pytest.mark.parametrize(
    ("why", "pages"),
    [
        ("null", [None]),
        ("the string {}", ["{}"]),
        ("lists of lists", [[[], [[]]]]),
        ("a paginator without a list", [{"current_page": 1, "last_page": 1, "data": None}]),
        ("a record without an id", [pager([{"custom_string": "x"}], 1, 1)]),
        ("a full bare list (maybe page 1 of many)", [[rec("a"), rec("b"), rec("c")]]),
        ("a page other than the one asked for", [pager([rec("a")], 1, 3)] * 2),
        ("more pages than the walk may read", [pager([rec("a")], n, 9) for n in range(1, 10)]),
    ],
)
async def test_an_answer_that_proves_nothing_is_never_taken_as_absence(
    why: str, pages: list[Any]
) -> None:
    with pytest.raises(MalformedResponseError):
        await lookup(pages)


@pytest.mark.parametrize(
    "pages",
    [
        [[]],
        [[rec("a")]],
        [pager([], 1, 0)],
        [pager([rec("a"), rec("b"), rec("c")], 1, 2), pager([rec("d")], 2, 2)],
    ],
)
async def test_a_complete_listing_proves_absence(pages: list[Any]) -> None:
    assert await lookup(pages) == []


async def test_a_match_is_kept_when_a_later_page_cannot_be_read() -> None:
    found = await lookup([pager([rec("want"), rec("b"), rec("c")], 1, 2), None])
    assert [m.custom_string for m in found] == ["want"]


@pytest.mark.parametrize("channel", ["mms", "voice"])
async def test_channel_history_with_no_list_is_not_absence(channel: str) -> None:
    class NullHistory:
        async def read(self, path: str, params: Any = None) -> Any:
            from smstui.core.clicksend.envelope import Envelope

            return Envelope(200, "SUCCESS", "Here are your history.", None)

    service = MmsVoiceService(NullHistory())  # type: ignore[arg-type]
    with pytest.raises(MalformedResponseError):
        await service.find_by_custom_string(channel, "smstui-x", None)


# --------------------------------------------------------------- the soak's judge


def test_chaos_traces_each_token_with_the_faults_that_hit_it() -> None:
    world = SandboxWorld(seed=1, history_size=0)
    chaos = ChaosPlan(rate=0.0, trace={})
    with serve(world, chaos=chaos) as server:
        import httpx

        proxy = f"{server.url}/connections/{DEFAULT_CONNECTION_ID}/proxy/v3"
        msg = {"to": "+61412345678", "body": "x", "custom_string": "tr-1"}
        with httpx.Client(headers={"Authorization": "Bearer t"}, timeout=5) as c:
            c.post(f"{proxy}/sms/send", json={"messages": [msg]})
            chaos.rate, chaos.kinds = 1.0, ("http_503",)
            c.get(f"{proxy}/sms/history", params={"q": "custom_string:tr-1"})
    assert chaos.trace is not None
    events = [(m, e, k) for _, m, e, k in chaos.trace["tr-1"]]
    assert events == [("POST", "/sms/send", "ok"), ("GET", "/sms/history", "http_503")]
