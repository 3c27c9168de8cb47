"""Reconciliation never takes a garbled history answer as proof that a send never arrived.

Found by the soak: a history lookup answered with ``data: "{}"`` or ``data: null`` parsed as an
empty page, the outbox concluded "not in history" and resent a message ClickSend already had.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from smstui.core.clicksend.sms import SmsService
from smstui.core.delivery.outbox import Outbox
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.models import OutgoingSms
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, Fault, SandboxWorld, serve
from smstui.core.sandbox.chaos import ChaosKind, ChaosPlan
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import OutboxTable

GARBLED_HISTORY: list[ChaosKind] = [
    "quirk_data_empty_object_string",
    "huge_body",
    "wrong_shape_arrays",
    "malformed_json",
]


@pytest.mark.parametrize("kind", GARBLED_HISTORY)
async def test_a_garbled_history_answer_does_not_trigger_a_resend(
    kind: ChaosKind, tmp_path: Path
) -> None:
    world = SandboxWorld(seed=12, history_size=3)
    # the send reaches ClickSend, its answer is lost: the outcome is unknown
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/sms/send$"))
    chaos = ChaosPlan(
        rate=0.0, kinds=(kind,), huge_bytes=100_000, path_filter=lambda p: "/sms/history" in p
    )
    with serve(world, chaos=chaos) as server:
        async with MembraneClient(server.url, StaticToken("t"), max_retries=0) as client:
            service = SmsService(client, DEFAULT_CONNECTION_ID)
            await service.account()  # learn the path prefix before faults start
            with MessageStore(tmp_path / "s.db") as store:
                [sent] = await Outbox(store, service).send(
                    [OutgoingSms(to="+61412345678", body="only once")]
                )
                assert sent.outcome == "unknown"
                chaos.rate = 1.0
                later = time.time() + 600
                await Outbox(store, service, clock=lambda: later).reconcile()
                assert len(world.clicksend.received) == 1
                assert [r.state for r in OutboxTable(store).all()] == ["unknown"]
                chaos.rate = 0.0
                [settled] = await Outbox(store, service, clock=lambda: later).reconcile()
    assert settled.outcome == "accepted"
    assert len(world.clicksend.received) == 1
