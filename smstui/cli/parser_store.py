"""argparse tree for ``store check|repair|migrate`` and ``team status`` (handlers in
cmd_store)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Cmd = Callable[..., Any]


def add_store(sub: Any, cmd: Cmd) -> None:
    from smstui.cli.parser import Parser

    top = cmd(
        sub,
        "store",
        "check or repair the local message store (smstui.db)",
        "  smstui store check\n  smstui --json store check\n  smstui store repair",
    )
    actions = top.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=Parser
    )
    cmd(
        actions,
        "check",
        "check the store's integrity, schema version and permissions (changes nothing)",
        "  smstui store check\n  smstui --json store check",
    )
    p = cmd(
        actions,
        "repair",
        "back up a damaged store beside it, salvage what is readable into a fresh one, "
        "and list sends whose outcome was open (never resent automatically); the next sync "
        "reads the rest back from ClickSend",
        "  smstui store repair\n  smstui --json store repair\n  smstui store repair --force",
    )
    p.add_argument(
        "--force", action="store_true", help="rebuild the store even if the check finds it whole"
    )
    p = cmd(
        actions,
        "migrate",
        "copy the local store (messages, templates, drafts, outbox, sync cursors) into the "
        "team's PostgreSQL database, in batches, verified; safe to run again",
        "  smstui store migrate --to postgresql://ana@db.example/smstui",
    )
    p.add_argument("--to", required=True, metavar="URL", help="postgresql://USER@HOST/DATABASE")
    p.add_argument("--batch", type=int, default=None, help="rows per transaction (1000)")
    team = cmd(
        sub,
        "team",
        "team mode: several operators on one shared PostgreSQL store (database_url)",
        "  smstui team status\n  smstui --json team status",
    )
    team_actions = team.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=Parser
    )
    cmd(
        team_actions,
        "status",
        "the team store, its schema version, the operators seen, who is connected and "
        "who is syncing now",
        "  smstui team status\n  smstui --json team status",
    )
