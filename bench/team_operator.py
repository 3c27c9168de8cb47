"""One operator of the team bench (``team.py``), in a process of its own.

    python bench/team_operator.py --kind cli|core|app --index 0 --messages 1000 --events F

Settings come from the environment, as for any smstui: ``SMSTUI_DATABASE_URL`` (the team's
PostgreSQL store), ``SMSTUI_OPERATOR``, the sandbox's ``MEMBRANE_API_URL``. Each operator
sends ``--messages`` messages, each to a number of its own (``number(index, i)``), in sends
of ``--batch`` recipients sharing one body:

- ``cli``: each send is a ``python -m smstui --json send --to ... --body ...`` child process
  (in this process's group: the bench's SIGKILL takes it too);
- ``core``: each send goes through the workspace (``ws.messages.send``, the outbox);
- ``app``: a headless ``SmsApp`` driven by Pilot sends from Compose (``team_app.py``).

Every process also watches the team store (``watch_store``: LISTEN/NOTIFY) and, apart from
the app (its own timer syncs), syncs every ``--sync-interval`` seconds; one process at a time
holds the sync lock, the others skip the round. What happens goes into the events file, a
JSON line each, flushed at once (a SIGKILL loses nothing written): ``start`` (the watch
listens), ``request`` (before a send: the operator asked for it), ``told`` (what the
operator was told per recipient), ``commit`` (this process stored a reply the bench
injected: the moment ``upsert_inbound`` returned, committed), ``seen`` (this process's watch
was told and the reply was read from the store), ``done`` (all sent; the process keeps
watching until the bench's stop file exists).

Restarted after a SIGKILL, an operator reads its events file: recipients it had asked for
whose outbox row was never written (killed before the row was committed: never sent) are
asked again; the rest continue. Sends it left in flight are the outbox's: any process's sync
reconciles them (looked up in ClickSend's history, never blindly resent).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from smstui.core.config import load_settings
from smstui.core.errors import SmstuiError
from smstui.core.models import InboundMessage, OutgoingSms
from smstui.core.service import Workspace
from smstui.core.service.team import watch_store

#: the body of every reply the bench injects starts with this
REPLY_MARK = "team reply "
#: how long one CLI send may take before it is abandoned (killed) and counted
CLI_TIMEOUT = 120.0


def number(index: int, i: int) -> str:
    """The recipient of operator ``index``'s message ``i``: one number per message."""
    return f"+614{index + 1}0{i:06d}"


class Events:
    """The events file: one JSON object a line, written and flushed under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8")

    def __call__(self, event: str, **fields: Any) -> None:
        line = json.dumps({"e": event, "t": time.time(), "pid": os.getpid(), **fields})
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    @staticmethod
    def read(path: Path) -> list[dict[str, Any]]:
        if not path.exists():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue  # a line cut by the SIGKILL
        return out


def plan(args: argparse.Namespace, ws: Workspace) -> list[list[str]]:
    """The sends still to do: recipients never recorded first, then those never asked for."""
    asked: set[str] = set()
    for e in Events.read(args.events):
        if e["e"] == "request":
            asked.update(e["to"])
    recorded = {r.to for r in ws._store().outbox_table().all()} if asked else set()
    again = sorted(asked - recorded)
    fresh = [number(args.index, i) for i in range(args.messages)]
    fresh = [to for to in fresh if to not in asked]
    batches = [again[k : k + args.batch] for k in range(0, len(again), args.batch)]
    batches += [fresh[k : k + args.batch] for k in range(0, len(fresh), args.batch)]
    return batches


def instrument(ws: Workspace, events: Events) -> None:
    """Record when this process commits an injected reply (it holds the sync lock then)."""
    store = ws._store()
    upsert = store.upsert_inbound

    def timed(messages: Iterable[InboundMessage]) -> int:
        items = list(messages)
        n = upsert(items)
        ids = [m.message_id for m in items if m.body.startswith(REPLY_MARK)]
        if ids:
            events("commit", ids=ids)
        return n

    store.upsert_inbound = timed  # type: ignore[method-assign]


class ReplyWatch:
    """The store watch: on each notice, read the replies stored since the last look and
    record the injected ones as seen (on the watch's thread, as the app's watch runs)."""

    def __init__(self, ws: Workspace, events: Events, via: str = "watch") -> None:
        self.store = ws._store()
        self.events = events
        self.via = via
        self.mark = self.store.reply_watermark()
        self._lock = threading.Lock()
        self.watch = watch_store(ws, self.changed)

    def changed(self, what: str) -> None:
        if what not in ("messages", "poll"):
            return
        with self._lock:
            replies, self.mark = self.store.unread_replies_after(self.mark)
        ids = [m.message_id for m in replies if m.body.startswith(REPLY_MARK)]
        if ids:
            self.events("seen", ids=ids, via=self.via, notice=what)

    def wait_listening(self, timeout: float = 30.0) -> None:
        listening = getattr(self.watch, "listening", None)
        if listening is not None:
            listening.wait(timeout)

    def close(self) -> None:
        self.watch.close()


async def sync_loop(ws: Workspace, interval: float, stop: asyncio.Event, counts: dict) -> None:
    """What an open app does on its timer: sync (or skip: another holds the lock), then
    reconcile sends whose outcome is unknown."""
    while not stop.is_set():
        try:
            result = await ws.messages.sync(history=False)
            counts["syncs"] = counts.get("syncs", 0) + 1
            counts["reconciled"] = counts.get("reconciled", 0) + len(result.reconciled)
        except SmstuiError as err:
            key = f"sync_error:{type(err).__name__}"
            counts[key] = counts.get(key, 0) + 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])  # this checkout's smstui
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


async def send_cli(batch: list[str], body: str, events: Events) -> None:
    cmd = [sys.executable, "-m", "smstui", "--json", "send", "--body", body]
    for to in batch:
        cmd += ["--to", to]
    proc = await asyncio.create_subprocess_exec(
        *cmd, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), CLI_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        events("cli_timeout", to=batch)
        return
    try:
        doc = json.loads(out.decode())
        told = {m["to"]: m["outcome"] for m in doc["messages"]}
    except (ValueError, KeyError, TypeError):
        told = {}
    events("told", outcomes=told, exit=proc.returncode, stderr=err.decode()[-300:])


async def send_core(ws: Workspace, batch: list[str], body: str, events: Events) -> None:
    try:
        results = await ws.messages.send([OutgoingSms(to=to, body=body) for to in batch])
    except SmstuiError as err:
        events("told", outcomes={}, error=f"{type(err).__name__}: {err}"[:300])
        return
    events("told", outcomes={r.to: r.state for r in results})


async def wait_for_stop(stop_file: Path) -> None:
    while not stop_file.exists():
        await asyncio.sleep(0.2)


async def run_sender(args: argparse.Namespace, events: Events) -> dict[str, Any]:
    ws = Workspace.from_settings(load_settings())
    counts: dict[str, Any] = {}
    instrument(ws, events)
    watch = ReplyWatch(ws, events)
    watch.wait_listening()
    events("start", kind=args.kind)
    stop = asyncio.Event()
    syncing = asyncio.create_task(sync_loop(ws, args.sync_interval, stop, counts))
    try:
        await ws.messages.sync(history=False)  # reconcile what a killed run left unknown
    except SmstuiError as err:
        counts["start_sync_error"] = type(err).__name__
    for batch in plan(args, ws):
        body = f"team {args.kind}{args.index} {batch[0][-6:]}"
        events("request", to=batch, body=body)
        if args.kind == "cli":
            await send_cli(batch, body, events)
        else:
            await send_core(ws, batch, body, events)
    events("done", **counts)
    await wait_for_stop(args.stop_file)
    stop.set()
    await syncing
    watch.close()
    return counts


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--kind", choices=("cli", "core", "app"), required=True)
    p.add_argument("--index", type=int, required=True)
    p.add_argument("--messages", type=int, default=1000)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--events", type=Path, required=True)
    p.add_argument("--stop-file", type=Path, required=True)
    p.add_argument("--sync-interval", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--app-dwell", type=float, default=2.0, help="app: seconds on the Inbox")
    args = p.parse_args()
    events = Events(args.events)
    runner: Callable[[argparse.Namespace, Events], Any]
    if args.kind == "app":
        from team_app import run_app  # Textual only where the app runs

        runner = run_app
    else:
        runner = run_sender
    asyncio.run(runner(args, events))
    return 0


if __name__ == "__main__":
    sys.exit(main())
