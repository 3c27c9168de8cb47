"""Snapshots of the Contacts tab, the campaign screen and Compose in MMS and voice modes."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from support.screenshots import SIZES, staged_app
from support.screenshots_contacts import CONTACT_SHOTS, stage_contacts


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("shot", CONTACT_SHOTS)
def test_contacts_snapshot(
    snap_compare: Callable[..., bool], shot: str, size: tuple[int, int]
) -> None:
    run_before: Any = partial(stage_contacts, shot=shot)
    assert snap_compare(staged_app(), terminal_size=size, run_before=run_before)
