"""The top-level argparse parser: global options, the epilog, and the list of command modules.

Each module in ``smstui.cli.commands`` adds its own commands (``register(sub)``) with their
examples and binds each to its handler; this file only lists them, in ``smstui --help`` order.
The modules import nothing heavy at load time (the core loads when a handler runs), so
building the whole tree for ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib

from smstui import __version__
from smstui.cli.argtree import EXIT_CODES, Parser, add_global_options

#: the command modules (``smstui.cli.commands.<name>``), in the order ``--help`` lists them
COMMAND_MODULES = (
    "send",
    "history",
    "inbox",
    "cancel",
    "account",
    "templates",
    "connect",
    "actions",
    "contacts",
    "campaigns",
    "mms",
    "voice",
    "doctor",
    "export",
    "stats",
    "bulk",
    "optouts",
    "rules",
    "config",
    "sandbox",
    "store",
    "team",
)

ENVIRONMENT = """\
environment:
  MEMBRANE_API_URL           Membrane API base URL
  MEMBRANE_TOKEN             a Membrane access token, or
  MEMBRANE_WORKSPACE_KEY / MEMBRANE_WORKSPACE_SECRET / MEMBRANE_TENANT_KEY
                             workspace credentials (a token is minted from them)
  SMSTUI_CONNECTION_ID       the ClickSend connection to use
  SMSTUI_SANDBOX=1           use the built-in sandbox (simulated ClickSend), like --sandbox
  SMSTUI_DATABASE_URL        postgresql://...: the team's shared store (default: local SQLite)
  SMSTUI_OPERATOR            this operator's name in team mode (default user@host)
  XDG_CONFIG_HOME / XDG_DATA_HOME / XDG_CACHE_HOME   where files live
With no credentials, the full-screen app opens on the sandbox, but a command that needs
ClickSend fails (exit 3) unless --sandbox or SMSTUI_SANDBOX=1 asks for the sandbox.
"""


def _top_parser() -> Parser:
    """The top level alone: ``--version``, the global options, the description."""
    top = Parser(
        prog="smstui",
        description="Business SMS from a terminal, through ClickSend via Membrane. "
        "With no command, opens the full-screen app.",
        epilog="examples:\n  smstui\n  smstui send --to 0412345678 --body 'Running late'\n"
        "  smstui --json history --since 1d\n  smstui bulk send customers.csv --body 'Hi {name}'\n\n"
        + EXIT_CODES
        + "\n"
        + ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"smstui {__version__}")
    add_global_options(top, top=True)
    return top


def build_parser() -> Parser:
    """The whole tree: every command module adds its commands."""
    top = _top_parser()
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"smstui.cli.commands.{name}").register(sub)
    return top


def _only_global_options(argv: list[str]) -> bool:
    """Whether ``argv`` is nothing but global options, each spelt in full (no ``--help``, no
    abbreviation, no command): the full-screen app."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in ("--sandbox", "--json") or token.startswith("--connection="):
            i += 1
        elif token == "--connection" and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            i += 2
        else:
            return False
    return True


def parse_args(argv: list[str]) -> argparse.Namespace:
    """``argv`` parsed as ``build_parser().parse_args`` would.

    With no command (opening the full-screen app) only the top level is built: the whole
    tree imports the 22 command modules and builds some 200 parsers, 40-150 ms of the app's
    cold start on a loaded machine, for commands that are not run. Anything else (a command,
    ``--help``, an abbreviation, a mistake) goes through the whole tree, so its answers and
    errors are unchanged. ``tests/test_cli_entry.py`` compares both on global-option lists.
    """
    if _only_global_options(argv):
        args = _top_parser().parse_args(argv)
        args.command = None  # what the tree's sub-parsers action sets when no command is given
        return args
    return build_parser().parse_args(argv)
