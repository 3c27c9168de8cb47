"""sandbox serve: the simulated Membrane + ClickSend server on a loopback port."""

from __future__ import annotations

import contextlib
import signal
from typing import Any

from smstui.cli.argtree import actions, command
from smstui.cli.runtime import Runtime
from smstui.core.errors import UsageError
from smstui.core.safe_text import printable


async def serve(rt: Runtime) -> int:
    from smstui.core import sandbox

    a = rt.args
    if a.latency < 0:
        raise UsageError("--latency cannot be negative")
    if a.history_lag < 0:
        raise UsageError("--history-lag cannot be negative")
    if a.building < 0:
        raise UsageError("--building cannot be negative")
    if a.poll_rules < 0:
        raise UsageError("--poll-rules cannot be negative")
    refused: dict[str, str] = {}
    for item in a.refuse:
        channel, _, how = item.partition("=")
        if channel not in ("mms", "voice") or how not in ("403", "404", "not_enabled"):
            raise UsageError(
                f"--refuse {printable(item)}: expected CHANNEL=HOW",
                hint="e.g. --refuse voice=not_enabled (mms|voice = 403|404|not_enabled)",
            )
        refused[channel] = how
    world = sandbox.SandboxWorld(
        seed=a.seed,
        latency=a.latency / 1000,
        fresh_account=a.fresh_account,
        poll_rules=a.poll_rules,
        refused_channels=refused,
    )
    world.history_lag = a.history_lag
    if a.building:
        world.set_building(sandbox.DEFAULT_CONNECTION_ID, a.building)
    chaos = None
    if a.faults:
        from smstui.core.sandbox.chaos import ChaosPlan

        if not 0 <= a.faults <= 1:
            raise UsageError("--faults is a rate between 0 and 1", hint="e.g. --faults 0.2")
        chaos = ChaosPlan(rate=a.faults, seed=a.fault_seed)
    try:
        server = sandbox.serve(world, a.host, a.port, chaos=chaos)
    except ValueError as err:  # not a loopback address
        raise UsageError(str(err)) from None
    except OSError as err:
        raise UsageError(
            f"cannot listen on {printable(a.host)}:{a.port}: {err.strerror or err}",
            hint="Choose another --port.",
        ) from None
    url = f"http://{server.host}:{server.port}"
    account = "fresh account, " if a.fresh_account else ""
    rt.out.note(
        f"sandbox listening on {url} ({account}seed {a.seed}, latency {a.latency} ms); "
        f"try MEMBRANE_API_URL={url} MEMBRANE_TOKEN=sandbox smstui account; Ctrl-C stops"
    )
    if rt.out.json_mode:
        rt.out.emit_json(
            {
                "url": url,
                "seed": a.seed,
                "latency_ms": a.latency,
                "fresh_account": a.fresh_account,
                "refused_channels": world.refused_channels,
            }
        )
    rt.out.stdout.flush()
    # Ctrl-C and SIGTERM are the normal way to stop a server: exit 0 after closing the port
    import asyncio

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        server.close()
    rt.out.note("sandbox stopped")
    return 0


def register(sub: Any) -> None:
    s = command(
        sub,
        "sandbox",
        "run the simulated Membrane + ClickSend server",
        "  smstui sandbox serve --port 8765\n"
        "  MEMBRANE_API_URL=http://127.0.0.1:8765 MEMBRANE_TOKEN=test smstui account",
    )
    ss = actions(s)
    p = command(
        ss,
        "serve",
        "serve the sandbox on 127.0.0.1",
        "  smstui sandbox serve --port 8765 --latency 200 --seed 3\n"
        "  smstui sandbox serve --faults 0.3 --fault-seed 7\n"
        "  smstui sandbox serve --fresh-account\n"
        "  smstui sandbox serve --poll-rules 2 --refuse mms=403 --refuse voice=not_enabled",
        handler=serve,
        needs_credentials=False,
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
