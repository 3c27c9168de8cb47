"""Benchmark concurrent history sync against the loopback sandbox with 100 ms per request.

    .venv/bin/python bench/sync.py

Syncs the same 40 pages of history at concurrency 1 and at the default (4) into two fresh
stores; prints both times, the speed-up (target >= 3x) and whether the stores are identical.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smstui.core.auth import StaticToken
from smstui.core.membrane import MembraneClient
from smstui.core.sandbox import DEFAULT_CONNECTION_ID, SandboxWorld, serve
from smstui.core.sms_service import SmsService
from smstui.core.store import MessageStore
from smstui.core.sync import sync_all


def contents(store: MessageStore) -> list[Any]:
    epoch = datetime.fromtimestamp(0, UTC)
    return [replace(r, updated_at=epoch) for r in store.page(limit=10_000_000).rows]


async def timed_sync(url: str, db: Path, concurrency: int) -> tuple[float, int, list[Any]]:
    async with MembraneClient(url, StaticToken("sandbox-token")) as client:
        service = SmsService(client, DEFAULT_CONNECTION_ID)
        await service.account()  # learn the /v3 prefix outside the timed part
        with MessageStore(db) as store:
            start = time.perf_counter()
            report = await sync_all(
                service, store, concurrency=concurrency, inbound=False, receipts=False
            )
            elapsed = time.perf_counter() - start
            return elapsed, report.history_pages, contents(store)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    world = SandboxWorld(seed=args.seed, history_size=args.history, latency=args.latency)
    server = serve(world)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t1, pages1, rows1 = await timed_sync(server.url, Path(tmp) / "c1.db", 1)
            tn, pages_n, rows_n = await timed_sync(
                server.url, Path(tmp) / "cn.db", args.concurrency
            )
    finally:
        server.close()
    return {
        "history_messages": len(rows1),
        "pages": [pages1, pages_n],
        "latency_s": args.latency,
        "concurrency_1_s": round(t1, 3),
        f"concurrency_{args.concurrency}_s": round(tn, 3),
        "speedup": round(t1 / tn, 2) if tn else None,
        "target_speedup": 3.0,
        "stores_identical": rows1 == rows_n,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--history", type=int, default=4000)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    report = asyncio.run(run(ap.parse_args(argv)))
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
