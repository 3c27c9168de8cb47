"""The soak's CLI load: ``smstui`` processes launched from a process of their own (default) or
from threads of the soak's (``--cli thread``, the old layout, for comparison).

Why a process: the soak measures the memory of the process that runs the app and the core
workers. A launching thread reads each CLI run's whole output (a ``history --json`` answer is
tens of kB, a traceback more) into strings allocated in that thread's C heap arena, and three
such threads ran in the soak's process for its whole length: harness memory, churned in arenas
of their own, counted as the app's. A user's shell is another process; so is this launcher.

Either way the soak sees the same handle: ``start()``, then ``finish(ledger)`` once the load
ends, which stops new runs, waits for the ones under way and adds what they said (every body
asked for and its exit code, commands, exit codes, kills, tracebacks) to ``ledger``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any

#: how every body a CLI run sends begins
CLI_BODY = "soak cli "
#: a CLI process that takes longer than this is killed (SIGKILL: durability is tested too)
CLI_TIMEOUT = 90.0
READ_COMMANDS = (
    ["history", "--limit", "20"],
    ["history", "--no-sync", "--search", "soak"],
    ["inbox", "--limit", "10"],
    ["receipts", "--limit", "10"],
    ["templates", "list"],
    ["account"],
    ["price", "--to", "+61411000001", "--body", "price check"],
)


class Ledger:
    """What the user asked for, and what each CLI process said about it (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        #: body -> exit code of the `smstui send` that carried it (None: in-process send)
        self.requested: dict[str, int | None] = {}
        self.commands: Counter[str] = Counter()
        self.exit_codes: Counter[int] = Counter()
        self.killed = 0
        self.unexpected_stderr: list[str] = []

    def record_cli(self, name: str, code: int, stderr: str, body: str | None) -> None:
        with self.lock:
            self.commands[name] += 1
            self.exit_codes[code] += 1
            if body is not None:
                self.requested[body] = code
            if "Traceback" in stderr and len(self.unexpected_stderr) < 5:
                self.unexpected_stderr.append(stderr[-2000:])

    def as_dict(self) -> dict[str, Any]:
        """What the CLI runs recorded, picklable (sent back by the launcher process)."""
        with self.lock:
            return {
                "requested": dict(self.requested),
                "commands": dict(self.commands),
                "exit_codes": dict(self.exit_codes),
                "killed": self.killed,
                "unexpected_stderr": list(self.unexpected_stderr),
            }

    def merge(self, other: dict[str, Any]) -> None:
        with self.lock:
            self.requested.update(other["requested"])
            self.commands.update(other["commands"])
            self.exit_codes.update(other["exit_codes"])
            self.killed += other["killed"]
            room = 5 - len(self.unexpected_stderr)
            self.unexpected_stderr.extend(other["unexpected_stderr"][: max(0, room)])


def cli_worker(
    n: int, env: dict[str, str], deadline: float, ledger: Ledger, seed: int, stop: threading.Event
) -> None:
    rng = random.Random(seed * 1000 + n)
    i = 0
    while time.monotonic() < deadline and not stop.is_set():
        i += 1
        body: str | None = None
        if rng.random() < 0.5:
            body = f"{CLI_BODY}{n}-{i} {rng.randrange(10**6)}"
            args = ["send", "--to", f"+614{rng.randrange(10**8):08d}", "--body", body]
        else:
            args = list(rng.choice(READ_COMMANDS))
        cmd = [sys.executable, "-m", "smstui", "--json", *args]
        try:
            done = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT, check=False
            )
            code, err = done.returncode, done.stderr
        except subprocess.TimeoutExpired as exc:
            code, err = -9, str(exc.stderr or "")
            with ledger.lock:
                ledger.killed += 1
        ledger.record_cli(args[0], code, err, body)


def _child(workers: int, env: dict[str, str], seconds: float, seed: int, conn: Connection) -> None:
    """The launcher process: ``workers`` threads until ``seconds`` pass or the soak says stop;
    then what they recorded goes back over ``conn``."""
    ledger = Ledger()
    stop = threading.Event()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=cli_worker, args=(n, env, deadline, ledger, seed, stop))
        for n in range(workers)
    ]
    for t in threads:
        t.start()

    def until_told() -> None:
        with contextlib.suppress(EOFError, OSError):  # the soak is gone: stop anyway
            conn.recv()
        stop.set()

    threading.Thread(target=until_told, daemon=True).start()
    for t in threads:
        t.join()
    conn.send(ledger.as_dict())


class ChildLauncher:
    """The CLI workers in a spawned process (a clean one, not a fork of the soak's)."""

    def __init__(self, workers: int, env: dict[str, str], deadline: float, seed: int) -> None:
        self._args = (workers, env, deadline, seed)
        self._proc: Any = None
        self._conn: Connection | None = None

    def start(self) -> None:
        workers, env, deadline, seed = self._args
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        seconds = max(0.0, deadline - time.monotonic())
        self._proc = ctx.Process(target=_child, args=(workers, env, seconds, seed, child))
        self._proc.daemon = True
        self._proc.start()
        child.close()

    def finish(self, ledger: Ledger) -> None:
        if self._conn is None:
            return
        # past the deadline the launcher may have reported and exited already: its report
        # waits in the pipe, and the "stop" has no one to read it
        with contextlib.suppress(BrokenPipeError):
            self._conn.send("stop")
        # the runs under way end within CLI_TIMEOUT (killed past it)
        if not self._conn.poll(CLI_TIMEOUT + 30):
            raise RuntimeError("the CLI launcher process did not report back")
        ledger.merge(self._conn.recv())
        self._proc.join(timeout=10)
        self._conn.close()


class ThreadLauncher:
    """The CLI workers as threads of the soak's own process (``--cli thread``)."""

    def __init__(self, workers: int, env: dict[str, str], deadline: float, seed: int) -> None:
        self._ledger = Ledger()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(
                target=cli_worker, args=(n, env, deadline, self._ledger, seed, self._stop)
            )
            for n in range(workers)
        ]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def finish(self, ledger: Ledger) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()
        ledger.merge(self._ledger.as_dict())


def launcher(
    workers: int, env: dict[str, str], deadline: float, seed: int, *, in_process: bool
) -> ChildLauncher | ThreadLauncher:
    cls = ThreadLauncher if in_process else ChildLauncher
    return cls(workers, env, deadline, seed)
