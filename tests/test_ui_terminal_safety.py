"""Terminal safety on every screen of the app: hostile text from outside is shown inert.

The sandbox is seeded with text carrying a screen clear (CSI 2J), an OSC 52 clipboard write, an
OSC 8 hyperlink, a C1 CSI (U+009B), a bidi override (U+202E), BEL and Rich/Textual markup
(``[bold red]``, ``[link=...]``) in every place outside text can come from. Each test opens one
screen and reads what the app really paints (the compositor's strips, and the SVG screenshot):
no raw control character may be there, no segment may carry a link, and the markup must show
as the literal characters a stranger typed.
"""

from __future__ import annotations

import re
from typing import Any

from rich.segment import Segment
from support.sandbox_app import sandbox_app
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from smstui.core.sandbox import Fault, SandboxWorld
from smstui.ui.app import SmsApp
from smstui.ui.screens.confirm import ConfirmScreen
from smstui.ui.screens.conversation import ConversationScreen
from smstui.ui.widgets.virtual_list import VirtualList

# every control a terminal acts on (newline is the strip boundary here, so it is unsafe too)
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
SIZE = (200, 50)  # wide enough that list rows show the whole marker
HOSTILE_SENDER = "+61455555555"


def hostile(tag: str) -> str:
    """Hostile text whose visible marker ``[bold red]<tag>[/]`` names where it was planted."""
    return (
        f"[bold red]{tag}[/] [link=https://evil.invalid]{tag}[/link]"
        "\x1b[2J\x1b]52;c;aGFja2Vk\x07\x1b]8;;https://evil.invalid\x1b\\"
        f"{tag}\x1b]8;;\x1b\\\x9b31m\u202e{tag}\x07"
    )


def marker(tag: str) -> str:
    return f"[bold red]{tag}[/]"


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def painted(app: SmsApp) -> tuple[str, list[Segment]]:
    """What the screen paints right now: its text (one line per row) and its segments."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(s.text for s in strips), [seg for s in strips for seg in s]


def assert_inert(app: SmsApp, *tags: str) -> None:
    text, segments = painted(app)
    for row in text.split("\n"):
        assert not UNSAFE.findall(row), f"raw control characters painted: {row!r}"
    links = [seg.style.link for seg in segments if seg.style and seg.style.link]
    assert not [link for link in links if "evil" in link], links
    for tag in tags:  # the markup was shown, not obeyed
        assert marker(tag) in text, f"{marker(tag)!r} not painted literally in:\n{text}"
    svg = app.export_screenshot()
    assert not UNSAFE.findall(svg.replace("\n", "")), "raw control characters in the screenshot"
    assert "evil.invalid" not in svg or "href" not in svg


async def open_tab(pilot: Pilot[None], tab: str) -> None:
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, SmsApp)
    app.action_show_tab(tab)
    await settle(pilot)
    await settle(pilot)  # lists ask for their first page while painting


def world_with() -> SandboxWorld:
    world = SandboxWorld(seed=3, history_size=3)
    world.add_inbound(HOSTILE_SENDER, hostile("inbody"))
    return world


async def move_to(pilot: Pilot[None], listing: VirtualList[Any], tag: str) -> None:
    listing.focus()
    await pilot.press("g")
    for _ in range(listing.row_count):
        current = listing.current
        if current is not None and tag in str(getattr(current, "body", "")):
            return
        await pilot.press("j")
    raise AssertionError(f"no row holding {tag!r}")


async def test_inbox_list_shows_a_hostile_body_inert() -> None:
    app, _ = sandbox_app(world_with())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_tab(pilot, "inbox")
        await move_to(pilot, app.query_one("#inbox-list", VirtualList), "inbody")
        await pilot.pause()
        assert_inert(app, "inbody")


async def test_inbox_conversation_shows_a_hostile_body_inert() -> None:
    app, _ = sandbox_app(world_with())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_tab(pilot, "inbox")
        await move_to(pilot, app.query_one("#inbox-list", VirtualList), "inbody")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConversationScreen)
        assert_inert(app, "inbody")


async def test_a_hostile_sender_is_shown_inert_in_the_inbox_and_its_conversation() -> None:
    world = SandboxWorld(seed=3, history_size=3)
    # a one-letter marker: the sender column is narrow and cuts longer text with an ellipsis
    world.add_inbound(hostile("s"), "plain body from a strange sender")
    app, _ = sandbox_app(world)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_tab(pilot, "inbox")
        listing = app.query_one("#inbox-list", VirtualList)
        await move_to(pilot, listing, "strange sender")
        await pilot.pause()
        assert_inert(app, "s")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConversationScreen)
        assert_inert(app, "s")


async def test_history_list_and_detail_show_a_hostile_body_inert() -> None:
    app, _ = sandbox_app(world_with())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_tab(pilot, "history")
        await move_to(pilot, app.query_one("#history-list", VirtualList), "inbody")
        await pilot.pause()
        assert_inert(app, "inbody")


async def test_templates_show_a_hostile_name_and_body_inert() -> None:
    world = SandboxWorld(seed=3, history_size=3)
    world.clicksend.add_template(hostile("tname"), hostile("tbody"))
    app, _ = sandbox_app(world)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_tab(pilot, "templates")
        await pilot.pause()
        assert_inert(app, "tname", "tbody")


async def test_contacts_show_a_hostile_list_name_and_contact_name_inert() -> None:
    world = SandboxWorld(seed=3, history_size=3)
    book = world.clicksend.contacts
    list_id = book.add_list(hostile("lname"))
    book.add_contact(list_id, {"phone_number": "+61413000001", "first_name": hostile("cname")}, 0)
    app, _ = sandbox_app(world)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_tab(pilot, "contacts")
        for _ in range(5):  # down the lists until the hostile one is shown
            tab = app.query_one("#contacts-tab")
            current = getattr(tab, "current_list", None)
            if current is not None and "lname" in current.name:
                break
            await pilot.press("j")
            await settle(pilot)
        await settle(pilot)
        assert_inert(app, "lname", "cname")


async def test_a_hostile_account_name_is_shown_inert_in_the_header() -> None:
    world = SandboxWorld(seed=3, history_size=3)
    account = {"user_id": 1, "username": hostile("acct"), "account_name": hostile("acct")}
    world.inject(
        Fault(
            path=r"/account$",
            status=200,
            times=None,
            body={
                "http_code": 200,
                "response_code": "SUCCESS",
                "data": {**account, "balance": "9"},
            },
        )
    )
    app, _ = sandbox_app(world)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert_inert(app, "acct")


async def test_a_hostile_clicksend_error_message_is_shown_inert_in_a_toast() -> None:
    app, world = sandbox_app(SandboxWorld(seed=3, history_size=3))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        world.inject(
            Fault(
                path=r"/sms/price$",
                status=400,
                times=None,
                body={
                    "http_code": 400,
                    "response_code": "BAD_REQUEST",
                    "response_msg": hostile("err"),
                },
            )
        )
        compose = app.query_one("#compose-tab")
        compose.query_one("#recipients", Input).value = "+61411111111"
        compose.query_one("#body", TextArea).load_text("hello")
        compose.query_one("#recipients", Input).focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("err" in str(n.message) for n in app._notifications)
        assert_inert(app, "err")


async def test_a_hostile_membrane_error_message_is_shown_inert_in_a_toast() -> None:
    world = SandboxWorld(seed=3, history_size=3)
    world.inject(
        Fault(path="", status=500, times=None, body={"type": "internal", "message": hostile("mem")})
    )
    app, _ = sandbox_app(world)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.connection_state == "error" or app._notifications
        assert_inert(app, "mem")


async def test_a_hostile_action_output_is_shown_inert_in_the_output_tree() -> None:
    world = SandboxWorld(seed=3, history_size=3)
    world.clicksend.templates.clear()  # the hostile one first, on screen without scrolling
    world.clicksend.add_template(hostile("aout"), "plain")
    app, _ = sandbox_app(world)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_tab(pilot, "actions")
        await pilot.click("#action-search")
        await pilot.press(*"list sms templates", "enter")
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert_inert(app, "aout")


async def test_a_hostile_console_response_body_is_shown_inert() -> None:
    world = SandboxWorld(seed=3, history_size=3)
    world.clicksend.templates.clear()  # the hostile one first, on screen without scrolling
    world.clicksend.add_template(hostile("cons"), "plain")
    app, _ = sandbox_app(world)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_tab(pilot, "console")
        box = app.query_one("#console-path", Input)
        await pilot.click(box)
        box.value = ""
        await pilot.press(*"/v3/sms/templates")
        await pilot.press("f5")
        await settle(pilot)
        assert_inert(app, "cons")
