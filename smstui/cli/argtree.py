"""Building blocks every command module uses to add itself to the argparse tree.

``command()`` adds one command with its examples, the exit codes and the global options, and
binds its handler (``set_defaults(handler=...)``); ``actions()`` opens a command's sub-commands.
It lives apart from ``parser.py`` so that the command modules never import their importer.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn

from smstui.core.errors import UsageError

if TYPE_CHECKING:
    from smstui.cli.runtime import Runtime

#: what a command runs: it gets the runtime and returns the exit code
Handler = Callable[["Runtime"], Awaitable[int]]

EXIT_CODES = """\
exit codes:
  0  success
  1  partial failure (some messages rejected) or a server error
  2  usage error (bad flag, bad number, bad CSV)
  3  authentication or connection problem (check MEMBRANE_TOKEN, run 'smstui connect')
  4  not found
  5  network error or unreadable answer (try again)
  6  unknown outcome: a send may have reached ClickSend (it is checked before any resend)
  7  the local message store cannot be used (damaged, disk full, read-only, locked):
     the message names the file; 'smstui store check' says more
"""


class Parser(argparse.ArgumentParser):
    """Usage errors become ``UsageError`` so that ``--json`` can report them as JSON."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", hint=f"Run '{self.prog} --help'.")


def add_global_options(p: argparse.ArgumentParser, *, top: bool) -> None:
    # Sub-commands accept the global flags too (``smstui send --json``); SUPPRESS keeps a
    # sub-command's absent flag from overwriting the value given before it.
    d: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    g = p.add_argument_group("global options")
    g.add_argument(
        "--sandbox",
        action="store_true",
        help="use the in-process sandbox (simulated; nothing leaves this machine)",
        **d,
    )
    g.add_argument("--connection", metavar="ID", help="ClickSend connection id to use", **d)
    g.add_argument("--json", action="store_true", help="machine-readable JSON output", **d)


def command(
    sub: Any,
    name: str,
    help_text: str,
    examples: str,
    *,
    handler: Handler | None = None,
    needs_credentials: bool = True,
    **kw: Any,
) -> argparse.ArgumentParser:
    """Add command ``name`` to ``sub`` (a sub-parsers action); ``handler`` runs it.

    ``needs_credentials=False``: the command runs without Membrane credentials (it touches
    only local files, serves the sandbox, configures credentials or says what is missing).
    """
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog="examples:\n" + examples.rstrip() + "\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kw,
    )
    add_global_options(p, top=False)
    if handler is not None:
        p.set_defaults(handler=handler, needs_credentials=needs_credentials)
    return p


def actions(parent: argparse.ArgumentParser) -> Any:
    """The sub-commands of ``parent`` (``smstui templates list``): one is required."""
    return parent.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=Parser
    )


def yes_flag(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument("--yes", action="store_true", help=help_text)


def sync_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sync",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="fetch new messages from ClickSend first (default: yes)",
    )


def limit_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (default 50)")
