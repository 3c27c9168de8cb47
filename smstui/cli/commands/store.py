"""store check | repair: the health of the message store itself (the local SQLite file, or
the team's PostgreSQL database when ``database_url`` is set); store migrate: move the local
store into the team's PostgreSQL store."""

from __future__ import annotations

from typing import Any

from smstui.cli.argtree import actions, command
from smstui.cli.runtime import Runtime
from smstui.core.errors import StoreError, StoreUnreachable
from smstui.core.safe_text import printable


async def store_check(rt: Runtime) -> int:
    """Exit 0 when the store can be used (looser permissions are warned about), else 7
    (3: the team database cannot be reached)."""
    if rt.settings.database_url:
        return _team_check(rt, rt.settings.database_url)
    from smstui.core.service.store_health import check_store

    check = check_store()
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


def _team_check(rt: Runtime, url: str) -> int:
    from smstui.core.service.store_health import check_team_store

    check = check_team_store(url)
    code = (
        0
        if check.usable
        else (StoreUnreachable.exit_code if not check.reachable else StoreError.exit_code)
    )
    out = rt.out
    if out.json_mode:
        out.emit_json({**check.as_dict(), "usable": check.usable})
        return code
    out.field("store", f"PostgreSQL {check.store}")
    out.field("state", check.state)
    if check.reachable:
        out.field("server", check.server_version or "-")
        out.field("schema", f"{check.schema_version} (this smstui: {check.expected_version})")
    if check.rows:
        out.field("rows", ", ".join(f"{k} {v}" for k, v in check.rows.items()))
        agrees = (
            "agrees with the messages"
            if not check.rollup_wrong
            else (f"{check.rollup_wrong} slot(s) disagree with the messages")
        )
        sums = ", ".join(f"{k} {v}" for k, v in check.totals_messages.items() if k != "spend")
        out.field("rollup", f"{agrees} ({sums})")
        out.field(
            "open sends",
            ", ".join(f"{k} {v}" for k, v in check.open_sends.items()) or "none",
        )
    for problem in check.problems:
        out.note(f"smstui: {printable(problem)}")
    if check.state == "empty":
        out.note("smstui: no smstui tables yet; the first smstui that uses it creates them.")
    elif check.state == "older":
        out.note("smstui: the next smstui that opens it brings its schema up to date.")
    elif not check.problems:
        out.note("smstui: the team store is fine.")
    return code


async def store_repair(rt: Runtime) -> int:
    if rt.settings.database_url:
        return _team_repair(rt, rt.settings.database_url)
    from smstui.core.service.store_health import repair_store

    report = repair_store(force=rt.args.force)
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


def _team_repair(rt: Runtime, url: str) -> int:
    from smstui.core.service.store_health import repair_team_store

    report = repair_team_store(url, operator=rt.settings.operator_name)
    out = rt.out
    if out.json_mode:
        out.emit_json(report.as_dict())
        return 0
    out.field("store", f"PostgreSQL {report.store}")
    out.field("rollup", f"rebuilt from the messages ({report.rollup_fixed} slot(s) were wrong)")
    out.note(
        "smstui: the team store is a PostgreSQL database: the server keeps its files whole, "
        "so there is no file to salvage here. What smstui can repair there, the statistics "
        "rollup, is rebuilt. For anything else, restore from the database's backups "
        "(whoever runs the server: pg_dump / point-in-time recovery)."
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


def register(sub: Any) -> None:
    top = command(
        sub,
        "store",
        "check or repair the message store (smstui.db, or the team database)",
        "  smstui store check\n  smstui --json store check\n  smstui store repair",
    )
    acts = actions(top)
    command(
        acts,
        "check",
        "check the store's integrity, schema version and permissions; on a team store "
        "(database_url): reachable, schema version, the statistics rollup against the "
        "messages, open sends (changes nothing)",
        "  smstui store check\n  smstui --json store check",
        handler=store_check,
        needs_credentials=False,
    )
    p = command(
        acts,
        "repair",
        "back up a damaged store beside it, salvage what is readable into a fresh one, "
        "and list sends whose outcome was open (never resent automatically); the next sync "
        "reads the rest back from ClickSend. On a team store: rebuild the statistics rollup "
        "(the database server keeps its own files whole)",
        "  smstui store repair\n  smstui --json store repair\n  smstui store repair --force",
        handler=store_repair,
        needs_credentials=False,
    )
    p.add_argument(
        "--force", action="store_true", help="rebuild the store even if the check finds it whole"
    )
    p = command(
        acts,
        "migrate",
        "copy the local store (messages, templates, drafts, outbox, sync cursors) into the "
        "team's PostgreSQL database, in batches, verified; safe to run again",
        "  smstui store migrate --to postgresql://ana@db.example/smstui",
        handler=store_migrate,
        needs_credentials=False,
    )
    p.add_argument("--to", required=True, metavar="URL", help="postgresql://USER@HOST/DATABASE")
    p.add_argument("--batch", type=int, default=None, help="rows per transaction (1000)")
