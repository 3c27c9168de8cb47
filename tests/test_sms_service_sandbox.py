"""SmsService with the real MembraneClient against the in-process sandbox (both prefix modes)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from smstui.core.clicksend.prefix_learning import InMemoryPrefix
from smstui.core.clicksend.sms import SmsService
from smstui.core.errors import ClickSendError, SendOutcomeUnknown
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.models import OutgoingSms
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, Fault, SandboxWorld

START = 1_760_000_000.0
TEST_NUMBER = "+61411111111"


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture(params=["/v3", ""], ids=["base-without-v3", "base-with-v3"])
def world(request: pytest.FixtureRequest) -> SandboxWorld:
    w = SandboxWorld(seed=3, prefix=request.param, clock=lambda: START, history_size=5)
    w.failure_rate = 0.0
    w.reply_rate = 0.0
    return w


@pytest.fixture
async def client(world: SandboxWorld) -> AsyncIterator[MembraneClient]:
    async with MembraneClient(
        "https://membrane.sandbox.invalid",
        StaticToken("sandbox-token-123456"),
        transport=world.transport(),
        sleep=_no_sleep,
    ) as c:
        yield c


@pytest.fixture
def make_service(client: MembraneClient) -> Callable[..., SmsService]:
    def make(memory: InMemoryPrefix | None = None) -> SmsService:
        return SmsService(client, DEFAULT_CONNECTION_ID, prefix_memory=memory or InMemoryPrefix())

    return make


def clicksend_calls(world: SandboxWorld, suffix: str, method: str | None = None) -> list[str]:
    return [
        p for m, p in world.request_log if p.endswith(suffix) and (method is None or m == method)
    ]


def sms(to: str = TEST_NUMBER, body: str = "hello", **kw: object) -> OutgoingSms:
    return OutgoingSms(to=to, body=body, **kw)  # type: ignore[arg-type]


async def test_prefix_is_learnt_and_remembered(
    world: SandboxWorld, make_service: Callable[..., SmsService]
) -> None:
    memory = InMemoryPrefix()
    svc = make_service(memory)
    page = await svc.history(limit=15)
    assert page.items  # the seeded history
    assert memory.prefix == world.prefix
    extra = 0 if world.prefix == "/v3" else 1
    assert len(clicksend_calls(world, "/sms/history")) == 1 + extra
    # a restart with the same memory: straight to the right path
    await make_service(memory).history()
    assert len(clicksend_calls(world, "/sms/history")) == 2 + extra


async def test_first_write_never_probes_with_a_send(
    world: SandboxWorld, make_service: Callable[..., SmsService]
) -> None:
    svc = make_service()
    result = await svc.send([sms(custom_string="first")])
    assert result.all_accepted
    assert len(world.clicksend.received) == 1
    assert len(clicksend_calls(world, "/sms/send", "POST")) == 1
    reads = clicksend_calls(world, "/account", "GET")
    assert len(reads) == (1 if world.prefix == "/v3" else 2)
    assert svc.prefix == world.prefix


async def test_send_batches_and_mixed_statuses(
    world: SandboxWorld, make_service: Callable[..., SmsService]
) -> None:
    svc = make_service(InMemoryPrefix(world.prefix))
    result = await svc.send([sms(to="not a number"), sms()])
    assert [m.status for m in result.messages] == ["INVALID_RECIPIENT", "SUCCESS"]
    assert not result.messages[0].accepted and result.messages[1].accepted
    assert result.messages[1].message_id is not None
    assert result.messages[1].message_id == result.messages[1].message_id.upper()

    many = await svc.send([sms() for _ in range(1001)])
    assert len(many.messages) == 1001 and many.all_accepted
    assert len(clicksend_calls(world, "/sms/send", "POST")) == 1 + 2


async def test_price_does_not_send(
    world: SandboxWorld, make_service: Callable[..., SmsService]
) -> None:
    svc = make_service(InMemoryPrefix(world.prefix))
    quote = await svc.price([sms(to="+61491570006", body="x" * 200)])
    [msg] = quote.messages
    assert msg.parts == 2
    assert msg.price is not None and msg.price > 0
    assert quote.total_price == msg.price
    assert world.clicksend.received == []


async def test_lost_send_answer_is_unknown_and_reconciled_by_custom_string(
    world: SandboxWorld, make_service: Callable[..., SmsService]
) -> None:
    svc = make_service(InMemoryPrefix(world.prefix))
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/sms/send$"))
    with pytest.raises(SendOutcomeUnknown):
        await svc.send([sms(custom_string="outbox-42")])
    assert len(world.clicksend.received) == 1  # it did go out
    since = datetime.fromtimestamp(START, tz=UTC) - timedelta(minutes=5)
    found = await svc.find_by_custom_string("outbox-42", since)
    assert [m.custom_string for m in found] == ["outbox-42"]
    assert found[0].to == TEST_NUMBER


async def test_inbound_and_receipts_round_trip(
    world: SandboxWorld, make_service: Callable[..., SmsService]
) -> None:
    svc = make_service(InMemoryPrefix(world.prefix))
    sent = await svc.send([sms(to="+61491570006", custom_string="rt")])
    out_id = sent.messages[0].message_id
    assert out_id is not None
    world.advance(600)
    receipts = await svc.receipts()
    mine = [r for r in receipts.items if r.message_id == out_id]
    assert mine and mine[0].status_code is not None
    one = await svc.get_receipt(out_id)
    assert one.message_id == out_id
    await svc.mark_receipts_read()
    assert [r for r in (await svc.receipts()).items if r.message_id == out_id] == []

    reply_id = world.add_inbound("+61491570006", "yes please")
    inbound = await svc.inbound()
    reply = next(m for m in inbound.items if m.message_id == reply_id.upper())
    assert reply.body == "yes please"
    assert reply.original_message_id == out_id
    assert (await svc.get_inbound(out_id)).body == "yes please"
    assert await svc.mark_inbound_read(message_id=reply.message_id) == 1
    assert all(m.message_id != reply.message_id for m in (await svc.inbound()).items)


async def test_cancel_scheduled_messages(
    world: SandboxWorld, make_service: Callable[..., SmsService]
) -> None:
    svc = make_service(InMemoryPrefix(world.prefix))
    await svc.cancel_all()  # the seeded history may hold scheduled messages
    later = datetime.fromtimestamp(START, tz=UTC) + timedelta(days=1)
    sent = await svc.send([sms(schedule=later, custom_string=f"c{i}") for i in range(3)])
    first = sent.messages[0].message_id
    assert first is not None
    await svc.cancel(first)
    assert await svc.cancel_all(custom_string="c1") == 1
    assert await svc.cancel_all() == 1  # only c2 was left
    assert await svc.cancel_all() == 0
    with pytest.raises(ClickSendError):
        await svc.cancel(first)  # no longer scheduled


async def test_templates_crud(world: SandboxWorld, make_service: Callable[..., SmsService]) -> None:
    svc = make_service(InMemoryPrefix(world.prefix))
    created = await svc.create_template("Greeting", "Hi there")
    assert (await svc.get_template(created.template_id)).body == "Hi there"
    updated = await svc.update_template(created.template_id, body="Hello there")
    assert (updated.name, updated.body) == ("Greeting", "Hello there")
    listed = await svc.list_templates()
    assert created.template_id in [t.template_id for t in listed.items]
    await svc.delete_template(created.template_id)
    with pytest.raises(ClickSendError):
        await svc.get_template(created.template_id)


async def test_account_balance_without_the_api_key(
    world: SandboxWorld, make_service: Callable[..., SmsService]
) -> None:
    account = await make_service().account()
    assert account.balance == Decimal("25.00")
    assert account.currency is not None
    assert world.clicksend.api_key not in repr(account)


async def test_rate_limited_read_is_retried_by_the_client_and_then_succeeds(
    world: SandboxWorld, make_service: Callable[..., SmsService]
) -> None:
    svc = make_service(InMemoryPrefix(world.prefix))
    world.inject(
        Fault(status=429, method="GET", path=r"/sms/inbound$", headers={"Retry-After": "1"})
    )
    page = await svc.inbound()
    assert page.page == 1


async def test_receipts_in_the_sdk_s_integer_shape_are_read_as_text(
    world: SandboxWorld, make_service: Callable[..., SmsService]
) -> None:
    # the sandbox answers receipts as ClickSend's SDK 6 types them (integers); the reference's
    # examples use strings: both must read the same
    world.failure_rate = 1.0
    svc = make_service()
    await svc.mark_receipts_read()
    sent = await svc.send([sms(to="+61412345678")])
    world.advance(world.receipt_delay)
    [receipt] = (await svc.receipts()).items
    assert receipt.message_id == sent.messages[0].message_id
    assert receipt.status_code == "301" and receipt.failed
    assert receipt.error_code is not None and receipt.error_code.isdigit()
