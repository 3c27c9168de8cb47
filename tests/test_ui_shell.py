"""App shell: virtual History list, keys, keymap, help, palette, drafts, themes, safe text."""

from __future__ import annotations

import tomllib

from support.sandbox_app import fill_store, sandbox_app, sandbox_workspace, store_of
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from smstui.core.config import config_path, save_setting
from smstui.ui.safe_text import plain, visible
from smstui.ui.screens.help import HelpScreen
from smstui.ui.widgets.page_cache import PAGE_SIZE
from smstui.ui.widgets.virtual_list import VirtualList


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_visible_replaces_control_characters_and_keeps_markup_literal() -> None:
    assert visible("a\x1b[31mb\x07") == "a␛[31mb␇"
    assert visible("line1\nline2") == "line1␊line2"
    assert visible("line1\nline2", keep_newlines=True) == "line1\nline2"
    assert visible("\u202eevil") == "<U+202E>evil"
    text = plain("[bold]x[/]")
    assert text.plain == "[bold]x[/]" and not text.spans


async def test_history_list_with_many_rows_reads_only_the_pages_it_shows() -> None:
    app, _ = sandbox_app()
    fill_store(store_of(app), 30_000)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_show_tab("history")
        await settle(pilot)
        history = app.query_one("#history-list", VirtualList)
        total = history.row_count
        assert total >= 30_000
        first = history.current
        assert first is not None
        await pilot.press("G")
        await pilot.pause()
        assert history.cursor == total - 1
        last = history.current
        assert last is not None and last.message_id == "BENCH0000000000"  # oldest is last
        await pilot.press("g")
        assert history.cursor == 0 and history.current == first
        await pilot.press("j", "j", "k")
        assert history.cursor == 1
        await pilot.press("pagedown")
        assert history.cursor > 1
        # a handful of pages for the whole walk, never the 150 pages of the table
        assert history.cache.fetches <= 6
        assert total // PAGE_SIZE > 100


async def test_history_middle_row_matches_store_order() -> None:
    app, _ = sandbox_app()
    fill_store(store_of(app), 5_000)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_show_tab("history")
        await settle(pilot)
        history = app.query_one("#history-list", VirtualList)
        history.cursor = 2_345  # a far jump, as a scrollbar drag does
        await pilot.pause()
        page = store_of(app).page(limit=2_346)
        assert history.current == page.rows[2_345]
        history.cursor = 2_346  # the next row continues by key from the jump
        assert history.current == store_of(app).page(after=page.rows[-1].cursor, limit=1).rows[0]


async def test_f1_lists_the_bindings_of_the_focused_tab_with_their_ids() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_show_tab("history")
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {row[2] for row in app.screen._rows}
        assert {"history.search", "history.cancel", "app.help", "list.down"} <= ids
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keymap_from_config_remaps_a_binding() -> None:
    app, _ = sandbox_app(keymap={"app.tab.next": "f6"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await pilot.pause()
        assert app.query_one("#tabs").active == "inbox"  # type: ignore[attr-defined]


async def test_tabs_switch_with_digits_outside_text_fields() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+pagedown", "ctrl+pagedown")  # history: focus on the list
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert app.query_one("#tabs").active == "templates"  # type: ignore[attr-defined]
        await pilot.press("ctrl+pageup")
        await pilot.pause()
        assert app.query_one("#tabs").active == "history"  # type: ignore[attr-defined]


async def test_draft_is_saved_and_restored_on_the_next_start() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click("#recipients")
        await pilot.press(*"+61411111111")
        await pilot.click("#body")
        await pilot.press(*"half written")
        await pilot.pause(1.2)  # the draft is saved after a short quiet period
        store_path = store_of(app).path  # (a closed app's store is not opened again)
    again, _ = sandbox_app(world)
    assert store_of(again).path == store_path
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.query_one("#recipients", Input).value == "+61411111111"
        assert again.query_one("#body", TextArea).text == "half written"


async def test_toggle_theme_is_saved_to_config() -> None:
    app, _ = sandbox_app(save_theme=lambda name: save_setting("theme", name))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_toggle_theme()
        await pilot.pause()
        assert app.theme == "ansi-dark"
    assert tomllib.loads(config_path().read_text())["theme"] == "ansi-dark"


async def test_command_palette_runs_sync_now() -> None:
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = len(world.request_log)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"sync now")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert len(world.request_log) > before


def test_workspace_construction_makes_no_network_request() -> None:
    from smstui.core.sandbox import SandboxWorld

    world = SandboxWorld(seed=3)
    ws = sandbox_workspace(world)
    assert ws._session().client.request_count == 0
    assert world.request_log == []
