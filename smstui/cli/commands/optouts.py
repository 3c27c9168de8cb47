"""optouts list | add | remove | import | export: the numbers that asked not to be messaged.

The list is kept in the local store, per ClickSend account (so the commands need the
account's credentials, like every command that reads the store). It fills from replies
(STOP...) that a sync brings in, so ``list`` syncs replies first (``--no-sync``: not).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smstui.cli.argtree import actions, command, sync_flag
from smstui.cli.runtime import Runtime
from smstui.core.errors import NotFoundError, SmstuiError, UsageError
from smstui.core.safe_text import printable

if TYPE_CHECKING:
    from smstui.core.service.optouts import OptOut

_HEADERS = ["NUMBER", "SINCE", "SOURCE", "REPLY ID"]


def include_opted_out_arg(p: Any) -> None:
    """``--include-opted-out`` for the send commands (which otherwise refuse, exit 2)."""
    p.add_argument(
        "--include-opted-out",
        action="store_true",
        help="send to opted-out numbers too (a transactional message they agreed to receive)",
    )


def _doc(e: OptOut) -> dict[str, Any]:
    return e.to_json()


def _rows(items: list[OptOut]) -> list[list[Any]]:
    return [[e.number, e.date, e.source, e.reply_id or ""] for e in items]


async def _sync_replies(rt: Runtime) -> None:
    """Bring in the replies (and their STOPs); a failure only warns: the list is local."""
    if not rt.args.sync:
        return
    try:
        await rt.ws.replies.sync()
    except SmstuiError as err:
        rt.out.note(
            f"smstui: warning: replies not synced ({printable(str(err))}); the list may lag"
        )


async def list_(rt: Runtime) -> int:
    await _sync_replies(rt)
    items = rt.ws.optouts.list()
    rt.emit([_doc(e) for e in items], _HEADERS, _rows(items))
    return 0


async def add(rt: Runtime) -> int:
    entry = rt.ws.optouts.add(rt.args.number)
    if entry is None:
        rt.out.note(f"{rt.ws.optouts.normalise(rt.args.number)} was already opted out")
        entry = rt.ws.optouts.get(rt.args.number)
    if entry is not None:
        rt.emit(_doc(entry), _HEADERS, _rows([entry]))
    return 0


async def remove(rt: Runtime) -> int:
    number = rt.ws.optouts.normalise(rt.args.number)
    if not rt.ws.optouts.remove(number):
        raise NotFoundError(f"{number} is not on the opt-out list")
    if rt.out.json_mode:
        rt.out.emit_json({"number": number, "removed": True})
    else:
        rt.out.line(f"{number} removed from the opt-out list")
    return 0


async def import_(rt: Runtime) -> int:
    path = Path(rt.args.file)
    try:
        data = sys.stdin.buffer.read() if rt.args.file == "-" else path.read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read {printable(str(path))}: {err.strerror}") from None
    plan, added = rt.ws.optouts.import_csv(data)
    for p in plan.problems:
        rt.out.note(f"line {p.line}: {printable(p.reason)}: skipped")
    doc = {
        "added": len(added),
        "already": len(plan.numbers) - len(added),
        "skipped": [{"line": p.line, "reason": p.reason} for p in plan.problems],
    }
    if rt.out.json_mode:
        rt.out.emit_json(doc)
    else:
        rt.out.line(
            f"{len(added)} number(s) added, {doc['already']} already opted out"
            + (f", {len(plan.problems)} row(s) skipped" if plan.problems else "")
        )
    return 0 if not plan.problems else 1


async def export(rt: Runtime) -> int:
    from smstui.core.privacy import open_private

    text = rt.ws.optouts.export_csv()
    if rt.args.file in (None, "-"):
        rt.out.stdout.write(text)
        return 0
    path = Path(rt.args.file)
    # 0600 like every file smstui writes: the list holds customers' numbers
    with open_private(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write(text)
    rt.out.note(f"{max(0, text.count(chr(10)) - 1)} number(s) written to {printable(str(path))}")
    return 0


def register(sub: Any) -> None:
    top = command(
        sub,
        "optouts",
        "numbers that asked not to be messaged (every send refuses them)",
        "  smstui optouts list\n  smstui optouts add 0412345678\n"
        "  smstui optouts remove +61412345678\n  smstui optouts import stops.csv\n"
        "  smstui optouts export optouts.csv\n  smstui --json optouts list",
    )
    acts = actions(top)
    p = command(
        acts,
        "list",
        "list the opted-out numbers (replies are synced first)",
        "  smstui optouts list\n  smstui --json optouts list --no-sync",
        handler=list_,
    )
    sync_flag(p)
    p = command(
        acts,
        "add",
        "opt a number out",
        "  smstui optouts add 0412345678",
        handler=add,
    )
    p.add_argument("number", metavar="NUMBER")
    p = command(
        acts,
        "remove",
        "take a number off the list (it asked to receive messages again)",
        "  smstui optouts remove +61412345678",
        handler=remove,
    )
    p.add_argument("number", metavar="NUMBER")
    p = command(
        acts,
        "import",
        "add every number of a CSV (a phone/mobile/number column, or numbers alone)",
        "  smstui optouts import stops.csv\n  cat stops.csv | smstui optouts import -",
        handler=import_,
    )
    p.add_argument("file", metavar="FILE.csv")
    p = command(
        acts,
        "export",
        "write the list as CSV (number,date,source,reply_id)",
        "  smstui optouts export optouts.csv\n  smstui optouts export > optouts.csv",
        handler=export,
    )
    p.add_argument("file", metavar="FILE.csv", nargs="?")
