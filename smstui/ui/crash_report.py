"""What the app does with an error nobody caught: one line and a crash log, no locals.

Textual's own handler (``App._handle_exception`` -> ``_fatal_error``) prints a rich
``Traceback(show_locals=True)``: a frame holding a token would print the token. This base
class replaces it: the report goes to the 0600 crash log (``smstui.core.crash_log``),
scrubbed of secrets, and the terminal gets one line with the log's path. It overrides
Textual's private hook (Textual 8.x; checked in tests/test_store_damage_ui.py): should that
hook ever change name, Textual's default would print again, and that test fails.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import App

from smstui.core.crash_log import crash_line, write_crash_log


class CrashSafeApp(App[None]):
    #: values scrubbed from a crash report besides the environment's (run_app sets them)
    crash_secrets: tuple[str | None, ...] = ()
    #: where the last crash was written (None: none yet, or it could not be written)
    crash_log: Path | None = None

    def _handle_exception(self, error: Exception) -> None:
        self._return_code = 1
        # Pilot re-raises the first error when a test's run_test block ends
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self.crash_log = write_crash_log(error, where="the app", secrets=self.crash_secrets)
        self.bell()
        self._exit_renderables.append(Text(crash_line(self.crash_log, error)))
        self._close_messages_no_wait()
