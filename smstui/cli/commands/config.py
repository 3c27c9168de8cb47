"""config locate | show: where configuration lives and what it says."""

from __future__ import annotations

from typing import Any

from smstui.cli.argtree import actions, command
from smstui.cli.runtime import Runtime


async def locate(rt: Runtime) -> int:
    from smstui.core import config
    from smstui.core.crash_log import crash_log_path

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


def register(sub: Any) -> None:
    c = command(
        sub,
        "config",
        "where configuration lives and what it says",
        "  smstui config locate\n  smstui --json config show",
    )
    cs = actions(c)
    command(
        cs,
        "locate",
        "print the config, data and cache paths",
        "  smstui config locate",
        handler=locate,
        needs_credentials=False,
    )
    command(
        cs,
        "show",
        "print the settings (secrets masked)",
        "  smstui config show",
        handler=show,
        needs_credentials=False,
    )
