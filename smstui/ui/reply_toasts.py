"""Toasts for new replies: one naming the sender and the first words (plain text, like every
toast), or one naming the senders when many came at once; the terminal bell if ``bell =
true``. Quiet for a reply whose conversation is open on screen (it appears there instead).

Toasts name the number: contacts live at ClickSend (``ws.contacts`` asks the network), and
the store keeps no names, so there is no local name to show without a request per toast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from smstui.ui.safe_text import one_line

if TYPE_CHECKING:
    from smstui.core.service import Reply
    from smstui.ui.shell import SmsShell

#: more new replies than this at once: one toast naming the senders, not a toast each
MAX_REPLY_TOASTS = 3


def first_words(body: str, words: int = 8, width: int = 60) -> str:
    """The start of a message for a toast: its first ``words`` words on one line."""
    parts = body.split()
    text = " ".join(parts[:words]) + (" …" if len(parts) > words else "")
    return one_line(text, width)


def announce(app: SmsShell, replies: Sequence[Reply]) -> None:
    from smstui.ui.screens.conversation import ConversationScreen

    screen = app.screen
    open_on = screen.number if isinstance(screen, ConversationScreen) else None
    loud = [r for r in replies if r.sender != open_on]
    if len(loud) < len(replies) and isinstance(screen, ConversationScreen):
        screen.reload()  # the new message appears where the user looks
    if not loud:
        return
    if len(loud) > MAX_REPLY_TOASTS:
        senders = ", ".join(dict.fromkeys(r.sender for r in loud))
        app.notify(one_line(senders, 60), title=f"{len(loud)} new replies", timeout=8)
    else:
        for r in loud:
            app.notify(first_words(r.body), title=f"Reply from {r.sender}", timeout=8)
    if app.ws.settings.bell:
        app.bell()
