"""argparse tree for lists, contacts, campaign, mms and voice (handlers in cmd_beyond)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smstui.core.when import WHEN_HELP

Cmd = Callable[..., Any]


def _actions(parent: Any) -> Any:
    from smstui.cli.parser import Parser

    return parent.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=Parser
    )


def _yes(p: Any, what: str) -> None:
    p.add_argument("--yes", action="store_true", help=f"{what} without asking")


def add_beyond(sub: Any, cmd: Cmd) -> None:
    _lists(sub, cmd)
    _contacts(sub, cmd)
    _campaign(sub, cmd)
    _mms(sub, cmd)
    _voice(sub, cmd)


def _lists(sub: Any, cmd: Cmd) -> None:
    top = cmd(
        sub,
        "lists",
        "manage ClickSend contact lists",
        "  smstui lists list\n  smstui lists create 'Spring promo'\n"
        "  smstui lists rename 428 'Autumn promo'\n  smstui lists delete 428 --yes",
    )
    acts = _actions(top)
    cmd(acts, "list", "list contact lists with their sizes", "  smstui --json lists list")
    p = cmd(acts, "create", "create a list", "  smstui lists create 'Spring promo'")
    p.add_argument("name")
    p = cmd(acts, "rename", "rename a list", "  smstui lists rename 428 'Autumn promo'")
    p.add_argument("list_id", metavar="LIST")
    p.add_argument("name")
    p = cmd(acts, "delete", "delete a list and its contacts", "  smstui lists delete 428 --yes")
    p.add_argument("list_id", metavar="LIST")
    _yes(p, "delete")


def _contact_fields(p: Any) -> None:
    p.add_argument("--phone", metavar="NUMBER")
    p.add_argument("--first-name")
    p.add_argument("--last-name")
    p.add_argument("--email")
    p.add_argument("--organization")
    for i in range(1, 5):
        p.add_argument(
            f"--custom{i}", metavar="TEXT", help=f"custom field {i} (merge field (Custom {i}))"
        )


def _contacts(sub: Any, cmd: Cmd) -> None:
    top = cmd(
        sub,
        "contacts",
        "manage the contacts of a list",
        "  smstui contacts list 428\n  smstui contacts add 428 --phone 0412345678 --first-name Ann\n"
        "  smstui contacts import 428 customers.csv\n  smstui contacts search ann",
    )
    acts = _actions(top)
    p = cmd(
        acts,
        "list",
        "list a list's contacts",
        "  smstui contacts list 428\n  smstui --json contacts list 428 --updated-after 1d",
    )
    p.add_argument("list_id", metavar="LIST")
    p.add_argument(
        "--updated-after", metavar="WHEN", help="only contacts changed since. " + WHEN_HELP
    )
    p = cmd(
        acts,
        "add",
        "add a contact (a phone number or an email is needed)",
        "  smstui contacts add 428 --phone 0412345678 --first-name Ann --custom1 Gold",
    )
    p.add_argument("list_id", metavar="LIST")
    _contact_fields(p)
    p = cmd(
        acts,
        "edit",
        "change a contact (only the fields given)",
        "  smstui contacts edit 428 552786 --last-name Lee --email ann@example.com --custom2 ''",
    )
    p.add_argument("list_id", metavar="LIST")
    p.add_argument("contact_id", metavar="CONTACT")
    _contact_fields(p)
    p = cmd(acts, "delete", "delete a contact", "  smstui contacts delete 428 552786 --yes")
    p.add_argument("list_id", metavar="LIST")
    p.add_argument("contact_id", metavar="CONTACT")
    _yes(p, "delete")
    p = cmd(
        acts,
        "import",
        "import a CSV into a list (every row checked first; nothing imported on error)",
        "  smstui contacts import 428 customers.csv\n"
        "  (columns: phone/mobile/number, optional first name, last name, email, custom 1..4)",
    )
    p.add_argument("list_id", metavar="LIST")
    p.add_argument("file", metavar="FILE.csv")
    p = cmd(acts, "search", "search contacts and lists", "  smstui contacts search ann")
    p.add_argument("query")


def _campaign_args(p: Any) -> None:
    p.add_argument("--list", dest="list_id", required=True, metavar="LIST")
    p.add_argument("--name", required=True)
    p.add_argument(
        "--body", required=True, help="text with merge fields like (First Name); '-' reads stdin"
    )
    p.add_argument("--from", dest="sender", metavar="SENDER")
    p.add_argument("--schedule", metavar="WHEN", help="send later. " + WHEN_HELP)


def _campaign(sub: Any, cmd: Cmd) -> None:
    top = cmd(
        sub,
        "campaign",
        "SMS campaigns to a contact list (up to 20,000 recipients)",
        "  smstui campaign price --list 428 --name Promo --body 'Hi (First Name)! Reply STOP to opt out'\n"
        "  smstui campaign send --list 428 --name Promo --body - --yes\n"
        "  smstui campaign list\n  smstui campaign cancel 2145880",
    )
    acts = _actions(top)
    p = cmd(
        acts,
        "price",
        "price a campaign (sends nothing)",
        "  smstui campaign price --list 428 --name Promo --body 'Hi (First Name)'",
    )
    _campaign_args(p)
    p = cmd(
        acts,
        "send",
        "price, confirm and send a campaign",
        "  smstui campaign send --list 428 --name Promo --body 'Hi (First Name). Reply STOP to opt out' --yes",
    )
    _campaign_args(p)
    _yes(p, "send")
    cmd(acts, "list", "list campaigns with their status", "  smstui --json campaign list")
    p = cmd(acts, "show", "show one campaign", "  smstui campaign show 2145880")
    p.add_argument("campaign_id", metavar="CAMPAIGN")
    p = cmd(acts, "cancel", "cancel a scheduled campaign", "  smstui campaign cancel 2145880")
    p.add_argument("campaign_id", metavar="CAMPAIGN")


def _recipients(p: Any) -> None:
    p.add_argument(
        "--to",
        action="append",
        required=True,
        metavar="NUMBER",
        help="recipient (repeat or comma-separate)",
    )
    p.add_argument("--body", required=True, help="text; '-' reads standard input")
    p.add_argument("--schedule", metavar="WHEN", help="send later. " + WHEN_HELP)


def _mms(sub: Any, cmd: Cmd) -> None:
    top = cmd(
        sub,
        "mms",
        "MMS: a picture with text (subject <= 20 chars; 1500 GSM / 500 Unicode characters)",
        "  smstui mms price --to 0412345678 --subject Menu --media https://example.com/menu.jpg --body 'Tonight'\n"
        "  smstui mms send --to 0412345678 --subject Menu --media https://example.com/menu.jpg --body 'Tonight'",
    )
    acts = _actions(top)
    for name, text in (
        ("price", "price an MMS (sends nothing)"),
        ("send", "send an MMS exactly once"),
    ):
        p = cmd(
            acts,
            name,
            text,
            f"  smstui mms {name} --to 0412345678 --subject Hi --media https://x.test/a.jpg --body Hi",
        )
        _recipients(p)
        p.add_argument("--subject", required=True)
        p.add_argument("--media", required=True, metavar="URL", help="a .jpg or .gif URL")
        p.add_argument("--from", dest="sender", metavar="SENDER")


def _voice(sub: Any, cmd: Cmd) -> None:
    top = cmd(
        sub,
        "voice",
        "voice calls that read text aloud (1200 GSM / 600 Unicode characters)",
        "  smstui voice langs\n  smstui voice price --to 0412345678 --body 'Your code is 1 2 3'\n"
        "  smstui voice send --to 0412345678 --body 'Your code is 1 2 3' --voice male --lang en-gb\n"
        "  smstui voice cancel --all",
    )
    acts = _actions(top)
    cmd(acts, "langs", "list voice languages and their voices", "  smstui --json voice langs")
    p = cmd(
        acts,
        "cancel",
        "cancel scheduled voice calls",
        "  smstui voice cancel 1E7A4F2C-2C5B-4C55-9A55-0F4B0B0E6E11\n  smstui voice cancel --all",
    )
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("message_id", nargs="?", metavar="MESSAGE_ID", help="the call to cancel")
    g.add_argument("--all", action="store_true", help="cancel every scheduled voice call")
    for name, text in (
        ("price", "price a voice call (calls nobody)"),
        ("send", "call exactly once"),
    ):
        p = cmd(
            acts, name, text, f"  smstui voice {name} --to 0412345678 --body 'Hello' --lang en-au"
        )
        _recipients(p)
        p.add_argument("--voice", choices=("female", "male"), default="female")
        p.add_argument("--lang", default="en-au", help="a code from 'smstui voice langs'")
        p.add_argument("--require-input", action="store_true", help="wait for a key press")
        p.add_argument("--machine-detection", action="store_true", help="detect answering machines")
