"""Benchmark daily_stats on a large store: summing the 15-minute rollup (what smstui does)
against the baseline in the same run, one GROUP BY over every message of the range.

    .venv/bin/python bench/stats.py --rows 1000000

Rows are spread over about a year (one every 30 s) with prices and receipt codes, loaded as
bench/store.py does (one transaction, executemany), then the rollup is rebuilt once (its time
is reported: what the schema migration costs an existing store of that size). Prints one JSON
object; no asserts. ``--keep DIR`` keeps the built store there and reuses it on the next run.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from smstui.core.store.message_store import MessageStore
from smstui.core.store.stats import daily_stats, local_day, rebuild_rollup

T0 = 1_700_000_000
STEP = 30


def build(store: MessageStore, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    now = int(time.time())

    def gen() -> Any:
        for i in range(rows):
            inbound = rng.random() < 0.3
            status, code = ("Received", None)
            if not inbound:
                status, code = rng.choice(
                    (("Sent", "201"), ("Sent", "201"), ("Sent", "200"), ("Failed", "301"))
                )
            yield (
                f"{rng.getrandbits(64):016X}-{i:08d}",
                "in" if inbound else "out",
                status,
                code,
                None if inbound else f"{rng.choice((77, 154, 231)) / 1000:.4f}",
                T0 + i * STEP + rng.randrange(STEP),
                now,
            )

    def load(c: Any) -> None:
        c.execute("DROP TRIGGER messages_fts_ai")  # bodies are empty: no search index needed
        c.execute("DROP TRIGGER messages_stats_ai")  # rebuilt once below, as a migration would
        c.executemany(
            "INSERT INTO messages (message_id, direction, status, status_code, price, date, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            gen(),
        )

    store.run_write(load)
    store.run_write(lambda c: c.execute("ANALYZE"))


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5, help="runs of each query (median)")
    ap.add_argument("--keep", type=Path, help="folder to keep (and reuse) the built store in")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"stats-{args.rows}-{args.seed}.db"
        report: dict[str, Any] = {"rows": args.rows}
        reused = path.exists()
        store = MessageStore(path)
        if not reused:
            start = time.perf_counter()
            build(store, args.rows, args.seed)
            report["build_s"] = round(time.perf_counter() - start, 2)
            start = time.perf_counter()
            rebuild_rollup(store)
            report["rollup_rebuild_s"] = round(time.perf_counter() - start, 2)
        report["reused_store"] = reused
        first = datetime.fromtimestamp(T0, UTC)
        last = datetime.fromtimestamp(T0 + args.rows * STEP, UTC)
        for label, tz in (("utc", UTC), ("sydney", ZoneInfo("Australia/Sydney"))):
            a, b = local_day(first, tz), local_day(last, tz)
            rolled_s, rolled = timed(partial(daily_stats, store, a, b, tz), args.repeat)
            direct_s, direct = timed(
                partial(daily_stats, store, a, b, tz, direct=True), args.repeat
            )
            report[label] = {
                "days": len(rolled.days),
                "rollup_median_ms": round(rolled_s * 1000, 1),
                "direct_median_ms": round(direct_s * 1000, 1),
                "speedup": round(direct_s / rolled_s, 1) if rolled_s else None,
                "target_ms": 500,
                "same_figures": rolled == direct,
                "sent": rolled.totals.sent,
                "spend": str(rolled.totals.spend),
            }
        month_first = local_day(last, UTC).replace(day=1)
        month_s, month = timed(
            lambda: daily_stats(store, month_first, local_day(last, UTC), UTC), args.repeat
        )
        report["one_month_ms"] = round(month_s * 1000, 1)
        report["one_month_days"] = len(month.days)
        store.close()
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
