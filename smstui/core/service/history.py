"""History: the local record of every message, read page by page (fast, no network)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smstui.core.service.workspace import Workspace
    from smstui.core.store.message_store import StoredMessage
    from smstui.core.store.query import MessageFilter


class HistoryPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    def conversation(self, number: str) -> Sequence[StoredMessage]:
        """Every message to and from ``number``, oldest first."""
        return self._ws._store().conversation(number)

    def count(self, filters: MessageFilter | None = None) -> int:
        store = self._ws._store()
        return store.count() if filters is None else store.count(filters)
