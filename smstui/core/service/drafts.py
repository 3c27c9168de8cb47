"""Drafts: what the user was writing, kept in the local store so that nothing typed is lost."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smstui.core.service.workspace import Workspace


class DraftsPart:
    def __init__(self, ws: Workspace) -> None:
        self._ws = ws

    def load(self, key: str) -> dict[str, str]:
        """The draft saved under ``key`` ({} when none, or when it cannot be read)."""
        raw = self._ws._store().load_draft(key)
        if not raw:
            return {}
        try:
            data: Any = json.loads(raw)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def save(self, key: str, draft: dict[str, str]) -> None:
        self._ws._store().save_draft(key, json.dumps(draft))
