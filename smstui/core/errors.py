"""Typed errors raised by the core.

Every error the core lets escape is a ``SmstuiError``: callers (TUI, CLI) show ``str(err)``
and ``err.hint`` and never a traceback. Messages never contain tokens or keys: anything that
could echo a request header is scrubbed by ``redact`` before it is stored in an exception.
"""

from __future__ import annotations

from typing import Any


class SmstuiError(Exception):
    """Base of every error the core raises on purpose."""

    #: one-line advice: what the user can do about it
    hint: str = ""
    #: process exit code the CLI uses for this kind of error
    exit_code: int = 1
    #: Membrane's id of the action run that failed (``/act`` error bodies carry it): users
    #: look the run up in Membrane's console by it
    action_run_id: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(SmstuiError):
    """The caller asked for something impossible (bad flag, bad config value)."""

    exit_code = 2


class ValidationError(UsageError):
    """User input was rejected before anything was sent (number, body, schedule...)."""

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.field = field


class OptedOutError(ValidationError):
    """Some recipients replied STOP (or were added to the opt-out list): nothing was recorded
    or sent. ``numbers`` are the opted-out recipients (E.164), in the order given."""

    def __init__(self, numbers: tuple[str, ...] | list[str], *, hint: str | None = None) -> None:
        self.numbers = tuple(numbers)
        shown = ", ".join(self.numbers[:10])
        more = f" and {len(self.numbers) - 10} more" if len(self.numbers) > 10 else ""
        which = "has" if len(self.numbers) == 1 else "have"
        super().__init__(
            f"{shown}{more} {which} opted out (asked not to be messaged); nothing was sent",
            field="to",
            hint=hint
            or (
                "Remove them from the recipients. For a transactional message they agreed "
                "to receive, send it with the include-opted-out override (CLI: "
                "--include-opted-out)."
            ),
        )


class LastPollRuleError(UsageError):
    """Disabling or deleting this rule would leave no enabled POLL rule of its kind, and
    ClickSend would stop listing replies (or receipts): the caller must confirm first."""

    def __init__(self, kind: str, rule_id: str, action: str) -> None:
        self.kind = kind
        self.rule_id = rule_id
        what = "replies" if kind == "inbound" else "delivery receipts"
        super().__init__(
            f"rule {rule_id} is the last enabled POLL rule for {what}: {action} it and "
            f"ClickSend stops listing {what}, so none would arrive in smstui",
            hint=f"Confirm to {action} it anyway (CLI: --yes).",
        )


class ConfigError(UsageError):
    """Missing or contradictory configuration."""


class AuthError(SmstuiError):
    """Membrane refused the token (401/403)."""

    exit_code = 3
    hint = "Check MEMBRANE_TOKEN (or the workspace key and secret), then try again."


class NoCredentialsError(AuthError):
    """A command that needs ClickSend was run with no Membrane credentials configured.

    Never a silent fall back to the sandbox: a cron job missing ``MEMBRANE_TOKEN`` must fail,
    not report sends that never left the machine.
    """

    hint = (
        "run 'smstui connect', or set MEMBRANE_TOKEN (or MEMBRANE_WORKSPACE_KEY and "
        "MEMBRANE_WORKSPACE_SECRET); to try smstui without an account, add --sandbox "
        "or set SMSTUI_SANDBOX=1"
    )

    def __init__(self, message: str = "no Membrane credentials are configured") -> None:
        super().__init__(message)


class NotFoundError(SmstuiError):
    exit_code = 4


class NetworkError(SmstuiError):
    """The request could not be made or its answer was lost.

    ``may_have_reached_server`` is False only when we know nothing left this machine
    (connection refused, DNS failure): then even a send may be retried.
    """

    exit_code = 5
    hint = "Check the network connection and try again."

    def __init__(
        self, message: str, *, may_have_reached_server: bool, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.may_have_reached_server = may_have_reached_server


class RequestTimeout(NetworkError):
    def __init__(self, message: str, *, may_have_reached_server: bool = True) -> None:
        super().__init__(message, may_have_reached_server=may_have_reached_server)


class RateLimitedError(SmstuiError):
    exit_code = 5
    hint = "Too many requests: wait a little and try again."

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SendOutcomeUnknown(SmstuiError):
    """A non-idempotent request may have reached the server; it must be reconciled."""

    exit_code = 6
    hint = "The message may have been sent. smstui will check before sending it again."


class StoreError(SmstuiError):
    """The local message store cannot be used: damaged, on a full disk, read-only, locked.

    ``path`` is the file concerned and ``problem`` a stable name for what is wrong (see
    ``smstui.core.store.errors``); the message names the file, the hint says what to run.
    """

    exit_code = 7
    hint = "Run 'smstui store check' to see what is wrong."

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        path: str | None = None,
        problem: str = "error",
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.problem = problem


class StoreUnreachable(StoreError):
    """The team database (``database_url``) cannot be reached or refuses the login."""

    exit_code = 3


class MalformedResponseError(SmstuiError):
    """The server answered with something we cannot read."""

    exit_code = 5
    hint = "The server sent an unexpected answer; try again later."


class MembraneError(SmstuiError):
    """An error body from Membrane (``{"type", "key", "message", ...}``) or a bare HTTP error."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        status: int,
        type: str | None = None,
        key: str | None = None,
        data: Any = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.type = type
        self.key = key
        self.data = data


class MembraneAuthError(MembraneError, AuthError):
    exit_code = 3


class MembraneNotFound(MembraneError, NotFoundError):
    exit_code = 4


class ConnectionUnusable(SmstuiError):
    """The ClickSend connection exists but cannot be used until the user acts."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        connection_id: str,
        state: str | None,
        ui_url: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.connection_id = connection_id
        self.state = state
        self.ui_url = ui_url


class ClickSendError(SmstuiError):
    """ClickSend answered with a non-success envelope (through the proxy)."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int,
        response_code: str | None = None,
        data: Any = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.http_status = http_status
        self.response_code = response_code
        self.data = data
        if http_status in (401, 403):
            self.exit_code = 3
        elif http_status == 404:
            self.exit_code = 4


def redact(text: str, *secrets: str | None) -> str:
    """Replace every occurrence of each non-empty secret in ``text`` with ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
