"""templates list | show | create | update | delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smstui.cli.argtree import actions, command, yes_flag
from smstui.cli.draft_args import read_text
from smstui.cli.runtime import Runtime
from smstui.core.errors import UsageError

if TYPE_CHECKING:
    from smstui.core.models import Template


def _doc(t: Template) -> dict[str, str]:
    return {"template_id": t.template_id, "name": t.name, "body": t.body}


def _show(rt: Runtime, t: Template) -> None:
    if rt.out.json_mode:
        rt.out.emit_json(_doc(t))
    else:
        rt.out.field("id", t.template_id)
        rt.out.field("name", t.name)
        rt.out.field("body", t.body)


async def list_(rt: Runtime) -> int:
    items = await rt.ws.templates.fetch_all()
    if rt.out.json_mode:
        rt.out.emit_json([_doc(t) for t in items])
    else:
        rt.out.table(["ID", "NAME", "BODY"], [[t.template_id, t.name, t.body] for t in items])
    return 0


async def show(rt: Runtime) -> int:
    _show(rt, await rt.ws.templates.get(rt.args.template_id))
    return 0


async def create(rt: Runtime) -> int:
    body = read_text(rt.args.body)
    _show(rt, await rt.ws.templates.create(rt.args.name, body, mirror=False))
    return 0


async def update(rt: Runtime) -> int:
    a = rt.args
    if a.name is None and a.body is None:
        raise UsageError("give --name and/or --body to change")
    body = read_text(a.body) if a.body is not None else None
    _show(rt, await rt.ws.templates.update(a.template_id, a.name, body, mirror=False))
    return 0


async def delete(rt: Runtime) -> int:
    if not rt.args.yes:
        if not rt.stdin_is_tty:
            raise UsageError("refusing to delete without --yes (standard input is not a terminal)")
        answer = rt.ask(f"Delete template {rt.args.template_id}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            rt.out.note("not deleted")
            return 1
    await rt.ws.templates.delete(rt.args.template_id, mirror=False)
    if rt.out.json_mode:
        rt.out.emit_json({"deleted": rt.args.template_id})
    else:
        rt.out.line(f"deleted template {rt.args.template_id}")
    return 0


def register(sub: Any) -> None:
    t = command(
        sub,
        "templates",
        "manage saved message templates",
        "  smstui templates list\n  smstui templates create --name Reminder --body 'See you {date}'\n"
        "  smstui templates update 12 --body 'New text'\n  smstui templates delete 12 --yes",
    )
    ts = actions(t)
    command(
        ts,
        "list",
        "list templates",
        "  smstui templates list\n  smstui --json templates list",
        handler=list_,
    )
    p = command(ts, "show", "show one template", "  smstui templates show 12", handler=show)
    p.add_argument("template_id", metavar="ID")
    p = command(
        ts,
        "create",
        "create a template",
        "  smstui templates create --name Reminder --body 'Your appointment is tomorrow'",
        handler=create,
    )
    p.add_argument("--name", required=True)
    p.add_argument("--body", required=True, help="text; '-' reads standard input")
    p = command(
        ts,
        "update",
        "change a template's name or text",
        "  smstui templates update 12 --name 'Reminder v2'\n  smstui templates update 12 --body 'New text'",
        handler=update,
    )
    p.add_argument("template_id", metavar="ID")
    p.add_argument("--name")
    p.add_argument("--body", help="text; '-' reads standard input")
    p = command(
        ts, "delete", "delete a template", "  smstui templates delete 12 --yes", handler=delete
    )
    p.add_argument("template_id", metavar="ID")
    yes_flag(p, "do not ask for confirmation")
