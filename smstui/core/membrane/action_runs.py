"""Running Membrane actions the way Membrane resolves them (membrane-api §3.6, ``/act``).

``/act`` with ``key`` finds only *saved* (workspace- or integration-level) actions; with ``id``
it finds catalog actions as well. The ClickSend actions ``GET /actions?connectionId=...`` lists
may be catalog actions that ``key`` alone does not find, so an action that came from a listing
runs by its id, and a bare key (``smstui actions run KEY``) is looked up in one listing first.
Only a key the listing does not know is sent as ``key``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smstui.core.errors import UsageError
from smstui.core.membrane.client import MembraneClient
from smstui.core.models import Action, ActionResult

#: one listing call is enough for a connector's actions (Membrane allows up to 1000 a page)
LISTING_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class ActionRun:
    """What running an action gave, and how it was selected (for the user and ``--json``)."""

    result: ActionResult
    #: the id it ran by, or None when it ran by key (the listing did not know it)
    action_id: str | None
    key: str


def checked_key(key: str | None) -> str:
    """The action key as typed, refused locally when empty (nothing is requested)."""
    text = (key or "").strip()
    if not text:
        raise UsageError(
            "The action key is empty",
            hint="Name an action, e.g. 'smstui actions run list-sms-templates' "
            "('smstui actions list' shows them).",
        )
    return text


async def run_listed(
    client: MembraneClient, connection_id: str, action: Action, input: Mapping[str, Any]
) -> ActionRun:
    """Run an action that came from a listing: by its id when Membrane gave one."""
    if action.id:
        result = await client.act(connection_id, None, input, action_id=action.id)
        return ActionRun(result, action.id, action.key)
    result = await client.act(connection_id, checked_key(action.key), input)
    return ActionRun(result, None, action.key)


async def find_listed(client: MembraneClient, connection_id: str, key: str) -> Action | None:
    """The connection's action whose key (else id) is ``key``, from one listing call."""
    listed = await client.list_actions(connection_id, limit=LISTING_LIMIT)
    return next((a for a in listed if a.key == key), None) or next(
        (a for a in listed if a.id == key), None
    )


async def run_by_key(
    client: MembraneClient, connection_id: str, key: str, input: Mapping[str, Any]
) -> ActionRun:
    """Run the action named ``key``: by the id the listing gives it, else by key."""
    key = checked_key(key)
    found = await find_listed(client, connection_id, key)
    if found is not None and found.id:
        return await run_listed(client, connection_id, found, input)
    return ActionRun(await client.act(connection_id, key, input), None, key)
