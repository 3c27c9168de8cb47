"""SIGKILL mid-send against the loopback sandbox: the next start sends exactly once in total."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smstui.core.clicksend.sms import SmsService
from smstui.core.delivery.outbox import Outbox
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, Fault, SandboxWorld, serve
from smstui.core.sandbox.server import SandboxServer
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import OutboxTable

pytestmark = pytest.mark.slow

CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    from pathlib import Path
    from smstui.core.membrane.auth import StaticToken
    from smstui.core.membrane.client import MembraneClient
    from smstui.core.models import OutgoingSms
    from smstui.core.delivery.outbox import Outbox
    from smstui.core.clicksend.sms import SmsService
    from smstui.core.store.message_store import MessageStore

    url, db, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

    def committed(rows):
        print("committed", flush=True)
        if mode == "die-before-request":
            time.sleep(3600)  # the test kills us here: the row is written, nothing was sent

    async def main():
        async with MembraneClient(url, StaticToken("sandbox-token"), max_retries=0) as client:
            service = SmsService(client, "conn_sandbox_clicksend")
            outbox = Outbox(MessageStore(db), service, after_commit=committed)
            await outbox.send([OutgoingSms(to="+61411111111", body="exactly once please")])
            print("finished", flush=True)

    asyncio.run(main())
    """
)


@pytest.fixture
def server() -> Iterator[tuple[SandboxWorld, SandboxServer]]:
    world = SandboxWorld(seed=3, history_size=5)
    srv = serve(world)
    try:
        yield world, srv
    finally:
        srv.close()


def start_child(url: str, db: Path, mode: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(db), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    assert line == "committed", child.stderr.read() if child.stderr else line
    return child


def kill(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL


async def restart_and_resume(url: str, db: Path) -> list[str]:
    # the next start, well after the reconciliation window
    later = time.time() + 600
    async with MembraneClient(url, StaticToken("sandbox-token")) as client:
        service = SmsService(client, DEFAULT_CONNECTION_ID)
        with MessageStore(db) as store:
            results = await Outbox(store, service, clock=lambda: later).resume()
            assert all(r.message_id and store.get(r.message_id) for r in results)
            return [r.outcome for r in results]


async def test_killed_before_the_request_left_is_sent_once_on_restart(
    server: tuple[SandboxWorld, SandboxServer], tmp_path: Path
) -> None:
    world, srv = server
    db = tmp_path / "o.db"
    kill(start_child(srv.url, db, "die-before-request"))
    assert len(world.clicksend.received) == 0
    with MessageStore(db) as store:
        assert [r.state for r in OutboxTable(store).all()] == ["pending"]
    assert await restart_and_resume(srv.url, db) == ["accepted"]
    assert len(world.clicksend.received) == 1


async def test_killed_after_clicksend_received_it_is_not_sent_again(
    server: tuple[SandboxWorld, SandboxServer], tmp_path: Path
) -> None:
    world, srv = server
    # ClickSend records the SMS, then the answer never comes back
    world.inject(Fault(kind="timeout_after", method="POST", path=r"/sms/send", hang=30))
    db = tmp_path / "o.db"
    child = start_child(srv.url, db, "wait-for-answer")
    deadline = time.monotonic() + 30
    while not world.clicksend.received and time.monotonic() < deadline:
        time.sleep(0.02)
    kill(child)
    assert len(world.clicksend.received) == 1
    assert await restart_and_resume(srv.url, db) == ["accepted"]
    assert len(world.clicksend.received) == 1
