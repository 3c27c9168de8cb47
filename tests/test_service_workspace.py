"""The service layer both front-ends use: each part of ``Workspace`` against the sandbox."""

from __future__ import annotations

from decimal import Decimal

import pytest

from smstui.core.config import load_settings
from smstui.core.models import NewContact, OutgoingMms, OutgoingSms, OutgoingVoice
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld
from smstui.core.service import DRAFT_KEY, Quote, RecipientResult, Workspace


def _workspace(world: SandboxWorld, **flags: object) -> Workspace:
    settings = load_settings(flags={"sandbox": True, **flags}, env={})
    return Workspace.from_settings(settings, world=world)


@pytest.fixture
async def ws():
    world = SandboxWorld(seed=5)
    workspace = _workspace(world)
    try:
        yield workspace
    finally:
        await workspace.aclose()


def test_constructing_a_workspace_opens_nothing() -> None:
    world = SandboxWorld(seed=5)
    workspace = _workspace(world)
    _ = (workspace.messages, workspace.templates, workspace.history, workspace.membrane)
    assert not workspace.started
    assert world.request_log == []


async def test_messages_price_then_send_once_each(ws: Workspace) -> None:
    world = ws.world
    assert world is not None
    msgs = [OutgoingSms(to="+61412345671", body="Hello from the facade")]
    quote = await ws.messages.price(msgs)
    assert isinstance(quote, Quote) and quote.parts == 1 and quote.total > Decimal(0)
    before = len(world.clicksend.messages)
    [result] = await ws.messages.send(msgs)
    assert isinstance(result, RecipientResult)
    assert result.to == "+61412345671" and result.outcome == "accepted"
    assert result.message_id and result.outbox_id is not None
    assert len(world.clicksend.messages) == before + 1  # sent exactly once
    sync = await ws.messages.sync()
    assert sync.reconciled == []
    # the sent message is in the local record, found through the history part
    assert any(m.message_id == result.message_id for m in ws.history.conversation("+61412345671"))


async def test_replies_sync_in_and_mark_read_reaches_clicksend(ws: Workspace) -> None:
    world = ws.world
    assert world is not None
    inbound_id = world.add_inbound("+61412345672", "a reply")
    await ws.messages.sync()
    conv = ws.history.conversation("+61412345672")
    assert [m.body for m in conv if m.direction == "in"][-1] == "a reply"
    await ws.messages.mark_read([inbound_id])
    assert any(path.endswith(f"/sms/inbound-read/{inbound_id}") for _, path in world.request_log)


async def test_templates_round_trip_and_cached_copy(ws: Workspace) -> None:
    created = await ws.templates.create("Opening", "We open at 9")
    assert any(t.template_id == created.template_id for t in ws.templates.cached())
    updated = await ws.templates.update(created.template_id, "Opening", "We open at 8")
    assert updated.body == "We open at 8"
    assert [t.body for t in ws.templates.cached() if t.template_id == created.template_id] == [
        "We open at 8"
    ]
    assert await ws.templates.delete(created.template_id)
    assert all(t.template_id != created.template_id for t in ws.templates.cached())


async def test_drafts_survive_a_new_workspace() -> None:
    world = SandboxWorld(seed=5)
    first = _workspace(world)
    first.drafts.save(DRAFT_KEY, {"to": "+61412345673", "body": "half written"})
    await first.aclose()
    second = _workspace(world)
    try:
        assert second.drafts.load(DRAFT_KEY) == {"to": "+61412345673", "body": "half written"}
        assert second.drafts.load("nothing-here") == {}
    finally:
        await second.aclose()


async def test_contacts_and_campaigns_parts(ws: Workspace) -> None:
    made = await ws.contacts.create_list("Facade customers")
    await ws.contacts.add_contact(made.list_id, NewContact(phone_number="+61412345674"))
    assert "+61412345674" in await ws.contacts.member_numbers(made.list_id)
    assert any(x.list_id == made.list_id for x in await ws.contacts.lists())
    page = await ws.contacts.contacts_page(made.list_id, 1, 10)
    assert [c.phone_number for c in page.items] == ["+61412345674"]
    plan = ws.contacts.plan_import(b"phone\n0412345678\nnot a number\n")
    assert len(plan.rows) == 1 and len(plan.problems) == 1
    assert isinstance(await ws.campaigns.list(), list)


async def test_mms_and_voice_price_and_send(ws: Workspace) -> None:
    mms = [
        OutgoingMms(to="+61412345675", body="pic", subject="Hi", media_url="https://x.test/a.jpg")
    ]
    assert (await ws.messages.price_mms(mms)).parts >= 1
    [r] = await ws.messages.send_mms(mms)
    assert r.outcome == "accepted"
    voice = [OutgoingVoice(to="+61412345676", body="Your order is ready")]
    assert (await ws.messages.price_voice(voice)).total > Decimal(0)
    [v] = await ws.messages.send_voice(voice)
    assert v.outcome == "accepted"
    assert await ws.messages.languages()


async def test_membrane_part_gives_client_connection_and_secrets() -> None:
    world = SandboxWorld(seed=5)
    ws = _workspace(world)
    try:
        _client, connection_id = await ws.membrane.client_and_connection()
        assert connection_id == DEFAULT_CONNECTION_ID
        assert ws.membrane.known_secrets() == ()  # the sandbox holds no credentials
        routes = ws.membrane.request_routes()
        routes.remember_route(connection_id, "proxy")
        # remembered with the connection cache: a later workspace knows it without asking
        assert ws.membrane.request_routes().route_for(connection_id) == "proxy"
    finally:
        await ws.aclose()
