"""What ``MessageStore`` (SQLite) keeps beside messages: drafts (by key), the account's
templates (as ClickSend last listed them) and sync cursors (by name)."""

from __future__ import annotations

import sqlite3
import time

from smstui.core.models import Template
from smstui.core.store.transactions import SqliteTransactions


class DraftsTemplatesCursors(SqliteTransactions):
    def save_draft(self, key: str, text: str) -> None:
        self.run_write(
            lambda c: c.execute(
                "INSERT INTO drafts (key, text, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET text = excluded.text, "
                "updated_at = excluded.updated_at",
                (key, text, int(time.time())),
            )
        )

    def load_draft(self, key: str) -> str | None:
        r = self.run_read(
            lambda c: c.execute("SELECT text FROM drafts WHERE key = ?", (key,)).fetchone()
        )
        return None if r is None else str(r[0])

    def clear_draft(self, key: str) -> None:
        self.run_write(lambda c: c.execute("DELETE FROM drafts WHERE key = ?", (key,)))

    def replace_templates(self, templates: list[Template]) -> None:
        rows = [(t.template_id, self.account, t.name, t.body, i) for i, t in enumerate(templates)]

        def write(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM templates WHERE account = ?", (self.account,))
            c.executemany(
                "INSERT OR REPLACE INTO templates (template_id, account, name, body, position) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )

        self.run_write(write)

    def templates(self) -> list[Template]:
        raw = self.run_read(
            lambda c: c.execute(
                "SELECT template_id, name, body FROM templates WHERE account = ? ORDER BY position",
                (self.account,),
            ).fetchall()
        )
        return [Template(template_id=r[0], name=r[1], body=r[2]) for r in raw]

    def get_cursor(self, name: str) -> str | None:
        r = self.run_read(
            lambda c: c.execute("SELECT value FROM sync_cursors WHERE name = ?", (name,)).fetchone()
        )
        return None if r is None else str(r[0])

    def set_cursor(self, name: str, value: str) -> None:
        self.run_write(
            lambda c: c.execute(
                "INSERT INTO sync_cursors (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
        )
