"""Live across operators: ``LISTEN`` for the team store's change notices.

Every transaction that changes messages or the outbox sends ``NOTIFY smstui_changes`` with the
table's name (statement triggers in the schema; PostgreSQL delivers it at commit and folds
repeats within one transaction into one). ``Watch`` listens on a connection of its own, on a
thread of its own, and calls ``on_change(table)`` for each notice: another operator's send, or
a reply another process synced, reaches every open app at once without syncing.

When the listening connection drops (a server restart, a network cut) notices may be lost, so
the watch falls back to a slow poll: it calls ``on_change("poll")`` every ``poll_interval``
seconds while it reconnects, and once more when listening again (whatever happened meanwhile
is read then). ``on_change`` runs on the watch's thread: a UI hands it to its own loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import psycopg

from smstui.core.store.postgres.connection import CONNECT_TIMEOUT

CHANNEL = "smstui_changes"
#: seconds between polls while the listening connection is down
POLL_INTERVAL = 5.0
#: seconds a wait for notices lasts before the stop flag is looked at again
_TICK = 0.5


class Watch:
    """Calls ``on_change`` with "messages", "outbox" or "poll" until ``close()``."""

    def __init__(
        self,
        url: str,
        on_change: Callable[[str], None],
        *,
        application_name: str = "smstui",
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self._url = url
        self._on_change = on_change
        self._app = application_name
        self._poll_interval = poll_interval
        self._stop = threading.Event()
        #: set while a listening connection is up (tests and ``team status`` wait on it)
        self.listening = threading.Event()
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._thread = threading.Thread(target=self._run, name="smstui-listen", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=CONNECT_TIMEOUT * 2)

    def backend_pid(self) -> int | None:
        """The server process of the listening connection (None while reconnecting)."""
        conn = self._conn
        return None if conn is None or conn.closed else conn.info.backend_pid

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self._url,
                    autocommit=True,
                    connect_timeout=CONNECT_TIMEOUT,
                    application_name=self._app,
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._conn = conn
                    self.listening.set()
                    if not first:
                        self._on_change("poll")  # notices sent while we were away are lost
                    first = False
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=_TICK):
                            self._on_change(notice.payload or "messages")
            except psycopg.Error:
                self.listening.clear()
                self._conn = None
                first = False
                # down: poll slowly until a connection listens again
                if not self._stop.wait(self._poll_interval):
                    self._on_change("poll")
        self.listening.clear()
