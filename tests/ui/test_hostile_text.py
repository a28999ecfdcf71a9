"""Hostile feed text on the dashboard, the Inbox and the reader.

Titles, authors and source names carry Textual markup, raw terminal escapes (OSC 8 links,
screen clears, 8-bit CSI, BEL) and bidi overrides. They are written straight into the
store, bypassing the ingest sanitiser, to prove the UI layer is safe on its own:

* markup is shown as the literal brackets, and clicking it runs no action;
* control characters and bidi overrides are removed when drawn, so they never reach the
  terminal (checked on the exact byte stream Textual would write).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static

from tests.ui.conftest import FIXED_NOW, build_session
from tests.ui.test_dashboard import ready
from tui.app import FolioApp
from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState
from tui.core.session import Session
from tui.core.storage.portfolio import Portfolio
from tui.screens.dashboard import DashboardScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.board import FeedBoard
from tui.widgets.itemlist import ItemList

QUIT = "[@click=app.quit]x[/]"
BOLD = "[bold]x[/bold]"
LINK = "[link=https://evil]x[/link]"
OSC8 = "\x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\"
CLEAR = "\x1b[2J\x1b[31mred"
C1 = "\x9b31mcsi8\x9d0;title\x07"
BIDI = "\u202eevil\u202c.txt \u2066iso\u2069"

BAD_CHARS = {chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))} | {
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
}

FEED = "https://evil.example/feed"
OTHER = "https://evil2.example/feed"


def hostile_session(root: Path) -> Session:
    portfolio = Portfolio(
        sources=[
            Source(FEED, f"{QUIT} feed", "blog"),
            Source(OTHER, f"\x1b[31m{BOLD}\u202e name", "social"),
        ]
    )
    session = build_session(root, portfolio)
    titles = [QUIT, BOLD, LINK, OSC8, CLEAR, C1, BIDI]
    for url in (FEED, OTHER):
        items = [
            ParsedItem(
                guid=f"{url}#{n}",
                title=title,
                link=f"https://evil.example/{n}",
                author=f"{LINK} \x1b[5mauthor",
                content=f"<p>{QUIT} and {BOLD}</p><p>\x1b]52;c;ZXZpbA==\x07 clipboard</p>",
                published=FIXED_NOW - dt.timedelta(hours=n + 1),
            )
            for n, title in enumerate(titles)
        ]
        state = SourceState(url=url, status="error", error=f"{QUIT} \x1b[2J failed")
        # store_feed writes what it is given: the parser's sanitising is bypassed here.
        session.store.store_feed(state, ParsedFeed(title=url, items=items), now=FIXED_NOW)
    return session


@pytest.fixture
def evil(tmp_path: Path) -> Iterator[Session]:
    session = hostile_session(tmp_path / "evil")
    yield session
    session.close()


def terminal_output(app: FolioApp) -> str:
    """Exactly what Textual would write to the terminal for the current screen.

    The headless driver writes nothing, so the compositor is asked directly (private API,
    the only way to see the real byte stream in a test).
    """
    update = app.screen._compositor.render_full_update()
    return update.render_segments(app.console)


def widget_lines(widget: FeedBoard | ItemList) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.scrollable_content_region.height)]


def assert_no_controls(text: str) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in text if c in BAD_CHARS})
    assert not found, f"control or bidi characters drawn: {found}"


def assert_terminal_clean(app: FolioApp) -> None:
    out = terminal_output(app)
    assert "\x1b]" not in out  # no OSC at all: no hyperlinks, no clipboard writes, no titles
    assert "\x1b[2J" not in out and "\x1b[5m" not in out
    assert "https://evil" not in out or "[link=https://evil]" in out
    for char in ("\x9b", "\x9d", "\x07", *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"):
        assert char not in out, f"{char!r} reached the terminal"


async def test_markup_in_titles_and_names_is_shown_literally(evil: Session) -> None:
    app = FolioApp(evil, auto_refresh=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        board = app.screen.query_one(FeedBoard)
        inbox = app.screen.query_one(ItemList)
        board_text = "\n".join(widget_lines(board))
        inbox_text = "\n".join(widget_lines(inbox))
        for literal in (QUIT, BOLD, LINK):
            assert literal in board_text
            assert literal in inbox_text
        assert f"{QUIT} feed" in board_text  # the source name on its card
        # The error status, brackets and all; the ESC is gone, its harmless tail stays.
        assert f"✗ {QUIT} [2J failed" in board_text
        # No segment carries a link or an action: the styles are the widget's own.
        for widget in (board, inbox):
            for y in range(widget.scrollable_content_region.height):
                for segment in widget.render_line(y):
                    style = segment.style
                    assert style is None or (not style.link and not style.meta), segment
        assert_terminal_clean(app)


async def test_controls_and_bidi_never_reach_the_terminal(evil: Session) -> None:
    app = FolioApp(evil, auto_refresh=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        board = app.screen.query_one(FeedBoard)
        inbox = app.screen.query_one(ItemList)
        text = "\n".join(widget_lines(board) + widget_lines(inbox))
        assert_no_controls(text)
        # What is left of the escapes is harmless text: the visible words survive.
        assert "]8;;https://evil.example" in text and "evil.txt" in text and "csi8" in text
        assert_terminal_clean(app)


async def _click_every_title(pilot: Pilot[Any], app: FolioApp) -> None:
    board = app.screen.query_one(FeedBoard)
    inbox = app.screen.query_one(ItemList)
    for row in range(7):
        await pilot.click(board, offset=(8, 3 + min(row, 4)))
        await pilot.click(inbox, offset=(30, row))
        # The title column starts after flags, age and source: click right on the text.
        await pilot.click(inbox, offset=(inbox.size.width - 10, row))


async def test_clicking_markup_runs_no_action(evil: Session) -> None:
    app = FolioApp(evil, auto_refresh=False)
    fired: list[str] = []
    original = app.run_action

    async def spy(action: Any, *args: Any, **kwargs: Any) -> bool:
        fired.append(str(action))
        return await original(action, *args, **kwargs)

    app.run_action = spy  # type: ignore[method-assign]
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        await _click_every_title(pilot, app)
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, DashboardScreen)
        assert fired == []
        assert app.return_value is None


async def test_reader_shows_hostile_item_as_plain_text(evil: Session) -> None:
    app = FolioApp(evil, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        for _ in range(100):
            if isinstance(app.screen, ReaderScreen):
                break
            await pilot.pause(0.01)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        shown: dict[str, str] = {}
        for static in reader.query(Static):
            visual = static.visual
            assert isinstance(visual, Content)
            assert not visual.spans, f"{static.id} has styled spans from feed text"
            shown[static.id or ""] = visual.plain
        assert shown["reader-title"] == QUIT
        assert f"{LINK} [5mauthor" in shown["reader-meta"]
        assert "]8;;" not in shown["reader-title"]
        assert QUIT in shown["reader-text"] and BOLD in shown["reader-text"]
        assert_no_controls("\n".join(shown.values()))
        assert_terminal_clean(app)
        for row in range(1, 12):  # click all over the text: nothing happens
            for column in range(2, 6):
                await pilot.click(reader, offset=(column, row))
        assert app.is_running and isinstance(app.screen, ReaderScreen)


async def test_notifications_quote_names_without_markup(evil: Session) -> None:
    app = FolioApp(evil, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("m")  # "Marked 7 items in [@click=app.quit]x[/] feed read"
        await pilot.pause()
        notes = list(app._notifications)
        assert notes and all(not note.markup for note in notes)
        assert any(QUIT in note.message for note in notes)
        assert_no_controls(" ".join(note.message for note in notes))
        assert_terminal_clean(app)
        assert app.is_running
