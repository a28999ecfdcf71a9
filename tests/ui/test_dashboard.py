"""Pilot tests for the dashboard: every key, what the widgets show, and what the store holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

from tests.ui.conftest import FIXED_NOW, SOURCES, build_session, press_for_screen, wait_for
from tui.app import FolioApp
from tui.core.models import ParsedFeed, ParsedItem, SourceState
from tui.core.session import Session
from tui.core.storage.portfolio import Portfolio
from tui.messages import RefreshFinished, SourceRefreshed
from tui.screens.dashboard import DashboardScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.board import FeedBoard
from tui.widgets.itemlist import ItemList

# Reading order on the board: kinds in KINDS order, portfolio order within a kind.
BOARD_ORDER = [s.url for s in SOURCES]  # the fixture already lists them blog, podcast, ...


async def ready(pilot: Pilot[Any]) -> None:
    """Wait for the dashboard's first paint and its Inbox ids (read in a thread)."""
    await pilot.pause()
    for _ in range(500):
        screen = pilot.app.screen
        if not isinstance(screen, DashboardScreen) or screen.inbox_loaded:
            break
        await pilot.pause(0.01)
    await pilot.pause()


# -- helpers ------------------------------------------------------------------------------


def dash(app: FolioApp) -> DashboardScreen:
    screen = app.screen
    assert isinstance(screen, DashboardScreen), screen
    return screen


def board(app: FolioApp) -> FeedBoard:
    return dash(app).query_one(FeedBoard)


def inbox(app: FolioApp) -> ItemList:
    return dash(app).query_one(ItemList)


def visible_text(widget: FeedBoard | ItemList) -> list[str]:
    """The lines the widget draws right now, as the terminal would get them."""
    height = widget.scrollable_content_region.height
    return [widget.render_line(y).text for y in range(height)]


async def open_reader(pilot: Pilot[Any]) -> ReaderScreen:
    """Press Enter on the focused list and wait for the reader."""
    return await press_for_screen(pilot, "enter", ReaderScreen, "the reader")


def static_text(app: FolioApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).visual)


def newest(session: Session, url: str, n: int = 5) -> list[int]:
    return [item.id for item in session.store.items(sources=[url], limit=n)]


@pytest.fixture
def app(session: Session) -> FolioApp:
    return FolioApp(session, auto_refresh=False)


# -- layout and first paint -----------------------------------------------------------------


async def test_board_and_inbox_side_by_side(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b, ib = board(app), inbox(app)
        assert b.has_focus
        assert [s.url for s in b.sources] == BOARD_ORDER
        assert b.region.x == 0 and ib.region.x > b.region.right - 1  # side by side
        assert ib.ids == session.inbox_ids() and dash(app).inbox_loaded
        # The user's own blog (mine = true) is not in the Inbox: 5 feeds × 8 items.
        assert static_text(app, "#inbox-title") == "Inbox — 40 unread, recent first, by quadrant"
        text = "\n".join(visible_text(b))
        assert "Blogs · 3 feeds" in text and "People Ops Weekly" in text
        # All is well, so no card spends a row on "ok"; the user's own card is marked.
        assert "8 unread" in text and "✓ ok" not in text and "✎ My Own Blog" in text
        # The Inbox: the last two days first (Tag Theory, in no matrix entry, before the
        # Drop quadrant's People Ops), then older items with Mastodon's Quick wins first.
        lines = visible_text(ib)
        assert lines[0].startswith("─ Last 2 days · not in the matrix · 1")
        assert lines[2].startswith("─ Last 2 days · Drop · 1")
        assert lines[4].startswith("─ Older · Quick wins · 8")
        first = session.store.item(ib.ids[0])
        assert first is not None and first.source == "https://tagging.example/atom"
        older = session.store.item(ib.ids[2])
        assert older is not None and older.source == "https://social.example/@ana.rss"
        assert "6 feeds · 40 unread" in static_text(app, "#status")


async def test_narrow_terminal_shows_one_side_and_tab_switches(app: FolioApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        b, ib = board(app), inbox(app)
        assert b.display and b.has_focus
        assert not ib.parent.display  # type: ignore[union-attr]
        assert "Tab: Inbox" in static_text(app, "#status")
        await pilot.press("tab")
        await wait_for(pilot, lambda: ib.has_focus, "the Inbox to take focus")
        assert ib.parent.display and not b.display  # type: ignore[union-attr]
        await pilot.press("tab")
        await wait_for(pilot, lambda: b.has_focus, "the board to take focus")
        assert b.display


async def test_tab_switches_focus_when_wide(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("tab")
        await wait_for(pilot, lambda: inbox(app).has_focus, "Inbox focus")
        assert board(app).display  # both stay visible
        await pilot.press("tab")
        await wait_for(pilot, lambda: board(app).has_focus, "board focus")


async def test_empty_portfolio_says_how_to_start(tmp_path: Path) -> None:
    session = build_session(tmp_path / "empty", Portfolio())
    try:
        app = FolioApp(session, auto_refresh=False)
        async with app.run_test(size=(120, 30)) as pilot:
            await ready(pilot)
            text = " ".join(" ".join(visible_text(board(app))).split())
            assert "No sources yet — press 4 then a to add one" in text
            assert "`folio import FILE`" in text
            for key in ("j", "k", "right", "enter", "r", "m", "o", "u"):
                await pilot.press(key)  # nothing to act on: none of these may fail
            assert isinstance(app.screen, DashboardScreen)
    finally:
        session.close()


# -- moving -----------------------------------------------------------------------------------


async def test_j_k_arrows_move_through_items_pane_by_pane(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        first = newest(session, BOARD_ORDER[0], 6)
        assert (b.cursor_source, b.cursor_item_id) == (BOARD_ORDER[0], first[0])
        await pilot.press("j", "down", "j")
        assert b.cursor_item_id == first[3]
        await pilot.press("j", "j")
        assert b.cursor_item_id == first[5]
        await pilot.press("j")  # past the last item on the card: the next pane, first item
        assert (b.cursor_source, b.cursor_item_id) == (
            BOARD_ORDER[1],
            newest(session, BOARD_ORDER[1], 6)[0],
        )
        await pilot.press("k")  # and back to the previous pane's last item
        assert b.cursor_item_id == first[5]
        await pilot.press("k")
        await pilot.press("up", "k")
        assert b.cursor_item_id == first[2]
        # The cursor row is drawn highlighted and is the item the store has.
        item = session.store.item(first[2])
        assert item is not None
        assert any(item.title[:15] in line for line in visible_text(b))


async def test_left_right_h_jump_to_neighbouring_pane(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        await pilot.press("j", "j")
        await pilot.press("right")
        assert b.cursor_source == BOARD_ORDER[1]
        assert b.cursor_item_id == newest(session, BOARD_ORDER[1])[2]  # same row, next pane
        await pilot.press("right", "right")
        assert b.cursor_source == BOARD_ORDER[3]
        await pilot.press("left")
        assert b.cursor_source == BOARD_ORDER[2]
        await pilot.press("h")
        assert b.cursor_source == BOARD_ORDER[1]


async def test_page_home_end_and_cursor_kept_in_view(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 24)) as pilot:
        await ready(pilot)
        b = board(app)
        await pilot.press("G")
        assert b.cursor_source == BOARD_ORDER[-1]
        assert b.scroll_y > 0  # the last card was scrolled into view
        last_title = session.store.items(sources=[BOARD_ORDER[-1]], limit=1)[0].title
        assert any(last_title[:15] in line for line in visible_text(b))
        await pilot.press("home")
        assert b.cursor_source == BOARD_ORDER[0] and b.scroll_y == 0
        await pilot.press("pagedown")
        assert BOARD_ORDER.index(b.cursor_source or "") > 0
        await pilot.press("pageup", "end", "g")
        assert b.cursor_source == BOARD_ORDER[0]


async def test_inbox_moves_and_scrolls(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        await pilot.press("tab")
        await wait_for(pilot, lambda: inbox(app).has_focus, "Inbox focus")
        ib = inbox(app)
        ids = session.inbox_ids()
        await pilot.press("j", "down", "j")
        assert ib.cursor_id == ids[3]
        await pilot.press("k", "up")
        assert ib.cursor_id == ids[1]
        await pilot.press("end")
        assert ib.cursor_id == ids[-1] and ib.scroll_y > 0
        await pilot.press("home")
        assert ib.cursor_id == ids[0] and ib.scroll_y == 0
        await pilot.press("pagedown")
        assert ib.cursor > 10
        await pilot.press("pageup", "G")
        assert ib.cursor_id == ids[-1]
        await pilot.press("g")
        assert ib.cursor_id == ids[0] and ib.scroll_y == 0  # its heading in view too


# -- triage keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "flag", "glyph"),
    [("s", "starred", "★"), ("l", "saved", "◷"), ("b", "bookmarked", "⚑")],
)
async def test_flag_keys_on_the_board(
    app: FolioApp, session: Session, key: str, flag: str, glyph: str
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        await pilot.press("j")
        item_id = b.cursor_item_id
        assert item_id is not None
        assert glyph not in "".join(visible_text(b))
        await pilot.press(key)
        item = session.store.item(item_id)
        assert item is not None and getattr(item, flag) is True
        await pilot.pause()
        title = item.title[:15]
        line = next(line for line in visible_text(b) if title in line)
        assert glyph in line
        await pilot.press(key)  # toggles back
        item = session.store.item(item_id)
        assert item is not None and getattr(item, flag) is False
        assert b.cursor_item_id == item_id  # the cursor never moved


async def test_r_toggles_read_on_board_and_inbox_counts_follow(
    app: FolioApp, session: Session
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        item_id = b.cursor_item_id
        assert item_id is not None
        await pilot.press("r")
        assert session.store.item(item_id).read is True  # type: ignore[union-attr]
        await pilot.pause()
        assert static_text(app, "#inbox-title") == "Inbox — 39 unread, recent first, by quadrant"
        assert "7 unread" in visible_text(b)[1]
        await pilot.press("r")
        assert session.store.item(item_id).read is False  # type: ignore[union-attr]
        await pilot.pause()
        assert static_text(app, "#inbox-title") == "Inbox — 40 unread, recent first, by quadrant"


async def test_inbox_triage_keeps_rows_and_cursor(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("tab")
        await wait_for(pilot, lambda: inbox(app).has_focus, "Inbox focus")
        ib = inbox(app)
        await pilot.press("j", "j")
        item_id = ib.cursor_id
        assert item_id is not None
        before = list(ib.ids)
        await pilot.press("r", "s", "l", "b")
        item = session.store.item(item_id)
        assert item is not None
        assert (item.read, item.starred, item.saved, item.bookmarked) == (True, True, True, True)
        await pilot.pause(INBOX_SETTLE)
        # A read item stays listed (dimmed) where it was, so nothing under the user jumps.
        assert ib.ids == before and ib.cursor_id == item_id
        row = visible_text(ib)[ib.cursor - round(ib.scroll_y)]
        assert "●" not in row and "★" in row and "◷" in row and "⚑" in row


INBOX_SETTLE = 0.5
"""Longer than the dashboard's reload debounce, to prove a reload did not happen."""


async def test_enter_opens_reader_marks_read_and_q_returns(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("j")
        item_id = board(app).cursor_item_id
        assert item_id is not None
        await open_reader(pilot)
        assert session.store.item(item_id).read is True  # type: ignore[union-attr]
        title = session.store.item(item_id).title  # type: ignore[union-attr]
        assert static_text(app, "#reader-title") == title
        await pilot.press("q")  # closes the reader; the app's global q must not quit
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        assert app.is_running
        assert board(app).cursor_item_id == item_id
        assert board(app).has_focus


async def test_double_click_opens_reader_and_click_selects(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        ids = newest(session, BOARD_ORDER[0])
        # Board line 0 is the heading, 1 the card top, 2.. the items (no status row: all
        # is well).
        await pilot.click(b, offset=(8, 4))
        assert b.cursor_item_id == ids[2]
        await pilot.click(b, offset=(40, 2))  # second card, first item
        assert b.cursor_source == BOARD_ORDER[1]
        ib = inbox(app)
        await pilot.click(ib, offset=(20, 4))  # a heading: nothing happens
        assert ib.cursor == 1
        await pilot.click(ib, offset=(20, 5))
        assert ib.cursor == 5
        await pilot.double_click(ib, offset=(20, 5))
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        assert app.screen.item_id == ib.ids[2]  # type: ignore[attr-defined]


async def test_mouse_wheel_scrolls_without_moving_the_cursor(app: FolioApp) -> None:
    async with app.run_test(size=(120, 24)) as pilot:
        await ready(pilot)
        b = board(app)
        cursor = (b.cursor_source, b.cursor_item_id)
        for _ in range(3):
            b.post_message(events.MouseScrollDown(b, 5, 5, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert b.scroll_y > 0
        assert (b.cursor_source, b.cursor_item_id) == cursor


async def test_o_opens_http_links_with_an_argv_list(
    app: FolioApp, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []

    def fake_popen(argv: list[str], **kwargs: Any) -> object:
        assert kwargs.get("shell") in (None, False)
        calls.append(list(argv))
        return object()

    # Only the process start is faked: the opener's own http(s) check and argv building run.
    monkeypatch.setattr("tui.core.opener.subprocess.Popen", fake_popen)
    monkeypatch.setenv("BROWSER", "my-browser --new-tab")
    # Give the second item of the first pane a javascript: link, straight into the store.
    url = BOARD_ORDER[0]
    second = session.store.items(sources=[url], limit=2)[1]
    hostile = ParsedItem(guid=second.guid, title=second.title, link="javascript:alert(1)")
    session.store.store_feed(SourceState(url=url, status="ok"), ParsedFeed(items=[hostile]))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        first = session.store.item(board(app).cursor_item_id or 0)
        assert first is not None
        await pilot.press("o")
        await wait_for(pilot, lambda: bool(calls), "the opener")
        assert calls == [["my-browser", "--new-tab", first.link]]
        assert first.link.startswith("https://")
        await pilot.press("j", "o")
        await wait_for(pilot, lambda: bool(app._notifications), "an error notification")
        await app.workers.wait_for_complete()
        assert calls == [["my-browser", "--new-tab", first.link]]  # javascript: never ran
        messages = [n.message for n in app._notifications]
        assert any("only http and https" in m for m in messages)


async def test_m_marks_pane_read_and_u_undoes(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        url = BOARD_ORDER[0]
        cursor = b.cursor_item_id
        await pilot.press("m")
        assert session.store.count(sources=[url], unread=True) == 0
        assert session.inbox_count() == 32
        await pilot.pause()
        assert "all read" in visible_text(b)[1]
        assert static_text(app, "#inbox-title") == "Inbox — 32 unread, recent first, by quadrant"
        assert any(
            "Marked 8 items in People Ops Weekly read" in n.message for n in app._notifications
        )
        assert b.cursor_item_id == cursor
        await pilot.press("u")
        assert session.store.count(sources=[url], unread=True) == 8
        await pilot.pause()
        assert "8 unread" in visible_text(b)[1]
        assert any(n.message.startswith("Undid: Marked 8") for n in app._notifications)
        await pilot.press("m", "m")  # the second has nothing left to mark
        assert any("Nothing unread in People Ops Weekly" in n.message for n in app._notifications)
        await pilot.press("u", "u", "u")
        assert any(n.message == "Nothing to undo." for n in app._notifications)


async def test_m_in_the_inbox_marks_the_current_items_source(
    app: FolioApp, session: Session
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("tab")
        await wait_for(pilot, lambda: inbox(app).has_focus, "Inbox focus")
        ib = inbox(app)
        await pilot.press("j", "j")
        item = ib.cursor_item()
        assert item is not None
        before = list(ib.ids)
        await pilot.press("m")
        assert session.store.count(sources=[item.source], unread=True) == 0
        assert ib.ids == before and ib.cursor_id == item.id


# -- engine events --------------------------------------------------------------------------------


def _add_items(session: Session, url: str, titles: list[str], hours_ago: int = 0) -> None:
    feed = ParsedFeed(
        items=[
            ParsedItem(
                guid=f"{url}#new{n}-{title}",
                title=title,
                link=f"https://new.example/{n}",
                published=FIXED_NOW - dt.timedelta(hours=hours_ago, minutes=n),
            )
            for n, title in enumerate(titles)
        ]
    )
    state = session.store.state(url)
    session.store.store_feed(state, feed, now=FIXED_NOW)


async def test_new_items_never_move_cursor_scroll_or_focus(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 20)) as pilot:
        await ready(pilot)
        await pilot.press("tab")
        await wait_for(pilot, lambda: inbox(app).has_focus, "Inbox focus")
        ib, b = inbox(app), board(app)
        await pilot.press(*["j"] * 20, *["k"] * 5)  # scrolled, cursor mid-screen
        cursor_id, cursor_screen_row = ib.cursor_id, ib.cursor - round(ib.scroll_y)
        assert ib.scroll_y > 0 and 0 < cursor_screen_row < ib.size.height - 1
        board_cursor = (b.cursor_source, b.cursor_item_id)
        board_scroll = b.scroll_y
        # Three new items in the top-priority source land above the cursor...
        mastodon = "https://social.example/@ana.rss"
        _add_items(session, mastodon, ["Fresh one", "Fresh two", "Fresh three"])
        app.broadcast(lambda: SourceRefreshed(mastodon, 3, "ok"))
        await wait_for(pilot, lambda: len(ib.ids) == 43, "the Inbox reload")
        # ...and the same item stays under the cursor on the same screen row.
        assert ib.cursor_id == cursor_id
        assert ib.cursor - round(ib.scroll_y) == cursor_screen_row
        assert ib.has_focus
        assert (b.cursor_source, b.cursor_item_id) == board_cursor
        assert b.scroll_y == board_scroll
        assert static_text(app, "#inbox-title") == "Inbox — 43 unread, recent first, by quadrant"
        # The Mastodon card shows the new items (it is the last card; look at it).
        b.select(mastodon)
        await pilot.pause()
        assert any("Fresh one" in line for line in visible_text(b))


async def test_board_card_shows_new_items_keeping_the_cursor_item(
    app: FolioApp, session: Session
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        await pilot.press("j")
        item_id = b.cursor_item_id
        url = BOARD_ORDER[0]
        _add_items(session, url, ["Brand new post"])
        app.broadcast(lambda: SourceRefreshed(url, 1, "ok"))
        await wait_for(pilot, lambda: b.pane_item_ids(url)[1] == item_id, "the card update")
        await pilot.pause()
        assert b.cursor_item_id == item_id and b.cursor_row == 2
        assert "Brand new post" in visible_text(b)[2]
        assert "9 unread" in visible_text(b)[1]


async def test_status_shows_errors_refreshing_and_next_time(
    app: FolioApp, session: Session
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        url = BOARD_ORDER[1]
        state = session.store.state(url)
        state.next_due = FIXED_NOW - dt.timedelta(minutes=1)  # due: it will be refreshed
        session.store.save_state(state)
        b.refresh_sources([url])
        app.refreshing = True
        await pilot.pause()
        lines = visible_text(b)
        # A card being refreshed says so in its title line, keeping its rows for items.
        assert "⟳ 8 unread" in lines[1].split("╮ ╭")[1]
        assert "⟳" not in lines[1].split("╮ ╭")[0]  # the first source is not due
        state.status, state.error = "error", "the server took too long to answer (timeout 20s)"
        session.store.save_state(state)
        app.broadcast(lambda: SourceRefreshed(url, 0, "error"))
        await wait_for(pilot, lambda: "✗ the server" in visible_text(b)[2], "the error status")
        app.refreshing = False
        app.refresh_status = "Refreshed at 12:00: 5 ok, 0 unchanged, 1 failed; 0 new"
        app.broadcast(lambda: RefreshFinished(None))
        await pilot.pause()
        assert "1 failed" in static_text(app, "#status")
        line = visible_text(b)[2]
        assert "✗ the server" in line and "next" not in line  # ok cards say nothing
        assert "⟳" not in visible_text(b)[1]
        assert b.cursor_source == BOARD_ORDER[0]


async def test_session_changes_from_elsewhere_redraw(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        b = board(app)
        item_id = b.cursor_item_id
        assert item_id is not None
        session.set_flag([item_id], "starred", True, label="star")  # as another screen would
        await pilot.pause()
        assert "★" in visible_text(b)[2]
        # A new source (the Sources screen adds one): the board lays out again.
        from tui.core.models import Source

        session.add_source(Source("https://video.example/feed", "Talks", "video"))
        await pilot.pause()
        assert [s.url for s in b.sources][-1] == "https://video.example/feed"
        assert b.cursor_item_id == item_id


async def test_reader_keys(
    app: FolioApp, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr("tui.core.opener.subprocess.Popen", lambda argv, **_: calls.append(argv))
    monkeypatch.setenv("BROWSER", "browser")
    podcast = "https://cast.example/rss"
    async with app.run_test(size=(100, 12)) as pilot:
        await ready(pilot)
        board(app).select(podcast)
        reader = await open_reader(pilot)
        ids = newest(session, podcast, 500)
        assert reader.item_id == ids[0]
        assert "Episode: 42:10 · 31.0 MB · audio/mpeg" in static_text(app, "#reader-episode")
        assert "https://cast.example/rss/ep0.mp3" in static_text(app, "#reader-episode")
        assert "[1] https://example.org/ref0" in static_text(app, "#reader-text")
        await pilot.press("n")
        assert reader.item_id == ids[1] and session.store.item(ids[1]).read  # type: ignore[union-attr]
        await pilot.press("p", "p")  # the second p has nowhere to go
        assert reader.item_id == ids[0]
        body = reader.query_one("#reader-body")
        await pilot.press("j", "j")
        assert body.scroll_y == 2
        await pilot.press("k")
        assert body.scroll_y == 1
        await pilot.press("s", "l", "b")
        item = session.store.item(ids[0])
        assert item is not None and item.starred and item.saved and item.bookmarked
        assert "★ starred" in static_text(app, "#reader-flags")
        await pilot.press("r")
        assert session.store.item(ids[0]).read is False  # type: ignore[union-attr]
        await pilot.press("u")
        assert session.store.item(ids[0]).read is True  # type: ignore[union-attr]
        await pilot.press("o")
        await wait_for(pilot, lambda: bool(calls), "the opener")
        assert calls == [["browser", "https://cast.example/posts/1"]]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        assert board(app).cursor_item_id == ids[0]


async def test_tab_then_enter_typed_at_once_opens_the_inbox_item(
    app: FolioApp, session: Session
) -> None:
    # Both keys in one read from the terminal, as a fast typist sends them: Enter must
    # reach the pane Tab went to, not the one it left.
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        first_in_inbox = inbox(app).ids[0]
        assert first_in_inbox != board(app).cursor_item_id
        app.post_message(events.Key("tab", "\t"))
        app.post_message(events.Key("enter", "\r"))
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        assert app.screen.item_id == first_in_inbox  # type: ignore[attr-defined]
        await pilot.pause()
        # Both footers were rebuilt at once, each with its keys once.
        for screen in app.screen_stack:
            assert len(screen.query(".pinned-keys")) == 1


async def test_reader_from_the_inbox_steps_through_the_inbox(
    app: FolioApp, session: Session
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("tab")
        await wait_for(pilot, lambda: inbox(app).has_focus, "Inbox focus")
        ids = inbox(app).ids
        await open_reader(pilot)
        await pilot.press("n", "n")
        assert app.screen.item_id == ids[2]  # type: ignore[attr-defined]
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        assert inbox(app).cursor_id == ids[2] and inbox(app).has_focus
        assert all(session.store.item(i).read for i in ids[:3])  # type: ignore[union-attr]


async def test_reader_opened_again_shows_the_new_item_from_its_top(
    app: FolioApp, session: Session
) -> None:
    # The dashboard keeps its reader between openings; nothing of the last item may linger.
    podcast, blog = "https://cast.example/rss", "https://people.example/feed"
    async with app.run_test(size=(100, 12)) as pilot:
        await ready(pilot)
        board(app).select(podcast)
        first = await open_reader(pilot)
        await pilot.press("s", "j", "j")
        assert first.query_one("#reader-body").scroll_y == 2
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        board(app).select(blog)
        target = board(app).cursor_item_id
        assert target is not None and not session.store.item(target).read  # type: ignore[union-attr]
        reader = await open_reader(pilot)
        assert reader is first
        assert reader.item_id == target
        assert static_text(app, "#reader-title") == session.store.item(target).title  # type: ignore[union-attr]
        assert "starred" not in static_text(app, "#reader-flags")
        assert not reader.query_one("#reader-episode").display  # a blog post has no episode
        assert reader.query_one("#reader-body").scroll_y == 0
        assert session.store.item(target).read  # type: ignore[union-attr]
        await pilot.press("n")  # steps through the blog's items now, not the podcast's
        assert reader.item_id == newest(session, blog, 500)[1]


async def test_inbox_reload_moves_past_items_that_left(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 20)) as pilot:
        await ready(pilot)
        await pilot.press("tab")
        await wait_for(pilot, lambda: inbox(app).has_focus, "Inbox focus")
        ib = inbox(app)
        ids = list(ib.ids)
        await pilot.press(*["j"] * 30)
        cursor_item = session.store.item(ids[30])
        assert cursor_item is not None and ib.scroll_y > 0
        # Another screen marks the cursor item's whole source read; then a refresh reports
        # new items elsewhere, so the Inbox reloads without that source.
        session.mark_source_read(cursor_item.source)
        _add_items(session, BOARD_ORDER[0], ["Late arrival"], hours_ago=400)
        app.broadcast(lambda: SourceRefreshed(BOARD_ORDER[0], 1, "ok"))
        await wait_for(pilot, lambda: len(ib.ids) == 40 - 8 + 1, "the Inbox reload")
        gone = set(session.store.unread_ids(cursor_item.source)) | {
            i
            for i in ids
            if session.store.item(i).source == cursor_item.source  # type: ignore[union-attr]
        }
        survivors = [i for i in ids[30:] if i not in gone]
        assert ib.cursor_id == survivors[0]  # the next item that is still unread
        height = ib.scrollable_content_region.height
        assert 0 <= ib.cursor - round(ib.scroll_y) < height  # and it is on screen


async def test_untitled_posts_show_the_start_of_their_text(app: FolioApp, session: Session) -> None:
    mastodon = "https://social.example/@ana.rss"
    post = ParsedItem(
        guid="toot-1",
        summary="<p>Hello &amp; <b>welcome</b> to the fediverse</p>",
        published=FIXED_NOW - dt.timedelta(minutes=5),
    )
    session.store.store_feed(session.store.state(mastodon), ParsedFeed(items=[post]), FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert "Hello & welcome to" in visible_text(inbox(app))[1]
        board(app).select(mastodon)
        await pilot.pause()
        assert any("Hello & welcome" in line for line in visible_text(board(app)))
