"""team status: the shared PostgreSQL store of team mode (``database_url``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from smstui.cli.argtree import actions, command
from smstui.cli.runtime import Runtime
from smstui.core.when import iso_utc


async def team_status(rt: Runtime) -> int:
    from smstui.core.service.team import team_status as read

    status = read(rt.settings)
    if status is None:
        if rt.out.json_mode:
            rt.out.emit_json({"store": "sqlite", "team": False})
        else:
            rt.out.note(
                "smstui: team mode is off: this smstui uses its local SQLite store. Set "
                "database_url (or SMSTUI_DATABASE_URL) to a postgresql:// URL to share one."
            )
        return 0
    operators = [
        {"name": o.name, "last_seen": iso_utc(datetime.fromtimestamp(o.last_seen, UTC)),
         "connected": o.connected}
        for o in status.operators
    ]  # fmt: skip
    if rt.out.json_mode:
        rt.out.emit_json(
            {
                "store": status.store,
                "team": True,
                "schema_version": status.schema_version,
                "this_smstui_schema": status.known_version,
                "operators": operators,
                "syncing": status.syncing,
            }
        )
        return 0
    rt.out.field("store", status.store)
    rt.out.field("schema", f"{status.schema_version} (this smstui: {status.known_version})")
    rt.out.field("syncing now", ", ".join(status.syncing) or "nobody")
    rt.out.table(
        ["OPERATOR", "LAST SEEN (UTC)", "CONNECTED"],
        [[o["name"], o["last_seen"], "yes" if o["connected"] else ""] for o in operators],
    )
    return 0


def register(sub: Any) -> None:
    top = command(
        sub,
        "team",
        "team mode: several operators on one shared PostgreSQL store (database_url)",
        "  smstui team status\n  smstui --json team status",
    )
    command(
        actions(top),
        "status",
        "the team store, its schema version, the operators seen, who is connected and "
        "who is syncing now",
        "  smstui team status\n  smstui --json team status",
        handler=team_status,
        needs_credentials=False,
    )
