"""rules list | add | enable | disable | delete: ClickSend's inbound automation rules.

ClickSend runs them on its side (an auto reply is sent even while smstui is closed). POLL
rules make ClickSend list replies and receipts at all: turning off the last one asks first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smstui.cli.argtree import actions, command, yes_flag
from smstui.cli.runtime import Runtime
from smstui.core.errors import LastPollRuleError

if TYPE_CHECKING:
    from smstui.core.models import AutomationRule

_HEADERS = ["ID", "KIND", "ACTION", "MATCH", "KEYWORD", "ENABLED", "NAME", "REPLY"]
#: ClickSend's message_search_type, as words
_MATCH = {0: "any", 1: "starts", 2: "contains", 3: "not contains"}


def _doc(r: AutomationRule) -> dict[str, Any]:
    return {
        "rule_id": r.rule_id,
        "kind": r.kind,
        "action": r.action,
        "match": _MATCH.get(r.search_type, "any") if r.kind == "inbound" else "all",
        "keyword": r.keyword,
        "enabled": r.enabled,
        "name": r.name,
        "reply": r.reply,
    }


def _rows(items: list[AutomationRule]) -> list[list[Any]]:
    return [
        [
            d["rule_id"],
            d["kind"],
            d["action"],
            d["match"],
            d["keyword"],
            "yes" if d["enabled"] else "no",
            d["name"],
            d["reply"],
        ]
        for d in (_doc(r) for r in items)
    ]


async def list_(rt: Runtime) -> int:
    items = await rt.ws.rules.list()
    rt.emit([_doc(r) for r in items], _HEADERS, _rows(items))
    return 0


async def add(rt: Runtime) -> int:
    rule = await rt.ws.rules.add_auto_reply(rt.args.keyword, rt.args.reply)
    rt.emit(_doc(rule), _HEADERS, _rows([rule]))
    return 0


async def enable(rt: Runtime) -> int:
    rule = await rt.ws.rules.enable(rt.args.rule_id, kind=rt.args.kind)
    rt.emit(_doc(rule), _HEADERS, _rows([rule]))
    return 0


async def _confirmed(rt: Runtime, err: LastPollRuleError, what: str) -> bool:
    """The last POLL rule: say what would stop, then ``--yes`` or a terminal's answer."""
    rt.out.note(f"smstui: {err}")
    return rt.confirm(f"{what.capitalize()} it anyway? [y/N] ", what=what)


async def disable(rt: Runtime) -> int:
    try:
        rule = await rt.ws.rules.disable(rt.args.rule_id, kind=rt.args.kind, confirm=rt.args.yes)
    except LastPollRuleError as err:
        if not await _confirmed(rt, err, "disable"):
            rt.out.note("nothing changed")
            return 1
        rule = await rt.ws.rules.disable(rt.args.rule_id, kind=rt.args.kind, confirm=True)
    rt.emit(_doc(rule), _HEADERS, _rows([rule]))
    return 0


async def delete(rt: Runtime) -> int:
    try:
        await rt.ws.rules.delete(rt.args.rule_id, kind=rt.args.kind, confirm=rt.args.yes)
    except LastPollRuleError as err:
        if not await _confirmed(rt, err, "delete"):
            rt.out.note("nothing changed")
            return 1
        await rt.ws.rules.delete(rt.args.rule_id, kind=rt.args.kind, confirm=True)
    if rt.out.json_mode:
        rt.out.emit_json({"rule_id": rt.args.rule_id, "deleted": True})
    else:
        rt.out.line(f"rule {rt.args.rule_id} deleted")
    return 0


def _rule_args(p: Any) -> None:
    p.add_argument("rule_id", metavar="ID")
    p.add_argument(
        "--kind",
        choices=("inbound", "receipt"),
        help="inbound (replies) or receipt rule; needed only when both have this id",
    )


def register(sub: Any) -> None:
    top = command(
        sub,
        "rules",
        "keyword rules: ClickSend's automations (auto replies, POLL...)",
        "  smstui rules list\n"
        "  smstui rules add --keyword INFO --reply 'Open 9-5 weekdays'\n"
        "  smstui rules disable 12\n  smstui rules delete 12 --yes",
    )
    acts = actions(top)
    command(
        acts,
        "list",
        "list the inbound and receipt rules",
        "  smstui rules list\n  smstui --json rules list",
        handler=list_,
    )
    p = command(
        acts,
        "add",
        "add an auto reply to messages starting with a keyword (ClickSend sends it)",
        "  smstui rules add --keyword INFO --reply 'Open 9-5 weekdays'",
        handler=add,
    )
    p.add_argument("--keyword", required=True, help="messages starting with this word match")
    p.add_argument("--reply", required=True, metavar="TEXT", help="the answer ClickSend sends")
    p = command(acts, "enable", "enable a rule", "  smstui rules enable 12", handler=enable)
    _rule_args(p)
    p = command(
        acts,
        "disable",
        "disable a rule (the last POLL rule asks first: replies would stop arriving)",
        "  smstui rules disable 12\n  smstui rules disable 10 --yes",
        handler=disable,
    )
    _rule_args(p)
    yes_flag(p, "do not ask, even for the last POLL rule")
    p = command(
        acts,
        "delete",
        "delete a rule (the last POLL rule asks first: replies would stop arriving)",
        "  smstui rules delete 12\n  smstui rules delete 10 --yes",
        handler=delete,
    )
    _rule_args(p)
    yes_flag(p, "do not ask, even for the last POLL rule")
