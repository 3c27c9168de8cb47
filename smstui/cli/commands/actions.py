"""actions and request: Membrane itself (mirrors the `membrane` CLI)."""

from __future__ import annotations

import json
from typing import Any

from smstui.cli.argtree import actions, command
from smstui.cli.runtime import Runtime
from smstui.core.errors import UsageError
from smstui.core.safe_text import printable


async def actions_list(rt: Runtime) -> int:
    items = await rt.ws.membrane.list_actions(intent=rt.args.intent, limit=rt.args.limit)
    if rt.out.json_mode:
        rt.out.emit_json(
            [
                {
                    "id": a.id,
                    "key": a.key,
                    "name": a.name,
                    "description": a.description,
                    "input_schema": a.input_schema,
                }
                for a in items
            ]
        )
    else:
        rt.out.table(["KEY", "NAME", "ID"], [[a.key, a.name, a.id] for a in items])
    return 0


def _json_arg(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as err:
        raise UsageError(f"{what} is not valid JSON: {err}") from None


async def actions_run(rt: Runtime) -> int:
    from smstui.core.service.membrane import checked_key, mask_secret_fields

    key = checked_key(rt.args.key)  # an empty key is refused before any request
    payload = _json_arg(rt.args.input, "--input")
    if not isinstance(payload, dict):
        raise UsageError("--input must be a JSON object")
    run = await rt.ws.membrane.run_action_by_key(key, payload)
    result = run.result
    output = mask_secret_fields(result.output)
    if rt.out.json_mode:
        rt.out.emit_json(
            {"output": output, "action_run_id": result.action_run_id, "action_id": run.action_id}
        )
        return 0
    from smstui.cli.output import dumps

    rt.out.line(dumps(output) if output is not None else "(no output)")
    # stderr, so stdout stays the output alone; users look the run up in Membrane's console
    rt.out.note(f"action run: {printable(result.action_run_id or 'not given by Membrane')}")
    return 0


async def request(rt: Runtime) -> int:
    from smstui.core.service.membrane import (
        TRANSPARENT,
        body_from_text,
        mask_secret_fields,
        parse_pairs,
    )

    a = rt.args
    data: Any = None
    if a.json_body is not None:
        data = _json_arg(a.json_body, "--json-body")
    elif a.data is not None:
        data = body_from_text(a.data, raw=a.raw_data)  # JSON text is parsed, as membrane -d
    headers = parse_pairs(a.header, ":", "header")
    query = parse_pairs(a.query, "=", "--query")
    params = parse_pairs(a.path_param, "=", "--path-param")
    response, known = await rt.ws.membrane.request(
        a.path,
        method=a.method,
        query=query or None,
        headers=headers or None,
        data=data,
        path_parameters=params or None,
    )
    if response.route == TRANSPARENT and known != TRANSPARENT:
        rt.out.note(
            "smstui: this Membrane has no structured request route: sent through the "
            "transparent proxy (remembered for this connection)"
        )
    # the account answer carries ClickSend's live api_key: never print it
    body = mask_secret_fields(response.body if response.raw is None else response.raw)
    if rt.out.json_mode:
        rt.out.emit_json(
            {
                "status": response.status,
                "headers": response.headers,
                "body": body,
                "route": response.route,
            }
        )
    else:
        rt.out.line(f"status: {response.status if response.status is not None else 'unknown'}")
        if response.raw is not None:
            rt.out.note("(the answer had neither 'data' nor 'body': showing it whole)")
        from smstui.cli.output import dumps

        rt.out.line(
            dumps(body) if not isinstance(body, str) else printable(body, keep_newlines=True)
        )
    status = response.status or 200
    return 0 if status < 400 else (3 if status in (401, 403) else 4 if status == 404 else 1)


def register(sub: Any) -> None:
    a = command(
        sub,
        "actions",
        "list or run Membrane actions on the ClickSend connection",
        "  smstui actions list --intent 'send sms'\n"
        "  smstui actions run get-sms-history --input '{\"limit\": 5}'",
    )
    acts = actions(a)
    p = command(
        acts,
        "list",
        "list actions",
        "  smstui actions list --intent templates",
        handler=actions_list,
    )
    p.add_argument("--intent", metavar="TEXT", help="rank actions by what you want to do")
    p.add_argument("--limit", type=int, default=50, metavar="N")
    p = command(
        acts,
        "run",
        "run an action by key or id",
        "  smstui actions run list-sms-templates --input '{}'",
        handler=actions_run,
    )
    p.add_argument("key", metavar="KEY")
    p.add_argument("--input", default="{}", metavar="JSON", help="the action input (JSON object)")

    p = command(
        sub,
        "request",
        "send a raw ClickSend API request through Membrane",
        "  smstui request /v3/account\n"
        '  smstui request /v3/sms/templates -X POST --json-body \'{"template_name":"x","body":"y"}\'\n'
        "  smstui request /v3/sms/history --query limit=5 -H 'Accept: application/json'\n"
        "  smstui request '/v3/sms/templates/{id}' --path-param id=12 -X DELETE",
        handler=request,
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
