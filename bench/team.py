"""Team mode under fire: operator processes on one PostgreSQL store, one faulty ClickSend.

    .venv/bin/python bench/team.py                          # 3 x 1000 messages, faults 0.2
    .venv/bin/python bench/team.py --messages 20 --runs 1   # a quick look
    .venv/bin/python bench/team.py --cpu-hog 1              # with a busy core beside it

Three operators (``--operators``, default two CLI senders and one Pilot-driven app; ``core``
is a sender through the workspace) each send ``--messages`` messages, in sends of ``--batch``
recipients, from processes of their own (``team_operator.py``, ``team_app.py``) that share
nothing but the team store (a throw-away pgserver unless ``--database-url``) and ClickSend:
the soak's chaos sandbox in its own process (``team_sandbox.py``), failing ``--faults`` of
all requests in realistic ways. Each operator is SIGKILLed once at a random point of its
sends (its whole process group: a CLI send in flight dies with it) and started again; the
new process reconciles what the old one left (any process's sync reconciles unknown sends,
looked up in ClickSend's history, never blindly resent) and asks again only for messages
whose outbox row was never written.

Meanwhile a reply arrives at ClickSend every ``--reply-every`` seconds. Every process syncs
on a timer; one holds the sync lock and stores the reply, and every other operator process
learns of it through the store watch (LISTEN/NOTIFY). Fan-out latency is measured from the
moment the syncing process's ``upsert_inbound`` returned (committed) to the moment each other
process read the reply after its watch's notice (all on this machine's wall clock); also
shown from the moment the reply arrived at ClickSend (that adds the wait for a sync). For the
app, also the moment its Inbox first painted the reply (``app_inbox_from_commit``: replies
stored while its Inbox was the tab on screen; after each send it stays there
``--app-dwell`` seconds), which needs the app to follow the store's watch itself.

At the end faults stop, the outbox is settled as a later start of the app would (the
settle window long past), and everything is audited (``team_audit.py``): duplicates (a
number ClickSend accepted twice), lost messages, rows not final (also counted before the
settle: what the operators left). Prints one JSON document; exit status 1 when a run had a
duplicate, a lost message or a row not final.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from soak import LoadSampler, cpu_hogs, settle
from team_audit import audit_sends, fan_out
from team_operator import REPLY_MARK, Events, cli_env
from team_sandbox import TeamSandbox

from smstui.core.config import load_settings
from smstui.core.sandbox import DEFAULT_CONNECTION_ID
from smstui.core.store.outbox_table import FINAL_STATES
from smstui.core.store.postgres import PostgresStore

HERE = Path(__file__).resolve().parent
TOKEN = "team-token"
#: the app's Inbox shows replies through the store watch once the app listens (team-live);
#: until then the app process is measured by a watch of its own, in its process
APP_VIA = "watch in the app's process"


def git_head() -> str:
    """The commit measured (the operators run this checkout's smstui)."""
    done = subprocess.run(
        ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Operator:
    """One operator: its process (restarted after the kill) and its events file."""

    def __init__(self, index: int, kind: str, tmp: Path, args: argparse.Namespace, url: str):
        self.index, self.kind = index, kind
        self.name = f"{kind}{index}"
        self.events = tmp / f"{self.name}.jsonl"
        self.stop_file = tmp / "stop"
        self.env = cli_env() | {"SMSTUI_OPERATOR": self.name}
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            self.env[name] = str(tmp / self.name / name.lower())  # a machine of its own
        self.env["SMSTUI_DATABASE_URL"] = url
        self.args = args
        sends = -(-args.messages // args.batch)
        rng = random.Random(args.seed * 31 + index)
        #: kill once this many sends were asked for (and a random moment later)
        self.kill_after = rng.randint(max(1, sends // 10), max(1, sends * 9 // 10))
        self.kill_delay = rng.uniform(0.0, 1.0)
        self.kills: list[float] = []
        self.crashes: list[str] = []
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tmp / f"{self.name}.stderr"
        self._offset = 0  # how far ``follow`` has read the events file
        self.asked = 0  # sends asked for, over every run of this operator
        self.finished = False  # the running process said it is done

    def start(self, sandbox_url: str) -> None:
        env = self.env | {"MEMBRANE_API_URL": sandbox_url, "MEMBRANE_TOKEN": TOKEN}
        env["SMSTUI_CONNECTION_ID"] = DEFAULT_CONNECTION_ID
        interval = self.args.app_sync_interval if self.kind == "app" else self.args.sync_interval
        cmd = [
            sys.executable, str(HERE / "team_operator.py"), "--kind", self.kind,
            "--index", str(self.index), "--messages", str(self.args.messages),
            "--batch", str(self.args.batch), "--events", str(self.events),
            "--stop-file", str(self.stop_file), "--sync-interval", str(interval),
            "--seed", str(self.args.seed), "--app-dwell", str(self.args.app_dwell),
        ]  # fmt: skip
        with self.log.open("ab") as err:
            self.proc = subprocess.Popen(
                cmd, env=env, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                start_new_session=True,  # its own process group: the kill takes its children
            )  # fmt: skip

    def follow(self) -> None:
        """Read the events written since the last look (whole lines only): sends asked for,
        and whether the running process has said it is done."""
        if not self.events.exists():
            return
        with self.events.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        end = chunk.rfind(b"\n") + 1
        self._offset += end
        for line in chunk[:end].splitlines():
            try:
                kind = json.loads(line)["e"]
            except ValueError:
                continue  # a line cut by the SIGKILL, ended by the next run's first
            if kind == "request":
                self.asked += 1
            elif kind in ("start", "done"):
                self.finished = kind == "done"

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.kills.append(time.time())


def committed(ops: list[Operator]) -> set[str]:
    """The injected replies some process has stored so far."""
    ids: set[str] = set()
    for op in ops:
        for e in Events.read(op.events):
            if e["e"] == "commit":
                ids.update(e["ids"])
    return ids


def supervise(ops: list[Operator], sandbox: TeamSandbox, reply_every: float) -> dict[str, float]:
    """Run the operators to the end: kill each once, restart it, inject replies meanwhile."""
    injected: dict[str, float] = {}
    stop = threading.Event()

    def replies() -> None:
        n = 0
        while not stop.wait(reply_every):
            n += 1
            message_id, at = sandbox.inject(f"{REPLY_MARK}{n}")
            injected[message_id] = at

    injector = threading.Thread(target=replies, daemon=True)
    for op in ops:
        op.start(sandbox.url)
    injector.start()
    while True:
        for op in ops:
            op.follow()
        if all(op.finished for op in ops):
            break
        for op in ops:
            assert op.proc is not None
            if not op.kills and op.asked >= op.kill_after:
                time.sleep(op.kill_delay)
                op.kill()
                op.start(sandbox.url)
            elif op.proc.poll() is not None:  # died on its own: a bug, counted and restarted
                op.crashes.append(op.log.read_text(errors="replace")[-1500:])
                if len(op.crashes) > 3:
                    raise RuntimeError(f"{op.name} keeps crashing:\n{op.crashes[-1]}")
                op.start(sandbox.url)
        time.sleep(0.05)
    stop.set()
    injector.join()
    # the last replies: until one process stored each (a sync round away), then their fan-out
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up and not set(injected) <= committed(ops):
        time.sleep(0.2)
    time.sleep(1.0)
    ops[0].stop_file.touch()
    for op in ops:
        assert op.proc is not None
        try:
            op.proc.wait(60)
        except subprocess.TimeoutExpired:
            op.kill()
    return dict(injected)


def one_run(args: argparse.Namespace, url: str, run: int) -> dict[str, Any]:
    seed = args.seed + run
    load_start = loadavg()
    started = time.monotonic()
    sandbox = TeamSandbox(seed, args.faults)
    try:
        folder: Any = (
            contextlib.nullcontext(tempfile.mkdtemp(prefix="smstui-team-", dir=args.keep))
            if args.keep
            else tempfile.TemporaryDirectory(prefix="smstui-team-")
        )
        with folder as tmp:
            run_args = argparse.Namespace(**{**vars(args), "seed": seed})
            kinds = args.operators.split(",")
            ops = [Operator(i, k, Path(tmp), run_args, url) for i, k in enumerate(kinds)]
            injected = supervise(ops, sandbox, args.reply_every)
            load_end = loadavg()
            seconds = time.monotonic() - started
            # the account the operators' rows are scoped to (their settings say it)
            env = ops[0].env | {"MEMBRANE_API_URL": sandbox.url, "MEMBRANE_TOKEN": TOKEN}
            account = load_settings(env=env).identity()
            store = PostgresStore(url, account=account, operator="bench")
            try:
                left = [r for r in store.outbox_table().all() if r.state not in FINAL_STATES]
                faults = sandbox.counts()
                sandbox.calm()
                asyncio.run(settle(sandbox.url, store, sandbox.history_lag, TOKEN))
                rows = store.outbox_table().all()
                stored_read = {i for i in injected if (m := store.get(i)) and m.read}
            finally:
                store.close()
            events = [Events.read(op.events) for op in ops]
            described = [
                {"index": op.index, "name": op.name, "kind": op.kind, "kills": op.kills}
                for op in ops
            ]
            sends = audit_sends(described, events, rows, sandbox.records(), args.messages)
            return {
                "run": run + 1,
                "seed": seed,
                "seconds": round(seconds, 1),
                "load_average_start": load_start,
                "load_average_end": load_end,
                "requests": faults["requests"],
                "faults_injected": faults["faults"],
                "faults_by_kind": faults["by_kind"],
                "kills": {op.name: len(op.kills) for op in ops},
                "crashes": {op.name: len(op.crashes) for op in ops if op.crashes},
                "crash_example": next((op.crashes[0] for op in ops if op.crashes), None),
                "non_final_before_settle": len(left),
                **sends,
                "fan_out": fan_out(described, events, injected, APP_VIA, stored_read),
            }
    finally:
        sandbox.close()


def team_database(args: argparse.Namespace) -> tuple[str, Any]:
    """The team store's URL: ``--database-url``, or a database on a throw-away pgserver."""
    if args.database_url:
        return args.database_url, None
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        import pgserver

        server = pgserver.get_server(tempfile.mkdtemp(prefix="smstui-team-pg-"), "delete")
    return server.get_uri(), server


def fresh_database(base: str, server: Any, run: int) -> str:
    """Each run gets an empty database (one run's outbox must not settle another's)."""
    if server is None:
        return base
    name = f"team_run_{os.getpid()}_{run}"
    server.psql(f"CREATE DATABASE {name};")
    return str(server.get_uri(name))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--messages", type=int, default=1000, help="per operator")
    p.add_argument("--operators", default="cli,cli,app", help="kinds: cli, core, app")
    p.add_argument("--batch", type=int, default=10, help="recipients per send")
    p.add_argument("--faults", type=float, default=0.2, help="share of requests that fail")
    p.add_argument("--reply-every", type=float, default=2.0, help="seconds between replies")
    p.add_argument("--sync-interval", type=float, default=1.0, help="each process's sync timer")
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cpu-hog", type=int, default=0, metavar="N", help="N cores kept busy")
    p.add_argument(
        "--app-sync-interval",
        type=float,
        default=30.0,
        help="the app's sync timer (default: the app's own default, 30 s)",
    )
    p.add_argument(
        "--app-dwell",
        type=float,
        default=2.0,
        help="seconds the app's Inbox stays open after each of its sends",
    )
    p.add_argument("--keep", metavar="DIR", help="work in DIR (events files are left there)")
    p.add_argument("--database-url", help="an empty PostgreSQL database (else pgserver)")
    args = p.parse_args()
    report: dict[str, Any] = {
        "parameters": {k: v for k, v in vars(args).items() if k != "database_url"},
        "load_average_start": loadavg(),
        "commit": git_head(),
    }
    base, server = team_database(args)
    runs = []
    try:
        with cpu_hogs(args.cpu_hog), LoadSampler() as load:
            for run in range(args.runs):
                runs.append(one_run(args, fresh_database(base, server, run), run))
    finally:
        if server is not None:
            server.cleanup()
    report["load_average_end"] = loadavg()
    report["load_average"] = load.summary()
    worst = max(runs, key=lambda r: r["fan_out"]["from_commit"].get("p95_ms", 0))
    report["figures"] = {
        "duplicates": sum(r["duplicates"] for r in runs),
        "lost": sum(r["lost"] for r in runs),
        "non_final": sum(r["non_final"] for r in runs),
        "fan_out_p95_ms_worst_run": worst["fan_out"]["from_commit"].get("p95_ms"),
        "fan_out_max_ms": max(r["fan_out"]["from_commit"].get("max_ms", 0) for r in runs),
        "fan_out_measured_from": "the syncing process's commit of the reply",
        "app_measured_via": APP_VIA,
        "app_inbox_p95_ms_worst_run": max(
            (
                p95
                for r in runs
                if (p95 := r["fan_out"]["app_inbox_from_commit"].get("p95_ms")) is not None
            ),
            default=None,
        ),
        "app_inbox_not_shown_while_open": sum(
            r["fan_out"]["app_inbox_not_shown_while_open"] for r in runs
        ),
    }
    report["runs"] = runs
    print(json.dumps(report, indent=2))
    bad = report["figures"]["duplicates"] or report["figures"]["lost"]
    return 1 if bad or report["figures"]["non_final"] else 0


if __name__ == "__main__":
    sys.exit(main())
