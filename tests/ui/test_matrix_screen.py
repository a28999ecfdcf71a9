"""The priority matrix: each editing key, what the grid shows, and what portfolio.toml holds.

Plus the pure helpers behind the screen (sparklines, ids, cursor moves).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, Label, Static, TextArea

from tests.ui.conftest import FIXED_NOW, build_session, notices, press_for_screen, wait_for
from tui.app import FolioApp
from tui.core.config import Settings
from tui.core.planning.views import (
    EntryView,
    matrix_move,
    neighbour_after_delete,
    slug_id,
    sparkline,
)
from tui.core.session import Session
from tui.core.storage.portfolio import MatrixAxes, MatrixEntry, Portfolio, load_portfolio
from tui.core.storage.workspace import Workspace
from tui.screens.matrix import MatrixScreen
from tui.screens.planning_forms import ConfirmDialog, MatrixEntryForm
from tui.widgets.matrix_grid import QuadrantList

SOCIAL = "https://social.example/@ana.rss"
LINKS = "https://links.example/rss"
CAST = "https://cast.example/rss"


# -- helpers --------------------------------------------------------------------------------


async def open_matrix(pilot: Pilot[Any]) -> MatrixScreen:
    await pilot.press("2")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, MatrixScreen), "the matrix")
    screen = pilot.app.screen
    assert isinstance(screen, MatrixScreen)
    await wait_for(pilot, lambda: screen.grid.selected is not None, "a selection")
    return screen


def quadrant_ids(app: FolioApp, name: str) -> list[str]:
    return app.screen.query_one(f"#list-{name}", QuadrantList).entry_ids


def on_disk(session: Session) -> dict[str, MatrixEntry]:
    return {e.id: e for e in load_portfolio(session.workspace.portfolio_path).matrix}


def inbox_sources(session: Session) -> list[str]:
    """The source of each Inbox item, in triage order, with repeats collapsed. Every
    item counts as recent here, so the order is the matrix's alone (the Inbox puts recent
    items before older ones, each part in the matrix's order)."""
    session.workspace.settings.ui.inbox_recent = "520w"
    order: list[str] = []
    for item in session.store.items_by_id(session.inbox_ids()):
        if not order or order[-1] != item.source:
            order.append(item.source)
    return order


def focused(app: FolioApp, selector: str) -> Callable[[], bool]:
    return lambda: app.focused is not None and app.focused is app.screen.query_one(selector)


@pytest.fixture
def app(session: Session) -> FolioApp:
    return FolioApp(session, auto_refresh=False)


# -- showing ----------------------------------------------------------------------------------


async def test_quadrants_list_entries_with_unread_and_activity(
    app: FolioApp, session: Session
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        assert quadrant_ids(app, "quick_wins") == ["mastodon"]
        assert quadrant_ids(app, "big_bets") == ["podcast"]
        assert quadrant_ids(app, "fill_ins") == ["bookmarks"]
        assert quadrant_ids(app, "drop") == ["hr-blogs"]
        assert screen.grid.selected == "mastodon" and screen.grid.has_focus
        text = str(app.screen.query_one("#list-drop", QuadrantList).render())
        # HR blogs matches two sources of 8 unread items each (tag "hr"), but The HR Cast
        # also carries Podcasting's tag "audio", and counts there, in the better entry.
        assert "HR blogs" in text and "v2 e4" in text and "8 unread" in text
        label, spark, opened = text.splitlines()[1].split()[:3]
        assert label == "opened" and spark == "▁" * 8 and opened == "0"
        summary = str(app.screen.query_one("#attention", Static).render())
        assert summary.startswith("This week you opened 0 Quick-win items, 0 Big-bet")
        assert "items opened per week, last 8 weeks" in summary
        titles = [str(p.border_title) for p in app.screen.query(".-current")]
        assert titles == ["Quick wins"]
        assert "Value ↑" in str(app.screen.query_one("#value-axis").render())
        assert "Effort →" in str(app.screen.query_one("#effort-axis").render())
        detail = str(app.screen.query_one("#matrix-detail", Static).render())
        assert "mastodon → 1 source: @ana@social.example" in detail


async def test_arrows_move_within_and_across_quadrants(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        steps = [
            ("right", "podcast"),
            ("down", "hr-blogs"),
            ("left", "bookmarks"),
            ("up", "mastodon"),
            ("up", "mastodon"),  # the top edge holds
            ("left", "mastodon"),
            ("j", "bookmarks"),
            ("k", "mastodon"),
            ("end", "hr-blogs"),
            ("home", "mastodon"),
        ]
        for key, expected in steps:
            await pilot.press(key)
            assert screen.grid.selected == expected, key


async def test_clicking_an_entry_selects_it(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        await pilot.click("#list-drop", offset=(3, 1))
        assert screen.grid.selected == "hr-blogs"
        detail = str(app.screen.query_one("#matrix-detail", Static).render())
        assert detail.startswith("HR blogs")
        assert "also matched: The HR Cast counts in Podcasting" in detail


async def test_a_crowded_quadrant_scrolls_to_the_cursor(tmp_path: Path) -> None:
    entries = [MatrixEntry(f"e{n:02}", f"Entry {n:02}", "", 5, 1) for n in range(30)]
    session = build_session(tmp_path / "crowded", Portfolio(matrix=entries))
    try:
        app = FolioApp(session, auto_refresh=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_matrix(pilot)
            panel = app.screen.query_one("#quick_wins")
            assert panel.scroll_y == 0
            await pilot.press("end")
            assert screen.grid.selected == "e29"
            await wait_for(pilot, lambda: panel.scroll_y > 40, "the panel to scroll down")
            await pilot.press("home")
            await wait_for(pilot, lambda: panel.scroll_y == 0, "the panel to scroll back")
    finally:
        session.close()


# -- shift+arrows -------------------------------------------------------------------------------


async def test_shift_right_raises_effort_and_the_entry_jumps_quadrant(
    app: FolioApp, session: Session
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        await pilot.press("shift+right")
        await wait_for(pilot, lambda: "mastodon" in quadrant_ids(app, "big_bets"), "the jump")
        assert quadrant_ids(app, "quick_wins") == []
        assert screen.grid.selected == "mastodon"  # the cursor follows the entry
        assert on_disk(session)["mastodon"].effort == 3
        assert any("moved to Big bets" in n for n in notices(app))


async def test_shift_left_lowers_effort_and_stops_at_one(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_matrix(pilot)
        await pilot.press("shift+left")
        await wait_for(pilot, lambda: on_disk(session)["mastodon"].effort == 1, "effort 1")
        saved = session.workspace.portfolio_path.read_bytes()
        await pilot.press("shift+left")
        await wait_for(pilot, lambda: any("limit" in n for n in notices(app)), "the limit")
        assert session.workspace.portfolio_path.read_bytes() == saved
        assert "v5 e1" in str(app.screen.query_one("#list-quick_wins", QuadrantList).render())


async def test_shift_up_moves_an_entry_up_and_reorders_the_inbox(
    app: FolioApp, session: Session
) -> None:
    before = inbox_sources(session)
    # Mastodon (Quick wins) first, HR Cast (Big bets), then Link sharing (Fill-ins).
    assert before.index(SOCIAL) < before.index(CAST) < before.index(LINKS)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        await pilot.press("down")
        assert screen.grid.selected == "bookmarks"
        await pilot.press("shift+up")
        await wait_for(pilot, lambda: "bookmarks" in quadrant_ids(app, "quick_wins"), "the jump")
        assert quadrant_ids(app, "quick_wins") == ["mastodon", "bookmarks"]
        assert screen.grid.selected == "bookmarks"
        assert on_disk(session)["bookmarks"].value == 3
        after = inbox_sources(session)
        # Link sharing is a Quick win now: all its items come before the podcast's (and,
        # newest first within Quick wins, they mix with Mastodon's).
        last_links = len(after) - 1 - after[::-1].index(LINKS)
        assert after.index(SOCIAL) < after.index(CAST) and last_links < after.index(CAST)


async def test_shift_down_lowers_value_and_stops_at_one(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        await pilot.press("end")  # HR blogs, value 2
        await pilot.press("shift+down")
        await wait_for(pilot, lambda: on_disk(session)["hr-blogs"].value == 1, "value 1")
        await pilot.press("shift+down")
        await wait_for(pilot, lambda: any("limit" in n for n in notices(app)), "the limit")
        assert on_disk(session)["hr-blogs"].value == 1
        assert screen.grid.selected == "hr-blogs"


# -- enter, n, d, u -------------------------------------------------------------------------------


async def test_enter_edits_the_entry_in_a_form(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_matrix(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MatrixEntryForm), "the form")
        form = app.screen
        assert form.query_one("#name", Input).value == "Mastodon"
        form.query_one("#name", Input).value = "Mastodon & fedi"
        form.query_one("#notes", TextArea).text = "Community\nand more"
        form.query_one("#sources", Input).value = "mastodon, https://me.example/feed, nope"
        await pilot.pause()
        matches = str(form.query_one("#matches", Static).render())
        assert "mastodon → @ana@social.example" in matches
        assert "https://me.example/feed → My Own Blog" in matches
        assert "nope → matches no source" in matches
        # A bad score keeps the form open and says why, in words.
        form.query_one("#value", Input).value = "9"
        form.query_one("#name", Input).focus()
        await pilot.press("enter")
        error = form.query_one("#error", Static)
        await wait_for(pilot, lambda: bool(error.display), "the error")
        assert "Value must be a whole number from 1 to 5." in str(error.render())
        assert isinstance(app.screen, MatrixEntryForm)
        assert on_disk(session)["mastodon"].name == "Mastodon"
        form.query_one("#value", Input).value = "4"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, MatrixScreen), "the matrix")
        saved = on_disk(session)["mastodon"]
        assert saved.name == "Mastodon & fedi" and saved.notes == "Community\nand more"
        assert saved.value == 4 and saved.effort == 2
        assert saved.sources == ["mastodon", "https://me.example/feed", "nope"]
        text = str(app.screen.query_one("#list-quick_wins", QuadrantList).render())
        assert "Mastodon & fedi" in text and "v4 e2" in text
        # The entry covers My Own Blog now too: 8 more unread.
        assert "16 unread" in text


async def test_escape_cancels_the_form_and_leaves_the_file(app: FolioApp, session: Session) -> None:
    before = session.workspace.portfolio_path.read_bytes()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_matrix(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MatrixEntryForm), "the form")
        app.screen.query_one("#name", Input).value = "Changed"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MatrixScreen), "the matrix")
        assert session.workspace.portfolio_path.read_bytes() == before


async def test_n_adds_an_entry_with_a_unique_slug_id(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        for expected_id in ("bluesky-threads", "bluesky-threads-2"):
            await pilot.press("n")
            await wait_for(pilot, lambda: isinstance(app.screen, MatrixEntryForm), "the form")
            form = app.screen
            assert form.query_one("#name", Input).value == ""
            await wait_for(pilot, focused(app, "#name"), "the name field to take focus")
            await pilot.press("enter")  # no name yet
            assert "Give the entry a name." in str(form.query_one("#error", Static).render())
            form.query_one("#name", Input).value = "Bluesky: threads!"
            form.query_one("#value", Input).value = "4"
            form.query_one("#effort", Input).value = "1"
            form.query_one("#sources", Input).value = "mastodon"
            form.query_one("#name", Input).focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, MatrixScreen), "the matrix")
            assert screen.grid.selected == expected_id
            saved = on_disk(session)[expected_id]
            assert (saved.name, saved.value, saved.effort) == ("Bluesky: threads!", 4, 1)
        assert quadrant_ids(app, "quick_wins") == [
            "mastodon",
            "bluesky-threads",
            "bluesky-threads-2",
        ]


async def test_d_deletes_after_confirming(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("n")  # no: nothing goes
        await wait_for(pilot, lambda: isinstance(app.screen, MatrixScreen), "the matrix")
        assert "mastodon" in on_disk(session)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: "mastodon" not in on_disk(session), "the deletion")
        assert quadrant_ids(app, "quick_wins") == []
        assert screen.grid.selected == "podcast"  # the next entry takes the cursor
        # Its source is unranked now, so the podcast's items come first in the Inbox.
        assert inbox_sources(session)[0] == CAST


async def test_u_undoes_matrix_edits_one_by_one(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_matrix(pilot)
        await pilot.press("shift+right", "shift+right")
        await wait_for(pilot, lambda: on_disk(session)["mastodon"].effort == 4, "effort 4")
        await pilot.press("u")
        await wait_for(pilot, lambda: on_disk(session)["mastodon"].effort == 3, "one undo")
        await pilot.press("u")
        await wait_for(pilot, lambda: on_disk(session)["mastodon"].effort == 2, "two undos")
        assert quadrant_ids(app, "quick_wins") == ["mastodon"]
        assert screen.grid.selected == "mastodon"
        await pilot.press("u")
        await wait_for(pilot, lambda: "Nothing to undo on the matrix." in notices(app), "notice")
        assert on_disk(session)["mastodon"].effort == 2


async def test_changes_made_elsewhere_redraw_the_grid(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_matrix(pilot)

        def promote(portfolio: Portfolio) -> None:
            portfolio.matrix[3].value = 5

        session.edit_portfolio("matrix", "promote", promote)
        await wait_for(pilot, lambda: "hr-blogs" in quadrant_ids(app, "big_bets"), "the redraw")


# -- untrusted text and read-only ------------------------------------------------------------------


async def test_markup_in_names_and_notes_is_shown_literally(tmp_path: Path) -> None:
    hostile = "[@click=app.quit]x[/]"
    portfolio = Portfolio(
        matrix=[MatrixEntry("evil", hostile, f"[b]{hostile}", 4, 2, [hostile])],
        matrix_axes=MatrixAxes(value=f"[b]{hostile}", quick_wins=hostile),
    )
    session = build_session(tmp_path / "evil", portfolio)
    try:
        app = FolioApp(session, auto_refresh=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_matrix(pilot)
            text = str(app.screen.query_one("#list-quick_wins", QuadrantList).render())
            assert hostile in text and f"[b]{hostile}" in text
            assert hostile in str(app.screen.query_one("#matrix-detail", Static).render())
            # Renamed axes and quadrants come from the file too.
            assert str(app.screen.query_one("#value-axis", Label).render()) == f"[b]{hostile} ↑"
            title = app.screen.query_one("#quick_wins").border_title
            assert title is not None and Content.from_markup(title).plain == hostile
            await pilot.click("#list-quick_wins", offset=(1, 0))
            await pilot.pause()
            assert app.is_running  # the text was not an action
    finally:
        session.close()


def broken_session(root: Path) -> Session:
    root.mkdir(parents=True)
    path = root / "portfolio.toml"
    path.write_text(
        'vision = "v"\n\n[[matrix]]\nid = "a"\nname = "A"\nvalue = 9\n', encoding="utf-8"
    )
    session = Session(
        Workspace(portfolio_path=path, db_path=root / "folio.db", settings=Settings())
    )
    session.clock = lambda: FIXED_NOW
    return session


async def test_read_only_when_portfolio_is_broken(tmp_path: Path) -> None:
    session = broken_session(tmp_path / "broken")
    path = session.workspace.portfolio_path
    before = path.read_bytes()
    try:
        app = FolioApp(session, auto_refresh=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_matrix_read_only(pilot)
            banner = str(app.screen.query_one("#read-only", Static).render())
            assert "Read-only" in banner and "portfolio.toml:6" in banner
            assert "matrix[0].value" in banner and "1 to 5" in banner
            app._notifications.clear()
            for key in ("shift+right", "shift+up", "enter", "n", "d", "u"):
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, MatrixScreen), key  # no form, no question
            await wait_for(pilot, lambda: len(notices(app)) >= 6, "six refusals")
            assert all("matrix[0].value" in n for n in notices(app))
        assert path.read_bytes() == before
        assert not path.with_name("portfolio.toml.bak").exists()
    finally:
        session.close()


async def open_matrix_read_only(pilot: Pilot[Any]) -> MatrixScreen:
    return await press_for_screen(pilot, "2", MatrixScreen, "the matrix")


# -- the helpers behind the screen ---------------------------------------------------------------


def test_sparkline_scales_to_the_busiest_week() -> None:
    assert sparkline([0, 1, 2, 4, 8]) == "▁▂▃▅█"
    assert sparkline([0, 0, 0]) == "▁▁▁"
    assert sparkline([]) == ""
    # A quiet week is never drawn like an empty one.
    assert sparkline([1, 100])[0] == "▂"


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("Link sharing!", [], "link-sharing"),
        ("Café Über", [], "cafe-uber"),
        ("Mastodon", ["mastodon"], "mastodon-2"),
        ("Mastodon", ["mastodon", "mastodon-2"], "mastodon-3"),
        ("[@click=app.quit]", [], "click-app-quit"),
        ("日本語", [], "entry"),
        ("日本語", ["entry"], "entry-2"),
    ],
)
def test_slug_id(name: str, taken: list[str], expected: str) -> None:
    assert slug_id(name, taken) == expected


def _view(layout: dict[str, list[str]]) -> dict[str, list[EntryView]]:
    def entry(entry_id: str, quadrant: str) -> EntryView:
        return EntryView(entry_id, entry_id, "", 3, 3, quadrant, 0, "", ())

    return {q: [entry(i, q) for i in ids] for q, ids in layout.items()}


def test_matrix_move_skips_empty_quadrants_and_keeps_the_row() -> None:
    view = _view(
        {"quick_wins": ["a", "b", "c"], "big_bets": [], "fill_ins": ["d"], "drop": ["e", "f"]}
    )
    assert matrix_move(view, "b", "right") == "f"  # Big bets is empty: the row below
    assert matrix_move(view, "c", "down") == "d"
    assert matrix_move(view, "d", "up") == "c"
    assert matrix_move(view, "f", "left") == "d"
    assert matrix_move(view, "e", "up") == "e"  # nothing above in that column
    assert matrix_move(view, "missing", "down") == "a"
    assert matrix_move(_view({q: [] for q in view}), None, "down") is None


def test_neighbour_after_delete() -> None:
    assert neighbour_after_delete(["a", "b", "c"], "b") == "c"
    assert neighbour_after_delete(["a", "b", "c"], "c") == "b"
    assert neighbour_after_delete(["a"], "a") is None


async def test_attention_shows_per_entry_on_one_scale(app: FolioApp, session: Session) -> None:
    """Items opened this week show beside each entry, and the bars of every entry share
    one scale: three items opened on Mastodon, one on the podcast."""
    social = session.store.items(sources=[SOCIAL], limit=3)
    for item in social:
        session.opened(item)
    session.opened(session.store.items(sources=[CAST], limit=1)[0])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_matrix(pilot)
        quick = str(app.screen.query_one("#list-quick_wins", QuadrantList).render())
        big = str(app.screen.query_one("#list-big_bets", QuadrantList).render())
        assert quick.splitlines()[1].split()[:3] == ["opened", "▁▁▁▁▁▁▁█", "3"]
        # One item against the top of three: a low bar, not a full one.
        assert big.splitlines()[1].split()[:3] == ["opened", "▁▁▁▁▁▁▁▃", "1"]
        summary = str(app.screen.query_one("#attention", Static).render())
        assert "opened 3 Quick-win items, 1 Big-bet, 0 Fill-in, 0 Drop" in summary
        assert "one scale (█ = 3)" in summary
        detail = str(app.screen.query_one("#matrix-detail", Static).render())
        assert "this week: 3 opened · 0 min read" in detail
