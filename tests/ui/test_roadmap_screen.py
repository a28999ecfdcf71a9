"""The roadmap: each editing key, what the board shows, and what portfolio.toml holds.

Plus the pure helpers behind it (timeline spans, wording that fits narrow lanes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea

from tests.ui.conftest import FIXED_NOW, build_session, notices, wait_for
from tui.app import FolioApp
from tui.core.config import Settings
from tui.core.planning.rules import cadence
from tui.core.planning.views import (
    cadence_text,
    month_window,
    next_status,
    parse_date,
    review_text,
    step_lane,
    timeline,
)
from tui.core.session import Session
from tui.core.storage.portfolio import Experiment, Portfolio, load_portfolio
from tui.core.storage.workspace import Workspace
from tui.screens.planning_forms import ConfirmDialog, ExperimentForm, OutcomeDialog, VisionForm
from tui.screens.roadmap import RoadmapScreen
from tui.widgets.roadmap_board import Card, LaneColumn, RoadmapBoard, TimelineView

TODAY = FIXED_NOW.astimezone().date()


# -- helpers --------------------------------------------------------------------------------


async def open_roadmap(pilot: Pilot[Any], selected: bool = True) -> RoadmapScreen:
    await pilot.press("3")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RoadmapScreen), "the roadmap")
    screen = pilot.app.screen
    assert isinstance(screen, RoadmapScreen)
    if selected:
        await wait_for(pilot, lambda: screen.board.selected is not None, "a selection")
    return screen


def lane_ids(app: FolioApp, lane: str) -> list[str]:
    return [card.card.id for card in app.screen.query_one(f"#lane-{lane}", LaneColumn).cards]


def card(app: FolioApp, card_id: str) -> Card:
    return next(c for c in app.screen.query(Card) if c.card.id == card_id)


def card_text(app: FolioApp, card_id: str) -> str:
    return str(card(app, card_id).render())


def on_disk(session: Session) -> dict[str, Experiment]:
    return {e.id: e for e in load_portfolio(session.workspace.portfolio_path).roadmap}


def saved_status(session: Session, card_id: str, status: str) -> Callable[[], bool]:
    return lambda: on_disk(session)[card_id].status == status


def shows(text: Callable[[], str], wanted: str) -> Callable[[], bool]:
    return lambda: wanted in text()


@pytest.fixture
def app(session: Session) -> FolioApp:
    return FolioApp(session, auto_refresh=False)


# -- showing ----------------------------------------------------------------------------------


async def test_vision_lanes_and_cards(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_roadmap(pilot)
        vision = str(app.screen.query_one("#vision-text", Static).render())
        assert vision.startswith("Be the practitioner people ask about HR")
        assert (lane_ids(app, "now"), lane_ids(app, "next")) == (["weekly"], ["clips"])
        assert (lane_ids(app, "later"), lane_ids(app, "done")) == ([], ["tags"])
        titles = [str(lane.border_title) for lane in app.screen.query(LaneColumn)]
        assert titles == [" Now · 1 ", " Next · 1 ", " Later · 0 ", " Done · 1 "]
        assert screen.board.selected == "weekly" and screen.board.has_focus
        weekly = card_text(app, "weekly")
        # Review date 2026-11-15 has passed (today is 2026-11-20) while still trying.
        assert "Post weekly" in weekly and " trying " in weekly
        assert "review due 2026-11-15" in weekly and card(app, "weekly").has_class("-due")
        # Linked to My Own Blog (mine = true): the cadence since the start.
        experiment = session.portfolio.roadmap[0]
        expected = cadence_text(cadence(experiment, session.portfolio, session.store, TODAY))
        assert expected.endswith("/week") and expected in weekly
        assert expected == "8 posts since start · 1.1/week"
        # A future review is not due; a finished experiment is never due.
        assert "review 2027-01-15" in card_text(app, "clips")
        assert not card(app, "tags").has_class("-due")
        detail = str(app.screen.query_one("#roadmap-detail", Static).render())
        assert "Hypothesis: Weekly posts grow readers" in detail


async def test_arrows_and_clicks_move_the_cursor(app: FolioApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_roadmap(pilot)
        await pilot.press("right")
        assert screen.board.selected == "clips"
        await pilot.press("right")  # Later is empty: skipped
        assert screen.board.selected == "tags"
        await pilot.press("left", "left")
        assert screen.board.selected == "weekly"
        await pilot.click(card(app, "tags"))
        assert screen.board.selected == "tags"


async def test_a_long_lane_scrolls_and_a_long_vision_stays_small(tmp_path: Path) -> None:
    experiments = [Experiment(f"x{n:02}", f"Experiment {n:02}", lane="later") for n in range(20)]
    vision = " ".join(["A long vision that goes on and on."] * 40)
    session = build_session(tmp_path / "long", Portfolio(vision=vision, roadmap=experiments))
    try:
        app = FolioApp(session, auto_refresh=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_roadmap(pilot)
            assert app.screen.query_one("#vision").outer_size.height <= 6
            lane = app.screen.query_one("#lane-later", LaneColumn)
            await pilot.press("end")
            assert screen.board.selected == "x19"
            await wait_for(pilot, lambda: lane.scroll_y > 0, "the lane to scroll")
            last = card(app, "x19")
            assert lane.region.contains_region(last.region), "the selected card is on screen"
            await pilot.press("t")
            scroll = app.screen.query_one("#timeline-scroll")
            await wait_for(pilot, lambda: scroll.scroll_y > 0, "the timeline to scroll")
            await pilot.press("home")
            await wait_for(pilot, lambda: scroll.scroll_y == 0, "the timeline to scroll back")
    finally:
        session.close()


# -- the editing keys --------------------------------------------------------------------------


async def test_shift_arrows_move_a_card_between_lanes(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_roadmap(pilot)
        await pilot.press("shift+right")
        await wait_for(pilot, lambda: lane_ids(app, "next") == ["weekly", "clips"], "the move")
        assert lane_ids(app, "now") == []
        assert screen.board.selected == "weekly"
        assert on_disk(session)["weekly"].lane == "next"
        await pilot.press("shift+right")
        await wait_for(pilot, lambda: on_disk(session)["weekly"].lane == "later", "later")
        # Into Done: adopted or dropped? Escape leaves it where it was.
        await pilot.press("shift+right")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog), "the question")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RoadmapScreen), "the roadmap")
        assert on_disk(session)["weekly"].lane == "later"
        await pilot.press("shift+right")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog), "the question")
        await pilot.press("d")
        await wait_for(pilot, lambda: on_disk(session)["weekly"].lane == "done", "done")
        assert on_disk(session)["weekly"].status == "dropped"
        await pilot.press("shift+right")  # Done is the last lane
        await wait_for(pilot, lambda: "Already in Done." in notices(app), "the notice")
        await pilot.press("shift+left")
        await wait_for(pilot, lambda: "weekly" in lane_ids(app, "later"), "back to Later")
        # Out of Done, it is an idea again, not a dropped experiment in Later.
        assert (on_disk(session)["weekly"].lane, on_disk(session)["weekly"].status) == (
            "later",
            "idea",
        )


def in_lane(app: FolioApp, card_id: str, lane: str) -> bool:
    return card_id in lane_ids(app, lane)


async def test_s_cycles_the_status(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_roadmap(pilot)
        for status in ("adopted", "dropped", "idea", "trying"):
            await pilot.press("s")
            await wait_for(pilot, saved_status(session, "weekly", status), status)
            await wait_for(pilot, shows(lambda: card_text(app, "weekly"), f" {status} "), "badge")
            # An ended experiment is in Done; one taken up again leaves it.
            lane = (
                "done"
                if status in ("adopted", "dropped")
                else ("next" if status == "idea" else None)
            )
            if lane is not None:
                await wait_for(pilot, partial(in_lane, app, "weekly", lane), lane)
            # An adopted or dropped experiment has no review due.
            assert card(app, "weekly").has_class("-due") == (status in ("idea", "trying"))


async def test_enter_edits_the_card_and_checks_dates(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_roadmap(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExperimentForm), "the form")
        form = app.screen
        assert form.query_one("#title", Input).value == "Post weekly"
        assert form.query_one("#review", Input).value == "2026-11-15"
        form.query_one("#title", Input).value = "Post twice a week"
        form.query_one("#hypothesis", TextArea).text = "More posts, more readers"
        form.query_one("#measure", Input).value = "readers/month"
        form.query_one("#lane", Select).value = "later"
        form.query_one("#status", Select).value = "trying"
        form.query_one("#links", Input).value = "https://me.example/feed, podcast, bogus"
        await pilot.pause()
        matches = str(form.query_one("#matches", Static).render())
        assert "https://me.example/feed → My Own Blog (yours)" in matches
        assert "podcast → matrix: Podcasting" in matches
        assert "bogus → not a matrix id or a followed source" in matches
        error = form.query_one("#error", Static)
        for bad, message in (
            ("2026-13-01", "The review date, 2026-13-01, is not a real date."),
            ("15/11/2026", "The review date must be a date written YYYY-MM-DD"),
            ("2026-09-01", "The review date comes before the start date."),
        ):
            form.query_one("#review", Input).value = bad
            await pilot.press("ctrl+s")
            await wait_for(pilot, shows(lambda: str(error.render()), message), message)
            assert form.query_one("#review", Input).has_class("-invalid")
            assert isinstance(app.screen, ExperimentForm)
            assert on_disk(session)["weekly"].title == "Post weekly"
        form.query_one("#review", Input).value = "2027-02-01"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RoadmapScreen), "the roadmap")
        saved = on_disk(session)["weekly"]
        assert saved.title == "Post twice a week" and saved.hypothesis == "More posts, more readers"
        assert (saved.lane, saved.status, saved.measure) == ("later", "trying", "readers/month")
        assert (saved.start, saved.review) == (dt.date(2026, 10, 1), dt.date(2027, 2, 1))
        assert saved.links == ["https://me.example/feed", "podcast", "bogus"]
        await wait_for(pilot, lambda: lane_ids(app, "later") == ["weekly"], "the card to move")
        assert "Post twice a week" in card_text(app, "weekly")


async def test_lane_and_status_agree_in_the_form(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_roadmap(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExperimentForm), "the form")
        form = app.screen
        error = form.query_one("#error", Static)
        # Done with an experiment still being tried: refused, in words.
        form.query_one("#lane", Select).value = "done"
        await pilot.press("ctrl+s")
        await wait_for(pilot, shows(lambda: str(error.render()), "adopted or dropped"), "error")
        assert isinstance(app.screen, ExperimentForm)
        # Marked adopted in Later: it goes to Done.
        form.query_one("#lane", Select).value = "later"
        form.query_one("#status", Select).value = "adopted"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RoadmapScreen), "the roadmap")
        saved = on_disk(session)["weekly"]
        assert (saved.lane, saved.status) == ("done", "adopted")


async def test_the_vision_is_edited_in_the_app(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_roadmap(pilot)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, VisionForm), "the vision form")
        area = app.screen.query_one("#vision", TextArea)
        assert area.text.startswith("Be the practitioner")
        area.text = "Teach what I learn.\nIn public."
        await pilot.press("enter")  # a new line, not a save: the form stays
        assert isinstance(app.screen, VisionForm)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RoadmapScreen), "the roadmap")
        assert session.portfolio.vision.startswith("Teach what I learn.")
        assert "Teach what I learn." in str(app.screen.query_one("#vision-text").render())
        await pilot.press("u")
        await wait_for(
            pilot, lambda: session.portfolio.vision.startswith("Be the practitioner"), "undo"
        )


async def test_escape_cancels_the_form(app: FolioApp, session: Session) -> None:
    before = session.workspace.portfolio_path.read_bytes()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_roadmap(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExperimentForm), "the form")
        app.screen.query_one("#title", Input).value = "Changed"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RoadmapScreen), "the roadmap")
    assert session.workspace.portfolio_path.read_bytes() == before


async def test_n_adds_an_experiment(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_roadmap(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ExperimentForm), "the form")
        form = app.screen
        title = form.query_one("#title", Input)
        await wait_for(pilot, lambda: title.has_focus, "the title field")
        assert form.query_one("#start", Input).value == TODAY.isoformat()
        await pilot.press("enter")
        assert "Give the experiment a title." in str(form.query_one("#error", Static).render())
        await pilot.press(*"Try Bluesky")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RoadmapScreen), "the roadmap")
        saved = on_disk(session)["try-bluesky"]
        assert (saved.title, saved.lane, saved.status) == ("Try Bluesky", "next", "idea")
        assert saved.start == TODAY and saved.review is None
        assert lane_ids(app, "next") == ["clips", "try-bluesky"]  # no review date: last
        assert screen.board.selected == "try-bluesky"
        assert "no review date" in card_text(app, "try-bluesky")


async def test_d_deletes_after_confirming(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_roadmap(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RoadmapScreen), "the roadmap")
        assert "weekly" in on_disk(session)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: "weekly" not in on_disk(session), "the deletion")
        await wait_for(pilot, lambda: lane_ids(app, "now") == [], "the card to go")
        assert screen.board.selected == "clips"


async def test_u_undoes_roadmap_edits(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_roadmap(pilot)
        await pilot.press("shift+right")
        await wait_for(pilot, lambda: on_disk(session)["weekly"].lane == "next", "the move")
        await pilot.press("s")
        await wait_for(pilot, lambda: on_disk(session)["weekly"].status == "adopted", "status")
        await pilot.press("u")
        await wait_for(pilot, lambda: on_disk(session)["weekly"].status == "trying", "undo 1")
        await pilot.press("u")
        await wait_for(pilot, lambda: lane_ids(app, "now") == ["weekly"], "undo 2")
        assert on_disk(session)["weekly"].lane == "now"
        await pilot.press("u")
        await wait_for(pilot, lambda: "Nothing to undo on the roadmap." in notices(app), "notice")


async def test_t_shows_the_timeline(app: FolioApp, session: Session) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_roadmap(pilot)
        view = app.screen.query_one(TimelineView)
        assert not view.display or not screen.board.timeline_mode
        await pilot.press("t")
        await wait_for(pilot, lambda: screen.board.timeline_mode, "the timeline")
        assert not app.screen.query_one("#lanes").display
        lines = str(view.render()).splitlines()
        assert lines[0].split() == ["2026", "2027"]
        assert lines[1].split() == ["Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan"]
        rows = {line.split("  ")[0].strip(): line for line in lines[2:5]}
        assert list(rows) == ["Public tag pages", "Post weekly", "Audio clips on Mastodon"]
        # Each bar runs from the start month to the review month; November is marked.
        month = lines[1].index("Nov")
        assert rows["Post weekly"][month] == "▓"
        assert rows["Public tag pages"][month] == "┊"
        assert rows["Public tag pages"][lines[1].index("Jul")] == "█"
        assert rows["Audio clips on Mastodon"][lines[1].index("Jan")] == "█"
        # The cursor is shared: moving in the timeline then editing acts on that row.
        await pilot.press("up")
        assert screen.board.selected == "tags"
        await pilot.press("s")
        await wait_for(pilot, lambda: on_disk(session)["tags"].status == "dropped", "status")
        await pilot.press("t")
        await wait_for(pilot, lambda: not screen.board.timeline_mode, "the lanes")
        assert app.screen.query_one("#lanes").display


# -- untrusted text and read-only ----------------------------------------------------------------


async def test_markup_in_titles_is_shown_literally(tmp_path: Path) -> None:
    hostile = "[@click=app.quit]x[/]"
    portfolio = Portfolio(
        vision=f"[b]{hostile}",
        roadmap=[Experiment("evil", hostile, hostile, hostile, "now", "idea", TODAY, None, [])],
    )
    session = build_session(tmp_path / "evil", portfolio)
    try:
        app = FolioApp(session, auto_refresh=False)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_roadmap(pilot)
            assert hostile in card_text(app, "evil")
            assert str(app.screen.query_one("#vision-text", Static).render()) == f"[b]{hostile}"
            assert hostile in str(app.screen.query_one("#roadmap-detail", Static).render())
            await pilot.click(card(app, "evil"))
            await pilot.press("t")
            await wait_for(pilot, lambda: screen.board.timeline_mode, "the timeline")
            assert hostile in str(app.screen.query_one(TimelineView).render())
            assert app.is_running
    finally:
        session.close()


async def test_read_only_when_portfolio_is_broken(tmp_path: Path) -> None:
    root = tmp_path / "broken"
    root.mkdir()
    path = root / "portfolio.toml"
    path.write_text('[[roadmap]]\nid = "x"\ntitle = "X"\nreview = "soon"\n', encoding="utf-8")
    before = path.read_bytes()
    session = Session(
        Workspace(portfolio_path=path, db_path=root / "folio.db", settings=Settings())
    )
    session.clock = lambda: FIXED_NOW
    try:
        app = FolioApp(session, auto_refresh=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_roadmap(pilot, selected=False)
            banner = str(app.screen.query_one("#read-only", Static).render())
            assert "Read-only" in banner and "portfolio.toml:4" in banner
            assert "roadmap[0].review" in banner and "expected a date" in banner
            app._notifications.clear()
            for key in ("shift+right", "shift+left", "s", "enter", "n", "d", "u"):
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, RoadmapScreen), key
            await wait_for(pilot, lambda: len(notices(app)) >= 7, "seven refusals")
            assert all("roadmap[0].review" in n for n in notices(app))
            await pilot.press("t")  # looking is still allowed
            await wait_for(pilot, lambda: app.screen.query_one(RoadmapBoard).timeline_mode, "t")
        assert path.read_bytes() == before
        assert not path.with_name("portfolio.toml.bak").exists()
    finally:
        session.close()


# -- the helpers behind the screen ---------------------------------------------------------------


def test_timeline_spans_months_and_marks_the_current_one() -> None:
    experiments = [
        Experiment("a", start=dt.date(2026, 6, 10), review=dt.date(2026, 8, 1)),
        Experiment("b", start=dt.date(2026, 11, 2)),  # open-ended: runs to this month
        Experiment("c", review=dt.date(2027, 3, 1)),  # a review date only
        Experiment("d"),  # no dates at all
    ]
    result = timeline(experiments, dt.date(2026, 11, 20))
    assert result.months[0] == dt.date(2026, 6, 1) and result.months[-1] == dt.date(2027, 3, 1)
    assert result.months[result.current] == dt.date(2026, 11, 1)
    rows = {row.id: row for row in result.rows}
    assert (rows["a"].first, rows["a"].last) == (0, 2)
    assert (rows["b"].first, rows["b"].last, rows["b"].open_ended) == (5, 5, True)
    assert (rows["c"].first, rows["c"].last, rows["c"].review_only) == (9, 9, True)
    assert (rows["d"].first, rows["d"].last) == (None, None)
    assert [row.id for row in result.rows] == ["a", "b", "c", "d"]


def test_timeline_always_shows_six_months_from_the_earliest() -> None:
    result = timeline([], dt.date(2026, 12, 5))
    assert [m.month for m in result.months] == [12, 1, 2, 3, 4, 5]
    assert result.months[1].year == 2027 and result.current == 0


def test_month_window_keeps_the_current_month_in_view() -> None:
    assert month_window(5, 2, 10) == range(5)
    assert month_window(24, 20, 6) == range(18, 24)
    assert month_window(24, 0, 6) == range(0, 6)
    assert 12 in month_window(24, 12, 6)


def test_status_and_lane_steps() -> None:
    assert [next_status(s) for s in ("idea", "trying", "adopted", "dropped")] == [
        "trying",
        "adopted",
        "dropped",
        "idea",
    ]
    assert step_lane("now", -1) == "now" and step_lane("now", 1) == "next"
    assert step_lane("done", 1) == "done" and step_lane("later", 1) == "done"


def test_parse_date_explains_mistakes() -> None:
    assert parse_date(" 2026-12-01 ", "Start") == dt.date(2026, 12, 1)
    assert parse_date("", "Start") is None
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("1/12/2026", "Start")
    with pytest.raises(ValueError, match="not a real date"):
        parse_date("2026-02-30", "Start")


def test_review_text_shortens_to_fit() -> None:
    day = dt.date(2026, 11, 15)
    assert review_text(day, True, 40) == "review due 2026-11-15"
    assert review_text(day, True, 14) == "due 2026-11-15"
    assert review_text(day, False, 14) == "rev 2026-11-15"
    assert review_text(None, False, 5) == "no review date"
