"""``smstui`` command line: headless commands; with no command, the full-screen app."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from smstui.cli.output import SANDBOX_NOTICE, Output
from smstui.cli.parser import build_parser, parse_args
from smstui.cli.runtime import Runtime, settings_from_args
from smstui.core.errors import NoCredentialsError, SmstuiError

if TYPE_CHECKING:
    from smstui.cli.argtree import Handler
    from smstui.core.sandbox import SandboxWorld

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, *, world: SandboxWorld | None = None) -> int:
    """Run one command; returns the exit code (the console script exits with it).

    ``world``: the sandbox that sandbox mode talks to (tests and embedding keep one world
    across several commands; by default each run gets a fresh one).
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    out = Output(json_mode="--json" in args_list)
    settings: Any = None
    try:
        args = parse_args(args_list)
        out.json_mode = bool(getattr(args, "json", False))
        settings = settings_from_args(args)
        if args.command is None:
            return _open_tui(settings, out)
        key = args.command + (f" {args.action}" if getattr(args, "action", None) else "")
        if settings.sandbox and key != "sandbox serve":
            # said on every run: a sandbox result must never pass for a real one
            out.sandbox = True
            out.note(SANDBOX_NOTICE)
        elif not settings.has_credentials and args.needs_credentials:
            raise NoCredentialsError()
        rt = Runtime(args, out, settings, world=world)
        import asyncio  # here, not at the top: `smstui --help` never needs it

        return asyncio.run(_run(args.handler, rt))
    except SmstuiError as err:
        out.error(err)
        return err.exit_code
    except KeyboardInterrupt:
        out.note("smstui: interrupted")
        return 130
    except BrokenPipeError:
        return 1
    except Exception as err:  # a bug: one line and a crash log, never a traceback with locals
        return _crashed(err, out, settings)


def _crashed(err: Exception, out: Output, settings: Any) -> int:
    from smstui.core.crash_log import crash_line, write_crash_log

    sqlite3 = sys.modules.get("sqlite3")  # loaded if the store was touched at all
    if sqlite3 is not None and isinstance(err, sqlite3.Error):
        # a store failure that slipped past the store's own handling: still one clear line
        from smstui.core.service.store_health import store_failure

        store_err = store_failure(err)
        out.error(store_err)
        return store_err.exit_code

    secrets = (
        getattr(settings, "token", None),
        getattr(settings, "workspace_secret", None),
        getattr(settings, "database_url", None),  # may hold the team database's password
    )
    path = write_crash_log(err, where="a command", secrets=secrets)
    if out.json_mode:
        out.emit_json(
            {
                "error": "internal",
                "message": f"internal error ({type(err).__name__})",
                "crash_log": None if path is None else str(path),
                "exit_code": 1,
            }
        )
    out.stderr.write(crash_line(path, err) + "\n")
    return 1


async def _run(handler: Handler, rt: Runtime) -> int:
    try:
        return await handler(rt)
    finally:
        await rt.aclose()


def _open_tui(settings: Any, out: Output) -> int:
    try:
        from smstui.ui.app import run_app
    except ImportError as err:
        out.note(f"smstui: the full-screen app is not available ({err}).")
        build_parser().print_help(out.stdout)
        return 0
    return int(run_app(settings) or 0)
