"""Live across operators: the open app follows the store while another process changes it.

The store's watch (``smstui.core.service.team.watch_store``: PostgreSQL ``LISTEN`` with a slow
poll when the listening connection drops; SQLite's file counter) calls back on a thread of
its own for every commit, this app's own included. ``LiveStore`` hands that to the app's loop
without blocking the watch's thread and folds a burst of notices (a sync storing a hundred
replies is a hundred commits) into one catch-up a moment later: the visible lists re-read,
the Inbox title's unread count, the open conversation, and a toast for each reply no one here
has announced yet (the reply watermark in ``ws.replies``: a reply announced now is not
announced again when this app syncs).

When the store could not be opened at start (the team database unreachable, a wrong
``database_url``), the app runs on its banner and tries again every ``RETRY`` seconds off the
loop; once the store opens, the banner goes, the lists fill and the watch starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from smstui.core.errors import StoreError

if TYPE_CHECKING:
    from textual.timer import Timer

    from smstui.core.service.types import Watching
    from smstui.ui.shell import SmsShell

#: seconds a burst of notices is gathered before the one catch-up (well under the 1 s goal)
DEBOUNCE = 0.15
#: seconds between attempts to open a store that could not be opened
RETRY = 5.0


class LiveStore:
    """The app's subscription to its store's changes (one per app; ``restart`` after the
    workspace is swapped, ``close`` on exit)."""

    def __init__(self, app: SmsShell, *, debounce: float = DEBOUNCE, retry: float = RETRY) -> None:
        self._app = app
        self._debounce = debounce
        self._retry = retry
        self._watch: Watching | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        #: the app's context (Textual finds its app there): the loop runs notices in it
        self._context: contextvars.Context | None = None
        self._lock = threading.Lock()
        #: a notice is on its way to the loop (more notices until it is read add nothing)
        self._pending = False
        self._timer: Timer | None = None
        self._retry_timer: Timer | None = None
        self._closed = False
        #: notices received by cause ("messages", "outbox", "poll"): what ``team status`` and
        #: tests read to see which path brought a change
        self.causes: Counter[str] = Counter()
        #: catch-ups done (one per burst)
        self.catch_ups = 0
        #: the store's change mark when the lists last re-read (``team.change_mark``)
        self._mark: tuple[int, int, int, int] | None = None

    @property
    def watching(self) -> bool:
        return self._watch is not None

    # ------------------------------------------------------------------ lifecycle (loop)

    def start(self) -> None:
        """The store is open: note the replies already there (they are not news) and watch."""
        if self._closed or self._watch is not None:
            return
        from smstui.core.service.team import change_mark, watch_store

        self._bind_loop()
        ws = self._app.ws
        try:
            ws.replies.watch()
            self._mark = change_mark(ws)
            self._watch = watch_store(ws, self._noticed)
        except StoreError as err:
            self._app.store_failed(err)
            self.retry_later()

    def _bind_loop(self) -> None:
        """Remember the app's loop and context (on the loop): threads hand work back there."""
        self._loop = asyncio.get_running_loop()
        self._context = contextvars.copy_context()

    def _to_loop(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` on the app's loop soon; from any thread, never waiting for it (a thread
        waiting on a loop that has stopped would keep the process from exiting)."""
        if self._loop is not None and not self._closed:
            with contextlib.suppress(RuntimeError):  # the loop closed: the app is gone
                self._loop.call_soon_threadsafe(fn, context=self._context)

    def _off_loop(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on a thread of its own: a store call that waits for a server that does
        not answer (the connect timeout, the pool's) never freezes the screen, and a daemon
        thread still waiting when the app exits does not hold the exit up."""
        threading.Thread(target=fn, name="smstui-live-read", daemon=True).start()

    def open_off_loop(self) -> None:
        """Open the store now on a thread of its own (the team's database: connecting may
        take its whole timeout); then as after a retry: the lists fill and the watch starts,
        or the banner says why and it is tried again in ``RETRY`` seconds."""
        self._bind_loop()
        self._off_loop(self._open)

    def retry_later(self) -> None:
        """The store could not be opened: try again in ``RETRY`` seconds, off the loop."""
        if self._closed or self._retry_timer is not None:
            return
        self._bind_loop()
        self._retry_timer = self._app.set_timer(self._retry, self._try_again)

    def _try_again(self) -> None:
        self._retry_timer = None
        if not self._closed:
            self._off_loop(self._open)

    def _open(self) -> None:  # off the loop
        try:
            self._app.ws.open_store()
        except StoreError as err:
            self._to_loop(partial(self._failed, err))
            self._to_loop(self.retry_later)
            return
        self._to_loop(self._reopened)

    def _failed(self, err: StoreError) -> None:
        if self._app.is_running:
            self._app.store_failed(err)
        self._app.settle_store()

    def _reopened(self) -> None:
        app = self._app
        app.settle_store()
        if self._closed or not app.is_running:
            return
        app.store_worked(wrote=False)
        app.refresh_lists()
        app.store_back()
        app.count_unread()
        self.start()

    def restart(self) -> None:
        """The app's workspace was swapped: watch the new one's store (a team database
        opened off the loop first)."""
        self._stop_watch()
        self._closed = False
        if self._app.ws.team:
            self.open_off_loop()
        else:
            self.start()

    def close(self) -> None:
        """Stop watching (on exit): the watch's thread ends before this returns."""
        self._closed = True
        for timer in (self._timer, self._retry_timer):
            if timer is not None:
                timer.stop()
        self._timer = self._retry_timer = None
        self._stop_watch()

    def _stop_watch(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            with contextlib.suppress(Exception):  # closing never turns an exit into a trace
                watch.close()

    # ------------------------------------------------------------------ notices

    def _noticed(self, cause: str) -> None:
        """On the watch's thread: never blocks it, never calls into Textual from it."""
        with self._lock:
            self.causes[cause] += 1
            if self._pending or self._closed or self._loop is None:
                return
            self._pending = True
        self._to_loop(self._burst)

    def _burst(self) -> None:
        if self._closed or not self._app.is_running:
            return
        if self._timer is None:
            self._timer = self._app.set_timer(self._debounce, self._catch_up)

    def _catch_up(self) -> None:
        """First one read off the loop: while the team database is away (the watch polls
        then), a read waits for the pool's timeout, which must not freeze the screen."""
        self._timer = None
        with self._lock:
            self._pending = False  # notices from now on come after what is read below
        if self._closed or not self._app.is_running:  # closing: the tabs may be gone
            return
        self._off_loop(self._probe)

    def _probe(self) -> None:  # off the loop
        from smstui.core.service.team import change_mark

        try:
            mark = change_mark(self._app.ws)
        except StoreError as err:
            self._to_loop(partial(self._failed, err))  # the banner; the next notice retries
            return
        self._to_loop(partial(self._show, mark))

    def lists_reloaded(self) -> None:
        """The app's lists just re-read (its own sync or send): what they show is current."""
        from smstui.core.service.team import change_mark

        if self._watch is not None:
            with contextlib.suppress(StoreError):  # the list's own read reports it
                self._mark = change_mark(self._app.ws)

    def _show(self, mark: tuple[int, int, int, int]) -> None:
        if self._closed or not self._app.is_running:
            return
        self.catch_ups += 1
        app = self._app
        if mark != self._mark:
            # only then: a draft saved or this app's own sync (already shown) re-read nothing
            app.refresh_lists()
            reload_conversation(app)
            self._mark = mark
        app.count_unread()
        if app.may_announce_live():
            try:
                replies = app.ws.replies.since_last_look()
            except StoreError as err:
                app.store_failed(err)
                return
            if replies:
                app.announce_replies(replies)


def reload_conversation(app: SmsShell) -> None:
    """The conversation on screen re-reads its messages (if any changed)."""
    from smstui.ui.screens.conversation import ConversationScreen

    screen = app.screen
    if isinstance(screen, ConversationScreen):
        screen.reload()
