"""What history, inbox, export and stats share: a sync first (and what the user should know
about it), the ``--since/--until/--search/--status`` filter, and paging through the store."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from smstui.core.safe_text import printable
from smstui.core.when import WHEN_HELP, parse_when

if TYPE_CHECKING:
    from smstui.cli.runtime import Runtime
    from smstui.core.store.message_store import MessageStore, StoredMessage
    from smstui.core.store.query import MessageFilter


def range_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="WHEN", help=WHEN_HELP)
    p.add_argument("--until", metavar="WHEN", help="end of the range (same forms as --since)")
    p.add_argument("--search", metavar="TEXT", help="full-text search in bodies and numbers")
    p.add_argument("--status", metavar="S", help="only this status (Delivered, Failed, ...)")


def filters(rt: Runtime, **extra: Any) -> MessageFilter:
    from smstui.core.store.query import MessageFilter

    a = rt.args
    return MessageFilter(
        statuses=frozenset({a.status}) if getattr(a, "status", None) else None,
        date_from=parse_when(a.since, future=False) if getattr(a, "since", None) else None,
        date_to=parse_when(a.until, future=False) if getattr(a, "until", None) else None,
        text=getattr(a, "search", None) or None,
        **extra,
    )


async def synced_store(
    rt: Runtime, *, history: bool = True, needs: tuple[str, ...] = ("inbound", "receipt")
) -> MessageStore:
    """The store after a sync (unless ``--no-sync``), with one stderr line for each thing the
    user should know: a refused MMS/voice channel, missing POLL rules among ``needs``."""
    session = await rt.session()
    if getattr(rt.args, "sync", True):
        report = await session.sync(history=history)
        for channel, reason in report.channel_failures.items():
            rt.out.note(channel_warning(channel, reason))
        await warn_poll_rules(rt, needs)
    return session.store()


def channel_warning(channel: str, reason: str) -> str:
    name = "MMS" if channel == "mms" else "voice"
    return (
        f"warning: {name} not synced: {printable(reason)}; SMS history, replies and receipts "
        f"are up to date ({name} is tried again later)"
    )


async def warn_poll_rules(rt: Runtime, needs: tuple[str, ...]) -> None:
    from smstui.core.clicksend import poll_rules

    session = await rt.session()
    rules = await poll_rules.quiet_read(await session.service(), session.facts())
    warning = rules.cli_warning(needs) if rules is not None else None
    if warning is not None:
        rt.out.note(warning)


def rows(store: MessageStore, filters: MessageFilter, limit: int | None) -> Iterator[StoredMessage]:
    """The store's messages matching ``filters``, newest first, 500 a page; at most ``limit``."""
    after = None
    seen = 0
    while True:
        page = store.page(after=after, limit=500, filters=filters)
        for row in page.rows:
            if limit is not None and seen >= limit:
                return
            seen += 1
            yield row
        if page.next is None:
            return
        after = page.next
