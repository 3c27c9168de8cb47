"""``smstui store check`` and ``store repair`` on the team store (PostgreSQL).

A file check (integrity, permissions, salvage) means nothing for a database server: the
server keeps its own files whole. What a team can act on is whether the database answers,
whether its schema is the one this smstui knows (older is brought up to date by the next
smstui that opens it; newer means upgrade smstui), whether the statistics rollup agrees with
the messages, and which sends are still open in the outbox. The check changes nothing: one
connection in a read-only transaction, never the pool (opening the pool migrates).

The one thing ``store repair`` can do here is rebuild the rollup from the messages; anything
else is the database administrator's (backups, ``pg_dump``), and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from smstui.core.database_url import mask_url
from smstui.core.store.outbox_table import FINAL_STATES
from smstui.core.store.postgres.connection import (
    CONNECT_TIMEOUT,
    Conn,
    application_name,
    failed,
    unreachable,
)
from smstui.core.store.postgres.schema import SCHEMA_VERSION, schema_version
from smstui.core.store.postgres.stats import rollup_disagreements, rollup_totals

#: tables whose rows are counted in the report
COUNTED_TABLES = ("messages", "outbox", "drafts", "templates", "operators")


@dataclass(frozen=True, slots=True)
class TeamStoreCheck:
    #: the database, password masked
    store: str
    #: "ok", "unreachable", "empty" (no smstui tables yet), "older", "newer" or "rollup"
    state: str = "ok"
    reachable: bool = True
    server_version: str = ""
    schema_version: int | None = None
    expected_version: int = SCHEMA_VERSION
    rows: dict[str, int] = field(default_factory=dict)
    #: rollup slots that disagree with the messages (0: it agrees)
    rollup_wrong: int = 0
    #: the measures summed over the messages and over the rollup
    totals_messages: dict[str, int] = field(default_factory=dict)
    totals_rollup: dict[str, int] = field(default_factory=dict)
    #: outbox rows not final yet, by state (a send in flight, or one whose outcome is unknown)
    open_sends: dict[str, int] = field(default_factory=dict)
    #: one line per problem, each saying what to do
    problems: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return self.reachable and self.state not in ("newer", "error")

    def as_dict(self) -> dict[str, object]:
        return {
            "backend": "postgresql",
            "store": self.store,
            "ok": not self.problems,
            "state": self.state,
            "reachable": self.reachable,
            "server_version": self.server_version,
            "schema_version": self.schema_version,
            "expected_version": self.expected_version,
            "rows": self.rows,
            "rollup": {
                "agrees": self.rollup_wrong == 0,
                "slots_wrong": self.rollup_wrong,
                "messages": self.totals_messages,
                "rollup": self.totals_rollup,
            },
            "open_sends": self.open_sends,
            "problems": self.problems,
        }


def check_team_store(url: str) -> TeamStoreCheck:
    """Check the team database at ``url`` without changing it."""
    where = mask_url(url)
    try:
        with psycopg.connect(
            url,
            connect_timeout=CONNECT_TIMEOUT,
            autocommit=True,
            application_name=application_name("store check"),
        ) as conn:
            conn.read_only = True
            return _inspect(conn, where)
    except (psycopg.OperationalError, OSError) as err:
        error = unreachable(url, err)
        return TeamStoreCheck(
            where, state="unreachable", reachable=False, problems=[f"{error.message} {error.hint}"]
        )
    except psycopg.Error as err:
        refused = failed(url, err)
        return TeamStoreCheck(where, state="error", problems=[f"{refused.message} {refused.hint}"])


def _inspect(conn: Conn, where: str) -> TeamStoreCheck:
    server = str(conn.info.parameter_status("server_version") or "")
    with conn.transaction():
        has_schema = conn.execute("SELECT to_regclass('smstui_schema') IS NOT NULL").fetchone()
        if not (has_schema and has_schema[0]):
            return TeamStoreCheck(
                where,
                state="empty",
                server_version=server,
                schema_version=0,
                problems=[],
            )
        version = schema_version(conn)
        if version > SCHEMA_VERSION:
            return TeamStoreCheck(
                where,
                state="newer",
                server_version=server,
                schema_version=version,
                problems=[
                    f"The team database is from a newer smstui (schema {version}, this one "
                    f"knows {SCHEMA_VERSION}): upgrade smstui on this machine."
                ],
            )
        rows = {t: _count(conn, t) for t in COUNTED_TABLES}
        wrong = rollup_disagreements(conn)
        from_messages, from_rollup = rollup_totals(conn)
        open_sends = {
            str(state): int(n)
            for state, n in conn.execute(
                "SELECT state, COUNT(*) FROM outbox WHERE NOT (state = ANY(%s)) "
                "GROUP BY state ORDER BY state",
                (sorted(FINAL_STATES),),
            ).fetchall()
        }
    problems: list[str] = []
    state = "ok"
    if wrong:
        state = "rollup"
        problems.append(
            f"The statistics rollup disagrees with the messages in {wrong} slot(s): run "
            "'smstui store repair' (it rebuilds the rollup from the messages)."
        )
    if version < SCHEMA_VERSION and not problems:
        state = "older"
    return TeamStoreCheck(
        where,
        state=state,
        server_version=server,
        schema_version=version,
        rows=rows,
        rollup_wrong=wrong,
        totals_messages=from_messages,
        totals_rollup=from_rollup,
        open_sends=open_sends,
        problems=problems,
    )


def _count(conn: Conn, table: str) -> int:
    row = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True, slots=True)
class TeamRepair:
    store: str
    #: rollup slots that were wrong, missing or extra before the rebuild
    rollup_fixed: int

    def as_dict(self) -> dict[str, object]:
        return {"backend": "postgresql", "store": self.store, "rollup_fixed": self.rollup_fixed}


def repair_team_store(url: str, *, operator: str = "") -> TeamRepair:
    """Rebuild the statistics rollup from the messages (one transaction; the schema is
    brought up to date first, as any smstui opening the database does). Raises
    ``StoreError`` (exit 3 when unreachable) with the password masked."""
    from smstui.core.store.postgres.store import PostgresStore

    with PostgresStore(url, operator=operator) as store:
        fixed = store.rebuild_rollup()
    return TeamRepair(mask_url(url), fixed)


__all__ = ["TeamRepair", "TeamStoreCheck", "check_team_store", "repair_team_store"]
