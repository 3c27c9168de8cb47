"""Schema v3: MMS and voice share the outbox and message tables with SMS."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from smstui.core.store.message_store import MessageStore
from smstui.core.store.outbox_table import OutboxTable
from smstui.core.store.schema import migrate


def test_v2_database_upgrades_with_sms_as_the_kind_of_existing_rows(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=2)
    conn.execute(
        "INSERT INTO messages (message_id, direction, body, date, updated_at) "
        "VALUES ('OLD-1', 'out', 'an sms', 5, 5)"
    )
    conn.execute(
        'INSERT INTO outbox (token, "to", body, state, created_at, updated_at) '
        "VALUES ('smstui-old', '+61412345678', 'pending sms', 'unknown', 5, 5)"
    )
    conn.close()
    with MessageStore(path) as store:
        old = store.get("OLD-1")
        assert old is not None and old.channel == "sms"
        (row,) = OutboxTable(store).all()
        assert (row.token, row.kind, row.extra) == ("smstui-old", "sms", None)
        assert OutboxTable(store, kind="mms").all() == []
