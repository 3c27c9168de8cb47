"""connect, connections, actions, request: Membrane itself (mirrors the `membrane` CLI)."""

from __future__ import annotations

import json
from typing import Any

from smstui.cli.connect_setup import prepare
from smstui.cli.runtime import Runtime
from smstui.core.errors import ConnectionUnusable, MembraneNotFound, UsageError
from smstui.core.explorer.request_console import body_from_text, parse_pairs
from smstui.core.membrane.action_runs import checked_key, run_by_key
from smstui.core.membrane.request_route import TRANSPARENT, send_request
from smstui.core.membrane.secret_fields import mask_secret_fields
from smstui.core.models import Connection
from smstui.core.safe_text import printable
from smstui.core.session import ResolverOptions, Session


class TerminalConnectUI:
    """How the resolver talks to the user during ``smstui connect`` (all on stderr)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._last_status = ""

    def show_url(self, url: str, description: str) -> None:
        self.rt.out.note(
            f"{printable(description)}\n  open this URL in a browser: {printable(url)}"
        )
        self.rt.out.note("waiting for the connection to be completed (Ctrl-C to stop)...")

    def status(self, text: str) -> None:
        # each poll reports its status; a line per change keeps a long wait readable
        if text != self._last_status:
            self._last_status = text
            self.rt.out.note(printable(text))

    def choose(self, connections: list[Connection]) -> Connection:
        ready = [c for c in connections if c.usable]
        chosen = (ready or connections)[0]
        self.rt.out.note(f"using connection {printable(chosen.id)} ({printable(chosen.name)})")
        return chosen


def _conn_doc(c: Connection) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "state": c.state,
        "connected": c.connected,
        "usable": c.usable,
        "error": c.error,
        "client_action": (
            {
                "type": c.client_action.type,
                "description": c.client_action.description,
                "url": c.client_action.ui_url,
            }
            if c.client_action
            else None
        ),
    }


#: states a connection can be repaired from by reconnecting it (new credentials, same id)
_REPAIRABLE = frozenset(
    {"CONFIGURATION_ERROR", "SETUP_FAILED", "CLIENT_ACTION_REQUIRED", "DEFUNCT", "DISCONNECTED"}
)


async def _current(rt: Runtime, session: Session) -> Connection:
    """The connection to use, checked with Membrane; a remembered one that is gone or needs
    attention is forgotten and found again, so the resolver walks it through its states."""
    remembered = session.cache.get(session.api_url, session.identity)
    connection_id = await session.resolver.resolve()
    try:
        connection = await session.client.get_connection(connection_id)
    except MembraneNotFound:
        if session.resolver.explicit or remembered is None:
            raise
        rt.out.note(f"the remembered connection {printable(connection_id)} no longer exists")
        session.forget_connection()
        connection = await session.client.get_connection(await session.resolver.resolve())
    if connection.usable or session.resolver.explicit or remembered is None:
        return connection
    session.forget_connection()
    return await session.client.get_connection(await session.resolver.resolve())


def _unusable(connection: Connection) -> ConnectionUnusable:
    state = connection.state or ("DEFUNCT" if connection.is_defunct else "DISCONNECTED")
    detail = f": {connection.error}" if connection.error else ""
    action = connection.client_action
    return ConnectionUnusable(
        f"The ClickSend connection cannot be used ({state}){detail}",
        connection_id=connection.id,
        state=state,
        ui_url=action.ui_url if action else None,
    )


async def _repair(rt: Runtime, session: Session, err: ConnectionUnusable) -> Connection:
    """Show what is wrong; with consent, reconnect THE SAME connection (never a new one)."""
    rt.out.note(f"smstui: {printable(str(err))}")
    if err.ui_url:
        rt.out.note(f"  fix it here: {printable(err.ui_url)}")
    if (err.state or "").upper() not in _REPAIRABLE or not err.connection_id:
        raise err
    if not rt.args.reconnect:
        if not rt.stdin_is_tty:
            err.hint = "Run 'smstui connect --reconnect' to reconnect this same connection."
            raise err
        if rt.ask("Reconnect this same connection now? [Y/n] ").lower() in ("n", "no"):
            raise err
    rt.out.note(f"reconnecting {printable(err.connection_id)}")
    connection_id = await session.resolver.reconnect(err.connection_id)
    return await session.client.get_connection(connection_id)


async def connect(rt: Runtime) -> int:
    a = rt.args
    if a.poll <= 0 or a.timeout <= 0:
        raise UsageError("--poll and --timeout must be positive")
    prepare(rt)  # credentials (asked for on a terminal) and the tenant
    options = ResolverOptions(poll_interval=a.poll, deadline=a.timeout)
    session = await rt.session(TerminalConnectUI(rt), options)
    try:
        connection = await _current(rt, session)
        if not connection.usable:
            raise _unusable(connection)
    except ConnectionUnusable as err:
        connection = await _repair(rt, session, err)
    if rt.out.json_mode:
        rt.out.emit_json(_conn_doc(connection))
    else:
        state = printable(connection.state or "READY")
        rt.out.line(f"connected: {printable(connection.id)} ({state})")
    return 0 if connection.usable else 3


async def connections_list(rt: Runtime) -> int:
    items = await (await rt.client()).list_connections()
    if rt.out.json_mode:
        rt.out.emit_json([_conn_doc(c) for c in items])
    else:
        rt.out.table(
            ["ID", "NAME", "STATE", "USABLE"],
            [[c.id, c.name, c.state or "", "yes" if c.usable else "no"] for c in items],
        )
    return 0


async def connections_use(rt: Runtime) -> int:
    session = await rt.session()
    connection = await session.client.get_connection(rt.args.connection_id)
    session.cache.put(session.api_url, session.identity, connection.id)
    if rt.out.json_mode:
        rt.out.emit_json(_conn_doc(connection))
    else:
        state = printable(connection.state or "READY")
        rt.out.line(f"now using {printable(connection.id)} ({state})")
    if not connection.usable:
        rt.out.note("smstui: this connection cannot be used yet: run 'smstui connect'")
        return 3
    return 0


async def connections_forget(rt: Runtime) -> int:
    if not rt.settings.sandbox and not rt.settings.has_credentials:
        # nothing can be remembered for credentials nobody gave: say so, touch nothing
        if rt.out.json_mode:
            rt.out.emit_json({"forgotten": False})
        else:
            rt.out.line("no Membrane credentials are configured: no connection is remembered")
        return 0
    session = await rt.session()
    session.resolver.drop_cached()
    if rt.out.json_mode:
        rt.out.emit_json({"forgotten": True})
    else:
        rt.out.line("forgot the remembered connection; the next command finds or creates one")
    return 0


async def actions_list(rt: Runtime) -> int:
    cid = await rt.connection_id()
    items = await (await rt.client()).list_actions(cid, intent=rt.args.intent, limit=rt.args.limit)
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
    key = checked_key(rt.args.key)  # an empty key is refused before any request
    payload = _json_arg(rt.args.input, "--input")
    if not isinstance(payload, dict):
        raise UsageError("--input must be a JSON object")
    cid = await rt.connection_id()
    run = await run_by_key(await rt.client(), cid, key, payload)
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
    a = rt.args
    data: Any = None
    if a.json_body is not None:
        data = _json_arg(a.json_body, "--json-body")
    elif a.data is not None:
        data = body_from_text(a.data, raw=a.raw_data)  # JSON text is parsed, as membrane -d
    headers = parse_pairs(a.header, ":", "header")
    query = parse_pairs(a.query, "=", "--query")
    params = parse_pairs(a.path_param, "=", "--path-param")
    session = await rt.session()
    cid = await session.connection_id()
    routes = session.request_routes()
    known = routes.route_for(cid)
    response = await send_request(
        session.client,
        cid,
        a.path,
        method=a.method,
        query=query or None,
        headers=headers or None,
        data=data,
        path_parameters=params or None,
        memory=routes,
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


HANDLERS = {
    "connect": connect,
    "connections list": connections_list,
    "connections use": connections_use,
    "connections forget": connections_forget,
    "actions list": actions_list,
    "actions run": actions_run,
    "request": request,
}
