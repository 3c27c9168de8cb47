"""templates list | show | create | update | delete."""

from __future__ import annotations

from smstui.cli.compose import read_text
from smstui.cli.runtime import Runtime
from smstui.core.errors import UsageError
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
    service = await rt.service()
    items: list[Template] = []
    page_no = 1
    while True:
        page = await service.list_templates(page=page_no, limit=100)
        items.extend(page.items)
        if not page.has_next or not page.items:
            break
        page_no = page.page + 1
    if rt.out.json_mode:
        rt.out.emit_json([_doc(t) for t in items])
    else:
        rt.out.table(["ID", "NAME", "BODY"], [[t.template_id, t.name, t.body] for t in items])
    return 0


async def show(rt: Runtime) -> int:
    _show(rt, await (await rt.service()).get_template(rt.args.template_id))
    return 0


async def create(rt: Runtime) -> int:
    body = read_text(rt.args.body)
    _show(rt, await (await rt.service()).create_template(rt.args.name, body))
    return 0


async def update(rt: Runtime) -> int:
    a = rt.args
    if a.name is None and a.body is None:
        raise UsageError("give --name and/or --body to change")
    body = read_text(a.body) if a.body is not None else None
    _show(rt, await (await rt.service()).update_template(a.template_id, name=a.name, body=body))
    return 0


async def delete(rt: Runtime) -> int:
    if not rt.args.yes:
        if not rt.stdin_is_tty:
            raise UsageError("refusing to delete without --yes (standard input is not a terminal)")
        answer = rt.ask(f"Delete template {rt.args.template_id}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            rt.out.note("not deleted")
            return 1
    await (await rt.service()).delete_template(rt.args.template_id)
    if rt.out.json_mode:
        rt.out.emit_json({"deleted": rt.args.template_id})
    else:
        rt.out.line(f"deleted template {rt.args.template_id}")
    return 0


HANDLERS = {
    "templates list": list_,
    "templates show": show,
    "templates create": create,
    "templates update": update,
    "templates delete": delete,
}
