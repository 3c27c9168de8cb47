"""The operator's desk in the app: tab keys that work from inside a text field (alt+1..8),
the Inbox's unread count, and toasts for replies that a background sync brings in."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, TabbedContent
from textual.widgets._footer import FooterKey

from smstui.ui.screens.help import HelpScreen
from smstui.ui.testing import sandbox_app


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _active(pilot: Pilot[None]) -> str | None:
    return pilot.app.query_one("#tabs", TabbedContent).active


async def test_alt_digits_switch_tabs_from_inside_a_text_field() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        to = app.query_one("#recipients", Input)
        to.focus()
        await pilot.press("2")  # a plain digit types into the field, as before
        assert to.value.endswith("2") and _active(pilot) == "compose"
        typed = to.value
        await pilot.press("alt+3")
        await settle(pilot)
        assert _active(pilot) == "history"
        assert to.value == typed  # nothing typed into the field
        await pilot.press("alt+1")
        await settle(pilot)
        assert _active(pilot) == "compose"
        for key, tab in (("alt+8", "stats"), ("alt+2", "inbox"), ("alt+5", "contacts")):
            await pilot.press(key)
            await settle(pilot)
            assert _active(pilot) == tab


async def test_alt_digits_are_in_f1_and_the_footer() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {row[2]: row[0] for row in app.screen._rows}
        assert "alt+2" in rows["app.tab.inbox"] and "2" in rows["app.tab.inbox"]
        await pilot.press("escape")
        await pilot.pause()
        # on screen in the footer, not cut off at 80 columns
        shown = [
            key
            for key in app.query(FooterKey)
            if key.key_display == "alt+N" and key.region.right <= 80 and key.region.width
        ]
        assert shown, [(k.key_display, k.region) for k in app.query(FooterKey)]
