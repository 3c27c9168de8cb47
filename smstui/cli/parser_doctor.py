"""argparse for ``smstui doctor`` (handler in cmd_doctor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def add_doctor(sub: Any, cmd: Callable[..., Any]) -> None:
    p = cmd(
        sub,
        "doctor",
        "check credentials, connection, account, POLL rules, channels, store and clock",
        "  smstui doctor\n  smstui --json doctor\n  smstui doctor --fix\n"
        "  smstui doctor --fix --yes",
    )
    p.add_argument(
        "--fix",
        action="store_true",
        help="make the safe repairs (create missing POLL rules, tighten file permissions...), "
        "asking before each",
    )
    p.add_argument("--yes", action="store_true", help="with --fix: repair without asking")
