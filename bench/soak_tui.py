"""The soak's TUI worker: a headless ``SmsApp`` driven by Pilot against the chaos server.

It does what a user would, with keys: sends from Compose (ctrl+s, then "y" on the
confirmation), syncs (ctrl+r), and browses Inbox and History (j/k/g/G, enter on a row, escape
back). Every body it confirms goes into the soak's ledger before "y" is pressed, so the audit
can tell a lost message from one that was never asked for. At the end it proves the app still
answers a key: a tab switch must change the active tab.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, cast

from textual.pilot import Pilot
from textual.widgets import Input, TextArea
from textual.worker import WorkerCancelled

from smstui.core.config import Settings
from smstui.core.service import Workspace
from smstui.ui.app import SmsApp
from smstui.ui.screens.confirm import ConfirmScreen

#: the longest one step may wait on the app's workers (a chaos "no answer" holds 3 s, and a
#: read retries a few times); past it the step is abandoned and counted, the loop goes on
STEP_TIMEOUT = 60.0


async def _settle(pilot: Pilot[None], counts: Counter[str]) -> None:
    await pilot.pause()
    try:
        await asyncio.wait_for(pilot.app.workers.wait_for_complete(), STEP_TIMEOUT)
    except TimeoutError:
        counts["slow_steps"] += 1
    except WorkerCancelled:  # an exclusive worker replaced by a newer one: normal in the app
        counts["cancelled_workers"] += 1
    await pilot.pause()


async def _wait_for_confirm(pilot: Pilot[None], counts: Counter[str]) -> bool:
    """Compose prices before it asks; under chaos the price may fail (a toast, no dialog)."""
    give_up = time.monotonic() + STEP_TIMEOUT
    while time.monotonic() < give_up:
        if isinstance(pilot.app.screen, ConfirmScreen):
            return True
        compose_busy = any(
            w.group == "send" and not w.is_finished for w in pilot.app.workers._workers
        )
        if not compose_busy:
            return isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.pause(0.05)
    counts["slow_steps"] += 1
    return False


async def _send(
    pilot: Pilot[None], rng: random.Random, i: int, request: Callable[[str], None]
) -> Counter[str]:
    counts: Counter[str] = Counter()
    app = cast(SmsApp, pilot.app)
    app.action_show_tab("compose")  # a digit key would be typed into a focused field
    await pilot.pause()
    await pilot.pause()
    compose = app.query_one("#compose-tab")
    body = f"soak tui {i} {rng.randrange(10**6)}"
    compose.query_one("#recipients", Input).value = f"+614{rng.randrange(10**8):08d}"
    compose.query_one("#body", TextArea).load_text(body)
    compose.query_one("#recipients", Input).focus()
    await pilot.pause()
    await pilot.press("ctrl+s")
    if not await _wait_for_confirm(pilot, counts):
        counts["send_not_confirmed"] += 1  # pricing failed under chaos: nothing was sent
        return counts
    request(body)  # from here on the user has asked for it: it must never be lost
    await pilot.press("y")
    await _settle(pilot, counts)
    counts["sends"] += 1
    return counts


async def _browse(pilot: Pilot[None], rng: random.Random) -> Counter[str]:
    counts: Counter[str] = Counter()
    app = cast(SmsApp, pilot.app)
    tab = rng.choice(("inbox", "history"))
    app.action_show_tab(tab)
    await pilot.pause()
    await pilot.pause()
    for key in rng.choices(("j", "j", "k", "g", "G", "pagedown"), k=rng.randint(2, 8)):
        await pilot.press(key)
    if rng.random() < 0.3:
        before = app.screen
        await pilot.press("enter")
        await pilot.pause()
        if app.screen is not before:
            counts["opened"] += 1
            await pilot.press("escape")
            await pilot.pause()
    counts[f"browse_{tab}"] += 1
    return counts


async def _still_answers_a_key(pilot: Pilot[None]) -> bool:
    app = cast(SmsApp, pilot.app)
    while len(app.screen_stack) > 1:  # a toast-free base screen: close any dialog left open
        app.pop_screen()
        await pilot.pause()
    before = app.active_tab
    await pilot.press("ctrl+pagedown")  # a priority key: works whatever has focus
    await pilot.pause()
    await pilot.pause()
    return app.active_tab != before


async def tui_work(
    settings: Settings,
    deadline: float,
    seed: int,
    request: Callable[[str], None],
    *,
    until: Callable[[Counter[str]], bool] | None = None,
    give_up: float | None = None,
) -> dict[str, Any]:
    """Drive the app until ``deadline``; ``request(body)`` records each confirmed send.

    With ``until``, keep going past ``deadline`` (to ``give_up`` at the latest) until
    ``until(counts)`` holds: on a busy machine a fixed window may hold too few steps for a
    test's audit (three prices in a row lost to chaos, say, and no send at all)."""
    rng = random.Random(seed * 7919)
    counts: Counter[str] = Counter()
    app = SmsApp(Workspace.from_settings(settings), sync_interval=0)
    responsive = False
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot, counts)
        i = 0

        def going() -> bool:
            now = time.monotonic()
            if now < deadline:
                return True
            return until is not None and not until(counts) and now < (give_up or deadline)

        while going():
            i += 1
            if app.connection_state != "ready":
                counts["reconnects"] += 1  # chaos broke the start-up: connect again
                app.connect_workspace()
                await _settle(pilot, counts)
                continue
            roll = rng.random()
            if roll < 0.35:
                counts.update(await _send(pilot, rng, i, request))
            elif roll < 0.6:
                await pilot.press("ctrl+r")
                await _settle(pilot, counts)
                counts["syncs"] += 1
            else:
                counts.update(await _browse(pilot, rng))
        await _settle(pilot, counts)
        responsive = await _still_answers_a_key(pilot)
        counts["error_toasts_at_end"] = sum(n.severity == "error" for n in app._notifications)
    return {**dict(counts), "responsive": responsive}
