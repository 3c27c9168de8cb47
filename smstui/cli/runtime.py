"""What a command needs at run time: settings, output, and the workspace, built lazily.

Every command reaches ClickSend, Membrane and the local store through one
``smstui.core.service.Workspace`` (the facade the TUI uses too). Constructing it does
nothing: a command that only prints paths never opens the database or sends a request.
With ``--sandbox`` (or ``SMSTUI_SANDBOX=1``) it talks to an in-process sandbox world: a
fresh one for each CLI process unless a caller hands one in (tests). Without credentials and
without the sandbox, a command that needs ClickSend refuses (never a silent sandbox).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from smstui.cli.output import Output
from smstui.core.errors import NoCredentialsError, UsageError

if TYPE_CHECKING:
    from smstui.core.config import Settings
    from smstui.core.sandbox import SandboxWorld
    from smstui.core.service import Workspace


def settings_from_args(args: argparse.Namespace) -> Settings:
    from smstui.core.config import load_settings

    flags: dict[str, object] = {
        "sandbox": True if getattr(args, "sandbox", False) else None,
        "connection_id": getattr(args, "connection", None),
        "tenant_key": getattr(args, "tenant", None),
    }
    return load_settings(flags)


@dataclass
class Runtime:
    args: argparse.Namespace
    out: Output
    settings: Settings
    #: the sandbox to use when on the sandbox (default: a fresh world per process)
    world: SandboxWorld | None = field(default=None, repr=False)
    _ws: Workspace | None = field(default=None, repr=False)

    @property
    def stdin_is_tty(self) -> bool:
        return sys.stdin.isatty()

    def ask(self, prompt: str) -> str:
        """A question on stderr (stdout stays clean for ``--json``), the answer from stdin."""
        self.out.stderr.write(prompt)
        self.out.stderr.flush()
        return sys.stdin.readline().strip()

    def confirm(self, prompt: str, *, what: str) -> bool:
        """``--yes``, else the answer on a terminal; never a silent yes without one."""
        if self.args.yes:
            return True
        if not self.stdin_is_tty:
            raise UsageError(
                f"refusing to {what} without confirmation: standard input is not a terminal",
                hint="Add --yes to go ahead without asking.",
            )
        return self.ask(prompt).lower() in ("y", "yes")

    def emit(self, doc: Any, headers: list[str], rows: list[list[Any]]) -> None:
        """``doc`` with ``--json``, else a table."""
        if self.out.json_mode:
            self.out.emit_json(doc)
        else:
            self.out.table(headers, rows)

    @property
    def configured(self) -> bool:
        """On the sandbox, or with Membrane credentials: a workspace can be opened."""
        return self.settings.sandbox or self.settings.has_credentials

    @property
    def ws(self) -> Workspace:
        """The workspace (built on first use; building it requests nothing)."""
        if self._ws is None:
            if not self.configured:
                raise NoCredentialsError()  # never the sandbox by accident
            from smstui.core.service import Workspace

            self._ws = Workspace.from_settings(self.settings, world=self.world)
        return self._ws

    async def aclose(self) -> None:
        if self._ws is not None:
            await self._ws.aclose()
