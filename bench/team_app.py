"""The team bench's app operator: a headless ``SmsApp`` driven by Pilot (``team_operator.py
--kind app``). It sends every batch from Compose with keys (ctrl+s, "y" on each
confirmation) and goes back to the Inbox between sends, so the Inbox is what stays open; its
own timer syncs (``--sync-interval``), as a user's app does.

The events are those of ``team_operator``: ``request`` is written just before "y" on the send
confirmation (from then on the user has asked for it), ``told`` is what Compose showed for
each recipient (its result lines), ``seen`` is when this process learnt of an injected reply
through the store watch in its process (``via: "watch"``), or when the Inbox painted it
(``via: "inbox"``: the Inbox list's first page, the rows it reads from the store when it
paints, polled every ``PROBE_EVERY`` seconds). The Inbox paints only while it is the tab on
screen: ``inbox`` events say when it was opened and left (after each send it stays open for
``--app-dwell`` seconds), and only replies stored while it was open are measured there.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any, cast

from team_operator import REPLY_MARK, Events, ReplyWatch, instrument, plan, wait_for_stop
from textual.pilot import Pilot
from textual.widgets import Input, TextArea
from textual.worker import WorkerCancelled

from smstui.core.config import load_settings
from smstui.core.service import Workspace
from smstui.ui.app import SmsApp
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.tabs.inbox import InboxTab

#: the longest one step may wait on the app's workers (chaos holds a request up to 3 s, and
#: a request retries a few times); past it the step is abandoned and counted
STEP_TIMEOUT = 90.0


#: seconds between two looks at what the Inbox painted
PROBE_EVERY = 0.02


async def probe_inbox(app: SmsApp, events: Events, stop: asyncio.Event) -> None:
    """Record each injected reply the first time the Inbox list holds it to paint."""
    shown: set[str] = set()
    while not stop.is_set():
        await asyncio.sleep(PROBE_EVERY)
        tab = app.built_tabs.get("inbox")
        if not isinstance(tab, InboxTab) or not tab.is_mounted:
            continue
        rows = tab.inbox_list.cache._pages.get(0) or ()
        new = [
            m.message_id
            for m in rows
            if m.body.startswith(REPLY_MARK) and m.message_id not in shown
        ]
        if new:
            shown.update(new)
            events("seen", ids=new, via="inbox")


async def _settle(pilot: Pilot[None], counts: dict[str, int]) -> None:
    await pilot.pause()
    try:
        await asyncio.wait_for(pilot.app.workers.wait_for_complete(), STEP_TIMEOUT)
    except TimeoutError:
        counts["slow_steps"] = counts.get("slow_steps", 0) + 1
    except WorkerCancelled:
        pass
    await pilot.pause()


def _sending(app: SmsApp) -> bool:
    return any(w.group == "send" and not w.is_finished for w in app.workers._workers)


async def _send(
    pilot: Pilot[None], batch: list[str], body: str, events: Events, counts: dict[str, int]
) -> bool:
    """One send from Compose; False when it never reached the send confirmation (a price
    lost to chaos: nothing was asked for, the batch is tried again)."""
    app = cast(SmsApp, pilot.app)
    app.action_show_tab("compose")
    events("inbox", open=False)
    await pilot.pause()
    compose = app.query_one("#compose-tab")
    compose.query_one("#recipients", Input).value = ", ".join(batch)
    compose.query_one("#body", TextArea).load_text(body)
    compose.query_one("#recipients", Input).focus()
    await pilot.pause()
    await pilot.press("ctrl+s")
    give_up = time.monotonic() + STEP_TIMEOUT
    while time.monotonic() < give_up:
        screen = app.screen
        if isinstance(screen, ConfirmScreen):
            if screen._title.startswith("Send "):
                events("request", to=batch, body=body)
                await pilot.press("y")
                await _settle(pilot, counts)
                results = getattr(compose, "last_results", None) or []
                told = {r.to: r.state or r.outcome for r in results if r.to in batch}
                events("told", outcomes=told)
                return True
            await pilot.press("y")  # "unknown range: send anyway"
            await pilot.pause()
            continue
        if not _sending(app):
            break
        await pilot.pause(0.05)
    counts["not_confirmed"] = counts.get("not_confirmed", 0) + 1
    return False


async def run_app(args: argparse.Namespace, events: Events) -> dict[str, Any]:
    ws = Workspace.from_settings(load_settings())
    instrument(ws, events)
    counts: dict[str, int] = {}
    app = SmsApp(ws, sync_interval=args.sync_interval)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot, counts)  # connect, then the start-up sync (it reconciles)
        watch = ReplyWatch(ws, events)
        watch.wait_listening()
        events("start", kind="app")
        stop_probe = asyncio.Event()
        probe = asyncio.create_task(probe_inbox(app, events, stop_probe))
        for batch in plan(args, ws):
            body = f"team app{args.index} {batch[0][-6:]}"
            for _ in range(20):  # a price lost to chaos: ask again, as a user would
                if app.connection_state != "ready":
                    counts["reconnects"] = counts.get("reconnects", 0) + 1
                    app.connect_workspace()
                    await _settle(pilot, counts)
                    continue
                if await _send(pilot, batch, body, events, counts):
                    break
            app.action_show_tab("inbox")
            await pilot.pause()
            events("inbox", open=True)
            await asyncio.sleep(args.app_dwell)  # the operator reads the Inbox a moment
        events("done", **counts)
        await wait_for_stop(args.stop_file)
        stop_probe.set()
        await probe
        watch.close()
    return counts
