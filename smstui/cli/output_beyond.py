"""Small output helpers shared by the lists/contacts/campaign and mms/voice commands."""

from __future__ import annotations

from typing import Any

from smstui.cli.runtime import Runtime
from smstui.core.errors import UsageError


def emit(rt: Runtime, doc: Any, headers: list[str], rows: list[list[Any]]) -> None:
    if rt.out.json_mode:
        rt.out.emit_json(doc)
    else:
        rt.out.table(headers, rows)


def confirm(rt: Runtime, prompt: str, *, what: str) -> bool:
    if rt.args.yes:
        return True
    if not rt.stdin_is_tty:
        raise UsageError(
            f"refusing to {what} without confirmation: standard input is not a terminal",
            hint="Add --yes to go ahead without asking.",
        )
    return rt.ask(prompt).lower() in ("y", "yes")
