"""How tabs and the app tell each other what happened: typed Textual messages.

Two directions. A tab (or a screen) *posts* a request that bubbles up to the app, which
owns the tabs: ``StoreChanged``, ``TemplatesChanged``, ``OpenInCompose``. The app *tells* every built tab a notice that does not bubble (each tab
handles the ones it cares about, the rest ignore them): ``AccountChanged``,
``PollRulesChanged``, ``SendsReconciled``. Nobody calls into another tab by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from smstui.core.models import Account
    from smstui.core.service import RecipientResult
    from smstui.core.service.types import PollRules


# ---------------------------------------------------------------- requests: up to the app


class StoreChanged(Message):
    """Messages in the store changed (a send, a sync, a cancel): every list re-reads."""


class TemplatesChanged(Message):
    """A template was created, edited or deleted: whatever offers templates re-reads them."""


class OpenInCompose(Message):
    """Reply, resend, "use template": open Compose with these fields filled in."""

    def __init__(self, *, to: str = "", body: str | None = None) -> None:
        super().__init__()
        self.to = to
        self.body = body


# ---------------------------------------------------------------- notices: down to the tabs


class AccountChanged(Message, bubble=False):
    """The account was read (at start-up, after a send, after switching connection)."""

    def __init__(self, account: Account) -> None:
        super().__init__()
        self.account = account


class PollRulesChanged(Message, bubble=False):
    """Whether ClickSend lists replies and receipts is known (or known again)."""

    def __init__(self, rules: PollRules | None) -> None:
        super().__init__()
        self.rules = rules


class SendsReconciled(Message, bubble=False):
    """A sync settled sends whose outcome was unknown: result lines may be updated."""

    def __init__(self, results: Sequence[RecipientResult]) -> None:
        super().__init__()
        self.results = list(results)
