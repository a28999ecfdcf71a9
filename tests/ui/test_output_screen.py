"""My output (key 5): keys, what the rows and the panel show, selecting a source, Enter
to its posts and to the reader; the measured roadmap card; snapshots of both.

Update the snapshots with ``pytest tests/ui/test_output_screen.py --snapshot-update`` and
look at the SVGs before committing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from tests.ui.conftest import (
    FIXED_NOW,
    build_session,
    notices,
    press_for_screen,
    sample_portfolio,
    wait_for,
)
from tui.app import FolioApp
from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState
from tui.core.session import Session
from tui.core.sources.base import AccountFigures, Counts
from tui.core.storage.portfolio import Experiment, MatrixEntry, Portfolio, load_portfolio
from tui.core.storage.store import Engagement, SourceWrite
from tui.screens.forms import EditSourceScreen
from tui.screens.matrix import MatrixScreen
from tui.screens.output import OutputScreen
from tui.screens.planning_forms import ExperimentForm
from tui.screens.reader import ReaderScreen
from tui.screens.roadmap import RoadmapScreen
from tui.screens.sources import SourcesScreen
from tui.widgets.matrix_grid import MatrixGrid, QuadrantList
from tui.widgets.output_tables import OutputDetail, TextBlock
from tui.widgets.roadmap_board import Card, RoadmapBoard
from tui.widgets.row_list import ColumnsHeader

ME = "https://social.example/@me"
BLOG = "https://me.example/feed"
HOSTILE = "[@click=app.quit]quit[/] [b]not bold[/b]"


def own_portfolio() -> Portfolio:
    portfolio = sample_portfolio()
    blog = next(s for s in portfolio.sources if s.url == BLOG)
    blog.target = "1/w"
    portfolio.sources.append(
        Source(ME, "Me on Mastodon", "social", ["mastodon"], mine=True, target="3/w")
    )
    portfolio.roadmap.append(
        Experiment(
            "replies",
            "Reply first",
            "Replies bring conversation",
            "Replies received per post",
            "now",
            "trying",
            (FIXED_NOW - dt.timedelta(weeks=3)).date(),
            dt.date(2026, 12, 15),
            ["mastodon"],
            metric="replies/post",
        )
    )
    return portfolio


def store_own_posts(session: Session) -> None:
    """Twelve posts on the user's account over six weeks, two snapshots of their counts
    (replies grow after the experiment began), and follower figures."""
    posts = [
        ParsedItem(
            guid=f"me{n}",
            title=HOSTILE if n == 2 else f"Toot number {n} about tagging",
            link=f"{ME}/{n}",
            content=f"<p>The text of toot {n}.</p>",
            published=FIXED_NOW - dt.timedelta(days=3.5 * n, hours=2),
        )
        for n in range(12)
    ]
    store = session.store
    store.remove_source(ME)  # build_session gave every source the same sample items
    store.store_feed(SourceState(ME, "ok"), ParsedFeed(title="Me", items=posts), now=FIXED_NOW)
    for age, bonus, followers in ((8, 0, 410), (1, 1, 432)):
        counts = {
            f"me{n}": Counts(
                replies=(3 if n < 7 else 1) + bonus, reposts=n % 3, likes=5 + n + bonus, quotes=0
            )
            for n in range(12)
        }
        write = SourceWrite(
            SourceState(ME, "ok"),
            None,
            FIXED_NOW - dt.timedelta(days=age),
            Engagement(counts, AccountFigures(followers=followers, following=90, posts=300)),
        )
        store.write_batch([write])


@pytest.fixture
def own(tmp_path: Path) -> Iterator[Session]:
    session = build_session(tmp_path / "own", own_portfolio())
    store_own_posts(session)
    yield session
    session.close()


async def open_output(pilot: Pilot[Any]) -> OutputScreen:
    screen = await press_for_screen(pilot, "5", OutputScreen, "My output")
    await wait_for(pilot, lambda: screen.loaded, "the figures")
    await wait_for(pilot, lambda: screen.posts_list.row_count > 0, "the posts")
    return screen


def cells(screen: OutputScreen, url: str) -> dict[str, str]:
    """What the sources list shows in each column of ``url``'s row."""
    listed = screen.sources_list
    row = listed.render_line(listed.row_keys.index(url)).text
    values = listed.row_cells(listed.row_keys.index(url))
    shown = {key: values[key] for key, _ in listed.columns}
    assert all(value in row for value in shown.values())  # drawn as made
    return shown


def detail_text(screen: OutputScreen) -> str:
    return str(screen.query_one(OutputDetail).content)


def static_text(screen: OutputScreen, selector: str) -> str:
    widget = screen.query_one(selector)
    return str(widget.content if isinstance(widget, TextBlock) else widget.visual)  # type: ignore[attr-defined]


# -- the screen --------------------------------------------------------------------------


async def test_five_shows_each_own_source_with_its_figures(own: Session) -> None:
    app = FolioApp(own, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_output(pilot)
        table = screen.sources_list
        # Only the user's own sources, in the portfolio's order.
        assert table.row_keys == [BLOG, ME]
        me = cells(screen, ME)
        assert me["name"] == "Me on Mastodon" and me["posts"] == "12"
        assert me["rate"] == "2.2/wk"  # 12 posts in the 38.6 days since the oldest
        assert me["target"] == "3/w 73%"
        assert me["last"] == "today" and me["gap"] == "4d"
        # Engagement per post: replies + reposts + likes + quotes of the latest snapshot.
        assert me["engagement"] == "16" and me["best"] == "21"
        assert me["followers"] == "432 +22"
        assert len(me["weeks"]) == 13
        blog = cells(screen, BLOG)
        assert blog["engagement"] == "–" and blog["followers"] == "–"
        assert blog["target"].startswith("1/w")
        # The first row is selected: its panel and its posts.
        assert detail_text(screen).startswith("My Own Blog")
        assert "against a target of 1 a week" in detail_text(screen)
        assert "A feed gives no counts" in detail_text(screen)
        assert screen.posts_url == BLOG
        assert "Posts of My Own Blog · 8 stored" in static_text(screen, "#posts-title")
        assert app.screen.focused is table


async def test_selecting_a_row_lists_its_posts_with_counts(own: Session) -> None:
    app = FolioApp(own, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_output(pilot)
        await pilot.press("j")
        posts = screen.posts_list
        await wait_for(pilot, lambda: screen.posts_url == ME, "the account's posts")
        assert "Best recent post: 21 (2 replies, 2 reposts, 17 likes, 0 quotes)" in detail_text(
            screen
        )
        assert "followers 432 +22" in detail_text(screen)
        assert posts.row_count == 12
        labels = [label for _, label in posts.columns]
        assert labels == ["Published", "Post", "Replies", "Reposts", "Likes", "Quotes", "Eng."]
        first = posts.row_cells(0)
        # The newest post: replies 4 (+1 since the snapshot before), likes 6 (+1).
        assert first["title"].startswith("Toot number 0")
        assert (first["replies"], first["reposts"], first["likes"]) == ("4 +1", "0", "6 +1")
        # What the list draws: titles as written, never read as markup.
        lines = [posts.render_line(y).text for y in range(4)]
        assert "Toot number 0 about tagging" in lines[0] and "4 +1" in lines[0]
        assert HOSTILE in lines[2]
        header = str(screen.query_one("#posts-header", ColumnsHeader).render())
        assert header.split() == ["Published", "Post", *labels[2:]]
        assert app.is_running


async def test_enter_goes_to_the_posts_then_the_reader(own: Session) -> None:
    app = FolioApp(own, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_output(pilot)
        await pilot.press("j")
        posts = screen.posts_list
        await wait_for(pilot, lambda: screen.posts_url == ME, "the account's posts")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.focused is posts, "the posts")
        await pilot.press("j", "j")
        reader = await press_for_screen(pilot, "enter", ReaderScreen, "the reader")
        title = reader.query_one("#reader-title", Static)
        await wait_for(pilot, lambda: "not bold" in str(title.visual), "the post")
        assert str(title.visual) == HOSTILE
        # n and p walk through this account's posts.
        await pilot.press("n")
        await wait_for(pilot, lambda: "Toot number 3" in str(title.visual), "the next post")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back on My output")
        assert posts.cursor_row == 3  # on the post read last
        assert app.screen.focused is posts
        # Escape goes back to the sources, tab goes to the posts again.
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.focused is screen.sources_list, "sources")
        await pilot.press("tab")
        await wait_for(pilot, lambda: app.screen.focused is posts, "tab to the posts")
        await pilot.press("tab")
        await wait_for(pilot, lambda: app.screen.focused is screen.sources_list, "tab back")


async def test_o_opens_the_post_under_the_cursor(
    own: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = FolioApp(own, auto_refresh=False)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_link", opened.append)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_output(pilot)
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.posts_url == ME, "the account's posts")
        await pilot.press("o")
        await wait_for(pilot, lambda: opened == [f"{ME}/0"], "the link opened")


async def test_a_double_click_on_a_post_reads_it(own: Session) -> None:
    app = FolioApp(own, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_output(pilot)
        await pilot.press("j")
        await wait_for(pilot, lambda: screen.posts_url == ME, "the account's posts")
        await pilot.click("#output-posts", offset=(10, 1), times=2)
        reader = await wait_for_reader(pilot)
        assert "Toot number 1" in str(reader.query_one("#reader-title", Static).visual)


async def wait_for_reader(pilot: Pilot[Any]) -> ReaderScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReaderScreen), "the reader")
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


async def test_a_click_selects_a_source(own: Session) -> None:
    app = FolioApp(own, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_output(pilot)
        await pilot.click("#output-sources", offset=(5, 1))
        await wait_for(pilot, lambda: screen.posts_url == ME, "the clicked source")


async def test_a_source_no_longer_mine_leaves_the_screen(own: Session) -> None:
    app = FolioApp(own, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_output(pilot)
        source = own.source(ME)
        assert source is not None
        own.update_source(ME, Source(ME, source.name, source.kind, source.tags, mine=False))
        await wait_for(pilot, lambda: screen.sources_list.row_count == 1, "the redraw")
        assert screen.sources_list.row_keys == [BLOG]


async def test_empty_state_says_how_to_mark_a_source_as_yours(session: Session) -> None:
    for source in session.sources:
        source.mine = False
    app = FolioApp(session, auto_refresh=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await press_for_screen(pilot, "5", OutputScreen, "My output")
        await wait_for(pilot, lambda: screen.loaded, "the figures")
        assert screen.has_class("-empty")
        text = static_text(screen, "#output-empty")
        assert "mine = true" in text and "Sources screen (4)" in text
        assert "https://mastodon.social/@you" in text
        await pilot.press("enter")  # nothing to go to, and no error
        assert app.is_running and isinstance(app.screen, OutputScreen)


async def test_enter_on_a_source_without_posts_says_so(tmp_path: Path) -> None:
    portfolio = own_portfolio()
    portfolio.sources.append(Source("https://new.example/@me", "Brand new", "social", mine=True))
    session = build_session(tmp_path / "new", portfolio)
    session.store.remove_source("https://new.example/@me")
    try:
        app = FolioApp(session, auto_refresh=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_output(pilot)
            await pilot.press("G")
            await wait_for(pilot, lambda: screen.posts_url == "https://new.example/@me", "posts")
            assert "none stored yet" in static_text(screen, "#posts-title")
            await pilot.press("enter")
            await wait_for(pilot, lambda: any("No posts" in n for n in notices(app)), "a notice")
            assert app.screen.focused is screen.sources_list
    finally:
        session.close()


# -- the measured roadmap card -----------------------------------------------------------------


async def test_the_roadmap_card_shows_its_measure_before_and_since(own: Session) -> None:
    app = FolioApp(own, auto_refresh=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, RoadmapScreen), "the roadmap")
        await wait_for(pilot, lambda: any(c.card.id == "replies" for c in app.screen.query(Card)))
        card = next(c for c in app.screen.query(Card) if c.card.id == "replies")
        # Posts from before the start have 2 replies now, those since 4.
        assert card.card.metric == "replies/post: 2.00 before → 4.00 since (+100%)"
        assert "replies/post: 2.00 before → 4.00 since" in str(card.render())


# -- the matrix ----------------------------------------------------------------------------


async def test_a_matrix_entry_shows_its_own_output(tmp_path: Path) -> None:
    portfolio = own_portfolio()
    # One entry covering the user's Mastodon account and someone else's, one covering
    # nothing of theirs, both in Quick wins: the first takes a third line.
    portfolio.matrix = [
        MatrixEntry("mastodon", "Mastodon", "Community", 5, 1, ["mastodon"]),
        MatrixEntry("links", "Link sharing", "Cheap", 4, 2, ["links"]),
    ]
    session = build_session(tmp_path / "matrix", portfolio)
    store_own_posts(session)
    try:
        app = FolioApp(session, auto_refresh=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await press_for_screen(pilot, "2", MatrixScreen, "the matrix")
            grid = app.screen.query_one(MatrixGrid)
            await wait_for(pilot, lambda: grid.selected == "mastodon", "a selection")
            quick = app.screen.query_one("#list-quick_wins", QuadrantList)
            lines = str(quick.render()).splitlines()
            # Value and effort, then what the user's own account did.
            assert "Mastodon" in lines[0] and "v5 e1" in lines[0]
            assert lines[2].strip() == "mine: 2.2/wk · 16 eng/post"
            assert "Link sharing" in lines[3] and "mine:" not in "".join(lines[3:])
            detail = str(app.screen.query_one("#matrix-detail", Static).visual)
            assert "mine: 2.2/wk · 16 eng/post" in detail
            # A click on the entry under a three-line entry selects it.
            await pilot.click(quick, offset=(2, 3))
            await wait_for(pilot, lambda: grid.selected == "links", "the clicked entry")
            await pilot.press("k")
            await wait_for(pilot, lambda: grid.selected == "mastodon", "back up")
    finally:
        session.close()


# -- the forms that set a target and a measure ----------------------------------------------


async def test_the_source_form_sets_a_target_in_words(own: Session) -> None:
    app = FolioApp(own, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_for_screen(pilot, "4", SourcesScreen, "the sources")
        sources = app.screen
        assert isinstance(sources, SourcesScreen)
        sources.table.move_cursor(row=[s.url for s in own.sources].index(ME))
        form = await press_for_screen(pilot, "e", EditSourceScreen, "the form")
        target = form.query_one("#target", Input)
        assert target.value == "3/w"
        target.value = "often"
        await pilot.press("ctrl+s")
        error = form.query_one("#target-error", Static)
        await wait_for(pilot, lambda: "such as" in str(error.visual), "the error")
        assert isinstance(app.screen, EditSourceScreen)
        target.value = "2 / week"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is sources, "the form to close")
        saved = load_portfolio(own.workspace.portfolio_path).source(ME)
        assert saved is not None and saved.target == "2/w" and saved.mine
        # My output compares with the new target.
        screen = await open_output(pilot)
        assert cells(screen, ME)["target"] == "2/w ✓"


async def test_the_experiment_form_chooses_a_computed_measure(own: Session) -> None:
    app = FolioApp(own, auto_refresh=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_for_screen(pilot, "3", RoadmapScreen, "the roadmap")
        board = app.screen.query_one(RoadmapBoard)
        await wait_for(pilot, lambda: board.selected is not None, "a selection")
        board.select("weekly")
        form = await press_for_screen(pilot, "enter", ExperimentForm, "the form")
        metric = form.query_one("#metric", Select)
        assert metric.value == ""
        metric.value = "posts/week"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RoadmapScreen), "the roadmap")
        saved = {e.id: e for e in load_portfolio(own.workspace.portfolio_path).roadmap}
        assert saved["weekly"].metric == "posts/week"
        assert saved["weekly"].measure == "posts/week"  # the free text stays as it was
        card = next(c for c in app.screen.query(Card) if c.card.id == "weekly")
        await wait_for(pilot, lambda: card.card.metric.startswith("posts/week: "), "the card")


# -- snapshots ------------------------------------------------------------------------------

SIZES = [(80, 24), (160, 48)]


def output_opened(keys: list[str]) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_output(pilot)
        if keys:
            await pilot.press(*keys)
            screen = pilot.app.screen
            assert isinstance(screen, OutputScreen)
            await wait_for(pilot, lambda: screen.posts_url == ME, "the posts")
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_output_snapshot(snap_compare: Any, own: Session, size: tuple[int, int]) -> None:
    app = FolioApp(own, auto_refresh=False)
    assert snap_compare(app, terminal_size=size, run_before=output_opened(["j"]))


def test_output_empty_snapshot(snap_compare: Any, session: Session) -> None:
    for source in session.sources:
        source.mine = False
    app = FolioApp(session, auto_refresh=False)

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await press_for_screen(pilot, "5", OutputScreen, "My output")
        await wait_for(pilot, lambda: screen.loaded, "the figures")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_measured_roadmap_snapshot(snap_compare: Any, own: Session, size: tuple[int, int]) -> None:
    app = FolioApp(own, auto_refresh=False)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RoadmapScreen))
        await wait_for(pilot, lambda: any(c.card.metric for c in pilot.app.screen.query(Card)))
        await pilot.press("j")  # the measured card, second in Now
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
