"""The demo writes to the user's portfolio only when they ask to keep it."""

from __future__ import annotations

from tui.app import FolioApp
from tui.core.session import Session
from tui.core.storage import paths
from tui.core.storage.portfolio import load_portfolio
from tui.core.storage.workspace import demo_workspace


async def test_keep_demo_copies_it_once_and_never_overwrites() -> None:
    session = Session(demo_workspace())
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not paths.portfolio_path().exists()  # opening the demo wrote nothing
        await app.run_action("keep_demo")
        kept = load_portfolio(paths.portfolio_path())
        assert kept.sources == session.portfolio.sources
        assert kept.vision == session.portfolio.vision
        before = paths.portfolio_path().read_bytes()
        await app.run_action("keep_demo")
        await pilot.pause()
        messages = [note.message for note in app._notifications]
        assert any("already exists" in m for m in messages)
        assert paths.portfolio_path().read_bytes() == before
