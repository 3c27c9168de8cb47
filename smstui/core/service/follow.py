"""Following replies as they arrive, and running a command for each one.

``ReplyFollower.replies()`` polls ClickSend's inbound list every ``interval`` seconds and
yields each new reply once: a reply is claimed in the store before it is yielded
(``smstui.core.store.handed``), so a follower killed and started again does not hand it again.
Rate limits (429) and server errors (5xx, network) do not end it: it waits longer each time
(doubling up to ``MAX_BACKOFF``, at least what Retry-After asks) and reports each failure
through ``on_error``. Errors that waiting cannot fix (credentials, a damaged store) end it.

``CommandRunner`` runs a user's command for a reply: split like a shell would (``shlex``)
but never through a shell, the reply as JSON on its standard input (untrusted text is data,
never part of a command line), ``SMSTUI_FROM`` and ``SMSTUI_MESSAGE_ID`` in its environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shlex
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smstui.core.errors import (
    ClickSendError,
    MalformedResponseError,
    MembraneError,
    NetworkError,
    RateLimitedError,
    SmstuiError,
    UsageError,
)
from smstui.core.service.results import Reply, reply_of

if TYPE_CHECKING:
    from smstui.core.service.workspace import Workspace

#: the longest pause between two polls after failures (seconds)
MAX_BACKOFF = 300.0
#: environment variables a reply's command never inherits: it needs no Membrane credential
SCRUBBED_ENV = ("MEMBRANE_TOKEN", "MEMBRANE_WORKSPACE_SECRET")
_ENV_SAFE = re.compile(r"[^A-Za-z0-9+._ -]")


def retry_wait(err: SmstuiError) -> float | None:
    """How long at least to wait before polling again after ``err`` (0: no minimum), or None
    when waiting cannot help (the follower must stop and say why)."""
    if isinstance(err, RateLimitedError):
        return err.retry_after or 0.0
    if isinstance(err, NetworkError | MalformedResponseError):
        return 0.0
    if isinstance(err, MembraneError) and err.status >= 500:
        return 0.0
    if isinstance(err, ClickSendError) and err.http_status >= 500:
        return 0.0
    return None


class ReplyFollower:
    def __init__(
        self,
        ws: Workspace,
        *,
        consumer: str = "follow",
        interval: float = 10.0,
        max_backoff: float = MAX_BACKOFF,
        on_error: Callable[[SmstuiError, float], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        if not interval > 0:  # also refuses NaN
            raise UsageError("the interval must be more than 0 seconds")
        self._ws = ws
        self.consumer = consumer
        self.interval = interval
        self.max_backoff = max(max_backoff, interval)
        self._on_error = on_error
        self._sleep = sleep
        self._stop = asyncio.Event()
        self.failures = 0

    def stop(self) -> None:
        """End the loop: the reply being handled is finished, no further one is handed."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def next_delay(self, err: SmstuiError | None) -> float:
        """The pause before the next poll: the interval, or a growing one after failures."""
        if err is None:
            self.failures = 0
            return self.interval
        self.failures += 1
        floor = retry_wait(err) or 0.0
        grown = self.interval * float(2 ** min(self.failures, 16))
        return float(min(self.max_backoff, max(grown, floor)))

    async def replies(self) -> AsyncIterator[Reply]:
        queue = self._ws._store().handed_replies(self.consumer)
        queue.start()
        while not self.stopped:
            failure: SmstuiError | None = None
            try:
                await self._ws.replies.sync()
            except SmstuiError as err:
                if retry_wait(err) is None:
                    raise
                failure = err
            delay = self.next_delay(failure)
            if failure is not None and self._on_error is not None:
                self._on_error(failure, delay)
            # also after a failed poll: another process may have synced replies meanwhile
            for message in queue.pending():
                if self.stopped:
                    return
                if queue.claim(message.message_id):
                    yield reply_of(message)
            queue.settle()
            await self._pause(delay)

    async def _pause(self, seconds: float) -> None:
        if self._sleep is not None:
            # tests: a fake clock; stop() is still honoured at the next check
            await self._sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)


# --------------------------------------------------------------------------- running commands


def split_command(command: str) -> list[str]:
    """``command`` split like a POSIX shell would split it (quotes, escapes), never run by
    one; ``UsageError`` when it is empty, unbalanced or names no program found on PATH."""
    try:
        argv = shlex.split(command)
    except ValueError as err:
        raise UsageError(f"cannot read the command: {err}") from None
    if not argv:
        raise UsageError("the command is empty")
    if shutil.which(argv[0]) is None:
        raise UsageError(
            f"no program {argv[0]!r} found",
            hint="Give the program's full path, or check that it is on PATH.",
        )
    return argv


def reply_env(reply: Reply, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The command's environment: ours without Membrane secrets, plus the reply's sender and
    id (reduced to the characters a number or an id may hold: it is untrusted text)."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in SCRUBBED_ENV}
    env["SMSTUI_FROM"] = _ENV_SAFE.sub("", reply.sender)[:64]
    env["SMSTUI_MESSAGE_ID"] = _ENV_SAFE.sub("", reply.message_id)[:64]
    return env


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    reply: Reply
    returncode: int | None  # None when the command could not be started
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def describe(self) -> str:
        if self.returncode is None:
            return f"reply {self.reply.message_id}: the command could not run: {self.error}"
        if self.returncode < 0:
            return f"reply {self.reply.message_id}: the command was killed by signal {-self.returncode}"
        return f"reply {self.reply.message_id}: the command exited with status {self.returncode}"


class CommandRunner:
    """Runs one command per reply, one at a time (the caller awaits each run)."""

    def __init__(
        self, argv: list[str], *, env: Mapping[str, str] | None = None, stdout: int | None = None
    ) -> None:
        """``stdout``: a file descriptor for the command's output (None: ours; ``--json``
        sends it to stderr so that standard output stays one JSON object a line)."""
        self.argv = list(argv)
        self._env = env
        self._stdout = stdout

    async def run(self, reply: Reply) -> CommandOutcome:
        payload = (json.dumps(reply.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=self._stdout,
                env=reply_env(reply, self._env),
            )
        except OSError as err:
            return CommandOutcome(reply, None, err.strerror or str(err))
        try:
            await proc.communicate(payload)
        except (BrokenPipeError, ConnectionResetError):
            # the command did not read its input: its exit status still says how it went
            await proc.wait()
        except asyncio.CancelledError:
            # we are being torn down: do not leave the command running unattended
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise
        return CommandOutcome(reply, proc.returncode)
