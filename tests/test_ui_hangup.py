"""The terminal going away (SSH drop) ends ``smstui --sandbox`` cleanly, never with a traceback.

The real program runs in a pseudo-terminal, as over SSH; the test waits for its first frame,
then hangs up the way a dropped connection does.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from smstui.ui.hangup import HANGUP_EXIT_CODE

#: generous bounds for a loaded machine; the app normally starts in well under a second
FIRST_FRAME_WAIT = 30.0
EXIT_WAIT = 15.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def read_available(fd: int, wait: float) -> bytes:
    """What the app wrote within ``wait`` seconds (b"" on end of file)."""
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the slave side is closed, the program is gone
        return b""


def take_terminal() -> None:
    """In the child: a new session whose controlling terminal is the pty, as sshd sets up."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@dataclass
class Terminal:
    """The pty's master side, as sshd holds it; ``hang_up`` closes it as a dropped link does."""

    master: int
    open: bool = True

    def hang_up(self) -> None:
        os.close(self.master)
        self.open = False


@pytest.fixture
def app_in_pty(
    isolated_dirs: Path,
) -> Iterator[tuple[subprocess.Popen[bytes], Terminal, bytearray]]:
    master, slave = pty.openpty()
    terminal = Terminal(master)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", COLUMNS="100", LINES="30")
    process = subprocess.Popen(
        [sys.executable, "-m", "smstui", "--sandbox"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,  # XDG_* already point into this test's temp dir (conftest)
        preexec_fn=take_terminal,
    )
    os.close(slave)
    output = bytearray()
    try:
        yield process, terminal, output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if terminal.open:
            os.close(master)


def wait_for_first_frame(process: subprocess.Popen[bytes], master: int, output: bytearray) -> None:
    deadline = time.monotonic() + FIRST_FRAME_WAIT
    while b"Compose" not in output:
        assert process.poll() is None, output.decode(errors="replace")
        assert time.monotonic() < deadline, "no first frame"
        output += read_available(master, 0.2)


def wait_for_exit(process: subprocess.Popen[bytes], master: int, output: bytearray) -> int | None:
    deadline = time.monotonic() + EXIT_WAIT
    while process.poll() is None and time.monotonic() < deadline:
        output += read_available(master, 0.1)
    output += read_available(master, 0.1)
    return process.poll()


def test_sighup_ends_the_app_cleanly(
    app_in_pty: tuple[subprocess.Popen[bytes], Terminal, bytearray],
) -> None:
    process, terminal, output = app_in_pty
    master = terminal.master
    wait_for_first_frame(process, master, output)
    process.send_signal(signal.SIGHUP)
    returncode = wait_for_exit(process, master, output)
    assert returncode == HANGUP_EXIT_CODE, output.decode(errors="replace")[-2000:]
    assert b"Traceback" not in output


def test_closing_the_terminal_ends_the_app_cleanly(
    app_in_pty: tuple[subprocess.Popen[bytes], Terminal, bytearray],
) -> None:
    process, terminal, output = app_in_pty
    wait_for_first_frame(process, terminal.master, output)
    # the last master fd closed is a hang-up: the kernel signals the session, and writes to the
    # terminal fail from then on. A traceback printed there would be lost, so the exit status
    # is the witness: the app's hang-up status, not 1 (an uncaught error) or a hang
    terminal.hang_up()
    returncode = process.wait(timeout=EXIT_WAIT)
    assert returncode == HANGUP_EXIT_CODE
