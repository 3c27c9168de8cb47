"""Soak: CLI processes and in-process core work against the chaos sandbox, then an audit.

    .venv/bin/python bench/soak.py --minutes 10
    .venv/bin/python bench/soak.py --minutes 0.5 --rate 0.4 --seed 3
    .venv/bin/python bench/soak.py --minutes 10 --tui
    .venv/bin/python bench/soak.py --minutes 30 --tui --seed 2 --cpu-hog 2   # a busy machine
    .venv/bin/python bench/soak.py --minutes 5 --rate 0.2 --postgresql   # team mode

Several threads keep launching ``python -m smstui send/history/inbox/...`` at a loopback
sandbox that fails ``--rate`` of all requests in random realistic ways (``chaos.py``), while
this process sends through the ``Outbox``, syncs and browses the same store. With ``--tui`` a
headless ``SmsApp`` driven by Pilot (``soak_tui.py``) also sends from Compose, syncs and browses
Inbox/History with keys, and must still answer a key at the end. At the end faults
stop, the outbox is reconciled and everything is audited: every outbox row in exactly one final
state, nothing lost, RSS start/end, and every message ClickSend received more than once,
by kind (accepted twice, refused twice, accepted and refused, same body under two tokens),
each traced request by request with the faults that hit it. Prints one JSON document; exit
status 1 when a message was accepted twice or sent under two tokens, one was lost, or a row
is not final. ``--cpu-hog N`` keeps N cores busy throughout: exactly-once must hold on a
busy machine, where requests and event loops are slow, not only on a quiet one.

``--postgresql`` (team mode): every process (the CLI ones and this one) shares one team store
on PostgreSQL (``SMSTUI_DATABASE_URL``; a throw-away pgserver unless ``--database-url``):
exactly-once must hold across processes that share nothing but the database.

"memory" in the JSON: this process's RSS and live Python object count once a minute while the
load runs (``memory_series.py``, with where RSS sits outside Python objects: the C heap in use
and kept free, its arenas, SQLite's own memory, threads), and the growth after a warm-up. This
process is the one under test: with ``--tui`` it runs the app (Pilot) and the core workers;
the CLI processes are separate, and so are the threads that launch them and read their output
(``soak_cli.py``; ``--cli thread`` puts them back in this process) and the chaos sandbox
(``soak_sandbox.py``; ``--sandbox thread`` puts it back in this process, where its records,
its wire trace and its thread per request were counted as the app's memory). What still grows here by design, the soak's ledger,
is measured apart ("sandbox_mb") so that its growth is not counted as the app's.
``--tracemalloc N`` also traces Python's allocations and lists the N source lines whose live
memory grew most from the warm-up to the end ("tracemalloc_growth"; the run takes ~2x the CPU,
so its RSS figures are not the bench's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import soak_cli
import soak_sandbox
from memory_series import MemorySeries
from soak_cli import CLI_BODY, Ledger

from smstui.core.clicksend.sms import SmsService
from smstui.core.config import Settings, load_settings
from smstui.core.delivery.outbox import Outbox
from smstui.core.delivery.sync import sync_all
from smstui.core.errors import SmstuiError
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.models import OutgoingSms
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld
from smstui.core.store.contract import Store
from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import FINAL_STATES

TOKEN = "soak-token"
#: the integrity check of a PostgreSQL store: SQLite's PRAGMA does not apply to it
NOT_SQLITE = "n/a (PostgreSQL)"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


async def core_work(
    url: str, store: Store, deadline: float, ledger: Ledger, seed: int
) -> dict[str, int]:
    """The app's own work in this process: outbox sends, syncs, browsing the store."""
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    async with MembraneClient(url, StaticToken(TOKEN), timeout=2.0) as client:
        service = SmsService(client, DEFAULT_CONNECTION_ID)
        outbox = Outbox(store, service)
        i = 0
        while time.monotonic() < deadline:
            i += 1
            roll = rng.random()
            try:
                if roll < 0.45:
                    batch = []
                    for k in range(rng.randint(1, 5)):
                        body = f"soak core {i}-{k}"
                        with ledger.lock:
                            ledger.requested[body] = None
                        batch.append(OutgoingSms(to=f"+614{rng.randrange(10**8):08d}", body=body))
                    await outbox.send(batch)
                    counts["outbox_sends"] += 1
                elif roll < 0.7:
                    await sync_all(service, store)
                    counts["syncs"] += 1
                elif roll < 0.8:
                    await outbox.reconcile()  # as the app does at start-up
                    counts["reconciles"] += 1
                else:
                    store.page(limit=50)
                    store.count()
                    counts["browses"] += 1
            except SmstuiError as err:
                counts[f"error:{type(err).__name__}"] += 1
            await asyncio.sleep(0)
    return dict(counts)


async def settle(url: str, store: Store, history_lag: float, token: str = TOKEN) -> None:
    """Faults are off: settle every unknown as a later start of the app would.

    The outbox is told the settle window has passed, which is only true once history lists
    everything ClickSend accepted: wait out the sandbox's history lag first.
    """
    await asyncio.sleep(history_lag + 1)
    later = time.time() + 600
    async with MembraneClient(url, StaticToken(token)) as client:
        outbox = Outbox(store, SmsService(client, DEFAULT_CONNECTION_ID), clock=lambda: later)
        for _ in range(3):  # a resend in pass 1 is confirmed in pass 2
            await outbox.reconcile()


def duplicates_by_kind(
    world: SandboxWorld | soak_sandbox.WorldView,
    rows: list[Any],
    by_token: Counter[str],
    by_body: Counter[str],
    trace: dict[str, list[tuple[float, str, str, str]]],
) -> dict[str, Any]:
    """Every message ClickSend received more than once, by what it cost the customer.

    ``accepted_twice``: ClickSend took the same message twice (a second SMS, a second charge):
    must be 0. ``refused_twice``: received twice, refused both times (no SMS, no charge): each
    is explained by its trace. ``accepted_and_refused`` and ``body_only`` (the same body
    under different tokens, e.g. one CLI run whose outbox row was never written) likewise.
    """
    accepted = Counter(str(m.custom_string or "") for m in world.clicksend.messages)
    row_of = {r.token: r for r in rows}
    kinds: dict[str, int] = Counter()
    examples: list[dict[str, Any]] = []
    for token, n in by_token.items():
        if n < 2 or not token:
            continue
        got = accepted[token]
        kind = "accepted_twice" if got >= 2 else "accepted_and_refused" if got else "refused_twice"
        kinds[kind] += n - 1
        row = row_of.get(token)
        examples.append(
            {
                "kind": kind,
                "token": token,
                "received": n,
                "accepted": got,
                "row": (
                    {
                        "state": row.state,
                        "attempts": row.attempts,
                        "to": row.to,
                        "status": row.status,
                        "reason": row.reason,
                    }
                    if row
                    else None
                ),
                "wire": [list(e) for e in trace.get(token, [])],
            }
        )
    tokens_of_body: dict[str, set[str]] = {}
    for m in world.clicksend.received:
        tokens_of_body.setdefault(str(m.get("body") or ""), set()).add(
            str(m.get("custom_string") or "")
        )
    body_only = sum(
        c - 1 for b, c in by_body.items() if c > 1 and len(tokens_of_body.get(b, ())) > 1
    )
    examples.sort(key=lambda e: e["kind"] != "accepted_twice")
    return {
        "duplicates": sum(kinds.values()) + body_only,
        "duplicates_by_kind": {
            "accepted_twice": kinds["accepted_twice"],
            "refused_twice": kinds["refused_twice"],
            "accepted_and_refused": kinds["accepted_and_refused"],
            "body_only": body_only,
        },
        "duplicate_examples": examples[:20],
    }


def audit(
    world: SandboxWorld | soak_sandbox.WorldView,
    store: Store,
    ledger: Ledger,
    trace: dict[str, list[tuple[float, str, str, str]]],
) -> dict[str, Any]:
    rows = store.outbox_table().all()
    received = list(world.clicksend.received)
    by_token = Counter(str(m.get("custom_string") or "") for m in received)
    by_body = Counter(str(m.get("body") or "") for m in received)
    rows_by_body: dict[str, list[Any]] = {}
    for r in rows:
        rows_by_body.setdefault(r.body, []).append(r)
    lost: list[str] = []
    for body, code in ledger.requested.items():
        if body not in rows_by_body and (code == 0 or by_body[body]):
            lost.append(f"no outbox row: {body}")  # claimed sent, or sent behind our back
    for r in rows:
        got = by_token[r.token]
        if r.state == "accepted" and got != 1:
            lost.append(f"accepted but received {got}x: {r.body}")
        # ClickSend sees (and records) a message it rejects, so only "failed" must be unseen
        if r.state == "failed" and got:
            lost.append(f"{r.state} but received: {r.body} ({r.status}: {r.reason})")
    integrity = (
        store.run_read(lambda c: c.execute("PRAGMA integrity_check").fetchone()[0])
        if isinstance(store, MessageStore)
        else NOT_SQLITE
    )
    dupes = duplicates_by_kind(world, rows, by_token, by_body, trace)
    return {
        "outbox_rows": len(rows),
        "by_state": dict(Counter(r.state for r in rows)),
        # why rows did not end accepted, and how often ClickSend saw each failed_unknown
        "not_accepted_reasons": dict(
            Counter(
                f"{r.state}: {(r.status or r.reason or '')[:60]}"
                for r in rows
                if r.state != "accepted"
            ).most_common(12)
        ),
        "failed_unknown_received": {
            str(k): v
            for k, v in sorted(
                Counter(by_token[r.token] for r in rows if r.state == "failed_unknown").items()
            )
        },
        "non_final": sum(1 for r in rows if r.state not in FINAL_STATES),
        "rows_per_request_max": max((len(v) for v in rows_by_body.values()), default=0),
        "messages_requested": len(ledger.requested),
        "failed_before_commit": sum(
            1 for b, c in ledger.requested.items() if b not in rows_by_body and c != 0
        ),
        "messages_sent": len(by_token),
        **dupes,
        "lost": len(lost),
        "lost_examples": lost[:5],
        "integrity_check": integrity,
    }


async def app_work(
    url: str,
    store: Store,
    settings: Settings,
    deadline: float,
    ledger: Ledger,
    seed: int,
    tui: bool,
) -> tuple[dict[str, int], dict[str, Any] | None]:
    """The core loop, and with ``tui`` the Pilot-driven app beside it on the same event loop."""
    if not tui:
        return await core_work(url, store, deadline, ledger, seed), None
    from soak_tui import tui_work  # Textual is only imported when the TUI is soaked

    def request(body: str) -> None:
        with ledger.lock:
            ledger.requested[body] = None

    core, app = await asyncio.gather(
        core_work(url, store, deadline, ledger, seed), tui_work(settings, deadline, seed, request)
    )
    return core, app


def run(
    minutes: float,
    rate: float,
    seed: int,
    cli_workers: int,
    tui: bool = False,
    sample_seconds: float = 60.0,
    warmup: float = 5.0,
    sandbox_in_process: bool = False,
    database_url: str | None = None,
    cli_in_process: bool = False,
    trace_lines: int = 0,
) -> dict[str, Any]:
    rss_start = rss_mb()
    started = time.monotonic()
    sandbox = soak_sandbox.start(seed, rate, in_process=sandbox_in_process)
    try:
        with tempfile.TemporaryDirectory(prefix="smstui-soak-") as tmp:
            return _run(
                sandbox,
                tmp,
                minutes,
                rate,
                seed,
                cli_workers,
                tui,
                sample_seconds,
                warmup,
                database_url,
                cli_in_process,
                trace_lines,
            ) | {"rss_mb_start": rss_start, "minutes": round((time.monotonic() - started) / 60, 2)}
    finally:
        sandbox.close()


def _run(
    sandbox: soak_sandbox.ChildSandbox | soak_sandbox.ThreadSandbox,
    tmp: str,
    minutes: float,
    rate: float,
    seed: int,
    cli_workers: int,
    tui: bool,
    sample_seconds: float,
    warmup: float,
    database_url: str | None = None,
    cli_in_process: bool = False,
    trace_lines: int = 0,
) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEMBRANE_", "SMSTUI_"))}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = os.environ[name] = str(Path(tmp) / name.lower())
    env.update(MEMBRANE_API_URL=sandbox.url, MEMBRANE_TOKEN=TOKEN)
    env["SMSTUI_CONNECTION_ID"] = DEFAULT_CONNECTION_ID
    if database_url is not None:
        env["SMSTUI_DATABASE_URL"] = database_url
    settings = load_settings(env=env)
    store: Any
    if database_url is not None:
        from smstui.core.store.postgres import PostgresStore

        store = PostgresStore(database_url, account=settings.identity(), operator="soak")
    else:
        store = MessageStore(account=settings.identity())  # the file the CLI uses too
    ledger = Ledger()
    deadline = time.monotonic() + minutes * 60
    cli = soak_cli.launcher(cli_workers, env, deadline, seed, in_process=cli_in_process)
    # what grows here by design (the ledger; in-process, the sandbox's records and trace too)
    # is measured apart, so that its growth is not counted as the app's
    grows: tuple[object, ...] = (ledger,)
    if isinstance(sandbox, soak_sandbox.ThreadSandbox):
        grows = (ledger, sandbox.world, sandbox.chaos)
    memory = MemorySeries(
        sample_seconds, sandbox_state=lambda: grows, warmup_minutes=warmup, trace_lines=trace_lines
    )
    memory.start()
    cli.start()
    try:
        core, app = asyncio.run(app_work(sandbox.url, store, settings, deadline, ledger, seed, tui))
    finally:
        cli.finish(ledger)
    memory.stop()
    rss_loaded = rss_mb()
    faults = sandbox.counts()
    sandbox.calm()
    asyncio.run(settle(sandbox.url, store, sandbox.history_lag))
    world, trace = sandbox.records()
    result = {
        "fault_rate": rate,
        "history_lag_s": sandbox.history_lag,
        "seed": seed,
        "sandbox": "thread" if isinstance(sandbox, soak_sandbox.ThreadSandbox) else "process",
        "cli_launcher": "thread" if cli_in_process else "process",
        "requests": faults["requests"],
        "faults_injected": faults["faults"],
        "faults_by_kind": faults["by_kind"],
        "cli_runs": dict(ledger.commands),
        "cli_exit_codes": {str(k): v for k, v in sorted(ledger.exit_codes.items())},
        "cli_killed": ledger.killed,
        "cli_bodies": sum(1 for body in ledger.requested if body.startswith(CLI_BODY)),
        "cli_tracebacks": len(ledger.unexpected_stderr),
        "core": core,
        **({"tui": app} if app is not None else {}),
        **audit(world, store, ledger, trace),
        "rss_mb_end_of_load": rss_loaded,
        "rss_mb_end": rss_mb(),
        "sandbox_process_rss_mb": sandbox.rss_mb() or None,
        "memory": memory.summary(),
    }
    if ledger.unexpected_stderr:
        result["traceback_example"] = ledger.unexpected_stderr[0]
    store.close()
    return result


@contextlib.contextmanager
def cpu_hogs(n: int) -> Iterator[None]:
    """``n`` processes that each spin one core until the soak ends (a busy server)."""
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], stdin=subprocess.DEVNULL)
        for _ in range(n)
    ]
    try:
        yield
    finally:
        for h in hogs:
            h.kill()
            h.wait()


class LoadSampler:
    """The 1-minute load average every 30 s, so a run says how busy the machine was."""

    def __init__(self, every: float = 30.0) -> None:
        self.every = every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            with contextlib.suppress(OSError, ValueError, IndexError):
                self.samples.append(float(Path("/proc/loadavg").read_text().split()[0]))
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, Any]:
        s = sorted(self.samples)
        if not s:
            return {}
        return {"min": s[0], "median": s[len(s) // 2], "max": s[-1], "samples": len(s)}


@contextlib.contextmanager
def team_database(args: argparse.Namespace) -> Iterator[str | None]:
    """The team store's URL with --postgresql (a throw-away pgserver unless given)."""
    if not args.postgresql:
        yield None
        return
    if args.database_url:
        yield args.database_url
        return
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        import pgserver

        server = pgserver.get_server(tempfile.mkdtemp(prefix="smstui-soak-pg-"), "delete")
    try:
        server.psql("CREATE DATABASE soak;")
        yield server.get_uri("soak")
    finally:
        server.cleanup()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--rate", type=float, default=0.3, help="share of requests that fail")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cli-workers", type=int, default=3, help="CLI processes at once")
    p.add_argument("--tui", action="store_true", help="also drive the terminal app (Pilot)")
    p.add_argument(
        "--cpu-hog",
        type=int,
        default=0,
        metavar="N",
        help="keep the machine busy: N extra processes spinning a core each for the whole run",
    )
    p.add_argument(
        "--postgresql", action="store_true", help="team mode: one shared PostgreSQL store"
    )
    p.add_argument("--database-url", help="with --postgresql: an empty database (else pgserver)")
    p.add_argument("--sample-seconds", type=float, default=60.0, help="memory sample period")
    p.add_argument("--warmup", type=float, default=5.0, help="minutes before RSS growth counts")
    p.add_argument(
        "--sandbox",
        choices=("process", "thread"),
        default="process",
        help="the chaos sandbox in its own process (default: only the app is measured) or a "
        "thread of this one (its records and request threads counted too)",
    )
    p.add_argument(
        "--cli",
        choices=("process", "thread"),
        default="process",
        help="launch the CLI processes from a process of their own (default: only the app is "
        "measured) or from threads of this one (their output read into this process's heap)",
    )
    p.add_argument(
        "--tracemalloc",
        type=int,
        default=0,
        metavar="N",
        help="trace Python allocations (slower: ~2x the CPU) and report the N source lines\n"
        "whose live allocations grew most after the warm-up (memory.tracemalloc_growth)",
    )
    a = p.parse_args()
    if a.tracemalloc:
        tracemalloc.start()  # before the app and the core allocate anything
    with cpu_hogs(a.cpu_hog), LoadSampler() as load, team_database(a) as url:
        result = run(
            a.minutes,
            a.rate,
            a.seed,
            a.cli_workers,
            a.tui,
            a.sample_seconds,
            a.warmup,
            sandbox_in_process=a.sandbox == "thread",
            cli_in_process=a.cli == "thread",
            database_url=url,
            trace_lines=a.tracemalloc,
        )
    result["store"] = "postgresql" if url else "sqlite"
    result["cpu_hogs"] = a.cpu_hog
    result["load_average"] = load.summary()
    print(json.dumps(result, indent=2))
    dupes = result["duplicates_by_kind"]
    # a refusal received twice cost nothing (no SMS, no charge): reported and traced, while
    # the same message accepted twice, or sent twice under two tokens, fails the soak
    bad = dupes["accepted_twice"] or dupes["body_only"] or result["lost"] or result["non_final"]
    if "tui" in result and not result["tui"]["responsive"]:
        bad = True
    return 1 if bad or result["integrity_check"] not in ("ok", NOT_SQLITE) else 0


if __name__ == "__main__":
    sys.exit(main())
