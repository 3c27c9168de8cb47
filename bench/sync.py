"""Benchmark concurrent history sync against the loopback sandbox with 100 ms per request.

    .venv/bin/python bench/sync.py
    .venv/bin/python bench/sync.py --cpu-hog 1    # with a busy core beside it

Syncs the same 40 pages of history (outbound messages and the replies ClickSend lists with
them) at concurrency 1 and at the default (4) into two fresh stores; prints both times, the
speed-up (target >= 3x) and whether the stores are identical. The sandbox is sized so that the
listing is exactly ``--pages`` pages (replies are seeded with the messages, so the outbound
count is searched for). ``--cpu-hog N`` keeps N cores busy through both timed syncs (a
busy machine); the report gives the load average before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from soak import cpu_hogs

from smstui.core.clicksend.sms import SmsService
from smstui.core.delivery.sync import PAGE_SIZE, sync_all
from smstui.core.membrane.auth import StaticToken
from smstui.core.membrane.client import MembraneClient
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld, serve
from smstui.core.store.message_store import MessageStore

TOKEN = "sandbox-token"


async def history_rows(world: SandboxWorld) -> int:
    """How many rows a sync's history listing holds now (in-process, no latency)."""
    async with MembraneClient(
        "https://membrane.sandbox.invalid", StaticToken(TOKEN), transport=world.transport()
    ) as client:
        service = SmsService(client, DEFAULT_CONNECTION_ID)
        page = await service.history(
            page=1, limit=PAGE_SIZE, date_to=int(time.time()), order_by="date:asc"
        )
        return page.total


async def size_for_pages(pages: int, seed: int) -> int:
    """The largest outbound count whose history listing (with replies) fills ``pages`` pages."""
    lo, hi = 1, pages * PAGE_SIZE + 1  # replies only add rows
    while lo < hi:  # smallest size that overflows ``pages``
        mid = (lo + hi) // 2
        rows = await history_rows(SandboxWorld(seed=seed, history_size=mid))
        if -(-rows // PAGE_SIZE) <= pages:
            lo = mid + 1
        else:
            hi = mid
    size = lo - 1
    rows = await history_rows(SandboxWorld(seed=seed, history_size=size))
    if -(-rows // PAGE_SIZE) != pages:
        raise SystemExit(f"no history size gives exactly {pages} pages (seed {seed})")
    return size


def serve_in_child(seed: int, size: int, latency: float, conn: Connection) -> None:
    """Run the sandbox in its own process: like the real ClickSend, its CPU is not ours
    (in-process, its JSON building shares the client's GIL and caps any speed-up)."""
    server = serve(SandboxWorld(seed=seed, history_size=size, latency=latency))
    conn.send(server.url)
    conn.recv()  # until the parent is done
    server.close()


@contextmanager
def sandbox_server(seed: int, size: int, latency: float, *, own_process: bool) -> Iterator[str]:
    if not own_process:
        server = serve(SandboxWorld(seed=seed, history_size=size, latency=latency))
        try:
            yield server.url
        finally:
            server.close()
        return
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=serve_in_child, args=(seed, size, latency, child), daemon=True)
    proc.start()
    try:
        yield str(parent.recv())
    finally:
        parent.send("stop")
        proc.join(10)


def contents(store: MessageStore) -> list[Any]:
    epoch = datetime.fromtimestamp(0, UTC)
    return [replace(r, updated_at=epoch) for r in store.page(limit=10_000_000).rows]


async def timed_sync(url: str, db: Path, concurrency: int) -> tuple[float, int, list[Any]]:
    async with MembraneClient(url, StaticToken(TOKEN)) as client:
        service = SmsService(client, DEFAULT_CONNECTION_ID)
        await service.account()  # learn the /v3 prefix outside the timed part
        with MessageStore(db) as store:
            start = time.perf_counter()
            report = await sync_all(
                service,
                store,
                concurrency=concurrency,
                inbound=False,
                receipts=False,
                mms=False,
                voice=False,
            )
            elapsed = time.perf_counter() - start
            return elapsed, report.history_pages, contents(store)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.history is not None:
        size = args.history
    else:
        size = await size_for_pages(args.pages, args.seed)
    own = args.server == "process"
    load_before = loadavg()
    with (
        cpu_hogs(args.cpu_hog),
        sandbox_server(args.seed, size, args.latency, own_process=own) as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        t1, pages1, rows1 = await timed_sync(url, Path(tmp) / "c1.db", 1)
        tn, pages_n, rows_n = await timed_sync(url, Path(tmp) / "cn.db", args.concurrency)
    return {
        "server": args.server,
        "history_size": size,
        "history_messages": len(rows1),
        "pages": [pages1, pages_n],
        "latency_s": args.latency,
        "concurrency_1_s": round(t1, 3),
        f"concurrency_{args.concurrency}_s": round(tn, 3),
        "speedup": round(t1 / tn, 2) if tn else None,
        "target_speedup": 3.0,
        "stores_identical": rows1 == rows_n,
        "cpu_hogs": args.cpu_hog,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
    }


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=40, help="history pages to sync")
    ap.add_argument("--history", type=int, help="outbound messages instead of --pages")
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cpu-hog", type=int, default=0, metavar="N", help="N cores kept busy")
    ap.add_argument(
        "--server",
        choices=("process", "thread"),
        default="process",
        help="sandbox in its own process (default) or a thread of this one",
    )
    report = asyncio.run(run(ap.parse_args(argv)))
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
