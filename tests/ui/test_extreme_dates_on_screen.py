"""Items dated in year 1 and year 9999, from RSS, Atom and JSON Feed, in time zones west and
east of UTC: the board, the Inbox, the reader and search show them (as undated)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.ui.conftest import FIXED_NOW, press_for_screen, wait_for
from tests.unit.test_dates_extremes import FEEDS, ZONES
from tui.app import FolioApp
from tui.core.config import Settings
from tui.core.dates import local_text
from tui.core.ingest.parse import parse_feed
from tui.core.models import Source, SourceState
from tui.core.session import Session
from tui.core.storage.portfolio import Portfolio, save_portfolio
from tui.core.storage.workspace import Workspace
from tui.screens.dashboard import DashboardScreen
from tui.screens.reader import ReaderScreen
from tui.screens.search import SearchScreen
from tui.widgets.board import FeedBoard
from tui.widgets.itemlist import ItemList


@pytest.fixture(params=[z for z in ZONES if z != "UTC"])
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def extreme_session(root: Path) -> Session:
    root.mkdir()
    save_portfolio(root / "portfolio.toml", Portfolio(sources=[Source(url) for url in FEEDS]))
    session = Session(Workspace(root / "portfolio.toml", root / "folio.db", Settings()))
    session.clock = lambda: FIXED_NOW
    for url, (make, content_type) in FEEDS.items():
        feed = parse_feed(make(), url, content_type)
        session.store.store_feed(SourceState(url=url, status="ok"), feed, now=FIXED_NOW)
    return session


def visible(widget: FeedBoard | ItemList) -> str:
    height = widget.scrollable_content_region.height
    return "\n".join(widget.render_line(y).text for y in range(height))


async def test_board_inbox_reader_and_search_show_extreme_dates(tmp_path: Path, zone: str) -> None:
    session = extreme_session(tmp_path / "p")
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(140, 44)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        await wait_for(pilot, lambda: screen.inbox_loaded, "the Inbox")
        await pilot.pause()
        assert "rss 0" in visible(screen.query_one(FeedBoard))
        assert "atom 0" in visible(screen.query_one(ItemList)) or "json 0" in visible(
            screen.query_one(ItemList)
        )
        # Every item, opened in the reader one after the other.
        await pilot.press("j")
        reader = await press_for_screen(pilot, "enter", ReaderScreen, "the reader")
        for _ in range(4):
            meta = str(reader.query_one("#reader-meta", Static).visual)
            assert f"first seen {local_text(FIXED_NOW, '%a %d %b %Y %H:%M')}" in meta
            await pilot.press("n")
            await pilot.pause()
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        search = await press_for_screen(pilot, "slash", SearchScreen, "search")
        await pilot.press(*"json")
        await wait_for(pilot, lambda: search.table.row_count > 0, "search results")
        assert app.is_running
