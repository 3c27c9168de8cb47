"""Who did what in the app: History's detail pane says which operator sent a message, and
``h`` in the Inbox marks a conversation handled ("handled by Ana, 10:42"), cleared by the
customer's next reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import cast

from textual.pilot import Pilot
from textual.widgets import Static

from smstui.core.config import load_settings
from smstui.core.models import OutgoingSms
from smstui.core.sandbox import SandboxWorld
from smstui.core.service import Workspace
from smstui.core.service.history import StoredMessage
from smstui.ui.app import SmsApp
from smstui.ui.message_view import handled_note
from smstui.ui.screens.help import HelpScreen
from smstui.ui.widgets.virtual_list import VirtualList

#: ACMA's fictional mobile range, none of the sandbox's seeded contacts
CAROL = "+61491570997"


def operator_app(name: str) -> tuple[SmsApp, SandboxWorld]:
    world = SandboxWorld(seed=1)
    settings = load_settings(flags={"sandbox": True}, env={"SMSTUI_OPERATOR": name})
    return SmsApp(Workspace.from_settings(settings, world=world), sync_interval=0), world


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def listed(app: SmsApp, selector: str) -> VirtualList[StoredMessage]:
    return cast("VirtualList[StoredMessage]", app.query_one(selector, VirtualList))


def line(lst: VirtualList[StoredMessage], y: int = 0) -> str:
    """What row ``y`` of the list shows on screen."""
    return lst.render_line(y).text


async def test_history_detail_says_which_operator_sent_the_message() -> None:
    app, _ = operator_app("Ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        [result] = await app.ws.messages.send([OutgoingSms(to=CAROL, body="table for two")])
        assert result.outcome == "accepted" and result.sent_by == "Ana"
        await pilot.press("ctrl+pagedown", "ctrl+pagedown")  # Compose -> Inbox -> History
        await settle(pilot)
        await pilot.click("#number-filter")
        await pilot.press(*CAROL)
        await pilot.pause(0.4)  # past the filter's debounce and the detail pane's delay
        await settle(pilot)
        history = listed(app, "#history-list")
        assert history.current is not None and history.current.body == "table for two"
        history.focus()
        await pilot.pause(0.4)
        detail = str(app.query_one("#history-detail", Static).render())
        assert "Sent by: Ana" in detail


async def test_history_detail_invents_no_sender_for_what_clicksend_lists() -> None:
    app, _ = operator_app("Ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.ws.messages.sync()  # the sandbox's history: sent from elsewhere
        await pilot.press("ctrl+pagedown", "ctrl+pagedown")
        await settle(pilot)
        history = listed(app, "#history-list")
        history.focus()
        await pilot.pause(0.4)
        assert history.current is not None and history.current.sent_by is None
        assert "Sent by" not in str(app.query_one("#history-detail", Static).render())


async def test_h_marks_a_conversation_handled_until_the_customer_writes_again() -> None:
    app, world = operator_app("Ana")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await app.ws.messages.sync()
        await pilot.press("ctrl+pagedown")  # Compose -> Inbox
        await settle(pilot)
        inbox = listed(app, "#inbox-list")
        await pilot.press("s")  # sync now: the list reloads with the replies
        await settle(pilot)
        first = inbox.current
        assert first is not None and "handled by" not in line(inbox)

        await pilot.press("h")
        await settle(pilot)
        assert inbox.current is not None and inbox.current.handled_by == "Ana"
        at = inbox.current.handled_at
        assert at is not None
        assert f"handled by Ana, {at.astimezone():%H:%M}" in line(inbox)

        # the customer writes again: the conversation is not handled any more
        world.add_inbound(first.sender, "one more thing")
        await pilot.press("s")
        await settle(pilot)
        assert inbox.current is not None and inbox.current.body == "one more thing"
        assert all("handled by" not in line(inbox, y) for y in range(5))

        # h marks it again, and h again takes the mark off
        await pilot.press("h")
        await settle(pilot)
        assert "handled by Ana" in line(inbox)
        await pilot.press("h")
        await settle(pilot)
        assert "handled by" not in line(inbox)
        assert app.ws.replies.handled(first.sender) is None


async def test_h_is_listed_in_f1_and_the_inbox_summary() -> None:
    app, _ = operator_app("Ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+pagedown")
        await settle(pilot)
        assert "h: handled" in str(app.query_one("#inbox-summary", Static).render())
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {row[2]: row[0] for row in app.screen._rows}
        assert rows["inbox.handled"] == "h"


def test_a_mark_from_another_day_shows_the_day_too() -> None:
    now = datetime.now(UTC)
    row = StoredMessage(
        "R1", "", "in", "+61400000000", CAROL, "hi", "Received", now, None, 0, None,
        None, None, None, None, None, None, None, True, now,
        handled_by="Ana", handled_at=now,
    )  # fmt: skip
    assert handled_note(row) == f"handled by Ana, {now.astimezone():%H:%M}"
    earlier = now - timedelta(days=3)
    assert handled_note(replace(row, handled_at=earlier)) == (
        f"handled by Ana, {earlier.astimezone():%m-%d %H:%M}"
    )
    assert handled_note(replace(row, handled_by=None, handled_at=None)) is None


async def test_another_operators_handled_mark_shows_live(store_env: dict[str, str]) -> None:
    """Bob (another process on the same store) marks a conversation handled: Ana's open
    Inbox shows it without syncing, and shows it gone when Bob takes it off."""
    import threading
    import time

    world = SandboxWorld(seed=1)
    world.reply_rate = 0.0
    env = {**store_env, "SMSTUI_SANDBOX": "1"}
    app = SmsApp(
        Workspace.from_settings(load_settings(env={**env, "SMSTUI_OPERATOR": "Ana"}), world=world),
        sync_interval=0,
    )
    bob = Workspace.from_settings(load_settings(env={**env, "SMSTUI_OPERATOR": "Bob"}), world=world)

    async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + 60  # a bound for a loaded machine, not a measurement
        while not condition():
            assert time.monotonic() < deadline, f"never: {what}"
            await pilot.pause(0.02)

    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await settle(pilot)
            await until(pilot, lambda: app.live.watching, "the app watches its store")
            listening: threading.Event | None = getattr(app.live._watch, "listening", None)
            if listening is not None:
                await until(pilot, listening.is_set, "the watch listens")
            await app.ws.messages.sync()
            app.action_show_tab("inbox")
            await until(pilot, lambda: bool(app.query("#inbox-list")), "the Inbox built")
            await settle(pilot)
            inbox = listed(app, "#inbox-list")
            app.refresh_lists()
            await settle(pilot)
            first = inbox.current
            assert first is not None and first.handled_by is None

            bob.replies.mark_handled(first.sender)
            await until(pilot, lambda: "handled by Bob" in line(inbox), "Bob's mark in the Inbox")
            bob.replies.mark_handled(first.sender, handled=False)
            await until(pilot, lambda: "handled by" not in line(inbox), "the mark gone")
    finally:
        await bob.aclose()


async def test_the_conversation_names_the_operator_who_sent_each_message() -> None:
    from smstui.ui.screens.conversation import ConversationScreen, bubble

    app, _ = operator_app("Ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        [result] = await app.ws.messages.send([OutgoingSms(to=CAROL, body="table for two")])
        assert result.outcome == "accepted"
        [sent] = [m for m in app.ws.history.conversation(CAROL) if m.body == "table for two"]
        # Bob's screen names Ana; Ana's own says "You"; what no operator here sent is "You"
        assert str(bubble(sent, "Bob")).startswith("Ana  ")
        assert str(bubble(sent, "Ana")).startswith("You  ")
        assert str(bubble(replace(sent, sent_by=None), "Bob")).startswith("You  ")
        app.push_screen(ConversationScreen(CAROL))
        await settle(pilot)
        shown = [str(s.render()) for s in app.screen.query(".bubble.-out")]
        assert any(s.startswith("You  ") and "table for two" in s for s in shown)
