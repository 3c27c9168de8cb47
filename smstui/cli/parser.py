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


def build_parser() -> Parser:
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
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"smstui.cli.commands.{name}").register(sub)
    return top
