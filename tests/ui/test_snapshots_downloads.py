"""Snapshots of the Downloads view at 80×24 and 160×48, with an episode in each state.

Update with ``pytest tests/ui/test_snapshots_downloads.py --snapshot-update`` and look at
the SVGs in ``tests/ui/__snapshots__`` before committing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import FIXED_NOW, build_session, wait_for
from tests.ui.test_dashboard import ready
from tui.app import FolioApp
from tui.core.config import PodcastSettings
from tui.core.session import Session
from tui.screens.downloads import DownloadsScreen

SnapCompare = Callable[..., bool]
CAST = "https://cast.example/rss"
FOLDER = "/srv/podcasts"


@pytest.fixture
def downloads_session(tmp_path: Path) -> Iterator[Session]:
    session = build_session(tmp_path / "portfolio")
    # A folder that is named, never written: the app below runs no downloads.
    session.workspace.settings.podcasts = PodcastSettings(folder=FOLDER)
    episodes = session.podcasts.episodes
    items = session.store.items(sources=[CAST])
    states: list[dict[str, Any]] = [
        {"status": "downloading", "bytes": 13_020_000, "total": 31_000_000},
        {"status": "queued"},
        {"status": "paused", "bytes": 12_400_003, "total": 31_000_003},
        {"status": "failed", "error": "the server answered 404 Not Found"},
        {"status": "downloaded", "bytes": 31_000_004, "total": 31_000_004, "position": 723.0},
        {"status": "downloaded", "bytes": 31_000_005, "total": 31_000_005, "played": True},
    ]
    for n, (item, state) in enumerate(zip(items, states, strict=False)):
        file = f"{FOLDER}/The HR Cast/{item.title}.mp3"
        when = FIXED_NOW - dt.timedelta(hours=n)
        episodes.update(
            item.id,
            url=item.enclosure_url,
            file=file,
            queued_at=when,
            downloaded_at=when if state["status"] == "downloaded" else None,
            **state,
        )
    yield session
    session.close()


def show_downloads(pilot_keys: tuple[str, ...] = ()) -> Callable[[Pilot[Any]], Any]:
    async def run(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DownloadsScreen), "Downloads")
        await pilot.press(*pilot_keys)
        await pilot.pause()

    return run


def app_for(session: Session) -> FolioApp:
    return FolioApp(session, auto_refresh=False, downloads=False)


def test_downloads_80x24(snap_compare: SnapCompare, downloads_session: Session) -> None:
    assert snap_compare(
        app_for(downloads_session), terminal_size=(80, 24), run_before=show_downloads()
    )


def test_downloads_160x48(snap_compare: SnapCompare, downloads_session: Session) -> None:
    # The cursor on the failed download: the line below says why.
    keys = ("j", "j", "j")
    assert snap_compare(
        app_for(downloads_session), terminal_size=(160, 48), run_before=show_downloads(keys)
    )
