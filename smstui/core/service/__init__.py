"""The one async service layer both front-ends use: ``Workspace`` and its parts by subject.

The TUI and the CLI import this package (plus models, errors and the pure text helpers);
never the Membrane client, the ClickSend services, the store or the delivery machinery
directly (import-linter enforces it). Importing it is cheap: httpx, the Membrane client and
the store load only when a part first needs them, after the app's first frame.
"""

from smstui.core.service.results import (
    ConnectionState,
    Outcome,
    Quote,
    RecipientResult,
    Reply,
    SyncResult,
)
from smstui.core.service.workspace import DRAFT_KEY, Workspace

__all__ = [
    "DRAFT_KEY",
    "ConnectionState",
    "Outcome",
    "Quote",
    "RecipientResult",
    "Reply",
    "SyncResult",
    "Workspace",
]
