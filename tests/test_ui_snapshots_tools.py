"""Snapshots of the Actions, Console and Stats tabs at 80x24 and 120x40 (fixed-clock sandbox)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from support.screenshots import SIZES, stage, staged_app

#: the Membrane tools and Stats (their own snapshot file; Contacts: test_ui_snapshots_contacts.py)
TOOL_TABS = ("actions", "console", "stats")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tab", TOOL_TABS)
def test_tool_tab_snapshot(
    snap_compare: Callable[..., bool], tab: str, size: tuple[int, int]
) -> None:
    run_before: Any = partial(stage, tab=tab)
    assert snap_compare(staged_app(), terminal_size=size, run_before=run_before)
