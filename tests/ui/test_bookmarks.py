"""Pilot tests for bookmarks: b on an item, the question before removing it from the
service, the item's mark (saved ⚑, waiting ⚐, refused !) in the board, the Inbox and the
reader, the status line, and retrying from the command palette.

The service is a loopback linkding answering as its docs/API.md says
(tests/bookmark_services.py); the app sends to it for real, in its worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.ui.conftest import build_session, notices, press_for_screen, wait_for
from tui.app import FolioApp
from tui.core.config import BookmarkSettings
from tui.core.outbox.queue import Outbox
from tui.core.session import Session
from tui.screens.dashboard import DashboardScreen
from tui.screens.forms import ConfirmScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.board import FeedBoard
from tui.widgets.itemlist import ItemList

if TYPE_CHECKING:
    from tests.bookmark_services import FakeLinkding

pytest_plugins = ["httpserver", "bookmark_services"]

TOKEN = "s3cret-token"
FIRST = "https://people.example/posts/1"
"""The link of the item under the board's cursor when the dashboard opens."""


@pytest.fixture
def bookmarking(
    tmp_path: Path, linkding: FakeLinkding, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Session]:
    monkeypatch.setenv("FOLIO_BOOKMARKS_TOKEN", TOKEN)
    session = build_session(tmp_path / "portfolio")
    session.workspace.settings.bookmarks = BookmarkSettings("linkding", linkding.url)
    yield session
    session.close()


async def ready(pilot: Pilot[Any]) -> DashboardScreen:
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, DashboardScreen) and pilot.app.screen.inbox_loaded,
        "the dashboard",
    )
    screen = pilot.app.screen
    assert isinstance(screen, DashboardScreen)
    return screen


def board_lines(screen: DashboardScreen) -> list[str]:
    board = screen.query_one(FeedBoard)
    return [board.render_line(y).text for y in range(board.scrollable_content_region.height)]


def row_of(screen: DashboardScreen, title_start: str) -> str:
    return next(line for line in board_lines(screen) if title_start in line)


def status(screen: DashboardScreen) -> str:
    return str(screen.query_one("#status", Static).visual)


async def test_b_sends_the_bookmark_and_the_row_shows_it_saved(
    bookmarking: Session, linkding: FakeLinkding
) -> None:
    app = FolioApp(bookmarking, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await ready(pilot)
        title = board_lines(screen)
        await pilot.press("b")
        item = next(i for i in bookmarking.store.items() if i.link == FIRST)
        assert item.bookmarked
        assert "Bookmarked: waiting to be sent to linkding." in notices(app)
        assert "Onboarding that sticks" in row_of(screen, "Onboarding that sticks")
        await wait_for(pilot, lambda: linkding.urls() == [FIRST], "linkding to have it")
        await wait_for(
            pilot, lambda: "⚑" in row_of(screen, "Onboarding that sticks"), "the saved mark"
        )
        await wait_for(pilot, lambda: "waiting" not in status(screen), "the status line")
        saved = linkding.by_url(FIRST)
        assert saved is not None and saved["tag_names"] == ["hr"]
        assert saved["title"] == item.title
        assert title  # the board was drawn before the key


async def test_b_again_asks_before_removing_it_from_the_service(
    bookmarking: Session, linkding: FakeLinkding
) -> None:
    app = FolioApp(bookmarking, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await ready(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: linkding.urls() == [FIRST], "linkding to have it")
        confirm = await press_for_screen(pilot, "b", ConfirmScreen, "the question")
        assert "linkding" in str(confirm.message)
        await pilot.press("n")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "the dashboard again")
        assert next(i for i in bookmarking.store.items() if i.link == FIRST).bookmarked
        await press_for_screen(pilot, "b", ConfirmScreen, "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: linkding.urls() == [], "linkding to forget it")
        assert not next(i for i in bookmarking.store.items() if i.link == FIRST).bookmarked
        await wait_for(
            pilot, lambda: "⚑" not in row_of(screen, "Onboarding that sticks"), "no mark"
        )


async def test_a_refused_token_leaves_it_waiting_and_says_why(
    bookmarking: Session, linkding: FakeLinkding, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLIO_BOOKMARKS_TOKEN", "wrong-token")
    app = FolioApp(bookmarking, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await ready(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: "refused the token" in status(screen), "the reason")
        line = status(screen)
        assert "1 bookmark waiting: linkding refused the token (401)" in line
        assert "wrong-token" not in line
        assert "⚐" in row_of(screen, "Onboarding that sticks")
        # The Inbox and the reader say the same.
        inbox = screen.query_one(ItemList)
        assert inbox.move_to(next(i.id for i in bookmarking.store.items() if i.link == FIRST))
        await pilot.pause()
        rows = [inbox.render_line(y).text for y in range(inbox.scrollable_content_region.height)]
        assert "⚐" in next(row for row in rows if "Onboarding that sticks (People" in row)
        reader = await press_for_screen(pilot, "enter", ReaderScreen, "the reader")
        assert reader.item is not None and reader.item.link == FIRST
        flags = str(reader.query_one("#reader-flags", Static).visual)
        assert "⚐ bookmarked, waiting to be sent to linkding: linkding refused the token" in flags


async def test_a_refused_bookmark_is_marked_and_retried_from_the_palette(
    bookmarking: Session, linkding: FakeLinkding
) -> None:
    from tests.httpserver import Answer

    linkding.faults.down = [Answer.json({"url": ["Enter a valid URL."]}, 400)]
    app = FolioApp(bookmarking, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await ready(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: "refused (ctrl+p: retry)" in status(screen), "refusal")
        assert "!" in row_of(screen, "Onboarding that sticks")[:8]
        assert Outbox(bookmarking.store).failed()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"retry refused")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: linkding.urls() == [FIRST], "the retry to go out")
        await wait_for(
            pilot, lambda: "⚑" in row_of(screen, "Onboarding that sticks"), "the saved mark"
        )
        assert "Retrying 1 bookmark change." in notices(app)


async def test_hostile_titles_are_shown_literally_in_the_question(
    bookmarking: Session,
) -> None:
    item = next(i for i in bookmarking.store.items() if i.link == FIRST)
    with bookmarking.store.transaction() as db:
        db.execute(
            "UPDATE items SET title = ?, bookmarked = 1 WHERE id = ?",
            ("[@click=app.quit]x[/] [b]bold", item.id),
        )
    app = FolioApp(bookmarking, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        confirm = await press_for_screen(pilot, "b", ConfirmScreen, "the question")
        shown = confirm.query_one("#message", Static).visual
        assert "[@click=app.quit]x[/] [b]bold" in str(shown)
        await pilot.press("n")
        assert app.is_running
