"""config locate | show, sandbox serve."""

from __future__ import annotations

import asyncio

from smstui.cli.runtime import Runtime
from smstui.core import config
from smstui.core.errors import UsageError


async def locate(rt: Runtime) -> int:
    paths = {
        "config_file": config.config_path(),
        "credentials_file": config.credentials_path(),
        "config_dir": config.config_dir(),
        "data_dir": config.data_dir(),
        "cache_dir": config.cache_dir(),
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
    world = sandbox.SandboxWorld(seed=a.seed, latency=a.latency / 1000)
    chaos = None
    if a.faults:
        from smstui.core.sandbox.chaos import ChaosPlan

        if not 0 <= a.faults <= 1:
            raise UsageError("--faults is a rate between 0 and 1", hint="e.g. --faults 0.2")
        chaos = ChaosPlan(rate=a.faults, seed=a.fault_seed)
    server = sandbox.serve(world, a.host, a.port, chaos=chaos)
    rt.out.note(
        f"sandbox listening on http://{a.host}:{server.port} "
        f"(MEMBRANE_API_URL=http://{a.host}:{server.port} MEMBRANE_TOKEN=sandbox); Ctrl-C stops"
    )
    if rt.out.json_mode:
        rt.out.emit_json({"url": f"http://{a.host}:{server.port}"})
    rt.out.stdout.flush()
    try:
        await asyncio.Event().wait()
    finally:
        server.close()
    return 0


HANDLERS = {"config locate": locate, "config show": show, "sandbox serve": serve}
