"""``team status``: the store, its schema version, the operators seen, who is connected now,
and who holds a sync lock (from the server's own views: nothing to keep up to date)."""

from __future__ import annotations

from smstui.core.store.postgres.connection import APPLICATION_PREFIX, Conn
from smstui.core.store.postgres.schema import SCHEMA_VERSION, schema_version
from smstui.core.store.team_status import OperatorSeen, TeamStatus


def read_status(c: Conn, store: str) -> TeamStatus:
    prefix = APPLICATION_PREFIX
    connected = {
        str(r[0])[len(prefix) :]
        for r in c.execute(
            "SELECT DISTINCT application_name FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name LIKE %s",
            (prefix + "%",),
        ).fetchall()
    }
    syncing = sorted(
        str(r[0])[len(prefix) :]
        for r in c.execute(
            "SELECT DISTINCT a.application_name FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND a.application_name LIKE %s",
            (prefix + "%",),
        ).fetchall()
    )
    operators = [
        OperatorSeen(str(name), int(first), int(last), str(name) in connected)
        for name, first, last in c.execute(
            "SELECT name, first_seen, last_seen FROM operators ORDER BY last_seen DESC, name"
        ).fetchall()
    ]
    return TeamStatus(store, schema_version(c), SCHEMA_VERSION, operators, syncing)
