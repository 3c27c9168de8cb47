"""The PostgreSQL half of bench/store.py: the same generated rows in the team store, the same
reads. Needs the ``team`` extra; without ``--url`` it starts a throw-away server with pgserver
(the ``test`` extra), as the test suite does."""

from __future__ import annotations

import tempfile
import time
import warnings
from typing import Any

from store import PAGE, generate, measure, timed

from smstui.core.store.postgres import PostgresStore
from smstui.core.store.postgres.schema import REBUILD

_COLUMNS = 'message_id, direction, "to", "from", body, status, date, read, updated_at'


#: who reads in this benchmark
OPERATOR = "bench"


def build(store: PostgresStore, rows: int, seed: int) -> None:
    """Bulk load with COPY; the per-row rollup and notice triggers are off while it runs and
    the rollup is rebuilt in one pass after (what the app does row by row, at once)."""

    def load(c: Any) -> None:
        c.execute("ALTER TABLE messages DISABLE TRIGGER messages_stats")
        c.execute("ALTER TABLE messages DISABLE TRIGGER messages_notify")
        c.execute("ALTER TABLE messages DISABLE TRIGGER messages_reply_unhandles")
        with c.cursor().copy(f"COPY messages ({_COLUMNS}) FROM STDIN") as copy:
            for row in generate(rows, seed):
                copy.write_row(row)
        for statement in REBUILD:
            c.execute(statement)
        c.execute("ALTER TABLE messages ENABLE TRIGGER messages_stats")
        c.execute("ALTER TABLE messages ENABLE TRIGGER messages_notify")
        c.execute("ALTER TABLE messages ENABLE TRIGGER messages_reply_unhandles")
        # the operator measuring has read nine in ten of the replies that came in as new
        # (reads are per operator: the unread count anti-joins them)
        c.execute(
            "INSERT INTO reads (account, operator, message_id, at) "
            "SELECT account, %s, message_id, 0 FROM messages "
            "WHERE direction = 'in' AND read = 0 AND abs(hashtext(message_id)) %% 10 <> 0",
            (OPERATOR,),
        )

    store.run_write(load)
    # outside a transaction: the visibility map lets keyset pages be index-only scans
    with store._pool.connection() as conn:
        conn.execute("VACUUM ANALYZE messages")
        conn.execute("VACUUM ANALYZE reads")


def offset_page(store: PostgresStore, offset: int) -> list[Any]:
    sql = (
        "SELECT * FROM messages WHERE account = %s ORDER BY date DESC, message_id DESC "
        "LIMIT %s OFFSET %s"
    )
    return store.run_read(lambda c: c.execute(sql, (store.account, PAGE, offset)).fetchall())


def postgres_run(rows: int, pages: int, seed: int, url: str | None) -> dict[str, Any]:
    server = None
    if url is None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
            import pgserver

            started = time.perf_counter()
            server = pgserver.get_server(tempfile.mkdtemp(prefix="smstui-bench-pg-"), "delete")
            server.psql("CREATE DATABASE bench;")
            start_s = time.perf_counter() - started
        url = server.get_uri("bench")
    try:
        with PostgresStore(url, operator=OPERATOR) as store:
            build_s = timed(lambda: build(store, rows, seed))
            size = store.run_read(
                lambda c: c.execute("SELECT pg_database_size(current_database())").fetchone()
            )
            report = measure(store, pages, lambda n: offset_page(store, n))
    finally:
        if server is not None:
            server.cleanup()
    extra = {} if server is None else {"server_start_s": round(start_s, 2)}
    return {
        **extra,
        "build_s": round(build_s, 2),
        "database_mb": round(int(size[0]) / 1e6, 1) if size else None,
        **report,
    }
