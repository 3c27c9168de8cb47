"""``MessageStore.watch``: other processes' commits to the SQLite file, seen by polling
``PRAGMA data_version`` (it changes when another connection commits) on a connection of the
watch's own, once a second. One machine, one person: a second is soon enough, and nothing
is read but a counter."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

#: seconds between looks at the counter
INTERVAL = 1.0


class FileWatch:
    def __init__(
        self, path: Path, on_change: Callable[[str], None], *, interval: float = INTERVAL
    ) -> None:
        self._path = path
        self._on_change = on_change
        self._interval = interval
        self._stop = threading.Event()
        #: set once the first counter is read (changes from then on are reported)
        self.listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="smstui-watch", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(str(self._path), check_same_thread=False)
        except sqlite3.Error:
            return  # the store's own errors are reported by the store
        with contextlib.closing(conn):
            last: int | None = None
            while True:
                with contextlib.suppress(sqlite3.Error):  # locked for a moment: next time
                    version = int(conn.execute("PRAGMA data_version").fetchone()[0])
                    if last is not None and version != last:
                        self._on_change("poll")
                    last = version
                    self.listening.set()
                if self._stop.wait(self._interval):
                    return
