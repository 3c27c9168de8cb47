"""connect and connections: which ClickSend connection smstui uses, and setting it up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smstui.cli.argtree import actions, command
from smstui.cli.runtime import Runtime
from smstui.core.errors import ConnectionUnusable, UsageError
from smstui.core.safe_text import printable

if TYPE_CHECKING:
    from smstui.core.models import Connection


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


async def _repair(rt: Runtime, err: ConnectionUnusable) -> Connection:
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
    return await rt.ws.membrane.reconnect_same(err.connection_id)


async def connect(rt: Runtime) -> int:
    a = rt.args
    if a.poll <= 0 or a.timeout <= 0:
        raise UsageError("--poll and --timeout must be positive")
    from smstui.cli.connect_setup import prepare

    prepare(rt)  # credentials (asked for on a terminal) and the tenant
    membrane = rt.ws.membrane
    membrane.talk_through(TerminalConnectUI(rt), poll_interval=a.poll, deadline=a.timeout)

    def gone(connection_id: str) -> None:
        rt.out.note(f"the remembered connection {printable(connection_id)} no longer exists")

    try:
        # a remembered connection that is gone or needs attention is forgotten and found
        # again, so the resolver walks a new one through its states
        connection = await membrane.current_connection(gone)
        if not connection.usable:
            raise _unusable(connection)
    except ConnectionUnusable as err:
        connection = await _repair(rt, err)
    if rt.out.json_mode:
        rt.out.emit_json(_conn_doc(connection))
    else:
        state = printable(connection.state or "READY")
        rt.out.line(f"connected: {printable(connection.id)} ({state})")
    return 0 if connection.usable else 3


async def connections_list(rt: Runtime) -> int:
    items = await rt.ws.membrane.connections()
    if rt.out.json_mode:
        rt.out.emit_json([_conn_doc(c) for c in items])
    else:
        rt.out.table(
            ["ID", "NAME", "STATE", "USABLE"],
            [[c.id, c.name, c.state or "", "yes" if c.usable else "no"] for c in items],
        )
    return 0


async def connections_use(rt: Runtime) -> int:
    connection = await rt.ws.membrane.use_connection(rt.args.connection_id)
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
    rt.ws.membrane.forget_connection()
    if rt.out.json_mode:
        rt.out.emit_json({"forgotten": True})
    else:
        rt.out.line("forgot the remembered connection; the next command finds or creates one")
    return 0


def register(sub: Any) -> None:
    p = command(
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
        handler=connect,
        needs_credentials=False,
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
    c = command(
        sub,
        "connections",
        "list, choose or forget the ClickSend connection",
        "  smstui connections list\n  smstui connections use conn_123\n  smstui connections forget",
    )
    cs = actions(c)
    command(
        cs,
        "list",
        "list ClickSend connections",
        "  smstui --json connections list",
        handler=connections_list,
    )
    p = command(
        cs,
        "use",
        "remember this connection",
        "  smstui connections use conn_123",
        handler=connections_use,
    )
    p.add_argument("connection_id", metavar="ID")
    command(
        cs,
        "forget",
        "forget the remembered connection",
        "  smstui connections forget",
        handler=connections_forget,
        needs_credentials=False,
    )
