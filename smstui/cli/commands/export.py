"""export: messages from the local store to CSV (after a sync)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from smstui.cli import reads
from smstui.cli.argtree import command, sync_flag
from smstui.cli.runtime import Runtime
from smstui.core.safe_text import printable


async def export(rt: Runtime) -> int:
    await reads.sync(rt)
    rows = reads.filtered(rt, None)
    target = rt.args.csv
    if target == "-":
        inert = None
        if sys.stdout.isatty():
            # read on a terminal, not piped: a stranger's SMS must not act on the screen
            def inert(c: object) -> object:
                return printable(c, keep_newlines=True) if isinstance(c, str) else c

        count = rt.ws.history.write_stored(sys.stdout, rows, inert)
    else:
        count = rt.ws.history.export_stored(Path(target), rows)
    if rt.out.json_mode and target != "-":
        rt.out.emit_json({"exported": count, "path": str(Path(target).resolve())})
    else:
        rt.out.note(f"exported {count} message(s)" + ("" if target == "-" else f" to {target}"))
    return 0


def register(sub: Any) -> None:
    p = command(
        sub,
        "export",
        "export messages from the local store to CSV",
        "  smstui export --csv all.csv\n"
        "  smstui export --csv may.csv --since 2024-05-01 --until 2024-06-01\n"
        "  smstui export --csv failed.csv --status Failed --no-sync",
        handler=export,
    )
    p.add_argument("--csv", required=True, metavar="FILE", help="where to write (- = stdout)")
    reads.range_args(p)
    sync_flag(p)
