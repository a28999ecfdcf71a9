"""The user's own output, measured (tui/core/planning/output.py), on a real SQLite store.

Posts are stored as a refresh stores them (``Store.store_feed``) and engagement snapshots
as a refresh of an own API source writes them (``Store.write_batch`` with an
``Engagement``), so the summary table the store keeps (engagement_sql) is exercised too.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState
from tui.core.planning.output import (
    Post,
    count_fields,
    follower_figures,
    longest_gap,
    number_text,
    output_record,
    output_rows,
    own_posts,
    rate_text,
    signed_text,
    source_output,
    weekly_counts,
)
from tui.core.planning.output_text import post_cells, post_columns, post_widths
from tui.core.sources.base import AccountFigures, Counts
from tui.core.storage.portfolio import Portfolio
from tui.core.storage.store import MIGRATIONS, Engagement, SourceWrite, Store

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
WINDOW = dt.timedelta(days=90)
URL = "https://social.example/@me"
BLOG = "https://me.example/feed"
DAY = dt.timedelta(days=1)


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "folio.db") as opened:
        yield opened


def post(
    store: Store, url: str, *posts: tuple[str, dt.datetime, str], stored: dt.datetime = NOW
) -> None:
    """Store ``(guid, published, title)`` posts as a refresh at ``stored`` would."""
    items = [
        ParsedItem(guid=guid, title=title, link=f"{url}/{guid}", published=when)
        for guid, when, title in posts
    ]
    store.store_feed(SourceState(url=url, status="ok"), ParsedFeed(items=items), now=stored)


def snapshot(
    store: Store,
    url: str,
    taken: dt.datetime,
    counts: dict[str, Counts],
    account: AccountFigures | None = None,
) -> None:
    store.write_batch(
        [SourceWrite(SourceState(url=url, status="ok"), None, taken, Engagement(counts, account))]
    )


def figures(store: Store, url: str = URL, now: dt.datetime = NOW, **source: object):
    return source_output(Source(url, "Me", "social", mine=True, **source), store, now, WINDOW)  # type: ignore[arg-type]


# -- no data ---------------------------------------------------------------------------


def test_a_source_with_nothing_stored(store: Store) -> None:
    out = figures(store)
    assert out.posts == [] and out.per_week == 0 and out.last_post is None
    assert rate_text(out.per_week) == "none"
    assert out.engagement_median is None and out.best is None and out.followers is None
    assert out.weekly == [0] * 13
    # The whole window is one gap, still going on.
    assert out.gap is not None and out.gap.ongoing and round(out.gap.days) == 90
    assert output_record(out)["posts"] == 0


def test_posts_without_snapshots_have_cadence_but_no_engagement(store: Store) -> None:
    post(store, BLOG, ("a", days_ago(3), "A"), ("b", days_ago(10), "B"), ("c", days_ago(17), "C"))
    out = figures(store, BLOG)
    assert len(out.posts) == 3
    assert all(p.latest is None and p.counts == {} and p.engagement is None for p in out.posts)
    assert out.engagement_median is None and out.best is None and out.fields == []
    # Counted from the oldest post (17 days): 3 posts in 17/7 weeks.
    assert out.since == days_ago(17)
    assert out.per_week == pytest.approx(3 / (17 / 7))


# -- one post, gaps, the window ----------------------------------------------------------


def test_one_post(store: Store) -> None:
    post(store, URL, ("only", days_ago(20), "Hello"))
    snapshot(store, URL, days_ago(19), {"only": Counts(replies=2, likes=5)})
    out = figures(store)
    assert [p.title for p in out.posts] == ["Hello"]
    assert out.last_post == days_ago(20)
    assert out.per_week == pytest.approx(1 / (20 / 7))
    assert out.gap is not None and out.gap.ongoing and round(out.gap.days) == 20
    assert out.engagement_median == 7
    assert out.best is not None and out.best.guid == "only" and out.best.engagement == 7
    assert out.fields == ["replies", "likes"]


def test_a_week_is_the_shortest_span(store: Store) -> None:
    post(
        store, URL, ("a", NOW - dt.timedelta(hours=5), "A"), ("b", NOW - dt.timedelta(hours=2), "B")
    )
    # Two posts in five hours are two a week, not sixty-seven.
    assert figures(store).per_week == 2


def test_longest_gap_between_posts(store: Store) -> None:
    post(
        store,
        URL,
        *[(f"p{n}", days_ago(n), f"Post {n}") for n in (80, 70, 30, 28, 5)],
    )
    out = figures(store)
    assert out.gap is not None
    assert (out.gap.start, out.gap.end, out.gap.ongoing) == (days_ago(70), days_ago(30), False)
    assert out.gap.days == pytest.approx(40)


def test_a_gap_that_lasts_until_now(store: Store) -> None:
    post(store, URL, ("a", days_ago(60), "A"), ("b", days_ago(55), "B"))
    out = figures(store)
    assert out.gap is not None and out.gap.ongoing
    assert (out.gap.start, out.gap.end) == (days_ago(55), NOW)


def test_posts_older_than_the_window_are_not_counted(store: Store) -> None:
    post(store, URL, ("old", days_ago(100), "Old"), ("new", days_ago(10), "New"))
    snapshot(store, URL, days_ago(9), {"old": Counts(likes=1000), "new": Counts(likes=4)})
    out = figures(store)
    assert [p.guid for p in out.posts] == ["new"]
    # The record reaches back before the window, so the whole window counts.
    assert out.since == out.window_start == days_ago(90)
    assert out.per_week == pytest.approx(1 / (90 / 7))
    assert out.engagement_median == 4 and out.best is not None and out.best.guid == "new"
    assert out.last_post == days_ago(10)


def test_undated_items_are_not_posts(store: Store) -> None:
    items = [ParsedItem(guid="x", title="No date", link=f"{URL}/x")]
    store.store_feed(SourceState(url=URL, status="ok"), ParsedFeed(items=items), now=days_ago(2))
    assert figures(store).posts == []


def test_the_weekly_series_adds_up_to_the_posts_in_the_window(store: Store) -> None:
    ages = [0.1, 1, 6.9, 7.1, 13, 40, 85, 89.9, 95]
    post(store, URL, *[(f"p{n}", days_ago(age), "P") for n, age in enumerate(ages)])
    out = figures(store)
    assert len(out.weekly) == 13
    assert sum(out.weekly) == len(out.posts) == 8
    assert out.weekly[-1] == 3  # this week: 0.1, 1 and 6.9 days ago
    assert out.weekly[-2] == 2  # 7.1 and 13 days ago
    assert out.weekly[0] == 2  # the first (short) week: 85 and 89.9 days ago
    assert out.week_starts[-1] == NOW - dt.timedelta(weeks=1)


def test_year_boundaries(store: Store) -> None:
    now = dt.datetime(2027, 1, 10, 12, 0, tzinfo=dt.UTC)
    dates = [
        dt.datetime(2026, 12, 28, 9, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2027, 1, 1, 0, 30, tzinfo=dt.UTC),
        dt.datetime(2027, 1, 9, 8, tzinfo=dt.UTC),
    ]
    post(store, URL, *[(f"p{n}", when, "P") for n, when in enumerate(dates)], stored=now)
    out = figures(store, now=now)
    assert len(out.posts) == 4 and sum(out.weekly) == 4
    # Weeks are seven days back from now, whatever the calendar says: 3 Jan-10 Jan holds
    # one post, 27 Dec-3 Jan three (across the new year).
    assert out.weekly[-2:] == [3, 1]
    gap = out.gap
    assert gap is not None and (gap.start, gap.end) == (dates[2], dates[3])
    assert out.week_starts[-2].year == 2026 and out.week_starts[-1].year == 2027


# -- counts --------------------------------------------------------------------------------


def test_latest_counts_and_their_change(store: Store) -> None:
    post(store, URL, ("a", days_ago(10), "A"))
    snapshot(store, URL, days_ago(9), {"a": Counts(replies=1, likes=2)})
    snapshot(store, URL, days_ago(5), {"a": Counts(replies=3, likes=4)})
    snapshot(store, URL, days_ago(1), {"a": Counts(replies=4, likes=9, reposts=1)})
    [one] = own_posts(store, URL)
    assert one.counts == {"replies": 4, "reposts": 1, "likes": 9}
    # Against the snapshot before (replies 3, likes 4); reposts were not counted then.
    assert one.change == {"replies": 1, "likes": 5}
    assert one.taken == days_ago(1)
    assert one.engagement == 14 and one.engagement_change == 7


def test_counts_that_go_down(store: Store) -> None:
    post(store, URL, ("a", days_ago(10), "A"), ("b", days_ago(8), "B"))
    snapshot(store, URL, days_ago(7), {"a": Counts(likes=10), "b": Counts(likes=3)})
    snapshot(store, URL, days_ago(1), {"a": Counts(likes=7), "b": Counts(likes=3)})
    out = figures(store)
    a = next(p for p in out.posts if p.guid == "a")
    assert a.counts == {"likes": 7} and a.change == {"likes": -3}
    assert a.engagement_change == -3
    # The latest figure counts, not the highest ever seen.
    assert out.engagement_median == 5
    assert signed_text(-3) == "-3" and signed_text(0) == "±0" and signed_text(2) == "+2"


def test_an_edited_post_keeps_its_counts(store: Store) -> None:
    post(store, URL, ("a", days_ago(10), "First wording"))
    snapshot(store, URL, days_ago(9), {"a": Counts(replies=5)})
    post(store, URL, ("a", days_ago(10), "Second wording, edited"))
    snapshot(store, URL, days_ago(2), {"a": Counts(replies=6)})
    out = figures(store)
    assert [(p.title, p.counts, p.change) for p in out.posts] == [
        ("Second wording, edited", {"replies": 6}, {"replies": 1})
    ]


def test_median_and_best_post(store: Store) -> None:
    post(store, URL, *[(g, days_ago(n), g.upper()) for n, g in enumerate("abcd", start=1)])
    snapshot(
        store,
        URL,
        days_ago(0.5),
        {
            "a": Counts(likes=1),
            "b": Counts(likes=10, replies=2),
            "c": Counts(likes=5),
            "d": Counts(likes=12),
        },
    )
    out = figures(store)
    assert out.engagement_median == (5 + 12) / 2
    assert out.median("likes") == (5 + 10) / 2 and out.median("replies") == 2
    # b and d both have 12; the newer one wins.
    assert out.best is not None and out.best.guid == "b"


def test_views_are_reach_not_engagement(store: Store) -> None:
    post(store, URL, ("v", days_ago(3), "Video"), ("w", days_ago(2), "Another"))
    snapshot(store, URL, days_ago(1), {"v": Counts(views=900), "w": Counts(views=100, likes=4)})
    out = figures(store)
    v = next(p for p in out.posts if p.guid == "v")
    assert v.engagement is None and v.counts == {"views": 900}
    assert out.engagement_median == 4 and out.median("views") == 500
    assert count_fields(out.posts) == ["likes", "views"]


def test_points_and_comments(store: Store) -> None:
    post(store, URL, ("s", days_ago(3), "Show HN"))
    snapshot(store, URL, days_ago(1), {"s": Counts(points=120, comments=48)})
    assert figures(store).engagement_median == 168


def test_snapshots_of_other_sources_and_unknown_posts_are_ignored(store: Store) -> None:
    post(store, URL, ("a", days_ago(3), "A"))
    snapshot(store, "https://other.example/@me", days_ago(1), {"a": Counts(likes=99)})
    snapshot(store, URL, days_ago(1), {"gone": Counts(likes=50)})
    [only] = own_posts(store, URL)
    assert only.latest is None


# -- the summary table the store keeps (storage/engagement_sql.py) ------------------------


def recomputed(store: Store, source: str) -> dict[str, tuple[dt.datetime, dict[str, int]]]:
    """Each post's latest snapshot, worked out from the whole history."""
    latest: dict[str, tuple[dt.datetime, dict[str, int]]] = {}
    for row in store.engagement_history(source):
        counts = {k: v for k, v in row.items() if k not in ("guid", "taken") and v is not None}
        if row["guid"] not in latest or row["taken"] >= latest[row["guid"]][0]:
            latest[row["guid"]] = (row["taken"], counts)
    return latest


def summary(store: Store, source: str) -> dict[str, tuple[dt.datetime, dict[str, int]]]:
    out = {}
    for p in own_posts(store, source):
        if p.taken is not None:
            out[p.guid] = (p.taken, p.counts)
    return out


def test_snapshots_written_out_of_order(store: Store) -> None:
    post(store, URL, ("a", days_ago(10), "A"))
    snapshot(store, URL, days_ago(1), {"a": Counts(likes=9)})
    snapshot(store, URL, days_ago(5), {"a": Counts(likes=4)})
    snapshot(store, URL, days_ago(8), {"a": Counts(likes=1)})
    [a] = own_posts(store, URL)
    assert a.counts == {"likes": 9} and a.change == {"likes": 5}  # against 5 days ago
    assert summary(store, URL) == recomputed(store, URL)


def test_a_snapshot_written_twice_at_the_same_time(store: Store) -> None:
    post(store, URL, ("a", days_ago(10), "A"))
    snapshot(store, URL, days_ago(3), {"a": Counts(likes=2)})
    snapshot(store, URL, days_ago(1), {"a": Counts(likes=5)})
    snapshot(store, URL, days_ago(1), {"a": Counts(likes=6)})
    [a] = own_posts(store, URL)
    assert a.counts == {"likes": 6} and a.change == {"likes": 4}


def test_removing_snapshots_keeps_the_summary_true(store: Store) -> None:
    post(store, URL, ("a", days_ago(10), "A"), ("b", days_ago(9), "B"))
    for age, likes in ((8, 1), (5, 3), (2, 7)):
        snapshot(store, URL, days_ago(age), {"a": Counts(likes=likes), "b": Counts(likes=likes)})
    with store.transaction() as db:  # the latest snapshot of a goes
        db.execute(
            "DELETE FROM engagement WHERE guid = 'a' AND taken = ?", (days_ago(2).timestamp(),)
        )
    a = next(p for p in own_posts(store, URL) if p.guid == "a")
    assert a.counts == {"likes": 3} and a.change == {"likes": 2}
    assert summary(store, URL) == recomputed(store, URL)
    store.remove_source(URL)
    assert store.query("SELECT count(*) FROM engagement_latest")[0][0] == 0


def test_the_migration_summarises_existing_history(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:6], start=1):
        db.executescript(f"BEGIN; {script}; PRAGMA user_version={number}; COMMIT;")
    rows = [
        (URL, "a", days_ago(age).timestamp(), likes) for age, likes in ((9, 1), (4, 6), (6, 2))
    ] + [(URL, "b", days_ago(3).timestamp(), 8)]
    db.executemany("INSERT INTO engagement (source, guid, taken, likes) VALUES (?, ?, ?, ?)", rows)
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        post(store, URL, ("a", days_ago(10), "A"), ("b", days_ago(5), "B"))
        by_guid = {p.guid: p for p in own_posts(store, URL)}
        assert by_guid["a"].counts == {"likes": 6} and by_guid["a"].change == {"likes": 4}
        assert by_guid["b"].counts == {"likes": 8} and by_guid["b"].previous is None


# -- followers -----------------------------------------------------------------------------


def test_followers_and_their_change_over_the_window(store: Store) -> None:
    post(store, URL, ("a", days_ago(3), "A"))
    for age, followers in ((120, 80), (100, 100), (50, 120), (1, 150)):
        snapshot(store, URL, days_ago(age), {}, AccountFigures(followers=followers, posts=9))
    out = figures(store)
    assert out.followers is not None
    # Against the figure in force when the window began (100 days ago), not the oldest.
    assert (out.followers.latest, out.followers.change) == (150, 50)
    assert out.followers.since == out.window_start


def test_one_follower_figure_has_no_change(store: Store) -> None:
    snapshot(store, URL, days_ago(1), {}, AccountFigures(followers=42))
    out = figures(store)
    assert out.followers is not None and out.followers.change is None
    assert output_record(out)["followers"] == 42


def test_followers_that_go_down(store: Store) -> None:
    snapshot(store, URL, days_ago(30), {}, AccountFigures(followers=150))
    snapshot(store, URL, days_ago(2), {}, AccountFigures(followers=140))
    out = figures(store)
    assert out.followers is not None and out.followers.change == -10
    assert out.followers.since == days_ago(30)


def test_follower_figures_ignore_missing_counts() -> None:
    history: list[dict[str, Any]] = [
        {"taken": days_ago(5), "followers": None, "following": 3, "posts": 1},
        {"taken": days_ago(1), "followers": 7, "following": 3, "posts": 2},
    ]
    followers = follower_figures(history, days_ago(90))
    assert followers is not None and followers.latest == 7 and followers.change is None
    assert follower_figures([], days_ago(90)) is None


# -- targets and words -------------------------------------------------------------------------


def test_cadence_against_a_target(store: Store) -> None:
    post(store, URL, *[(f"p{n}", days_ago(n * 7 + 1), "P") for n in range(4)])
    out = figures(store, target="2/w")
    assert out.target is not None and out.target.per_week == 2
    assert out.per_week == pytest.approx(4 / (22 / 7))
    assert out.on_target == pytest.approx(out.per_week / 2)
    record = output_record(out)
    assert record["target"] == "2/w" and record["on_target"] == pytest.approx(0.636, abs=1e-3)
    assert figures(store).on_target is None


def test_words_for_rates_and_numbers() -> None:
    assert rate_text(2.5) == "2.5/wk"
    # Below one a week, cadence reads per month.
    assert rate_text(0.5) == "2.2/mo"
    assert number_text(None) == "–" and number_text(3) == "3" and number_text(2.5) == "2.5"
    assert number_text(1234) == "1.2k" and number_text(25_000) == "25k"


def test_weekly_counts_and_gaps_directly() -> None:
    assert weekly_counts([], NOW, dt.timedelta(days=14)) == [0, 0]
    assert weekly_counts([NOW, days_ago(8)], NOW, dt.timedelta(days=14)) == [1, 1]
    assert longest_gap([], NOW, NOW) is None


def test_output_rows_cover_only_own_sources(store: Store) -> None:
    post(store, URL, ("a", days_ago(3), "A"))
    portfolio = Portfolio(
        sources=[
            Source("https://other.example/feed", "Someone", "blog"),
            Source(URL, "Me on social", "social", mine=True, api="mastodon"),
            Source(BLOG, "My blog", "blog", mine=True),
        ]
    )
    rows = output_rows(portfolio, store, NOW, WINDOW)
    assert [row.source.url for row in rows] == [URL, BLOG]
    record = output_record(rows[0])
    assert record["api"] == "mastodon" and record["posts"] == 1
    assert record["weekly_posts"][-1] == 1


def test_a_post_without_counts_has_no_change() -> None:
    bare = Post(1, "g", "t", "l", NOW)
    assert bare.counts == {} and bare.change == {} and bare.engagement_change is None


@pytest.mark.parametrize(
    "likes",
    [
        [0],
        [0, 600],
        [3, 999],
        [998, 1000],
        [5, 9999],
        [9949, 9951],
        [10_000, 25],
        [123_456],
        [1, 2, 3],
    ],
)
def test_column_widths_match_the_widest_cell(store: Store, likes: list[int]) -> None:
    guids = [f"p{n}" for n in range(len(likes))]
    post(store, URL, *[(g, days_ago(n + 1), "P") for n, g in enumerate(guids)])
    snapshot(store, URL, days_ago(0.9), {g: Counts(likes=1) for g in guids})
    snapshot(
        store, URL, days_ago(0.5), {g: Counts(likes=v) for g, v in zip(guids, likes, strict=True)}
    )
    posts = own_posts(store, URL)
    columns = post_columns(count_fields(posts))
    widths = post_widths(posts, columns)
    for key, label in columns:
        if key == "title":
            continue
        widest = max(len(post_cells(p, count_fields(posts))[key]) for p in posts)
        assert widths[key] == max(widest, len(label)), key


def test_repair_builds_the_summary_again_from_the_history(tmp_path: Path) -> None:
    """folio repair copies the engagement history; the summary is filled by its triggers
    as the history goes in, never copied (a copy would collide with what they made)."""
    from tests.damage import damage_index
    from tui.core.storage.repair import check_store, repair_store

    path = tmp_path / "damaged" / "folio.db"
    with Store(path) as store:
        post(store, URL, ("a", days_ago(10), "A"), ("b", days_ago(9), "B"))
        for age, likes in ((8, 1), (5, 3), (2, 7)):
            snapshot(store, URL, days_ago(age), {"a": Counts(likes=likes), "b": Counts(likes=2)})
        before = [(p.guid, p.counts, p.change) for p in own_posts(store, URL)]
    damage_index(path)
    assert check_store(path)
    report = repair_store(path)
    assert "engagement_latest" not in report.tables
    with Store(path) as store:
        assert [(p.guid, p.counts, p.change) for p in own_posts(store, URL)] == before
        assert before[1] == ("a", {"likes": 7}, {"likes": 4})
