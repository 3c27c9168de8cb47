"""The soak's chaos sandbox, in a process of its own (default) or a thread of the soak's.

Why a process: the soak measures the memory of the process that runs the app and the core
workers. In-process, the sandbox's records of every request and message, its chaos trace and
a thread per request (each allocating in the C heap) lived there too and grew by design,
so their growth was counted as the app's. Real ClickSend is another machine; so is this.
``in_process=True`` keeps the old layout (``--sandbox thread``) for comparison.

Either way the soak sees the same handle: ``url``, ``history_lag``, ``counts()`` (faults so
far), ``calm()`` (faults off, for the settle), ``records()`` (a view of what the sandbox
received and accepted, and the chaos trace, for the audit), ``rss_mb()`` and ``close()``.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from smstui.core.sandbox import SandboxWorld, serve
from smstui.core.sandbox.chaos import ChaosPlan

#: ClickSend lists a sent message in history a little after answering the send
HISTORY_LAG = 3.0

Trace = dict[str, list[tuple[float, str, str, str]]]


@dataclass
class Accepted:
    custom_string: str | None


@dataclass
class ClickSendView:
    """What the audit reads of ``world.clicksend``: the messages accepted, the sends received."""

    messages: list[Accepted] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class WorldView:
    clicksend: ClickSendView


def build(seed: int, rate: float) -> tuple[SandboxWorld, ChaosPlan]:
    world = SandboxWorld(seed=seed, history_size=20)
    world.balance = Decimal("1000000")  # a soak must not run out of simulated credit
    world.history_lag = HISTORY_LAG
    chaos = ChaosPlan(rate=rate, seed=seed, hang=3.0, drip_seconds=0.5, trace={})
    return world, chaos


def records_of(world: SandboxWorld, chaos: ChaosPlan) -> tuple[WorldView, Trace]:
    with world.lock:
        view = WorldView(
            ClickSendView(
                messages=[Accepted(m.custom_string) for m in world.clicksend.messages],
                received=[
                    {"body": r.get("body"), "custom_string": r.get("custom_string")}
                    for r in world.clicksend.received
                ],
            )
        )
    return view, dict(chaos.trace or {})


def _own_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _child(seed: int, rate: float, conn: Connection) -> None:
    world, chaos = build(seed, rate)
    with serve(world, chaos=chaos) as server:
        conn.send(server.url)
        while True:
            command = conn.recv()
            if command == "counts":
                conn.send(chaos.counts())
            elif command == "calm":
                chaos.rate = 0.0
                conn.send(None)
            elif command == "records":
                conn.send(records_of(world, chaos))
            elif command == "rss":
                conn.send(_own_rss_mb())
            else:
                conn.send(None)
                return


class ChildSandbox:
    def __init__(self, seed: int, rate: float) -> None:
        ctx = multiprocessing.get_context("spawn")  # a clean process, not a fork of this one
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_child, args=(seed, rate, child), daemon=True)
        self._proc.start()
        self.url = str(self._conn.recv())
        self.history_lag = HISTORY_LAG

    def _ask(self, command: str) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def counts(self) -> dict[str, Any]:
        return dict(self._ask("counts"))

    def calm(self) -> None:
        self._ask("calm")

    def records(self) -> tuple[WorldView, Trace]:
        view, trace = self._ask("records")
        return view, trace

    def rss_mb(self) -> float:
        return float(self._ask("rss"))

    def close(self) -> None:
        self._ask("stop")
        self._proc.join(10)


class ThreadSandbox:
    def __init__(self, seed: int, rate: float) -> None:
        self.world, self.chaos = build(seed, rate)
        self._server = serve(self.world, chaos=self.chaos)
        self.url = self._server.url
        self.history_lag = HISTORY_LAG

    def counts(self) -> dict[str, Any]:
        return self.chaos.counts()

    def calm(self) -> None:
        self.chaos.rate = 0.0

    def records(self) -> tuple[WorldView, Trace]:
        return records_of(self.world, self.chaos)

    def rss_mb(self) -> float:
        return 0.0  # counted in the soak's own RSS

    def close(self) -> None:
        self._server.close()


def start(seed: int, rate: float, *, in_process: bool) -> ChildSandbox | ThreadSandbox:
    return ThreadSandbox(seed, rate) if in_process else ChildSandbox(seed, rate)
