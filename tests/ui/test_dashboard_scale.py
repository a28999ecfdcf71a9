"""The dashboard at scale: 500 feeds × 200 items (100,000 items) mounts and answers keys.

A functional test, with no timing asserts (timings are measured by hand with
``bench/dashboard_scale.py``). The store is built once per module, in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import FIXED_NOW
from tests.ui.test_dashboard import ready
from tui.app import FolioApp
from tui.core.config import Settings
from tui.core.models import KINDS, ParsedFeed, ParsedItem, Source, SourceState
from tui.core.session import Session
from tui.core.storage.portfolio import Portfolio, save_portfolio
from tui.core.storage.workspace import Workspace
from tui.messages import SourceRefreshed
from tui.screens.dashboard import DashboardScreen
from tui.widgets.board import FeedBoard
from tui.widgets.itemlist import ItemList

FEEDS = 500
PER_FEED = 200


def build_large_session(root: Path, feeds: int = FEEDS, per_feed: int = PER_FEED) -> Session:
    """A portfolio of ``feeds`` sources over all kinds, each with ``per_feed`` stored items."""
    sources = [
        Source(f"https://feed{n}.example/rss", f"Feed number {n}", KINDS[n % len(KINDS)])
        for n in range(feeds)
    ]
    workspace = Workspace(root / "portfolio.toml", root / "folio.db", Settings())
    save_portfolio(workspace.portfolio_path, Portfolio(sources=sources))
    session = Session(workspace)
    session.clock = lambda: FIXED_NOW
    for n, source in enumerate(sources):
        items = [
            ParsedItem(
                guid=f"{source.url}#{i}",
                title=f"Item {i} of feed {n}: something worth reading",
                link=f"https://feed{n}.example/posts/{i}",
                author="Someone",
                content=f"<p>Body of item {i}</p>",
                published=FIXED_NOW - dt.timedelta(hours=i * 7 + n % 13),
            )
            for i in range(per_feed)
        ]
        state = SourceState(
            url=source.url,
            status="ok",
            last_fetched=FIXED_NOW,
            next_due=FIXED_NOW + dt.timedelta(minutes=30),
        )
        session.store.store_feed(state, ParsedFeed(title=source.name, items=items), now=FIXED_NOW)
    return session


@pytest.fixture(scope="module")
def large_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("large")
    build_large_session(root).close()
    return root


@pytest.fixture
def large(large_root: Path) -> Iterator[Session]:
    workspace = Workspace(large_root / "portfolio.toml", large_root / "folio.db", Settings())
    session = Session(workspace)
    session.clock = lambda: FIXED_NOW
    yield session
    session.close()


async def test_dashboard_with_500_feeds_and_100k_items(large: Session) -> None:
    app = FolioApp(large, auto_refresh=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        board = screen.query_one(FeedBoard)
        inbox = screen.query_one(ItemList)
        assert len(board.sources) == FEEDS
        assert len(inbox.ids) == FEEDS * PER_FEED
        # Only what is drawn is read: a screenful of cards, not 500.
        assert 0 < len(board._data) < 40
        assert len(inbox._cache) < 200
        # A key on the board updates the store and the card at once.
        item_id = board.cursor_item_id
        assert item_id is not None
        await pilot.press("s")
        assert large.store.item(item_id).starred  # type: ignore[union-attr]
        assert any("★" in board.render_line(y).text for y in range(6))
        # Jump to the last pane and back: the layout is arithmetic, the data lazy.
        await pilot.press("G")
        assert board.cursor_source == board.sources[-1].url
        await pilot.press("g", "j", "right")
        # The Inbox: to the end of 100,000 rows, toggle, back to the top.
        await pilot.press("tab")
        await pilot.pause()
        await pilot.press("end")
        assert inbox.cursor_id == inbox.ids[-1]
        last = inbox.cursor_id
        await pilot.press("r")
        assert large.store.item(last or 0).read  # type: ignore[union-attr]
        await pilot.press("home", "pagedown", "j")
        assert inbox.cursor > 1
        # A refresh report for one feed redraws that card only and keeps the cursor.
        cursor = inbox.cursor_id
        app.broadcast(lambda: SourceRefreshed(board.sources[3].url, 0, "not-modified"))
        await pilot.pause()
        assert inbox.cursor_id == cursor
        large.set_flag([last or 0], "read", False)  # leave the shared store as it was
        large.set_flag([item_id], "starred", False)


async def test_lists_of_100k_items(large: Session) -> None:
    """All, Unread and Starred at 100,000 items: each opens with a first page and fills in
    the rest from a thread; keys work at both ends."""
    from tests.ui.conftest import press_for_screen, wait_for
    from tui.screens.lists import ListScreen

    app = FolioApp(large, auto_refresh=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot)
        screen = await press_for_screen(pilot, "A", ListScreen, "the All list")
        await wait_for(pilot, lambda: screen.loaded, "the whole list")
        items = screen.items
        assert len(items.ids) == FEEDS * PER_FEED
        assert len(items._cache) < 200  # only what is drawn was read
        await pilot.press("G")
        assert items.cursor_id == items.ids[-1]
        await pilot.press("s")
        starred = items.cursor_id
        await pilot.press("v")  # All → New since I last looked
        await wait_for(pilot, lambda: screen.spec.name == "new" and screen.loaded, "New")
        await pilot.press("asterisk")
        await wait_for(pilot, lambda: screen.spec.name == "starred" and screen.loaded, "Starred")
        assert items.ids == [starred]
        await pilot.press("s", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        assert not large.store.item(starred or 0).starred  # type: ignore[union-attr]
