"""Snapshots of the lists of items (Starred, a feed's whole list) and the full-width
Inbox, at 80×24 and 160×48.

Update with ``pytest tests/ui/test_snapshots_lists.py --snapshot-update`` and look at the
SVGs in ``tests/ui/__snapshots__`` before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import wait_for
from tests.ui.test_dashboard import ready
from tests.ui.test_snapshots_dashboard import _utc_clock, app_for  # noqa: F401 (fixture)
from tui.core.session import Session
from tui.screens.lists import ListScreen

SnapCompare = Callable[..., bool]
SIZES = [(80, 24), (160, 48)]


def then(*keys: str, list_screen: bool = True) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press(*keys)
        if list_screen:
            await wait_for(
                pilot,
                lambda: isinstance(pilot.app.screen, ListScreen) and pilot.app.screen.loaded,
                "the list",
            )
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_starred_list(snap_compare: SnapCompare, session: Session, size: tuple[int, int]) -> None:
    # Star two items on the board (one saved for later too), then list them.
    keys = then("s", "j", "j", "l", "s", "asterisk")
    assert snap_compare(app_for(session), terminal_size=size, run_before=keys)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_whole_feed(snap_compare: SnapCompare, session: Session, size: tuple[int, int]) -> None:
    keys = then("j", "r", "f", "j")
    assert snap_compare(app_for(session), terminal_size=size, run_before=keys)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_full_width_inbox(
    snap_compare: SnapCompare, session: Session, size: tuple[int, int]
) -> None:
    keys = then("z", "j", "j", list_screen=False)
    assert snap_compare(app_for(session), terminal_size=size, run_before=keys)
