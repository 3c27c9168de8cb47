"""Staging for the Contacts tab, the campaign screen and Compose in MMS and voice modes.

Used by ``screenshots`` here (``make screenshots``) and the snapshot tests in
``tests/test_ui_snapshots_contacts.py``, so both show the same thing.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from smstui.ui.app import SmsApp

from .screenshots import stage

#: what is shot besides the tabs: the Contacts tab and three staged screens
CONTACT_SHOTS = ("contacts", "campaign", "compose-mms", "compose-voice")


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _still(app: SmsApp) -> None:
    app.clear_notifications()
    for widget in app.screen.query("Input, TextArea"):
        widget.cursor_blink = False  # type: ignore[attr-defined]  # differs per frame


async def _compose(pilot: Pilot[None], mode: str) -> None:
    from smstui.ui.tabs.compose import ComposeTab

    app = pilot.app
    assert isinstance(app, SmsApp)
    await stage(pilot, "compose")
    compose = app.query_one(ComposeTab)
    compose.set_mode("mms" if mode == "compose-mms" else "voice")
    app.query_one("#recipients", Input).value = "+61411111111"
    if mode == "compose-mms":
        app.query_one("#mms-subject", Input).value = "Autumn sale"
        app.query_one("#mms-media", Input).value = "https://example.com/autumn.jpg"
        body = "Our autumn range is in store now. Show this MMS for 10% off."
    else:
        body = "Hello, this is Sandbox Dental reminding you of your appointment tomorrow at ten."
    app.query_one("#body", TextArea).load_text(body)
    await _settle(pilot)
    # price now rather than after the typing pause, so the frame never depends on a timer
    compose._estimate()
    await _settle(pilot)
    app.screen.set_focus(None)
    _still(app)
    await pilot.pause()


async def _campaign(pilot: Pilot[None]) -> None:
    from smstui.ui.screens.campaign import CampaignScreen
    from smstui.ui.tabs.contacts import ContactsTab

    app = pilot.app
    assert isinstance(app, SmsApp)
    await stage(pilot, "contacts")
    await _settle(pilot)
    target = app.query_one(ContactsTab).current_list
    assert target is not None
    screen = CampaignScreen(target)
    await app.push_screen(screen)
    await pilot.pause()
    screen.query_one("#campaign-name", Input).value = "Autumn sale"
    screen.query_one("#campaign-body", TextArea).load_text(
        "Hi (First Name), our autumn range is in store now: 10% off this week."
    )
    await _settle(pilot)
    screen.set_focus(None)
    _still(app)
    await pilot.pause()


async def stage_contacts(pilot: Pilot[None], shot: str) -> None:
    """Stage one of ``CONTACT_SHOTS`` on a ``staged_app()``."""
    if shot == "campaign":
        await _campaign(pilot)
    elif shot.startswith("compose-"):
        await _compose(pilot, shot)
    else:
        await stage(pilot, shot)
        await _settle(pilot)  # the first page of contacts is asked for while painting
        _still(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()
