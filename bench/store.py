"""Benchmark MessageStore at scale: keyset paging and FTS against an OFFSET baseline.

    .venv/bin/python bench/store.py --rows 1000000
    .venv/bin/python bench/store.py --rows 1000000 --backend postgresql   # + the team store

Prints one JSON object (SQLite, and PostgreSQL beside it on the same generated rows). Targets: first page <= 5 ms, every search's first page <= 50 ms. No
asserts: this reports, CI does not judge timings.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from smstui.core.store.message_store import MessageFilter, MessageStore

WORDS = [
    "appointment",
    "reminder",
    "invoice",
    "overdue",
    "delivery",
    "parcel",
    "tomorrow",
    "today",
    "confirm",
    "cancel",
    "booking",
    "table",
    "dinner",
    "doctor",
    "dentist",
    "payment",
    "received",
    "thanks",
    "please",
    "reply",
    "stop",
    "yes",
    "no",
    "code",
    "verify",
    "account",
    "balance",
    "order",
    "shipped",
    "arriving",
    "meeting",
    "moved",
    "call",
    "back",
    "soon",
]
SEARCH_TERMS = ["invoice", "dentist tomorrow", "parcel", "verify code", "zzzz", "meet", "61411000"]
RARE_TERMS = ["ref123", "ref4567", "ref31337", "ref9 ref99", "ref424242"]
RARE_VOCAB = 500_000
PAGE = 50


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def generate(rows: int, seed: int) -> Any:
    """The rows of the bench, the same for every backend given the same seed: (message_id,
    direction, to, from, body, status, date, read, updated_at)."""
    rng = random.Random(seed)
    t0 = 1_700_000_000
    now = int(time.time())
    for i in range(rows):
        direction = "in" if rng.random() < 0.3 else "out"
        number = f"+614110{rng.randrange(100_000):05d}"
        # a few very common words plus rarer ones (names, references), as real SMS have
        common = [rng.choice(WORDS) for _ in range(rng.randint(2, 8))]
        rare = [f"ref{rng.randrange(RARE_VOCAB)}" for _ in range(rng.randint(1, 3))]
        body = " ".join(common + rare)
        yield (
            f"{rng.getrandbits(64):016X}-{i:08d}",
            direction,
            number if direction == "out" else "+61400000000",
            "+61400000000" if direction == "out" else number,
            body,
            rng.choice(("Sent", "Delivered", "Failed", "Queued", "Received")),
            t0 + i * 10 + rng.randrange(10),
            0 if direction == "in" and rng.random() < 0.1 else 1,
            now,
        )


def build(store: MessageStore, rows: int, seed: int) -> None:
    """Bulk load: one transaction, executemany, FTS built in one pass at the end (the
    per-row trigger is what the app uses; at a million rows a single rebuild is far faster)."""

    def gen() -> Any:
        return generate(rows, seed)

    def load(c: Any) -> None:
        c.execute("DROP TRIGGER messages_fts_ai")
        c.executemany(
            'INSERT INTO messages (message_id, direction, "to", "from", body, status, date, '
            "read, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            gen(),
        )
        c.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")
        # restore the app's trigger exactly as the migration wrote it
        c.execute(
            "CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN "
            'INSERT INTO messages_fts (rowid, body, "to", "from") '
            'VALUES (new.rowid, new.body, new."to", new."from"); END'
        )

    store.run_write(load)
    store.run_write(lambda c: c.execute("ANALYZE"))


def offset_page(store: MessageStore, offset: int) -> list[Any]:
    sql = (
        "SELECT * FROM messages WHERE account = ? ORDER BY date DESC, message_id DESC "
        "LIMIT ? OFFSET ?"
    )
    return store.run_read(lambda c: c.execute(sql, (store.account, PAGE, offset)).fetchall())


def measure(store: Any, pages: int, offset_page: Callable[[int], Any]) -> dict[str, Any]:
    """The same reads on any store of the contract: keyset vs OFFSET paging, searches."""
    first = statistics.median(timed(lambda: store.page(limit=PAGE)) for _ in range(20))

    def keyset_walk() -> None:
        page = store.page(limit=PAGE)
        for _ in range(pages - 1):
            if page.next is None:
                break
            page = store.page(after=page.next, limit=PAGE)

    keyset_s = timed(keyset_walk)
    first_off = statistics.median(timed(lambda: offset_page(0)) for _ in range(20))

    def offset_walk() -> None:
        for n in range(pages):
            offset_page(n * PAGE)

    offset_s = timed(offset_walk)
    search = {
        term: ms(
            statistics.median(
                timed(partial(store.page, limit=PAGE, filters=MessageFilter(text=term)))
                for _ in range(5)
            )
        )
        for term in SEARCH_TERMS + RARE_TERMS
    }

    def second_page(term: str) -> float:
        f = MessageFilter(text=term)
        first_page = store.page(limit=PAGE, filters=f)
        if first_page.next is None:
            return 0.0
        return timed(lambda: store.page(after=first_page.next, limit=PAGE, filters=f))

    search_next = {
        term: ms(statistics.median(second_page(term) for _ in range(5))) for term in SEARCH_TERMS
    }
    filtered_first = ms(
        statistics.median(
            timed(lambda: store.page(limit=PAGE, filters=MessageFilter(direction="in")))
            for _ in range(10)
        )
    )
    unread = MessageFilter(direction="in", unread_only=True)
    # the Inbox tab's title and summary: this operator's unread replies (per operator on the
    # team store: the flag, then the operator's reads)
    unread_count = statistics.median(timed(lambda: store.count(unread)) for _ in range(10))
    unread_first = statistics.median(
        timed(lambda: store.page(limit=PAGE, filters=unread)) for _ in range(10)
    )
    return {
        "keyset": {"first_page_ms": ms(first), f"{pages}_pages_ms": ms(keyset_s)},
        "offset": {"first_page_ms": ms(first_off), f"{pages}_pages_ms": ms(offset_s)},
        "offset_over_keyset": {
            "first_page": round(first_off / first, 2) if first else None,
            f"{pages}_pages": round(offset_s / keyset_s, 2) if keyset_s else None,
        },
        "fts_ms": search,
        "fts_median_ms": statistics.median(search.values()),
        "fts_max_ms": max(search.values()),
        # each common term matches a large share of all rows (a 35-word vocabulary)
        "fts_common_median_ms": statistics.median(search[t] for t in SEARCH_TERMS),
        "fts_second_page_ms": search_next,
        "fts_rare_median_ms": statistics.median(search[t] for t in RARE_TERMS),
        "first_page_inbound_only_ms": filtered_first,
        "unread_count_ms": ms(unread_count),
        "first_page_unread_only_ms": ms(unread_first),
    }


def sqlite_run(rows: int, pages: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        store = MessageStore(path)
        build_s = timed(lambda: build(store, rows, seed))
        store.run_read(lambda c: c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())
        size = path.stat().st_size
        report = measure(store, pages, partial(offset_page, store))
        store.close()
    return {"build_s": round(build_s, 2), "file_mb": round(size / 1e6, 1), **report}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="postgresql: also the team store, side by side with SQLite on the same rows",
    )
    ap.add_argument(
        "--url",
        help="an empty PostgreSQL database to fill (default: a throw-away pgserver)",
    )
    args = ap.parse_args(argv)

    report: dict[str, Any] = {"rows": args.rows, "loadavg_before": loadavg()}
    report["sqlite"] = sqlite_run(args.rows, args.pages, args.seed)
    if args.backend == "postgresql":
        from store_pg import postgres_run

        report["postgresql"] = postgres_run(args.rows, args.pages, args.seed, args.url)
    report["loadavg_after"] = loadavg()
    report["targets"] = {
        "sqlite": {"first_page_ms": 5, "fts_median_ms": 50, "fts_max_ms": 50},
        "postgresql": {"first_page_ms": 10, "fts_median_ms": 100},
    }
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
