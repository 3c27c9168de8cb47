"""What the app does with an error nobody caught: one line and a crash log, no locals.

Textual's own handler (``App._handle_exception`` -> ``_fatal_error``) prints a rich
``Traceback(show_locals=True)``: a frame holding a token would print the token. This base
class replaces it: the report goes to the 0600 crash log (``smstui.core.crash_log``),
scrubbed of secrets, and the terminal gets one line with the log's path. It overrides
Textual's private hooks (Textual 8.x; checked in tests/test_ui_store_damage.py): should they
ever change name, Textual's default would print again, and that test fails.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App


class CrashSafeApp(App[None]):
    #: values scrubbed from a crash report besides the environment's (run_app sets them)
    crash_secrets: tuple[str | None, ...] = ()
    #: where the last crash was written (None: none yet, or it could not be written)
    crash_log: Path | None = None
    _crash_line: str | None = None

    def _handle_exception(self, error: Exception) -> None:
        from smstui.core.crash_log import crash_line, write_crash_log

        self._return_code = 1
        # Pilot re-raises the first error when a test's run_test block ends
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self.crash_log = write_crash_log(error, where="the app", secrets=self.crash_secrets)
        if self._crash_line is None:
            self._crash_line = crash_line(self.crash_log, error)
        self.bell()
        self._close_messages_no_wait()

    def _print_error_renderables(self) -> None:
        """After the terminal is restored: the crash line, as plain text on stderr (a rich
        renderable would wrap the log's path at the terminal width)."""
        if self._crash_line is not None:
            stream = self.error_console.file
            stream.write(self._crash_line + "\n")
            stream.flush()
        super()._print_error_renderables()
