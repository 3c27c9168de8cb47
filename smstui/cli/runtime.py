"""What a command needs at run time: settings, output, and the core stack, built lazily.

The stack comes from ``smstui.core.session.open_session`` (the one way the CLI and the TUI
build it). A command that only prints paths never opens the database or sends a request.
With ``--sandbox`` (or ``SMSTUI_SANDBOX=1``) the client talks to an in-process sandbox world: a
fresh one for each CLI process unless a caller hands one in (tests). Without credentials and
without the sandbox, a command that needs ClickSend refuses (never a silent sandbox).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from smstui.cli.output import Output
from smstui.core.clicksend.mms_voice import MmsVoiceService
from smstui.core.clicksend.sms import SmsService
from smstui.core.config import Settings, load_settings
from smstui.core.errors import NoCredentialsError, UsageError
from smstui.core.membrane.client import MembraneClient
from smstui.core.membrane.connection import ConnectUI
from smstui.core.session import ResolverOptions, Session, open_session
from smstui.core.store.message_store import MessageStore

if TYPE_CHECKING:
    from smstui.core.sandbox import SandboxWorld


def settings_from_args(args: argparse.Namespace) -> Settings:
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
    _session: Session | None = field(default=None, repr=False)

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

    async def session(
        self, ui: ConnectUI | None = None, options: ResolverOptions | None = None
    ) -> Session:
        """The session (built on first use); ``ui`` makes connecting talk to the user."""
        if self._session is None:
            if not self.settings.sandbox and not self.settings.has_credentials:
                raise NoCredentialsError()  # never the sandbox by accident
            self._session = await open_session(
                self.settings, world=self.world, ui=ui, resolver_options=options
            )
            self.world = self._session.world
        elif ui is not None:
            self._session.use_ui(ui, options)
        return self._session

    async def client(self) -> MembraneClient:
        return (await self.session()).client

    async def connection_id(self) -> str:
        return await (await self.session()).connection_id()

    async def service(self) -> SmsService:
        return await (await self.session()).service()

    async def channels(self) -> MmsVoiceService:
        return MmsVoiceService(await self.service())

    async def store(self) -> MessageStore:
        return (await self.session()).store()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.aclose()
