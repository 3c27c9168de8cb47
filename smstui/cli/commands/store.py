"""store check | repair: the health of the local message store itself."""

from __future__ import annotations

from typing import Any

from smstui.cli.argtree import actions, command
from smstui.cli.runtime import Runtime
from smstui.core.errors import StoreError
from smstui.core.safe_text import printable


async def store_check(rt: Runtime) -> int:
    """Exit 0 when the store can be used (looser permissions are warned about), else 7."""
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


async def store_repair(rt: Runtime) -> int:
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


def register(sub: Any) -> None:
    top = command(
        sub,
        "store",
        "check or repair the local message store (smstui.db)",
        "  smstui store check\n  smstui --json store check\n  smstui store repair",
    )
    acts = actions(top)
    command(
        acts,
        "check",
        "check the store's integrity, schema version and permissions (changes nothing)",
        "  smstui store check\n  smstui --json store check",
        handler=store_check,
        needs_credentials=False,
    )
    p = command(
        acts,
        "repair",
        "back up a damaged store beside it, salvage what is readable into a fresh one, "
        "and list sends whose outcome was open (never resent automatically); the next sync "
        "reads the rest back from ClickSend",
        "  smstui store repair\n  smstui --json store repair\n  smstui store repair --force",
        handler=store_repair,
        needs_credentials=False,
    )
    p.add_argument(
        "--force", action="store_true", help="rebuild the store even if the check finds it whole"
    )
