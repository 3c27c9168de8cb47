"""The team bench's ClickSend: the soak's chaos sandbox (``soak_sandbox.build``) in a process
of its own, shared by every operator process, that can also be told to let a reply arrive.

A reply is injected on request (``inject``): it arrives in ClickSend's unread inbound list at
once, and the answer is its message id and the wall-clock time it arrived. At the end the
bench reads what ClickSend received and accepted, recipient by recipient (``records``): each
message the bench asks for goes to a number of its own, so a number accepted twice is a
message sent twice, whatever tokens it carried.
"""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.connection import Connection
from typing import Any

import soak_sandbox

from smstui.core.sandbox import SandboxWorld, serve

#: who the injected replies come from (a number no operator sends to)
REPLIER = "+61499999999"


def _records(world: SandboxWorld) -> dict[str, list[tuple[str, str]]]:
    with world.lock:
        return {
            "accepted": [(m.to, m.custom_string or "") for m in world.clicksend.messages],
            "received": [
                (str(r.get("to") or ""), str(r.get("custom_string") or ""))
                for r in world.clicksend.received
            ],
        }


def _child(seed: int, rate: float, conn: Connection) -> None:
    world, chaos = soak_sandbox.build(seed, rate)
    with serve(world, chaos=chaos) as server:
        conn.send(server.url)
        while True:
            command, arg = conn.recv()
            if command == "counts":
                conn.send(chaos.counts())
            elif command == "calm":
                chaos.rate = 0.0
                conn.send(None)
            elif command == "inject":
                message_id = world.add_inbound(REPLIER, str(arg))
                conn.send((message_id, time.time()))
            elif command == "records":
                conn.send(_records(world))
            else:
                conn.send(None)
                return


class TeamSandbox:
    """The handle the bench holds: ``url``, ``history_lag``, ``inject(body)``, ``counts()``,
    ``calm()``, ``records()``, ``close()``."""

    def __init__(self, seed: int, rate: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_child, args=(seed, rate, child), daemon=True)
        self._proc.start()
        self.url = str(self._conn.recv())
        self.history_lag = soak_sandbox.HISTORY_LAG

    def _ask(self, command: str, arg: Any = None) -> Any:
        self._conn.send((command, arg))
        return self._conn.recv()

    def inject(self, body: str) -> tuple[str, float]:
        """A reply arrives now: its message id and the time (``time.time()``) it arrived."""
        message_id, at = self._ask("inject", body)
        return str(message_id), float(at)

    def counts(self) -> dict[str, Any]:
        return dict(self._ask("counts"))

    def calm(self) -> None:
        self._ask("calm")

    def records(self) -> dict[str, list[tuple[str, str]]]:
        return dict(self._ask("records"))

    def close(self) -> None:
        self._ask("stop")
        self._proc.join(10)
