"""Snapshots of the dashboard, the Inbox and the reader at 80×24, 120×40 and 200×60.

Update with ``pytest tests/ui/test_snapshots_dashboard.py --snapshot-update`` and look at the
SVGs in ``tests/ui/__snapshots__`` before committing them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.test_dashboard import ready
from tui.app import FolioApp
from tui.core.session import Session
from tui.screens.reader import ReaderScreen
from tui.widgets.board import FeedBoard

SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def _utc_clock() -> Iterator[None]:
    """Times are shown in local time ("next 12:25"): pin the zone so snapshots agree."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


def app_for(session: Session) -> FolioApp:
    return FolioApp(session, auto_refresh=False)


async def _wait_for_reader(pilot: Pilot[Any]) -> None:
    for _ in range(200):
        if isinstance(pilot.app.screen, ReaderScreen):
            break
        await pilot.pause(0.01)
    await pilot.pause()


def pressing(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A run_before that waits for the Inbox to load, then presses ``keys``."""

    async def run(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run


def test_dashboard_120x40(snap_compare: SnapCompare, session: Session) -> None:
    assert snap_compare(app_for(session), terminal_size=(120, 40), run_before=pressing())


def test_dashboard_80x24(snap_compare: SnapCompare, session: Session) -> None:
    assert snap_compare(app_for(session), terminal_size=(80, 24), run_before=pressing())


def test_dashboard_200x60(snap_compare: SnapCompare, session: Session) -> None:
    assert snap_compare(app_for(session), terminal_size=(200, 60), run_before=pressing())


def test_dashboard_after_triage(snap_compare: SnapCompare, session: Session) -> None:
    # Star, save, bookmark and read one item each, then move into the next pane.
    keys = pressing("j", "s", "j", "l", "j", "b", "j", "r", "right")
    assert snap_compare(app_for(session), terminal_size=(120, 40), run_before=keys)


def test_inbox_80x24(snap_compare: SnapCompare, session: Session) -> None:
    keys = pressing("tab", "j", "j")
    assert snap_compare(app_for(session), terminal_size=(80, 24), run_before=keys)


def test_inbox_focused_120x40(snap_compare: SnapCompare, session: Session) -> None:
    keys = pressing("tab", "j", "s")
    assert snap_compare(app_for(session), terminal_size=(120, 40), run_before=keys)


def test_reader_podcast_120x40(snap_compare: SnapCompare, session: Session) -> None:
    async def open_episode(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        pilot.app.screen.query_one(FeedBoard).select("https://cast.example/rss")
        await pilot.press("enter")
        await _wait_for_reader(pilot)

    assert snap_compare(app_for(session), terminal_size=(120, 40), run_before=open_episode)


def test_reader_80x24(snap_compare: SnapCompare, session: Session) -> None:
    async def open_item(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("enter")
        await _wait_for_reader(pilot)

    assert snap_compare(app_for(session), terminal_size=(80, 24), run_before=open_item)
