"""Snapshots of each tab at 80x24 and 120x40 on a fixed-clock sandbox."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from support.screenshots import SIZES, stage, staged_app

#: the tabs whose snapshots live in this file's snapshot file (tools: test_ui_snapshots_tools.py)
TABS = ("compose", "inbox", "history", "templates")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tab", TABS)
def test_tab_snapshot(snap_compare: Callable[..., bool], tab: str, size: tuple[int, int]) -> None:
    run_before: Any = partial(stage, tab=tab)
    assert snap_compare(staged_app(), terminal_size=size, run_before=run_before)
