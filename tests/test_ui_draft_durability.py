"""Draft durability: the app never loses a Compose draft older than one second.

A child process runs the real app headless (``App.run_test``) on the sandbox, types a draft
with keys, says so on stdout and either sits idle or keeps typing (a key every 0.2 s, so the
fields never rest). The test SIGKILLs it a little over a second later (the delay varies by
seed), then reopens the store the app uses: the draft must be there, and the database intact.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.sandbox_app import sandbox_app
from textual.widgets import Input, TextArea

from smstui.core.config import load_settings
from smstui.core.service import DRAFT_KEY, Workspace

pytestmark = pytest.mark.slow

NUMBER = "+61411111111"
FIRST = "Pick up at ten"
#: the child's own start-up (Python, Textual, the sandbox) must fit in this
READY_TIMEOUT = 60.0

#: the repository root, on the child's path: it imports the app staging from tests/support/
ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import asyncio, os, sys
from tests.support.sandbox_app import sandbox_app

async def main(keep_typing: bool) -> None:
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            compose = app.tab_widget("compose")
            if compose is not None and compose.is_mounted:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        await pilot.click("#recipients")
        await pilot.press(*sys.argv[1])
        await pilot.click("#body")
        await pilot.press(*sys.argv[2])
        os.write(1, b"typed\\n")  # Textual captures print(); the test reads the real stdout
        while True:
            if keep_typing:
                await pilot.press("x")
            await pilot.pause(0.2)

asyncio.run(main(sys.argv[3] == "typing"))
"""


def run_and_kill(tmp_path: Path, *, keep_typing: bool, delay: float) -> None:
    script = tmp_path / "draft_child.py"
    script.write_text(CHILD)
    mode = "typing" if keep_typing else "idle"
    child = subprocess.Popen(
        [sys.executable, str(script), NUMBER, FIRST, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], READY_TIMEOUT)
        assert ready, "the app never finished typing the draft"
        line = child.stdout.readline()
        assert line == b"typed\n", (line, child.stderr.read() if child.stderr else b"")
        time.sleep(delay)  # the draft is now `delay` seconds old
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def saved_draft() -> tuple[dict[str, str], str]:
    ws = Workspace.from_settings(load_settings(flags={"sandbox": True}, env={}))
    store = ws._store()  # below the facade on purpose: the file's integrity is the point
    integrity = store.run_read(lambda c: c.execute("PRAGMA integrity_check").fetchone()[0])
    draft = ws.drafts.load(DRAFT_KEY)
    store.close()
    return draft, integrity


def kill_delay(seed: int) -> float:
    return 1.05 + random.Random(seed).random() * 0.6  # 1.05 .. 1.65 s after the last key


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_draft_left_alone_for_a_second_survives_sigkill(seed: int, tmp_path: Path) -> None:
    run_and_kill(tmp_path, keep_typing=False, delay=kill_delay(seed))
    draft, integrity = saved_draft()
    assert (draft.get("to"), draft.get("body")) == (NUMBER, FIRST)
    assert integrity == "ok"


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_a_draft_typed_a_second_ago_survives_sigkill_while_typing_goes_on(
    seed: int, tmp_path: Path
) -> None:
    run_and_kill(tmp_path, keep_typing=True, delay=kill_delay(seed))
    draft, integrity = saved_draft()
    assert draft.get("to") == NUMBER
    assert draft.get("body", "").startswith(FIRST)  # later keys may or may not be in yet
    assert integrity == "ok"


async def test_the_restarted_app_shows_the_killed_draft_in_compose(tmp_path: Path) -> None:
    run_and_kill(tmp_path, keep_typing=False, delay=1.2)
    app, _ = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            compose = app.tab_widget("compose")
            if compose is not None and compose.is_mounted:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        assert app.query_one("#recipients", Input).value == NUMBER
        assert app.query_one("#body", TextArea).text == FIRST
