"""What history, inbox, export and stats share: a sync first (and what the user should know
about it), and the ``--since/--until/--search/--status`` filter over the local records."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING

from smstui.core.errors import SmstuiError
from smstui.core.safe_text import printable
from smstui.core.when import WHEN_HELP, parse_when

if TYPE_CHECKING:
    from smstui.cli.runtime import Runtime
    from smstui.core.models import Direction
    from smstui.core.service.history import StoredMessage


def range_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="WHEN", help=WHEN_HELP)
    p.add_argument("--until", metavar="WHEN", help="end of the range (same forms as --since)")
    p.add_argument("--search", metavar="TEXT", help="full-text search in bodies and numbers")
    p.add_argument("--status", metavar="S", help="only this status (Delivered, Failed, ...)")


def filtered(
    rt: Runtime, limit: int | None, *, direction: Direction | None = None, unread_only: bool = False
) -> Iterator[StoredMessage]:
    """The local records matching ``--since/--until/--search/--status`` (the inbox: replies,
    perhaps only unread ones), newest first; at most ``limit``."""
    from smstui.core.service.history import MessageFilter

    a = rt.args
    filters = MessageFilter(
        statuses=frozenset({a.status}) if getattr(a, "status", None) else None,
        date_from=parse_when(a.since, future=False) if getattr(a, "since", None) else None,
        date_to=parse_when(a.until, future=False) if getattr(a, "until", None) else None,
        text=getattr(a, "search", None) or None,
        direction=direction,
        unread_only=unread_only,
    )
    return islice(rt.ws.history.messages(filters), limit)


async def sync(
    rt: Runtime, *, history: bool = True, needs: tuple[str, ...] = ("inbound", "receipt")
) -> None:
    """Bring the local records up to date (unless ``--no-sync``), with one stderr line for
    each thing the user should know: a refused MMS/voice channel, missing POLL rules among
    ``needs``. Sends whose outcome is open are left to the app and ``send`` (a read only
    reads)."""
    if getattr(rt.args, "sync", True):
        report = await rt.ws.messages.sync(history=history, reconcile=False)
        for channel, reason in report.channel_failures.items():
            rt.out.note(channel_warning(channel, reason))
        await warn_poll_rules(rt, needs)


def channel_warning(channel: str, reason: str) -> str:
    name = "MMS" if channel == "mms" else "voice"
    return (
        f"warning: {name} not synced: {printable(reason)}; SMS history, replies and receipts "
        f"are up to date ({name} is tried again later)"
    )


async def warn_poll_rules(rt: Runtime, needs: tuple[str, ...]) -> None:
    """A warning when ClickSend would not list replies or receipts; never fails the command
    it decorates."""
    try:
        rules = await rt.ws.poll_rules()
    except SmstuiError:
        return
    warning = rules.cli_warning(needs) if rules is not None else None
    if warning is not None:
        rt.out.note(warning)
