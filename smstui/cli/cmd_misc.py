"""config locate | show, sandbox serve."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from smstui.cli.runtime import Runtime
from smstui.core import config
from smstui.core.crash_log import crash_log_path
from smstui.core.errors import UsageError
from smstui.core.safe_text import printable


async def locate(rt: Runtime) -> int:
    paths = {
        "config_file": config.config_path(),
        "credentials_file": config.credentials_path(),
        "config_dir": config.config_dir(),
        "data_dir": config.data_dir(),
        "cache_dir": config.cache_dir(),
        "crash_log": crash_log_path(),
    }
    if rt.out.json_mode:
        rt.out.emit_json({k: str(v) for k, v in paths.items()})
    else:
        for k, v in paths.items():
            rt.out.field(k.replace("_", " "), str(v))
    return 0


async def show(rt: Runtime) -> int:
    masked = rt.settings.masked()  # secrets are masked by config itself
    if rt.out.json_mode:
        rt.out.emit_json(masked)
    else:
        for k, v in masked.items():
            rt.out.field(k, v)
    return 0


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


HANDLERS = {"config locate": locate, "config show": show, "sandbox serve": serve}
