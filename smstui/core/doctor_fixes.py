"""What ``smstui doctor --fix`` may repair: only changes that are safe to make unattended
once the user agreed (the front-end asks before each one, or was told ``--yes``).

* ``poll_rules``: create the missing POLL automation rules (rules are re-read first, so a
  rule made meanwhile elsewhere is not duplicated: duplicates list every reply twice);
* ``permissions``: make smstui's files 0600 and folders 0700;
* ``forget_connection``: drop a remembered connection Membrane no longer has.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from smstui.core.config import app_dirs
from smstui.core.doctor import CheckResult
from smstui.core.errors import ConfigError
from smstui.core.privacy import ensure_private, tighten
from smstui.core.session import Session
from smstui.core.store.schema import database_files, default_db_path


@dataclass(frozen=True, slots=True)
class Repair:
    name: str
    #: the yes/no question put to the user before the repair is made
    question: str
    #: (the session, None when nothing is configured; the check results) -> what was done
    run: Callable[[Session | None, list[CheckResult]], Awaitable[str]]


def _needs(session: Session | None) -> Session:
    if session is None:
        raise ConfigError("this repair needs Membrane credentials", hint="Run `smstui connect`.")
    return session


async def _poll_rules(session: Session | None, results: list[CheckResult]) -> str:
    kinds = tuple(
        r.check.removeprefix("poll_rule_") for r in results if r.repair == "poll_rules" and not r.ok
    )
    created = await _needs(session).create_poll_rules(kinds)
    if not created:
        return "no POLL rule was missing any more: nothing created"
    shown = ", ".join(f"{r.kind} (rule {r.rule_id})" for r in created)
    return f"created POLL rule(s): {shown}"


async def _permissions(session: Session | None, results: list[CheckResult]) -> str:
    changed = [p.path for p in tighten(app_dirs())]
    store = (session.store_path if session else None) or default_db_path()
    if not any(store.is_relative_to(root) for root in app_dirs()):
        changed += [p for p in database_files(store) if ensure_private(p)]
    return f"made {len(changed)} path(s) owner-only" + _examples(changed)


def _examples(paths: list[Path]) -> str:
    return f" ({', '.join(str(p) for p in paths[:3])}{', …' if len(paths) > 3 else ''})"


async def _forget_connection(session: Session | None, results: list[CheckResult]) -> str:
    _needs(session).forget_connection()
    return "forgot the remembered connection; `smstui connect` makes or finds another"


REPAIRS: dict[str, Repair] = {
    "poll_rules": Repair(
        "poll_rules",
        "Create the missing POLL automation rule(s) in ClickSend?",
        _poll_rules,
    ),
    "permissions": Repair(
        "permissions",
        "Make smstui's files owner-only (files 0600, folders 0700)?",
        _permissions,
    ),
    "forget_connection": Repair(
        "forget_connection",
        "Forget the remembered connection that Membrane no longer has?",
        _forget_connection,
    ),
}


def repairs_for(results: list[CheckResult]) -> list[Repair]:
    """The repairs the failed checks call for, each once, in check order."""
    names: list[str] = []
    for r in results:
        if not r.ok and r.repair is not None and r.repair not in names:
            names.append(r.repair)
    return [REPAIRS[n] for n in names]
