"""The user's own items are output, not triage: never in the Inbox or its unread count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tui.core.config import Settings
from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState
from tui.core.session import Session
from tui.core.storage.item_queries import ItemQuery
from tui.core.storage.portfolio import Portfolio, save_portfolio
from tui.core.storage.workspace import Workspace

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
MINE = "https://me.example/feed"
THEIRS = "https://them.example/feed"


def make_session(tmp_path: Path) -> Session:
    workspace = Workspace(tmp_path / "portfolio.toml", tmp_path / "folio.db", Settings())
    portfolio = Portfolio(sources=[Source(MINE, "Mine", mine=True), Source(THEIRS, "Theirs")])
    save_portfolio(workspace.portfolio_path, portfolio)
    session = Session(workspace)
    for url, count in ((MINE, 3), (THEIRS, 5)):
        items = [
            ParsedItem(guid=f"{url}#{n}", title=f"{n}", published=NOW - dt.timedelta(days=n))
            for n in range(count)
        ]
        session.store.store_feed(SourceState(url, "ok"), ParsedFeed(items=items), now=NOW)
    return session


def test_own_items_are_not_in_the_inbox(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    try:
        assert session.own_sources() == (MINE,)
        inbox = session.store.items_by_id(session.inbox_ids())
        assert len(inbox) == 5 and {item.source for item in inbox} == {THEIRS}
        assert session.inbox_count() == 5
        # Still unread, and still there for the board and the reader.
        assert session.store.count(sources=[MINE], unread=True) == 3
        # A source no longer marked as the user's comes back to the Inbox.
        session.update_source(MINE, Source(MINE, "Mine", mine=False))
        assert session.inbox_count() == 8 and len(session.inbox_ids()) == 8
    finally:
        session.close()


def test_the_store_leaves_out_what_it_is_told(tmp_path: Path) -> None:
    session = make_session(tmp_path)
    try:
        store = session.store
        assert store.query_count(ItemQuery(unread=True)) == 8
        assert store.query_count(ItemQuery(unread=True, exclude=(MINE, THEIRS))) == 0
        assert len(store.unread_rows(exclude=(THEIRS,))) == 3
        assert len(store.unread_rows(exclude=(MINE,))) == 5
    finally:
        session.close()
