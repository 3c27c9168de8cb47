"""``smstui doctor``: what is wrong with this setup, and what to do about it.

The checks run in a fixed order and each gives one ``CheckResult`` (no printing here: the CLI
and the app show the same list). A check that needs an earlier one that failed (no
credentials, no connection) is reported "not checked", never passed. Checks only read, with
one exception that every command makes too: a single usable ClickSend connection found
here is remembered, as connecting would. What ``--fix`` may change is in ``doctor_fixes``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import jwt

from smstui.core.clicksend import poll_rules
from smstui.core.clicksend.mms_voice import MmsVoiceService
from smstui.core.clicksend.sms import SmsService
from smstui.core.config import Settings, app_dirs
from smstui.core.delivery.sync_channels import fact_name, is_refusal
from smstui.core.doctor_local import (
    CheckResult as CheckResult,
)
from smstui.core.doctor_local import (
    crash_reports,
    not_checked,
    outside_app_dirs,
    permissions,
    store_integrity,
)
from smstui.core.errors import AuthError, MembraneNotFound, SmstuiError
from smstui.core.membrane.client import CLICKSEND_CONNECTOR_QUERY
from smstui.core.models import Connection
from smstui.core.session import Session
from smstui.core.store.schema import default_db_path

#: a server clock further off than this makes token expiry and schedules unreliable
MAX_SKEW = 60.0
#: the names of the checks, in the order they run (``--json``'s ``check`` field)
CHECKS = (
    "credentials",
    "tenant",
    "connection",
    "path_prefix",
    "account",
    "poll_rule_inbound",
    "poll_rule_receipt",
    "mms",
    "voice",
    "store_integrity",
    "permissions",
    "clock",
    "crash_log",
)


@dataclass
class _Run:
    session: Session
    results: list[CheckResult] = field(default_factory=list)
    service: SmsService | None = None

    def add(self, result: CheckResult) -> None:
        self.results.append(result)


def unconfigured_checks(settings: Settings, store_path: Path | None = None) -> list[CheckResult]:
    """The checks when no credentials are configured (no session needed): the local ones
    run, every remote one is "not checked"."""
    results = [_credentials(settings, sandbox=False), _tenant(settings, sandbox=False)]
    results += [not_checked(c, "no credentials") for c in CHECKS[2 : CHECKS.index("voice") + 1]]
    path = store_path or default_db_path()
    results += [store_integrity(path), permissions([*app_dirs(), *outside_app_dirs(path)])]
    return [*results, not_checked("clock", "no credentials"), crash_reports()]


async def run_checks(session: Session, *, store_path: Path | None = None) -> list[CheckResult]:
    """Every check, in ``CHECKS`` order. ``store_path``: the store to look at (default: the
    session's, else the default location)."""
    # the app opens on the sandbox when nothing is configured: that is not "credentials ok"
    sandbox = session.on_sandbox and session.settings.sandbox
    if not sandbox and not session.settings.has_credentials:
        return unconfigured_checks(session.settings, store_path or session.store_path)
    run = _Run(session)
    credentials = _credentials(session.settings, sandbox=sandbox)
    connection, accepted = await _connection(session)
    if accepted is False:
        credentials = CheckResult(
            "credentials",
            False,
            credentials.detail + "; refused by Membrane (401)",
            "Get a new token (Membrane console, or `membrane token`), or set the "
            "workspace key and secret; then run `smstui connect`.",
        )
    run.add(credentials)
    run.add(_tenant(session.settings, sandbox=sandbox))
    run.add(connection)
    if connection.ok:
        run.service = await session.service()
        account = await _account(run.service)
        run.add(_prefix(run.service, account.ok))
        run.add(account)
        if account.ok:
            for result in await _poll_rules(session, run.service):
                run.add(result)
            channels = MmsVoiceService(run.service)
            run.add(await _channel(session, "mms", channels))
            run.add(await _channel(session, "voice", channels))
        else:
            for check in CHECKS[CHECKS.index("poll_rule_inbound") : CHECKS.index("voice") + 1]:
                run.add(not_checked(check, "the account could not be read"))
    else:
        for check in CHECKS[CHECKS.index("path_prefix") : CHECKS.index("voice") + 1]:
            run.add(not_checked(check, "no usable connection"))
    path = store_path or session.store_path or default_db_path()
    run.add(store_integrity(path))
    run.add(permissions([*app_dirs(), *outside_app_dirs(path)]))
    run.add(clock_skew(session))
    run.add(crash_reports())
    return run.results


# --------------------------------------------------------------------------- credentials


def token_expiry(token: str) -> float | None:
    """The ``exp`` of a JWT (read, not verified: only Membrane can verify it); None if the
    token is not a JWT or carries no expiry."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def _in_words(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def _credentials(s: Settings, *, sandbox: bool) -> CheckResult:
    if sandbox:
        return CheckResult(
            "credentials", True, "sandbox: none needed (nothing leaves this machine)"
        )
    if s.token:
        exp = token_expiry(s.token)
        if exp is None:
            return CheckResult("credentials", True, "Membrane token (not a JWT: no expiry to read)")
        left = exp - time.time()
        if left <= 0:
            return CheckResult(
                "credentials",
                False,
                f"Membrane token expired {_in_words(left)} ago",
                "Get a new token (Membrane console, or `membrane token`), or set "
                "MEMBRANE_WORKSPACE_KEY and MEMBRANE_WORKSPACE_SECRET so smstui mints its own.",
            )
        return CheckResult(
            "credentials", True, f"Membrane token (JWT, expires in {_in_words(left)})"
        )
    if s.workspace_key and s.workspace_secret:
        return CheckResult(
            "credentials", True, "workspace key and secret (tokens minted and renewed here)"
        )
    return CheckResult(
        "credentials",
        False,
        "no Membrane credentials configured",
        "Run `smstui connect`, or set MEMBRANE_TOKEN (or MEMBRANE_WORKSPACE_KEY and "
        "MEMBRANE_WORKSPACE_SECRET); `smstui --sandbox doctor` tries the sandbox.",
    )


def _tenant(s: Settings, *, sandbox: bool) -> CheckResult:
    if sandbox:
        return CheckResult("tenant", True, "sandbox")
    if s.token:
        try:
            claims = jwt.decode(s.token, options={"verify_signature": False})
        except jwt.PyJWTError:
            claims = {}
        tenant = claims.get("tenantKey") or claims.get("id")
        shown = str(tenant) if isinstance(tenant, str) and tenant else "default"
        return CheckResult("tenant", True, f"{shown} (from the token)")
    if s.workspace_key:
        return CheckResult("tenant", True, s.tenant_key or "default")
    return CheckResult("tenant", True, "default")


# --------------------------------------------------------------------------- connection


async def _connection(session: Session) -> tuple[CheckResult, bool | None]:
    """(the connection check, whether Membrane accepted the credentials: None = unknown)."""
    cached = session.cache.get(session.api_url, session.identity)
    wanted = session.settings.connection_id or (cached.connection_id if cached else None)
    try:
        if wanted is None:
            return await _find_connection(session), True
        connection = await session.client.get_connection(wanted)
    except AuthError:
        return not_checked("connection", "Membrane refused the credentials"), False
    except MembraneNotFound:
        remembered = wanted != session.settings.connection_id
        return CheckResult(
            "connection",
            False,
            f"connection {wanted} no longer exists in Membrane",
            "`smstui doctor --fix` forgets it; then `smstui connect` makes a new one."
            if remembered
            else "Fix --connection / SMSTUI_CONNECTION_ID, or leave it out.",
            repair="forget_connection" if remembered else None,
        ), True
    except SmstuiError as err:
        return CheckResult("connection", False, f"cannot read it: {err}", err.hint), None
    return _connection_state(connection), True


def _connection_state(connection: Connection) -> CheckResult:
    state = connection.state or "READY"
    if connection.usable:
        return CheckResult("connection", True, f"{connection.id} ({state})")
    action = connection.client_action
    fix = "Run `smstui connect` to repair it"
    if action is not None and action.ui_url:
        fix += f" (or open {action.ui_url})"
    return CheckResult(
        "connection",
        False,
        f"{connection.id} is {state}" + (" and defunct" if connection.is_defunct else ""),
        fix + ".",
    )


async def _find_connection(session: Session) -> CheckResult:
    """No connection chosen yet: look (without creating anything) for ClickSend ones."""
    connectors = await session.client.search_connectors(CLICKSEND_CONNECTOR_QUERY)
    if not connectors:
        return CheckResult(
            "connection",
            False,
            "no ClickSend connector in this Membrane workspace",
            "Add the ClickSend app in the Membrane console, then run `smstui connect`.",
        )
    found = await session.client.list_connections(connector_id=connectors[0].id)
    usable = [c for c in found if c.usable]
    if len(usable) == 1:
        # what connecting would do with a single usable connection: remember it
        session.cache.put(session.api_url, session.identity, usable[0].id)
        return _connection_state(usable[0])
    if usable:
        return CheckResult(
            "connection",
            False,
            f"{len(usable)} usable ClickSend connections and none chosen",
            "Run `smstui connect` to choose one.",
        )
    if found:
        return _connection_state(found[0])
    return CheckResult(
        "connection",
        False,
        "no ClickSend connection in this tenant",
        "Run `smstui connect` (a connection made with the Membrane CLI belongs to the tenant "
        "of `membrane login`: use the same tenant key).",
    )


# --------------------------------------------------------------------------- ClickSend


async def _account(service: SmsService) -> CheckResult:
    try:
        account = await service.account()
    except SmstuiError as err:
        return CheckResult(
            "account",
            False,
            f"ClickSend would not show the account: {err}",
            err.hint or "Reconnect ClickSend with `smstui connect` (the API key may be wrong).",
        )
    currency = account.currency.code if account.currency else ""
    detail = f"{account.username}, balance {account.balance} {currency}".rstrip()
    if account.balance <= 0:
        return CheckResult(
            "account", False, detail, "Top up the ClickSend account: sends fail without credit."
        )
    return CheckResult("account", True, detail)


def _prefix(service: SmsService, account_read: bool) -> CheckResult:
    if service.prefix_confirmed:
        shown = service.prefix or "(none: paths without /v3)"
        return CheckResult("path_prefix", True, f"learnt: {shown}")
    return CheckResult(
        "path_prefix",
        False,
        "not learnt (no ClickSend read has worked yet)"
        if not account_read
        else "not learnt although the account was read",
        "Fix the account check first; the prefix is learnt from the first read that works.",
    )


async def _poll_rules(session: Session, service: SmsService) -> list[CheckResult]:
    try:
        rules = await poll_rules.read(service, session.facts(), refresh=True)
    except SmstuiError as err:
        return [
            CheckResult(f"poll_rule_{k}", False, f"cannot read the rules: {err}", err.hint)
            for k in ("inbound", "receipt")
        ]
    if rules is None:
        return [
            CheckResult(
                f"poll_rule_{k}",
                False,
                "ClickSend would not show the automation rules",
                "Check SMS automations in the ClickSend dashboard: "
                f"{poll_rules.WHAT[k]} are listed only with an enabled POLL rule.",
            )
            for k in ("inbound", "receipt")
        ]
    out = []
    for kind in ("inbound", "receipt"):
        what = poll_rules.WHAT[kind]
        if getattr(rules, kind):
            out.append(CheckResult(f"poll_rule_{kind}", True, f"enabled: {what} are listed"))
        else:
            out.append(
                CheckResult(
                    f"poll_rule_{kind}",
                    False,
                    f"no enabled POLL rule: ClickSend will not list {what}",
                    "`smstui doctor --fix` creates one (or add it in the ClickSend dashboard).",
                    repair="poll_rules",
                )
            )
    return out


async def _channel(session: Session, channel: str, service: MmsVoiceService) -> CheckResult:
    """One cheap read of the channel's history: refused means not enabled for the account."""
    read = service.mms_history if channel == "mms" else service.voice_history
    name = "MMS" if channel == "mms" else "voice"
    try:
        await read(page=1, limit=1)
    except SmstuiError as err:
        if is_refusal(err):
            return CheckResult(
                channel,
                False,
                f"{name} refused by ClickSend: {err}",
                f"Ask ClickSend (dashboard or support) to enable {name} for this account; "
                "SMS keeps working meanwhile.",
            )
        return CheckResult(channel, False, f"{name} read failed: {err}", err.hint)
    # it works now: forget a refusal remembered by an earlier sync, so sync reads it again
    session.facts().forget(fact_name(channel))
    return CheckResult(channel, True, f"{name} available")


def clock_skew(session: Session) -> CheckResult:
    seen = session.client.server_date
    if seen is None:
        return not_checked("clock", "no answer from the server carried a Date header")
    header, at = seen
    try:
        server = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return not_checked("clock", "the server's Date header could not be read")
    if server.tzinfo is None:
        server = server.replace(tzinfo=UTC)
    skew = server.timestamp() - at
    local = datetime.fromtimestamp(at, UTC)
    direction = "behind" if skew > 0 else "ahead of"
    detail = f"this machine is {_in_words(skew)} {direction} the server ({local:%H:%M:%S} UTC)"
    if abs(skew) <= MAX_SKEW:
        return CheckResult("clock", True, f"within {MAX_SKEW:.0f} s of the server")
    return CheckResult(
        "clock",
        False,
        detail,
        "Set the clock right (e.g. `timedatectl set-ntp true`): tokens and schedules use it.",
    )
