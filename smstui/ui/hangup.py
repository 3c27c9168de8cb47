"""The terminal went away (an SSH drop, a closed terminal window): leave cleanly, not through
a traceback about a dead tty."""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

from textual.app import App

#: seconds a hang-up may take to exit cleanly before the process is ended; and its status
#: (128 + SIGHUP, as a shell reports a process the hang-up killed)
HANGUP_GRACE = 3.0
HANGUP_EXIT_CODE = 129


def leave_dead_terminal(app: App[Any]) -> None:
    """SIGHUP's handler. Textual restores the screen on exit by writing to it; the standard
    streams go to /dev/null so those writes cannot fail. If Textual's output thread already
    died writing to the dead terminal, its exit would wait forever on a full queue: a
    last-resort timer ends the process. Nothing is lost by that: every store write is
    committed as it happens, and a send in flight is reconciled by the outbox at the next
    start."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
    watchdog = threading.Timer(HANGUP_GRACE, os._exit, args=(HANGUP_EXIT_CODE,))
    watchdog.daemon = True  # a clean exit before it fires does not wait for it
    watchdog.start()
    app.exit(return_code=HANGUP_EXIT_CODE)
