"""The chaos sandbox: every fault kind on the wire, and exactly-once sending through each."""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from smstui.cli import main
from smstui.core.clicksend.sms import SmsService
from smstui.core.delivery.outbox import Outbox
from smstui.core.errors import SmstuiError
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.models import OutgoingSms
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxServer, SandboxWorld, serve
from smstui.core.sandbox.chaos import HANDLED, KINDS, ChaosKind, ChaosPlan
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import FINAL_STATES, OutboxTable

PROXY = f"/connections/{DEFAULT_CONNECTION_ID}/proxy"
AUTH = {"Authorization": "Bearer t"}
SEND = {"messages": [{"to": "+61412345678", "body": "chaos", "custom_string": "k-1"}]}


def plan(kind: ChaosKind, **kw: object) -> ChaosPlan:
    return ChaosPlan(rate=1.0, seed=1, kinds=(kind,), hang=0.3, drip_seconds=0.2, **kw)  # type: ignore[arg-type]


@pytest.fixture
def world() -> SandboxWorld:
    return SandboxWorld(seed=4, history_size=3)


@pytest.fixture
def chaos_server(world: SandboxWorld) -> Iterator[SandboxServer]:
    with serve(world, chaos=ChaosPlan(rate=0.0)) as running:
        yield running


def post_send(server: SandboxServer) -> httpx.Response:
    with httpx.Client(base_url=server.url, headers=AUTH, timeout=5) as c:
        return c.post(f"{PROXY}/v3/sms/send", json=SEND)


@pytest.mark.parametrize("kind", sorted(set(KINDS) - HANDLED))
def test_a_fault_that_answers_without_handling_records_no_send(
    kind: ChaosKind, chaos_server: SandboxServer, world: SandboxWorld
) -> None:
    chaos_server.chaos = plan(kind, huge_bytes=200_000)
    with contextlib.suppress(httpx.HTTPError):
        post_send(chaos_server)
    assert world.clicksend.received == []


@pytest.mark.parametrize("kind", sorted(HANDLED))
def test_a_fault_after_handling_records_the_send(
    kind: ChaosKind, chaos_server: SandboxServer, world: SandboxWorld
) -> None:
    chaos_server.chaos = plan(kind)
    with contextlib.suppress(httpx.HTTPError):
        post_send(chaos_server)
    assert [m["custom_string"] for m in world.clicksend.received] == ["k-1"]


def test_reset_mid_response_breaks_the_read(chaos_server: SandboxServer) -> None:
    chaos_server.chaos = plan("reset_mid_response")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        post_send(chaos_server)


def test_truncated_body_is_short_of_its_content_length(chaos_server: SandboxServer) -> None:
    chaos_server.chaos = plan("truncated_body")
    with pytest.raises(httpx.RemoteProtocolError):
        post_send(chaos_server)


def test_slow_drip_still_delivers_the_whole_answer(chaos_server: SandboxServer) -> None:
    chaos_server.chaos = plan("slow_drip")
    assert post_send(chaos_server).json()["data"]["messages"][0]["status"] == "SUCCESS"


def test_no_answer_times_the_client_out(chaos_server: SandboxServer) -> None:
    chaos_server.chaos = plan("no_answer")
    chaos_server.chaos.hang = 2.0
    with (
        httpx.Client(base_url=chaos_server.url, headers=AUTH, timeout=0.3) as c,
        pytest.raises(httpx.ReadTimeout),
    ):
        c.get("/connections")


def test_huge_body_is_ten_megabytes_of_valid_json(chaos_server: SandboxServer) -> None:
    chaos_server.chaos = ChaosPlan(rate=1.0, kinds=("huge_body",))
    r = post_send(chaos_server)
    assert len(r.content) == 10 * 1024 * 1024 and r.json()["data"] is None


def test_clicksend_quirks_are_served_as_observed_live(chaos_server: SandboxServer) -> None:
    chaos_server.chaos = plan("quirk_int_response_code")
    assert post_send(chaos_server).json()["response_code"] == 400
    chaos_server.chaos = plan("quirk_too_many_requests")
    r = post_send(chaos_server)
    assert (r.status_code, r.json()["response_code"]) == (429, "HTTP_TOO_MANY_REQUESTS")
    assert r.headers["ratelimit-reset"] == "1"
    chaos_server.chaos = plan("quirk_data_empty_object_string")
    assert post_send(chaos_server).json()["data"] == "{}"


def test_strings_for_numbers_turns_every_number_into_a_string(
    chaos_server: SandboxServer,
) -> None:
    chaos_server.chaos = plan("wrong_shape_strings")
    doc = post_send(chaos_server).json()
    assert doc["http_code"] == "200"
    assert doc["data"]["total_count"] == "1"


def test_one_seed_gives_one_sequence_of_faults() -> None:
    def sequence(seed: int) -> list[ChaosKind | None]:
        p = ChaosPlan(rate=0.5, seed=seed)
        return [p.choose("GET", "/x") for _ in range(200)]

    assert sequence(3) == sequence(3)
    assert sequence(3) != sequence(4)


def test_the_plan_counts_requests_and_faults_by_kind() -> None:
    p = ChaosPlan(rate=0.5, seed=9)
    picks = [p.choose("GET", "/x") for _ in range(1000)]
    counts = p.counts()
    assert counts["requests"] == 1000
    assert counts["faults"] == sum(1 for k in picks if k is not None)
    assert 350 < counts["faults"] < 650
    assert set(counts["by_kind"]) == set(KINDS)


def test_a_rate_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError):
        ChaosPlan(rate=1.5)


def test_cli_refuses_a_fault_rate_above_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "serve", "--port", "0", "--faults", "2"]) == 2
    assert "--faults" in capsys.readouterr().err


def test_a_client_hanging_up_mid_answer_prints_no_traceback(
    world: SandboxWorld, capfd: pytest.CaptureFixture[str]
) -> None:
    world.latency = 0.3
    with serve(world) as server:
        for _ in range(3):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.sendall(b"GET /connections HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n")
            # hang up hard (RST) before the answer is written
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        time.sleep(0.8)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err


@pytest.mark.parametrize("kind", KINDS)
async def test_every_fault_kind_ends_in_one_final_state_and_at_most_one_send(
    kind: ChaosKind, world: SandboxWorld, tmp_path: Path
) -> None:
    chaos = plan(kind, huge_bytes=300_000)
    with serve(world, chaos=chaos) as server:
        async with MembraneClient(
            server.url, StaticToken("t"), timeout=1.0, max_retries=0
        ) as client:
            service = SmsService(client, DEFAULT_CONNECTION_ID)
            with MessageStore(tmp_path / "s.db") as store:
                outbox = Outbox(store, service)
                # a typed error is allowed; anything else fails the test
                with contextlib.suppress(SmstuiError):
                    await outbox.send([OutgoingSms(to="+61412345678", body=f"via {kind}")])
                chaos.rate = 0.0
                later = time.time() + 600
                await Outbox(store, service, clock=lambda: later).reconcile()
                states = [r.state for r in OutboxTable(store).all()]
    assert len(states) == 1 and states[0] in FINAL_STATES
    assert len(world.clicksend.received) <= 1
    assert (states[0] == "accepted") == (len(world.clicksend.received) == 1)
