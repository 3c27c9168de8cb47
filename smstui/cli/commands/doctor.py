"""doctor: one line per check of the setup, ``--json``, and ``--fix`` for the safe repairs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smstui.cli.argtree import command
from smstui.cli.runtime import Runtime
from smstui.core.errors import SmstuiError
from smstui.core.safe_text import printable

if TYPE_CHECKING:
    from smstui.core.doctor import CheckResult


def _show(rt: Runtime, results: list[CheckResult]) -> None:
    if rt.out.json_mode:
        rt.out.emit_json([r.as_json() for r in results])
        return
    width = max(len(r.check) for r in results)
    for r in results:
        # details may quote server text: made inert like every other server answer
        line = f"{'ok' if r.ok else 'FAIL':<5} {r.check:<{width}}  {printable(r.detail)}"
        if not r.ok and r.fix:
            line += f" | fix: {printable(r.fix)}"
        rt.out.line(line)


async def _checks(rt: Runtime) -> list[CheckResult]:
    s = rt.settings
    if not s.sandbox and not s.has_credentials:
        # nothing configured: say so, without building a session (it would be the sandbox's)
        from smstui.core.doctor import unconfigured_checks

        return unconfigured_checks(s)
    return await rt.ws.doctor()


async def doctor(rt: Runtime) -> int:
    results = await _checks(rt)
    if not rt.out.json_mode:
        _show(rt, results)
    if rt.args.fix and await _repair(rt, results):
        # check everything again, and show that: the repairs changed what was found
        results = await _checks(rt)
        if not rt.out.json_mode:
            rt.out.line("after the repairs:")
            _show(rt, results)
    if rt.out.json_mode:
        _show(rt, results)
    failed = [r for r in results if not r.ok]
    if not rt.out.json_mode:
        rt.out.note(
            f"{len(failed)} of {len(results)} check(s) failed"
            if failed
            else f"all {len(results)} checks passed"
        )
    return 1 if failed else 0


async def _repair(rt: Runtime, results: list[CheckResult]) -> bool:
    """Make the safe repairs the failures call for, asking before each; True if any ran."""
    from smstui.core.doctor_fixes import repairs_for

    repairs = repairs_for(results)
    if not repairs:
        rt.out.note("doctor: nothing here can be repaired automatically")
        return False
    if not rt.args.yes and not rt.stdin_is_tty:
        rt.out.note(
            "doctor: not repairing anything: standard input is not a terminal to ask on "
            "(add --yes to repair without asking)"
        )
        return False
    configured = rt.configured
    ran = False
    for repair in repairs:
        if not rt.args.yes and rt.ask(f"{repair.question} [y/N] ").lower() not in ("y", "yes"):
            rt.out.note(f"doctor: skipped: {repair.name}")
            continue
        ran = True
        try:
            # nothing configured: the repair runs without an account (it says what it needs)
            if configured:
                done = await rt.ws.repair(repair, results)
            else:
                done = await repair.run(None, results)
        except SmstuiError as err:
            rt.out.note(f"doctor: {repair.name} failed: {printable(str(err))}")
            continue
        rt.out.note(f"doctor: fixed: {printable(done)}")
    return ran


def register(sub: Any) -> None:
    p = command(
        sub,
        "doctor",
        "check credentials, connection, account, POLL rules, channels, store and clock",
        "  smstui doctor\n  smstui --json doctor\n  smstui doctor --fix\n"
        "  smstui doctor --fix --yes",
        handler=doctor,
        needs_credentials=False,
    )
    p.add_argument(
        "--fix",
        action="store_true",
        help="make the safe repairs (create missing POLL rules, tighten file permissions...), "
        "asking before each",
    )
    p.add_argument("--yes", action="store_true", help="with --fix: repair without asking")
