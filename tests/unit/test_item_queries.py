"""Lists of items as store queries (Starred, Later, a whole feed, New since I last
looked), the Inbox's order, undoing a deleted source, and what attention is recorded.
On a real SQLite file in tmp_path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tui.core.config import Settings
from tui.core.lists import (
    CYCLE,
    VIEW_NAMES,
    feed_list,
    inbox_order,
    match_sources,
    next_view,
    parse_since,
    recent_label,
    view,
)
from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState
from tui.core.session import Change, Session
from tui.core.storage import attention
from tui.core.storage.item_queries import ItemQuery
from tui.core.storage.portfolio import MatrixEntry, Portfolio, save_portfolio
from tui.core.storage.store import Store
from tui.core.storage.workspace import Workspace

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
QUICK = "https://quick.example/feed"
BIG = "https://big.example/feed"
MINE = "https://me.example/feed"
PLAIN = "https://plain.example/feed"


def make_session(tmp_path: Path) -> Session:
    """Three feeds (a Quick win, a Big bet, the user's own) of items 0, 1, 3, 6, 10, 20
    days old."""
    workspace = Workspace(tmp_path / "portfolio.toml", tmp_path / "folio.db", Settings())
    save_portfolio(
        workspace.portfolio_path,
        Portfolio(
            sources=[
                Source(QUICK, "Quick", tags=["q"]),
                Source(BIG, "Big", tags=["b"]),
                Source(MINE, "Mine", mine=True),
            ],
            matrix=[
                MatrixEntry("quick", "Quick", value=5, effort=1, sources=["q"]),
                MatrixEntry("big", "Big", value=5, effort=5, sources=["b"]),
            ],
        ),
    )
    session = Session(workspace)
    session.clock = lambda: NOW
    for url in (QUICK, BIG, MINE):
        items = [
            ParsedItem(
                guid=f"{url}#{days}",
                title=f"{url.split('//')[1].split('.')[0]} {days}d",
                published=NOW - dt.timedelta(days=days, minutes=1),
            )
            for days in (0, 1, 3, 6, 10, 20)
        ]
        session.store.store_feed(
            SourceState(url=url, status="ok", last_fetched=NOW), ParsedFeed(items=items), NOW
        )
    return session


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return make_session(tmp_path)


def titles(session: Session, ids: list[int]) -> list[str]:
    return [item.title for item in session.store.items_by_id(ids)]


# -- the Inbox's order -----------------------------------------------------------------------


def test_inbox_puts_recent_big_bets_before_old_quick_wins(session: Session) -> None:
    rows = session.inbox_rows()
    assert titles(session, rows.ids) == [
        "quick 0d", "quick 1d", "big 0d", "big 1d",
        "quick 3d", "quick 6d", "quick 10d", "quick 20d",
        "big 3d", "big 6d", "big 10d", "big 20d",
    ]  # fmt: skip
    assert rows.headings == [
        (0, "Last 2 days · Quick wins · 2"),
        (2, "Last 2 days · Big bets · 2"),
        (4, "Older · Quick wins · 4"),
        (8, "Older · Big bets · 4"),
    ]
    # The user's own items are output, not triage: not in the Inbox nor its count.
    assert session.inbox_count() == 12
    assert session.store.count(unread=True) == 18


def test_inbox_window_is_a_setting_and_no_matrix_means_no_groups() -> None:
    ranks: dict[str, float] = {}
    rows = [(1, "a", NOW.timestamp()), (2, "b", (NOW - dt.timedelta(days=5)).timestamp())]
    order = inbox_order(rows, ranks, NOW - dt.timedelta(days=2), {}, "Last 2 days")
    assert order.ids == [1, 2]
    assert order.headings == [(0, "Last 2 days · 1"), (1, "Older · 1")]
    assert recent_label(dt.timedelta(hours=36)) == "Last 36 hours"
    assert recent_label(dt.timedelta(days=2)) == "Last 2 days"
    assert recent_label(dt.timedelta(weeks=1)) == "Last 7 days"


def test_inbox_window_follows_settings(session: Session) -> None:
    session.workspace.settings.ui.inbox_recent = "5d"
    rows = session.inbox_rows()
    assert rows.headings[0] == (0, "Last 5 days · Quick wins · 3")


# -- lists as queries ------------------------------------------------------------------------


def test_flag_views_list_flagged_items_newest_first(session: Session) -> None:
    quick = session.store.items(sources=[QUICK])
    mine = session.store.items(sources=[MINE])
    session.set_flag([quick[2].id, quick[0].id, mine[1].id], "starred", True)
    session.set_flag([quick[1].id], "saved", True)
    assert titles(session, session.list_ids(view("starred"))) == ["quick 0d", "me 1d", "quick 3d"]
    assert titles(session, session.list_ids(view("saved"))) == ["quick 1d"]
    assert session.list_ids(view("bookmarked")) == []
    assert session.list_count(view("starred")) == 3
    assert len(session.list_ids(view("all"))) == 18
    # Unread leaves the user's own items out, as the Inbox does.
    assert len(session.list_ids(view("unread"))) == 12
    # A feed's list holds every one of its items, read or not.
    session.mark_source_read(BIG)
    assert len(session.list_ids(feed_list(BIG, "Big"))) == 6
    assert len(session.list_ids(view("unread"))) == 6
    # The first page of a list is a LIMIT, for a list screen's first paint.
    assert len(session.list_ids(view("all"), limit=5)) == 5


def test_new_since_i_last_looked(session: Session, tmp_path: Path) -> None:
    spec = view("new")
    # Never looked: what arrived in the last day (every item was first seen at NOW).
    assert len(session.list_ids(spec)) == 12
    session.looked_at(spec, NOW)
    assert session.list_ids(spec) == []
    later = NOW + dt.timedelta(hours=1)
    session.store.store_feed(
        session.store.state(QUICK),
        ParsedFeed(items=[ParsedItem(guid="late", title="late", published=later)]),
        later,
    )
    assert titles(session, session.list_ids(spec)) == ["late"]
    # The mark is kept in the store, so it outlives the session.
    reopened = Store(tmp_path / "folio.db")
    assert reopened.mark("looked-at-new") == NOW
    reopened.close()


def test_view_cycle_and_names() -> None:
    assert CYCLE[0] == "inbox" and CYCLE[1:] == VIEW_NAMES
    assert next_view("inbox") == "unread"
    assert next_view("new") == "inbox"
    assert next_view("inbox", -1) == "new"
    assert next_view("feed") == "unread"
    with pytest.raises(ValueError, match="unknown list"):
        view("favourites")


def test_store_query_filters_combine(session: Session) -> None:
    store = session.store
    query = ItemQuery(sources=(QUICK, BIG), unread=True, published_since=NOW - dt.timedelta(days=2))
    assert len(store.item_ids(query)) == 4
    assert store.query_count(ItemQuery(exclude=(QUICK,))) == 12
    with pytest.raises(ValueError, match="unknown flag"):
        store.item_ids(ItemQuery(flags=("liked",)))


def test_next_unread_skips_read_items(session: Session) -> None:
    ids = session.list_ids(feed_list(QUICK, "Quick"))
    session.set_flag(ids[1:4], "read", True)
    assert session.next_unread(ids, 0) == 4
    assert session.next_unread(ids, 5) is None


def test_mark_read_in_bulk_is_one_undo(session: Session) -> None:
    ids = session.list_ids(view("all"))
    assert session.mark_read(ids, "above") == 18
    assert session.store.count(unread=True) == 0
    assert session.undo_triage() == "above"
    assert session.store.count(unread=True) == 18


def test_many_ids_go_to_sqlite_in_pieces(tmp_path: Path) -> None:
    store = Store(tmp_path / "folio.db")
    items = [ParsedItem(guid=str(n), title=str(n), published=NOW) for n in range(40_000)]
    store.store_feed(SourceState(url=QUICK), ParsedFeed(items=items), NOW)
    ids = store.item_ids(ItemQuery())
    assert len(store.items_by_id(ids)) == 40_000  # more than SQLite's 32,766 parameters
    assert len(store.flag_values(ids, "read")) == 40_000
    store.close()


# -- sources by name, dates --------------------------------------------------------------------


def test_match_sources_by_url_name_or_part() -> None:
    sources = [
        Source("https://a.example/feed", "People Desk"),
        Source("https://b.example/feed", "People Wire"),
        Source("https://c.example/feed", "Tags"),
    ]
    assert [s.name for s in match_sources(sources, "https://c.example/feed")] == ["Tags"]
    assert [s.name for s in match_sources(sources, "people desk")] == ["People Desk"]
    assert [s.name for s in match_sources(sources, "people")] == ["People Desk", "People Wire"]
    assert [s.name for s in match_sources(sources, "b.example")] == ["People Wire"]
    assert match_sources(sources, "nothing") == []


def test_parse_since() -> None:
    assert parse_since("2d", NOW) == NOW - dt.timedelta(days=2)
    assert parse_since("36h", NOW) == NOW - dt.timedelta(hours=36)
    assert parse_since("2026-11-01T09:30+00:00", NOW) == dt.datetime(
        2026, 11, 1, 9, 30, tzinfo=dt.UTC
    )
    assert parse_since("2026-11-01", NOW).tzinfo is not None
    with pytest.raises(ValueError, match="not a date"):
        parse_since("yesterday", NOW)
    with pytest.raises(ValueError, match="not a date"):
        parse_since("2026", NOW)  # a year alone is not taken as 2026 seconds


# -- deleting a source, and undoing it ----------------------------------------------------------


def test_deleted_source_comes_back_with_its_flags(session: Session) -> None:
    changes: list[Change] = []
    session.listeners.append(changes.append)
    items = session.store.items(sources=[QUICK])
    session.set_flag([items[0].id], "starred", True)
    session.set_flag([items[1].id], "read", True)
    session.delete_source(QUICK)
    assert session.store.count(sources=[QUICK]) == 0
    assert session.source(QUICK) is None
    assert session.undo_portfolio("sources") == "Deleted Quick"
    assert session.source(QUICK) is not None
    back = {item.title: item for item in session.store.items(sources=[QUICK])}
    assert len(back) == 6
    assert back["quick 0d"].starred and back["quick 1d"].read and not back["quick 3d"].read
    assert session.store.state(QUICK).status == "ok"
    # The app fetches it again at once.
    assert changes[-1].refetch == [QUICK]
    # And search finds the restored items again.
    assert [item.title for item in session.store.search("quick 20d")][:1] == ["quick 20d"]


def test_delete_several_sources_then_undo(session: Session) -> None:
    session.delete_sources([QUICK, BIG])
    assert [s.url for s in session.sources] == [MINE]
    assert session.store.count() == 6
    session.undo_portfolio("sources")
    assert session.store.count() == 18


def test_update_several_sources_at_once(session: Session) -> None:
    assert session.update_sources([QUICK, BIG], kind="podcast", add_tags=["audio"]) == 2
    by_url = {s.url: s for s in session.sources}
    assert by_url[QUICK].kind == "podcast" and by_url[QUICK].tags == ["q", "audio"]
    session.update_sources([QUICK], remove_tags=["q"])
    assert session.source(QUICK).tags == ["audio"]  # type: ignore[union-attr]
    session.undo_portfolio("sources")
    session.undo_portfolio("sources")
    assert session.source(QUICK).kind == "blog"  # type: ignore[union-attr]


# -- attention -------------------------------------------------------------------------------


def test_attention_is_recorded_with_the_time(session: Session) -> None:
    quick = session.store.items(sources=[QUICK])
    record = session.opened(quick[0])
    assert record is not None
    session.reader_time(record, 95)
    session.opened_in_browser(quick[0])
    session.toggle_flag(quick[1], "starred")
    session.toggle_flag(quick[1], "starred")  # clearing a star records nothing
    session.set_flag([quick[2].id, quick[3].id], "read", True)
    session.mark_source_read(BIG)
    assert [a for a, _, _ in attention.actions_of(session.store, quick[0].id)] == [
        "opened",
        "browser",
    ]
    assert attention.actions_of(session.store, quick[0].id)[0][1:] == (NOW, 95.0)
    assert [a for a, _, _ in attention.actions_of(session.store, quick[1].id)] == ["starred"]
    assert [a for a, _, _ in attention.actions_of(session.store, quick[2].id)] == ["read_unopened"]
    # Opening an item read it, and that is no "read unopened".
    assert session.store.item(quick[0].id).read  # type: ignore[union-attr]
    weekly = attention.weekly(session.store, {"quick": [QUICK], "big": [BIG]}, 4, NOW)
    assert weekly["quick"].opened == [0, 0, 0, 1]  # opened twice, one item
    assert weekly["quick"].minutes == [0, 0, 0, 95 / 60]
    assert weekly["quick"].flagged == [0, 0, 0, 1]
    assert weekly["quick"].skipped == [0, 0, 0, 2]
    assert weekly["big"].skipped == [0, 0, 0, 6]


# -- the roadmap's rules ------------------------------------------------------------------------


def test_lane_and_status_agree() -> None:
    from tui.core.planning.views import lane_status_problem, with_lane, with_status
    from tui.core.storage.portfolio import Experiment

    card = Experiment("x", "X", lane="now", status="trying")
    assert (with_status(card, "adopted").lane, with_status(card, "dropped").lane) == (
        "done",
        "done",
    )
    ended = with_status(card, "adopted")
    assert (with_status(ended, "idea").lane, with_status(ended, "trying").lane) == ("next", "now")
    assert with_lane(card, "done", "dropped").status == "dropped"
    with pytest.raises(ValueError, match="adopted or dropped"):
        with_lane(card, "done")
    assert with_lane(ended, "now").status == "trying"
    assert with_lane(ended, "later").status == "idea"
    assert with_lane(card, "later").status == "trying"  # not ended: left as it was
    assert lane_status_problem("done", "idea") != ""
    assert lane_status_problem("now", "adopted") != ""
    assert lane_status_problem("done", "adopted") == ""


def test_rates_below_one_a_week_read_per_month() -> None:
    from tui.core.planning.views import before_and_since, cadence_text, rate_text

    assert rate_text(3.5) == "3.5/week" and rate_text(0.25) == "1.1/month"
    assert rate_text(0.25, short=True) == "1.1/mo" and rate_text(0) == "0.0/week"
    assert cadence_text({"posts": 2, "per_week": 0.5}) == "2 posts since start · 2.2/month"
    text = before_and_since(
        {
            "before": [0, 1, 0, 0, 2, 0, 0, 1],
            "before_per_week": 0.5,
            "since": [3, 4],
            "per_week": 3.5,
        }
    )
    # One scale: the busiest week (4, since the start) is the full bar.
    assert text == "8 wks before ▁▃▁▁▅▁▁▃ 2.2/month · since ▆█ 3.5/week"


def test_bookmarked_lists_each_link_once(session: Session) -> None:
    """A link bookmarked in folio and listed again by the bookmark service (another
    source, the same link) is one row of Bookmarked: the first one bookmarked."""
    link = "https://shared.example/post"
    for url, guid in ((QUICK, "original"), ("https://service.example/bookmarks", "copy")):
        session.store.store_feed(
            session.store.state(url),
            ParsedFeed(items=[ParsedItem(guid=guid, title=guid, link=link, published=NOW)]),
            NOW,
        )
    ids = [i.id for i in session.store.items() if i.link == link]
    session.set_flag(ids, "bookmarked", True)
    assert session.list_ids(view("bookmarked")) == [min(ids)]
    assert session.store.query_count(ItemQuery(flags=("bookmarked",))) == 2
