"""The argparse tree: every command, with examples in its ``--help``."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from smstui import __version__
from smstui.cli.parser_beyond import add_beyond
from smstui.cli.parser_doctor import add_doctor
from smstui.cli.parser_store import add_store
from smstui.core.errors import UsageError
from smstui.core.when import WHEN_HELP

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

ENVIRONMENT = """\
environment:
  MEMBRANE_API_URL           Membrane API base URL
  MEMBRANE_TOKEN             a Membrane access token, or
  MEMBRANE_WORKSPACE_KEY / MEMBRANE_WORKSPACE_SECRET / MEMBRANE_TENANT_KEY
                             workspace credentials (a token is minted from them)
  SMSTUI_CONNECTION_ID       the ClickSend connection to use
  SMSTUI_SANDBOX=1           use the built-in sandbox (simulated ClickSend), like --sandbox
  XDG_CONFIG_HOME / XDG_DATA_HOME / XDG_CACHE_HOME   where files live
With no credentials, the full-screen app opens on the sandbox, but a command that needs
ClickSend fails (exit 3) unless --sandbox or SMSTUI_SANDBOX=1 asks for the sandbox.
"""


class Parser(argparse.ArgumentParser):
    """Usage errors become ``UsageError`` so that ``--json`` can report them as JSON."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", hint=f"Run '{self.prog} --help'.")


def _globals(p: argparse.ArgumentParser, *, top: bool) -> None:
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


def _cmd(sub: Any, name: str, help_text: str, examples: str, **kw: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog="examples:\n" + examples.rstrip() + "\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kw,
    )
    _globals(p, top=False)
    return p


def _message_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--to",
        action="append",
        required=True,
        metavar="NUMBER",
        help="recipient (repeat, or separate with commas)",
    )
    body = p.add_mutually_exclusive_group(required=True)
    body.add_argument("--body", metavar="TEXT", help="message text; '-' reads standard input")
    body.add_argument("--template", metavar="ID|NAME", help="use a saved template")
    p.add_argument("--from", dest="sender", metavar="SENDER", help="sender number or name")
    p.add_argument("--schedule", metavar="WHEN", help="send later. " + WHEN_HELP)


def _range_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="WHEN", help=WHEN_HELP)
    p.add_argument("--until", metavar="WHEN", help="end of the range (same forms as --since)")
    p.add_argument("--search", metavar="TEXT", help="full-text search in bodies and numbers")
    p.add_argument("--status", metavar="S", help="only this status (Delivered, Failed, ...)")


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
    _globals(top, top=True)
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = _cmd(
        sub,
        "send",
        "send an SMS (exactly once, even if interrupted)",
        "  smstui send --to 0412345678 --body 'Your order is ready'\n"
        "  smstui send --to +61412345678 --to +61498765432 --template 'Reminder'\n"
        "  echo 'Meeting moved to 3pm' | smstui send --to 0412345678 --body -\n"
        "  smstui send --to 0412345678 --body 'Tomorrow!' --schedule 2024-05-01T09:00\n"
        "  smstui --json send --to 0412345678 --body hi --from ACME",
    )
    _message_args(p)

    p = _cmd(
        sub,
        "price",
        "show what a send would cost, without sending",
        "  smstui price --to 0412345678 --body 'Hello there'\n"
        "  smstui --json price --to +61412345678 --to +447700900123 --template 7",
    )
    _message_args(p)

    p = _cmd(
        sub,
        "history",
        "list sent and received messages (syncs first)",
        "  smstui history\n  smstui history --since 2d --search invoice\n"
        "  smstui --json history --status Failed --limit 500 --no-sync",
    )
    _range_args(p)
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (default 50)")
    p.add_argument(
        "--sync",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="fetch new messages from ClickSend first (default: yes)",
    )

    p = _cmd(
        sub,
        "inbox",
        "list received messages",
        "  smstui inbox\n  smstui inbox --unread --mark-read\n  smstui --json inbox",
    )
    p.add_argument("--unread", action="store_true", help="only messages not yet read")
    p.add_argument("--mark-read", action="store_true", help="mark the shown messages read")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (default 50)")

    p = _cmd(
        sub,
        "receipts",
        "list delivery receipts",
        "  smstui receipts\n  smstui --json receipts --limit 200",
    )
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (default 50)")

    p = _cmd(
        sub,
        "cancel",
        "cancel scheduled messages",
        "  smstui cancel 1E7A4F2C-2C5B-4C55-9A55-0F4B0B0E6E11\n  smstui cancel --all",
    )
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("message_id", nargs="?", metavar="MESSAGE_ID", help="the message to cancel")
    g.add_argument("--all", action="store_true", help="cancel every scheduled message")

    _cmd(
        sub,
        "account",
        "show the account and its balance",
        "  smstui account\n  smstui --json account",
    )

    _templates(sub)
    _membrane(sub)
    add_beyond(sub, _cmd)
    add_doctor(sub, _cmd)

    p = _cmd(
        sub,
        "export",
        "export messages from the local store to CSV",
        "  smstui export --csv all.csv\n"
        "  smstui export --csv may.csv --since 2024-05-01 --until 2024-06-01\n"
        "  smstui export --csv failed.csv --status Failed --no-sync",
    )
    p.add_argument("--csv", required=True, metavar="FILE", help="where to write (- = stdout)")
    _range_args(p)
    p.add_argument(
        "--sync",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="fetch new messages from ClickSend first (default: yes)",
    )

    _stats(sub)
    _bulk(sub)
    _config_and_sandbox(sub)
    add_store(sub, _cmd)
    return top


def _stats(sub: Any) -> None:
    p = _cmd(
        sub,
        "stats",
        "messages per day (sent, delivered, failed, inbound) and spend, with bars",
        "  smstui stats\n  smstui stats --since 2024-05-01 --until 2024-06-01 --utc\n"
        "  smstui --json stats --since 30d --no-sync\n  smstui stats --rebuild --no-sync",
    )
    p.add_argument("--since", metavar="WHEN", help="first day (default: 13 days ago). " + WHEN_HELP)
    p.add_argument(
        "--until", metavar="WHEN", help="last day (default: today; midnight = exclusive)"
    )
    p.add_argument("--utc", action="store_true", help="count days in UTC (default: local time)")
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="recompute the per-day totals kept with the messages first "
        "(if stats ever disagree with `smstui history`)",
    )
    p.add_argument(
        "--sync",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="fetch new messages from ClickSend first (default: yes)",
    )


def _templates(sub: Any) -> None:
    t = _cmd(
        sub,
        "templates",
        "manage saved message templates",
        "  smstui templates list\n  smstui templates create --name Reminder --body 'See you {date}'\n"
        "  smstui templates update 12 --body 'New text'\n  smstui templates delete 12 --yes",
    )
    ts = t.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    _cmd(ts, "list", "list templates", "  smstui templates list\n  smstui --json templates list")
    p = _cmd(ts, "show", "show one template", "  smstui templates show 12")
    p.add_argument("template_id", metavar="ID")
    p = _cmd(
        ts,
        "create",
        "create a template",
        "  smstui templates create --name Reminder --body 'Your appointment is tomorrow'",
    )
    p.add_argument("--name", required=True)
    p.add_argument("--body", required=True, help="text; '-' reads standard input")
    p = _cmd(
        ts,
        "update",
        "change a template's name or text",
        "  smstui templates update 12 --name 'Reminder v2'\n  smstui templates update 12 --body 'New text'",
    )
    p.add_argument("template_id", metavar="ID")
    p.add_argument("--name")
    p.add_argument("--body", help="text; '-' reads standard input")
    p = _cmd(ts, "delete", "delete a template", "  smstui templates delete 12 --yes")
    p.add_argument("template_id", metavar="ID")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def _membrane(sub: Any) -> None:
    p = _cmd(
        sub,
        "connect",
        "connect smstui to ClickSend through Membrane (prints a URL to open, then waits)",
        "  smstui connect\n  MEMBRANE_TOKEN=... smstui connect --timeout 300\n"
        "  smstui connect --reconnect      # repair a failed connection (same id)\n"
        "  smstui connect --tenant acme    # the tenant your ClickSend connection belongs to\n"
        "  smstui --json connect\n\n"
        "Without credentials, connect asks for a Membrane token or a workspace key and secret\n"
        "(on a terminal; saved to credentials.toml, mode 0600). With a workspace key and\n"
        "secret it asks for the tenant key (default shown) and saves it in config.toml.",
    )
    p.add_argument(
        "--tenant",
        metavar="KEY",
        help="Membrane tenant key for tokens minted from the workspace key and secret "
        "(saved; default: MEMBRANE_TENANT_KEY, else the saved one, else smstui-<user>)",
    )
    p.add_argument(
        "--reconnect",
        action="store_true",
        help="if the connection failed, reconnect the same connection without asking",
    )
    p.add_argument(
        "--poll",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="how often to check while waiting (default 2)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="give up waiting after this long (default 600)",
    )
    c = _cmd(
        sub,
        "connections",
        "list, choose or forget the ClickSend connection",
        "  smstui connections list\n  smstui connections use conn_123\n  smstui connections forget",
    )
    cs = c.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    _cmd(cs, "list", "list ClickSend connections", "  smstui --json connections list")
    p = _cmd(cs, "use", "remember this connection", "  smstui connections use conn_123")
    p.add_argument("connection_id", metavar="ID")
    _cmd(cs, "forget", "forget the remembered connection", "  smstui connections forget")

    a = _cmd(
        sub,
        "actions",
        "list or run Membrane actions on the ClickSend connection",
        "  smstui actions list --intent 'send sms'\n"
        "  smstui actions run get-sms-history --input '{\"limit\": 5}'",
    )
    acts = a.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    p = _cmd(acts, "list", "list actions", "  smstui actions list --intent templates")
    p.add_argument("--intent", metavar="TEXT", help="rank actions by what you want to do")
    p.add_argument("--limit", type=int, default=50, metavar="N")
    p = _cmd(
        acts,
        "run",
        "run an action by key or id",
        "  smstui actions run list-sms-templates --input '{}'",
    )
    p.add_argument("key", metavar="KEY")
    p.add_argument("--input", default="{}", metavar="JSON", help="the action input (JSON object)")

    p = _cmd(
        sub,
        "request",
        "send a raw ClickSend API request through Membrane",
        "  smstui request /v3/account\n"
        '  smstui request /v3/sms/templates -X POST --json-body \'{"template_name":"x","body":"y"}\'\n'
        "  smstui request /v3/sms/history --query limit=5 -H 'Accept: application/json'\n"
        "  smstui request '/v3/sms/templates/{id}' --path-param id=12 -X DELETE",
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument(
        "-X",
        "--method",
        default="GET",
        type=str.upper,
        choices=["GET", "POST", "PUT", "PATCH", "DELETE"],
    )
    p.add_argument("-H", "--header", action="append", default=[], metavar="'K: V'")
    body = p.add_mutually_exclusive_group()
    body.add_argument("-d", "--data", metavar="DATA", help="body (JSON text is parsed)")
    body.add_argument("--json-body", metavar="JSON", help="a JSON body (must parse)")
    p.add_argument("--raw-data", action="store_true", help="send --data as-is, never parsed")
    p.add_argument("--query", action="append", default=[], metavar="K=V")
    p.add_argument("--path-param", action="append", default=[], metavar="K=V")


def _settle_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--settle",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="before checking a batch whose answer was lost, give ClickSend's history this "
        "long to show it (default 120; 0 checks at once)",
    )


def _bulk(sub: Any) -> None:
    b = _cmd(
        sub,
        "bulk",
        "send one message to many numbers from a CSV file",
        "  smstui bulk send customers.csv --body 'Hi {name}, your order shipped'\n"
        "  smstui bulk send list.csv --template Reminder --yes\n  smstui bulk resume",
    )
    bs = b.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    p = _cmd(
        bs,
        "send",
        "validate a CSV, show the price, confirm, send in batches",
        "  smstui bulk send customers.csv --body 'Hi {name}'\n"
        "  smstui bulk send customers.csv --template 7 --from ACME --yes\n\n"
        "The CSV needs a header row with a phone column (phone, mobile, number or to).\n"
        "{column} in the message is replaced by that row's value; {{ and }} are braces.\n"
        "Every row is checked first: with any bad row, nothing is sent.",
    )
    p.add_argument("file", metavar="FILE.csv")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--body", metavar="TEXT", help="message text with {column} placeholders")
    g.add_argument("--template", metavar="ID|NAME", help="use a saved template")
    p.add_argument("--from", dest="sender", metavar="SENDER")
    p.add_argument("--schedule", metavar="WHEN", help=WHEN_HELP)
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--results", metavar="FILE", help="results CSV (default: FILE.results.csv)")
    _settle_arg(p)
    p = _cmd(
        bs,
        "resume",
        "continue an interrupted bulk send (nobody gets it twice)",
        "  smstui bulk resume\n  smstui bulk resume 20240501T093000-a1b2c3\n"
        "  smstui bulk resume --settle 300\n\n"
        "A batch that may have reached ClickSend is looked up in its history first (after\n"
        "--settle seconds: history can lag); only numbers not found there are sent, once.",
    )
    p.add_argument("job_id", nargs="?", metavar="JOB_ID", help="default: the only unfinished job")
    p.add_argument("--results", metavar="FILE", help="results CSV")
    _settle_arg(p)
    _cmd(bs, "list", "list bulk jobs and their progress", "  smstui bulk list")


def _config_and_sandbox(sub: Any) -> None:
    c = _cmd(
        sub,
        "config",
        "where configuration lives and what it says",
        "  smstui config locate\n  smstui --json config show",
    )
    cs = c.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    _cmd(cs, "locate", "print the config, data and cache paths", "  smstui config locate")
    _cmd(cs, "show", "print the settings (secrets masked)", "  smstui config show")
    s = _cmd(
        sub,
        "sandbox",
        "run the simulated Membrane + ClickSend server",
        "  smstui sandbox serve --port 8765\n"
        "  MEMBRANE_API_URL=http://127.0.0.1:8765 MEMBRANE_TOKEN=test smstui account",
    )
    ss = s.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    p = _cmd(
        ss,
        "serve",
        "serve the sandbox on 127.0.0.1",
        "  smstui sandbox serve --port 8765 --latency 200 --seed 3\n"
        "  smstui sandbox serve --faults 0.3 --fault-seed 7\n"
        "  smstui sandbox serve --fresh-account\n"
        "  smstui sandbox serve --poll-rules 2 --refuse mms=403 --refuse voice=not_enabled",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--latency", type=int, default=0, metavar="MS", help="delay every answer")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the simulated data")
    p.add_argument(
        "--faults",
        type=float,
        default=0.0,
        metavar="RATE",
        help="fail this share of requests (0..1) in random realistic ways (resets, 5xx, 429, "
        "timeouts, bad JSON, ClickSend quirks)",
    )
    p.add_argument("--fault-seed", type=int, default=0, metavar="N", help="seed of the faults")
    p.add_argument(
        "--fresh-account",
        action="store_true",
        help="a brand-new ClickSend account: no POLL rules (the Inbox stays empty), voice not "
        "enabled",
    )
    p.add_argument(
        "--poll-rules",
        type=int,
        default=1,
        metavar="N",
        help="enabled POLL rules of each kind (2+: ClickSend lists each reply N times)",
    )
    p.add_argument(
        "--refuse",
        action="append",
        default=[],
        metavar="CHANNEL=HOW",
        help="the account refuses a channel: mms|voice = 403|404|not_enabled (repeatable)",
    )
    p.add_argument(
        "--history-lag",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="list a sent message in history only this long after it was accepted",
    )
    p.add_argument(
        "--building",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="the ClickSend connection stays BUILDING this long; a long poll "
        "(?wait=true) holds until then",
    )
