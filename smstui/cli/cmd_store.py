"""history, inbox, receipts, export: reading messages (from the local store after a sync);
store check and store repair: the health of the store itself."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smstui.cli.runtime import Runtime
from smstui.core.clicksend import poll_rules
from smstui.core.errors import StoreError, UsageError
from smstui.core.safe_text import printable
from smstui.core.store.contract import Store as MessageStore
from smstui.core.store.export import (
    HISTORY_COLUMNS,
    export_history,
    history_row,
    iso_utc,
    write_csv,
)
from smstui.core.store.message_store import StoredMessage
from smstui.core.store.query import MessageFilter
from smstui.core.when import parse_when


def _filters(rt: Runtime, **extra: Any) -> MessageFilter:
    a = rt.args
    return MessageFilter(
        statuses=frozenset({a.status}) if getattr(a, "status", None) else None,
        date_from=parse_when(a.since, future=False) if getattr(a, "since", None) else None,
        date_to=parse_when(a.until, future=False) if getattr(a, "until", None) else None,
        text=getattr(a, "search", None) or None,
        **extra,
    )


async def _synced_store(
    rt: Runtime, *, history: bool = True, needs: tuple[str, ...] = ("inbound", "receipt")
) -> MessageStore:
    """The store after a sync (unless ``--no-sync``), with one stderr line for each thing the
    user should know: a refused MMS/voice channel, missing POLL rules among ``needs``."""
    session = await rt.session()
    if getattr(rt.args, "sync", True):
        report = await session.sync(history=history)
        for channel, reason in report.channel_failures.items():
            rt.out.note(channel_warning(channel, reason))
        await _warn_poll_rules(rt, needs)
    return session.store()


def channel_warning(channel: str, reason: str) -> str:
    name = "MMS" if channel == "mms" else "voice"
    return (
        f"warning: {name} not synced: {printable(reason)}; SMS history, replies and receipts "
        f"are up to date ({name} is tried again later)"
    )


async def _warn_poll_rules(rt: Runtime, needs: tuple[str, ...]) -> None:
    session = await rt.session()
    rules = await poll_rules.quiet_read(await session.service(), session.facts())
    warning = rules.cli_warning(needs) if rules is not None else None
    if warning is not None:
        rt.out.note(warning)


def _iter(
    store: MessageStore, filters: MessageFilter, limit: int | None
) -> Iterator[StoredMessage]:
    after = None
    seen = 0
    while True:
        page = store.page(after=after, limit=500, filters=filters)
        for row in page.rows:
            if limit is not None and seen >= limit:
                return
            seen += 1
            yield row
        if page.next is None:
            return
        after = page.next


async def history(rt: Runtime) -> int:
    if rt.args.limit < 1:
        raise UsageError("--limit must be at least 1")
    store = await _synced_store(rt)
    rows = list(_iter(store, _filters(rt), rt.args.limit))
    if rt.out.json_mode:
        rt.out.emit_json(
            [
                {
                    "message_id": m.message_id,
                    "direction": m.direction,
                    "to": m.to,
                    "from": m.sender,
                    "body": m.body,
                    "status": m.status,
                    "date": m.date,
                    "parts": m.parts,
                    "price": m.price,
                }
                for m in rows
            ]
        )
        return 0
    rt.out.table(
        ["DATE", "DIR", "TO", "FROM", "STATUS", "BODY"],
        [[m.date, m.direction, m.to, m.sender, m.status, m.body] for m in rows],
    )
    return 0


async def inbox(rt: Runtime) -> int:
    store = await _synced_store(rt, history=False, needs=("inbound",))
    filters = MessageFilter(direction="in", unread_only=rt.args.unread)
    rows = list(_iter(store, filters, rt.args.limit))
    if rt.args.mark_read and rows:
        service = await rt.service()
        for m in rows:
            if not m.read:
                await service.mark_inbound_read(message_id=m.message_id)
        store.mark_inbound_read(m.message_id for m in rows)
    if rt.out.json_mode:
        rt.out.emit_json(
            [
                {
                    "message_id": m.message_id,
                    "from": m.sender,
                    "to": m.to,
                    "body": m.body,
                    "date": m.date,
                    "reply_to": m.reply_to,
                }
                for m in rows
            ]
        )
        return 0
    rt.out.table(
        ["DATE", "FROM", "TO", "", "BODY"],
        [[m.date, m.sender, m.to, "" if m.read else "new", m.body] for m in rows],
    )
    return 0


async def receipts(rt: Runtime) -> int:
    page = await (await rt.service()).receipts(limit=max(1, min(rt.args.limit, 100)))
    items = page.items[: rt.args.limit]
    await _warn_poll_rules(rt, ("receipt",))
    if rt.out.json_mode:
        rt.out.emit_json(
            [
                {
                    "message_id": r.message_id,
                    "status_code": r.status_code,
                    "status_text": r.status_text,
                    "date": r.date,
                    "error_code": r.error_code,
                    "error_text": r.error_text,
                }
                for r in items
            ]
        )
        return 0
    rt.out.table(
        ["DATE", "MESSAGE ID", "CODE", "STATUS"],
        [[r.date, r.message_id, r.status_code, r.status_text] for r in items],
    )
    return 0


async def export(rt: Runtime) -> int:
    store = await _synced_store(rt)
    rows = _iter(store, _filters(rt), None)
    target = rt.args.csv
    if target == "-":
        cells: Iterator[list[object]] = (history_row(m) for m in rows)
        if sys.stdout.isatty():
            # read on a terminal, not piped: a stranger's SMS must not act on the screen
            cells = (
                [printable(c, keep_newlines=True) if isinstance(c, str) else c for c in r]
                for r in cells
            )
        count = write_csv(sys.stdout, HISTORY_COLUMNS, cells)
    else:
        count = export_history(Path(target), rows)
    if rt.out.json_mode and target != "-":
        rt.out.emit_json({"exported": count, "path": str(Path(target).resolve())})
    else:
        rt.out.note(f"exported {count} message(s)" + ("" if target == "-" else f" to {target}"))
    return 0


async def store_check(rt: Runtime) -> int:
    """Exit 0 when the store can be used (looser permissions are warned about), else 7."""
    from smstui.core.store.health import check_store
    from smstui.core.store.schema import default_db_path

    check = check_store(default_db_path())
    usable = check.state in ("ok", "missing") and check.writable
    if rt.out.json_mode:
        rt.out.emit_json({**check.as_dict(), "usable": usable})
        return 0 if usable else StoreError.exit_code
    out = rt.out
    out.field("store", str(check.path))
    out.field("state", check.state)
    if check.exists:
        out.field("integrity", "; ".join(check.integrity[:3]) or "-")
        out.field("schema", f"{check.schema_version} (this smstui: {check.expected_version})")
        out.field(
            "size", f"{check.size} bytes" + (f", WAL {check.wal_size}" if check.wal_size else "")
        )
        out.field("permissions", f"file {check.file_mode}, folder {check.folder_mode}")
        out.field("rows", ", ".join(f"{k} {v}" for k, v in check.rows.items()) or "-")
    for problem in check.problems:
        out.note(f"smstui: {printable(problem)}")
    if not check.problems:
        out.note("smstui: the store is fine." if check.exists else "smstui: no store yet.")
    return 0 if usable else StoreError.exit_code


async def store_repair(rt: Runtime) -> int:
    from smstui.core.store.repair import repair_store
    from smstui.core.store.schema import default_db_path

    report = repair_store(default_db_path(), force=rt.args.force)
    out = rt.out
    if rt.out.json_mode:
        out.emit_json(report.as_dict())
        return 0
    if not report.repaired:
        state = "does not exist yet" if report.check and not report.check.exists else "is whole"
        out.note(
            f"smstui: the store {report.path} {state}; nothing to repair "
            "(--force rebuilds it anyway)."
        )
        return 0
    out.field("backup", str(report.backup))
    if report.backup_wal is not None:
        out.field("backup WAL", str(report.backup_wal))
    out.field("salvaged", ", ".join(f"{k} {v}" for k, v in report.salvaged.items()) or "nothing")
    for table, n in report.lost.items():
        out.field("lost", f"{table}: " + ("unreadable" if n < 0 else f"{n} damaged row(s)"))
    out.note(
        "smstui: store repaired. The next sync (any command, or the app) reads your history "
        "back from ClickSend."
    )
    if report.open_sends:
        out.note(
            f"smstui: {len(report.open_sends)} send(s) had no known outcome; smstui will "
            "never resend them on its own. After the next sync, look for each in "
            "'smstui history --search NUMBER' and send again only what is not there:"
        )
        out.table(
            ["OUTBOX", "TOKEN", "KIND", "TO", "WAS", "BODY"],
            [[s.outbox_id, s.token, s.kind, s.to, s.was, s.body] for s in report.open_sends],
        )
    return 0


async def store_migrate(rt: Runtime) -> int:
    """Move in: the local store into the team database (exit 7 unless every row is there)."""
    from smstui.core.service.team import move_in

    err = rt.out.stderr
    tty = err.isatty() and not rt.out.json_mode

    def progress(table: str, done: int, total: int) -> None:
        # a bar per table on a terminal; otherwise one line as each table is done
        if tty:
            pct = 100 * done // total if total else 100
            err.write(f"\r{table:<17}[{'#' * (pct // 4):<25}] {done}/{total} ")
            if done >= total:
                err.write("\n")
            err.flush()
        elif done >= total and not rt.out.json_mode:
            rt.out.note(f"copied {table}: {done}/{total}")

    report = move_in(
        rt.args.to,
        operator=rt.settings.operator_name,
        batch=rt.args.batch,
        on_progress=progress,
    )
    complete = all(t.complete for t in report)
    if rt.out.json_mode:
        rt.out.emit_json(
            {
                "tables": [
                    {"table": t.table, "source": t.source, "copied": t.copied,
                     "verified": t.verified}
                    for t in report
                ],
                "complete": complete,
            }
        )  # fmt: skip
    else:
        rt.out.table(
            ["TABLE", "LOCAL", "COPIED", "IN TEAM STORE"],
            [[t.table, t.source, t.copied, t.verified] for t in report],
        )
        rt.out.note(
            "smstui: every row is in the team store; point database_url at it to use it."
            if complete
            else "smstui: some rows are missing from the team store; run it again."
        )
    return 0 if complete else StoreError.exit_code


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


HANDLERS = {
    "history": history,
    "inbox": inbox,
    "receipts": receipts,
    "export": export,
    "store check": store_check,
    "store repair": store_repair,
    "store migrate": store_migrate,
    "team status": team_status,
}
