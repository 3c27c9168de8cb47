"""Exactly once across machines: two processes (two operators' apps) reconcile the same send
whose outcome is unknown at the same moment, on one shared store and one ClickSend (the
sandbox on a loopback server, counting what it receives). Between them the message is sent
at most once more: the outbox claim is a compare-and-set the database settles.

Runs on both backends: two processes on one SQLite file, and on one PostgreSQL database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from support.store_backends import StoreBackend

from smstui.core.models import OutgoingSms
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld, serve

RACERS = 2

#: one operator's process: open the shared store, wait for "go", reconcile, say what it did
_RACER = """
import asyncio, json, sys, time
from smstui.core.clicksend.sms import SmsService
from smstui.core.delivery.outbox import Outbox
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient

backend, location, api_url, connection_id = sys.argv[1:5]
if backend == "postgresql":
    from smstui.core.store.postgres import PostgresStore
    store = PostgresStore(location)
else:
    from smstui.core.store.message_store import MessageStore
    from pathlib import Path
    store = MessageStore(Path(location))

async def main():
    async with MembraneClient(api_url, StaticToken("t"), max_retries=0) as client:
        service = SmsService(client, connection_id)
        print("ready", flush=True)
        sys.stdin.readline()  # every racer starts together
        later = time.time() + 3600  # long past the settle window: "not found" is evidence
        results = await Outbox(store, service, clock=lambda: later).reconcile()
        print(json.dumps([r.outcome for r in results]), flush=True)

asyncio.run(main())
store.close()
"""


def _racer(store_backend: StoreBackend, api_url: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])  # this checkout's smstui, not another
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            _RACER,
            store_backend.name,
            store_backend.location,
            api_url,
            DEFAULT_CONNECTION_ID,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_processes_reconciling_one_unknown_send_send_it_once_more(
    store_backend: StoreBackend,
) -> None:
    store = store_backend.open()
    table = store.outbox_table()
    # a send that died with its request: committed, never reached ClickSend, outcome unknown
    [row] = table.add(
        [("smstui-race-000000000001", OutgoingSms(to="+61412345678", body="once"))],
        now=int(time.time()) - 3600,
    )
    assert table.set_outcome(row.id, "unknown", reason="the app was killed mid-send")
    world = SandboxWorld(seed=7, history_size=0)
    with serve(world) as server:
        racers = [_racer(store_backend, server.url) for _ in range(RACERS)]
        try:
            for p in racers:
                assert p.stdout is not None and p.stdout.readline().strip() == "ready", (
                    p.stderr.read() if p.stderr else ""
                )
            for p in racers:
                assert p.stdin is not None
                p.stdin.write("go\n")
                p.stdin.flush()
            outcomes = []
            for p in racers:
                out, err = p.communicate(timeout=120)
                assert p.returncode == 0, err
                outcomes.append(json.loads(out.strip().splitlines()[-1]))
        finally:
            for p in racers:
                if p.poll() is None:
                    p.kill()
        received = [m for m in world.clicksend.received if m.get("custom_string") == row.token]
    assert len(received) == 1, outcomes  # the one automatic resend, by one of them
    settled = table.get(row.id)
    assert settled is not None and settled.state == "accepted" and settled.attempts == 2
    assert ["accepted"] in outcomes  # the winner sent it; the other saw it taken
