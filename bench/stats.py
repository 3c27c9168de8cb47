"""Benchmark daily_stats on a large store: one GROUP BY over every row of the range.

    .venv/bin/python bench/stats.py --rows 1000000

Rows are spread over about a year (one every 30 s) with prices and receipt codes, loaded as
bench/store.py does (one transaction, executemany). Prints one JSON object; no asserts.
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
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from smstui.core.stats import daily_stats, local_day
from smstui.core.store import MessageStore

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
        c.executemany(
            "INSERT INTO messages (message_id, direction, status, status_code, price, date, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            gen(),
        )

    store.run_write(load)
    store.run_write(lambda c: c.execute("ANALYZE"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = MessageStore(Path(tmp) / "bench.db")
        start = time.perf_counter()
        build(store, args.rows, args.seed)
        build_s = time.perf_counter() - start
        first = datetime.fromtimestamp(T0, UTC)
        last = datetime.fromtimestamp(T0 + args.rows * STEP, UTC)
        report: dict[str, Any] = {"rows": args.rows, "build_s": round(build_s, 2)}
        for label, tz in (("utc", UTC), ("sydney", ZoneInfo("Australia/Sydney"))):
            times = []
            for _ in range(5):
                t = time.perf_counter()
                stats = daily_stats(store, local_day(first, tz), local_day(last, tz), tz)
                times.append(time.perf_counter() - t)
            report[label] = {
                "days": len(stats.days),
                "median_ms": round(statistics.median(times) * 1000, 1),
                "sent": stats.totals.sent,
                "spend": str(stats.totals.spend),
            }
        t = time.perf_counter()
        month = daily_stats(store, local_day(last, UTC).replace(day=1), local_day(last, UTC), UTC)
        report["one_month_ms"] = round((time.perf_counter() - t) * 1000, 1)
        report["one_month_days"] = len(month.days)
        store.close()
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
