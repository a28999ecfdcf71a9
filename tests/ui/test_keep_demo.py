"""The demo writes to the user's portfolio only when they ask to keep it, and copies its
offline sources only when they say so."""

from __future__ import annotations

import pytest

from tests.ui.conftest import wait_for
from tui.app import FolioApp
from tui.core.session import Session
from tui.core.storage import paths
from tui.core.storage.portfolio import load_portfolio
from tui.core.storage.workspace import demo_workspace
from tui.screens.forms import KeepDemoScreen


@pytest.mark.parametrize(("key", "with_sources"), [("k", False), ("s", True)])
async def test_keep_demo_asks_about_its_sources(key: str, with_sources: bool) -> None:
    session = Session(demo_workspace())
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not paths.portfolio_path().exists()  # opening the demo wrote nothing
        await app.run_action("keep_demo")
        await wait_for(pilot, lambda: isinstance(app.screen, KeepDemoScreen), "the question")
        await pilot.press(key)
        await wait_for(pilot, paths.portfolio_path().exists, "the portfolio")
        kept = load_portfolio(paths.portfolio_path())
        assert kept.sources == (session.portfolio.sources if with_sources else [])
        assert kept.vision == session.portfolio.vision
        assert kept.matrix == session.portfolio.matrix and kept.roadmap
        before = paths.portfolio_path().read_bytes()
        await app.run_action("keep_demo")
        await pilot.pause()
        messages = [note.message for note in app._notifications]
        assert any("already exists" in m for m in messages)
        assert paths.portfolio_path().read_bytes() == before


async def test_keep_demo_can_be_cancelled() -> None:
    session = Session(demo_workspace())
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.run_action("keep_demo")
        await wait_for(pilot, lambda: isinstance(app.screen, KeepDemoScreen), "the question")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, KeepDemoScreen), "gone")
        assert not paths.portfolio_path().exists()
