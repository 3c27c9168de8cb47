"""The app on a damaged store opens on a banner (draft kept); a crash that escapes shows one
line, no locals and no secrets, and is written to a 0600 crash log."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support.sandbox_app import sandbox_app
from textual.widgets import Input, TextArea

from smstui.core.crash_log import crash_log_path
from smstui.core.errors import StoreError
from smstui.core.models import OutgoingSms
from smstui.core.store.schema import default_db_path
from smstui.ui.widgets.store_banner import StoreBanner

REPO = Path(__file__).resolve().parents[1]
SECRET = "tok_live_NEVER_ON_SCREEN_0123456789"


def garbage_store() -> Path:
    path = default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database " * 4096)
    return path


async def test_the_app_opens_on_a_banner_and_keeps_the_draft() -> None:
    path = garbage_store()
    app, world = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        banner = app.query_one(StoreBanner)
        while banner.error is None or app.tab_widget("compose") is None:
            await pilot.pause(0.05)
        assert banner.display
        shown = str(banner.render())
        assert str(path) in shown and "damaged" in shown and "smstui store repair" in shown
        assert "draft stays in this window but cannot be saved" in shown

        compose = app.tab_widget("compose")
        assert compose is not None
        while not compose.is_mounted:
            await pilot.pause(0.05)
        await pilot.click("#recipients")
        await pilot.press(*"0412345678")
        await pilot.click("#body")
        await pilot.press(*"Running late")
        compose.save_draft_now()  # what the draft timer does: fails, quietly
        await pilot.pause()
        assert app.query_one("#recipients", Input).value == "0412345678"
        assert app.query_one("#body", TextArea).text == "Running late"

        for tab in ("history", "inbox", "templates", "compose"):
            app.action_show_tab(tab)
            while app.tab_widget(tab) is None:
                await pilot.pause(0.05)
            await pilot.pause()
        assert app.is_running
        assert app.query_one("#body", TextArea).text == "Running late"

        # a send that cannot be recorded in the outbox first never leaves
        with pytest.raises(StoreError):
            await app.ws.messages.send([OutgoingSms(to="+61411111111", body="Running late")])
        assert not [r for r in world.request_log if "/sms/send" in r[1]]
    assert path.read_bytes() == b"not a database " * 4096  # never touched without repair


async def test_the_banner_is_reached_under_a_dialog_and_not_needed_while_closing() -> None:
    """A store failure while a dialog is open still shows on the main screen's banner; a
    draft save that lands while the app is closing (its widgets gone) is not a crash."""
    from smstui.ui.screens.confirm import ConfirmScreen

    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        while app.tab_widget("compose") is None:
            await pilot.pause(0.05)
        app.push_screen(ConfirmScreen("Send?", "a dialog on top"))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        app.store_failed(StoreError("disk full while saving", path="/tmp/x.db", problem="full"))
        banner = app.screen_stack[0].query_one(StoreBanner)
        assert banner.error is not None and banner.error.message == "disk full while saving"
        app.store_worked()
        assert banner.error is None
    # after the app has closed: the screens and their banner are gone
    app.store_worked()
    app.store_failed(StoreError("late", path="/tmp/x.db"))


async def test_an_escaping_crash_is_logged_without_locals() -> None:
    app, _ = sandbox_app()
    with pytest.raises(RuntimeError, match="forced"):
        async with app.run_test(size=(100, 30)) as pilot:
            token = SECRET  # noqa: F841 - a local a locals-printing report would show

            def boom() -> None:
                secret_here = SECRET  # noqa: F841
                raise RuntimeError("forced crash")

            app.call_later(boom)
            await pilot.pause(0.2)
    assert app.crash_log == crash_log_path()
    assert stat.S_IMODE(app.crash_log.stat().st_mode) == 0o600
    text = app.crash_log.read_text()
    assert "RuntimeError: forced crash" in text and SECRET not in text
    assert all("Traceback" not in repr(r) for r in app._exit_renderables)


_CRASHING_APP = textwrap.dedent(
    """
    from tests.support.sandbox_app import sandbox_app

    app, _ = sandbox_app()
    SECRET = {secret!r}

    def boom() -> None:
        token = SECRET  # a local holding a token, as a real frame might
        raise RuntimeError("forced crash in " + token[:3])

    app.call_after_refresh(boom)
    app.run(headless=True, size=(100, 30))
    raise SystemExit(app.return_code)
    """
)


def test_a_crash_on_the_terminal_is_one_line_with_the_crash_log_path(
    isolated_dirs: Path,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _CRASHING_APP.format(secret=SECRET)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    log = crash_log_path()
    assert done.returncode == 1, done.stderr
    assert SECRET not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr and "locals" not in done.stderr
    assert f"smstui: internal error (RuntimeError); details (no secrets) in {log}" in done.stderr
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    text = log.read_text()
    assert "in boom" in text and "RuntimeError: forced crash in tok" in text
    assert SECRET not in text


async def test_the_banner_for_a_full_disk_goes_once_a_save_works() -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        while app.tab_widget("compose") is None or not app.tab_widget("compose").is_mounted:
            await pilot.pause(0.05)
        banner = app.query_one(StoreBanner)
        app.store_failed(StoreError("The disk is full.", problem="full"))
        await pilot.pause()
        assert banner.display
        app.tab_widget("compose").save_draft_now()  # type: ignore[union-attr]
        await pilot.pause()
        assert not banner.display and banner.error is None
