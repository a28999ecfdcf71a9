"""Measures for the roadmap and the matrix (tui/core/planning/output_measures.py), and the
words portfolio.toml and settings.toml use for them, on a real SQLite store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.core.config import ConfigError, parse_settings
from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState
from tui.core.planning.measures import MEASURES, check_metric, parse_target
from tui.core.planning.output_measures import (
    add_measures,
    add_output,
    entry_output,
    entry_output_text,
    experiment_measure,
    measure_period,
    measure_text,
)
from tui.core.planning.rules import matrix_records, roadmap_records
from tui.core.planning.views import roadmap_view, with_measures
from tui.core.sources.base import AccountFigures, Counts
from tui.core.storage.portfolio import (
    Experiment,
    MatrixEntry,
    Portfolio,
    load_portfolio,
    parse_portfolio,
    save_portfolio,
)
from tui.core.storage.store import Engagement, SourceWrite, Store

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
START = dt.date(2026, 10, 28)  # four weeks before NOW
WEEK = dt.timedelta(weeks=1)
MASTODON = "https://social.example/@me"
BLOG = "https://me.example/feed"
OTHER = "https://someone.example/feed"


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "folio.db") as opened:
        yield opened


def post(store: Store, url: str, when: dt.datetime, guid: str) -> None:
    item = ParsedItem(guid=guid, title=guid, link=f"{url}/{guid}", published=when)
    store.store_feed(SourceState(url=url, status="ok"), ParsedFeed(items=[item]), now=NOW)


def snapshot(
    store: Store,
    url: str,
    taken: dt.datetime,
    counts: dict[str, Counts],
    followers: int | None = None,
) -> None:
    account = AccountFigures(followers=followers) if followers is not None else None
    engagement = Engagement(counts, account)
    store.write_batch([SourceWrite(SourceState(url=url, status="ok"), None, taken, engagement)])


def portfolio(metric: str = "replies/post", **experiment: object) -> Portfolio:
    fields: dict[str, object] = {
        "title": "Reply first",
        "lane": "now",
        "status": "trying",
        "start": START,
        "links": ["mastodon"],
        "metric": metric,
    }
    fields.update(experiment)
    return Portfolio(
        sources=[
            Source(MASTODON, "Me on Mastodon", "social", ["mastodon"], mine=True),
            Source(BLOG, "My blog", "blog", ["blog"], mine=True),
            Source(OTHER, "Someone", "blog", ["mastodon"]),
        ],
        matrix=[
            MatrixEntry("mastodon", "Mastodon", value=4, effort=2, sources=["mastodon"]),
            MatrixEntry("reading", "Reading", value=3, effort=1, sources=[OTHER]),
        ],
        roadmap=[Experiment(id="reply-first", **fields)],  # type: ignore[arg-type]
    )


@pytest.fixture
def replies(store: Store) -> Store:
    """Eight weeks before START: four posts with 1 reply each. Since: four with 3 each.
    Someone else's feed has posts too, which never count."""
    for week in range(4):
        before = at(START - dt.timedelta(weeks=2 * week + 1))
        since = at(START + dt.timedelta(days=3 + 6 * week))
        post(store, MASTODON, before, f"before{week}")
        post(store, MASTODON, since, f"since{week}")
        post(store, OTHER, since, f"other{week}")
    counts = {f"before{w}": Counts(replies=1, likes=2) for w in range(4)}
    counts |= {f"since{w}": Counts(replies=3, likes=2) for w in range(4)}
    snapshot(store, MASTODON, NOW - dt.timedelta(hours=1), counts)
    return store


# -- the vocabulary -------------------------------------------------------------------------


def test_targets() -> None:
    assert parse_target("2/w").per_week == 2
    assert parse_target(" 3 / week ").text == "3/w"
    assert parse_target("1/d").per_week == 7
    assert parse_target("1/m").per_week == pytest.approx(12 / 52.1775, rel=1e-3)
    assert parse_target("2/w").words == "2 a week"
    for bad in ("2", "two/w", "2/fortnight", "0/w", "-1/w", ""):
        with pytest.raises(ValueError, match="such as"):
            parse_target(bad)


def test_measures_vocabulary() -> None:
    assert check_metric("replies/post") == "replies/post"
    with pytest.raises(ValueError, match="posts/week"):
        check_metric("replies per post")
    # Every measure can be computed.
    for name in MEASURES:
        assert measure_period(name, [], Store.__new__(Store), NOW, NOW).value in (None, 0)  # type: ignore[arg-type]


# -- portfolio.toml --------------------------------------------------------------------------


def test_target_and_metric_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.toml"
    data = portfolio()
    data.sources[1].target = "2/w"
    save_portfolio(path, data)
    again = load_portfolio(path)
    assert again.sources[1].target == "2/w" and again.sources[0].target == ""
    assert again.roadmap[0].metric == "replies/post"
    text = path.read_text()
    assert 'target = "2/w"' in text and 'metric = "replies/post"' in text
    assert text.count("target =") == 1  # only where one is set


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        (
            '[[sources]]\nurl = "https://a.example/"\nmine = true\ntarget = "often"\n',
            4,
            "sources[0].target",
            "such as",
        ),
        (
            '[[roadmap]]\nid = "x"\ntitle = "X"\nmetric = "vibes/post"\n',
            4,
            "roadmap[0].metric",
            "unknown measure 'vibes/post'; folio computes posts/week",
        ),
        ('[[roadmap]]\nid = "x"\nmetric = 3\n', 3, "roadmap[0].metric", "expected a string"),
    ],
)
def test_mistakes_name_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, words: str
) -> None:
    path = tmp_path / "portfolio.toml"
    with pytest.raises(ConfigError) as caught:
        parse_portfolio(text, path)
    assert (caught.value.line, caught.value.key) == (line, key)
    assert words in str(caught.value)


def test_output_window_setting(tmp_path: Path) -> None:
    settings = parse_settings('[output]\nwindow = "30d"\n', tmp_path / "settings.toml")
    assert settings.output.window_seconds == 30 * 86400
    assert parse_settings("", tmp_path / "s.toml").output.window == "90d"


# -- the roadmap ----------------------------------------------------------------------------


def test_replies_per_post_before_and_since(replies: Store) -> None:
    figures = experiment_measure(portfolio().roadmap[0], portfolio(), replies, NOW)
    assert figures is not None
    assert figures["sources"] == [MASTODON]  # the linked own source, not someone else's
    assert figures["before"] == {"from": "2026-09-02", "to": "2026-10-28", "value": 1.0, "posts": 4}
    assert figures["since"]["value"] == 3.0 and figures["since"]["posts"] == 4
    assert figures["change"] == 2.0
    assert figures["weeks_since"] == 4.1  # 28 Oct at midnight to 25 Nov at noon
    assert measure_text(figures) == "replies/post: 1.00 before → 3.00 since (+200%)"
    assert measure_text(figures, short=True) == "replies/post 1.00→3.00"


def test_posts_per_week_before_and_since(replies: Store) -> None:
    data = portfolio("posts/week")
    figures = experiment_measure(data.roadmap[0], data, replies, NOW)
    assert figures is not None
    assert figures["before"]["value"] == pytest.approx(4 / 8)
    assert figures["since"]["value"] == pytest.approx(4 / ((NOW - at(START, 0)) / WEEK), abs=1e-3)


def test_engagement_and_likes_per_post(replies: Store) -> None:
    for metric, before, since in (("engagement/post", 3, 5), ("likes/post", 2, 2)):
        data = portfolio(metric)
        figures = experiment_measure(data.roadmap[0], data, replies, NOW)
        assert figures is not None
        assert (figures["before"]["value"], figures["since"]["value"]) == (before, since)


def test_a_measure_with_no_counts_is_none_not_zero(store: Store) -> None:
    post(store, MASTODON, at(START + dt.timedelta(days=2)), "a")
    figures = experiment_measure(portfolio().roadmap[0], portfolio(), store, NOW)
    assert figures is not None
    assert figures["before"]["value"] is None and figures["since"]["value"] is None
    assert figures["change"] is None
    assert measure_text(figures) == "replies/post: – before → – since"


def test_followers_per_week(store: Store) -> None:
    # At midnight, when the periods begin and end: 8 gained in the 8 weeks before, 40 in
    # the 4 weeks since.
    snapshot(store, MASTODON, at(START - dt.timedelta(weeks=8), 0), {}, followers=100)
    snapshot(store, MASTODON, at(START, 0), {}, followers=108)
    snapshot(store, MASTODON, at(START + dt.timedelta(weeks=4), 0), {}, followers=148)
    data = portfolio("followers/week")
    figures = experiment_measure(data.roadmap[0], data, store, NOW)
    assert figures is not None
    assert figures["before"]["value"] == pytest.approx(1.0)
    assert figures["since"]["value"] == pytest.approx(10.0)


def test_no_figures_before_the_start_or_without_own_sources(replies: Store) -> None:
    future = portfolio(start=dt.date(2027, 1, 1))
    assert experiment_measure(future.roadmap[0], future, replies, NOW) is None
    undated = portfolio(start=None)
    assert experiment_measure(undated.roadmap[0], undated, replies, NOW) is None
    others = portfolio(links=["reading"])
    assert experiment_measure(others.roadmap[0], others, replies, NOW) is None
    plain = portfolio(metric="")
    assert experiment_measure(plain.roadmap[0], plain, replies, NOW) is None


def test_an_ended_experiment_stops_at_its_review(replies: Store) -> None:
    review = START + dt.timedelta(days=9)  # after since0 (day 3) and since1 (day 9)
    data = portfolio(status="adopted", lane="done", review=review)
    figures = experiment_measure(data.roadmap[0], data, replies, NOW)
    assert figures is not None
    assert figures["since"]["posts"] == 2 and figures["since"]["to"] == "2026-11-07"


def test_measures_across_the_new_year(store: Store) -> None:
    start = dt.date(2027, 1, 4)
    now = at(dt.date(2027, 1, 25))
    for n, day in enumerate((dt.date(2026, 11, 20), dt.date(2026, 12, 31), dt.date(2027, 1, 10))):
        item = ParsedItem(guid=f"p{n}", title="p", link=f"{MASTODON}/{n}", published=at(day))
        store.store_feed(SourceState(url=MASTODON), ParsedFeed(items=[item]), now=now)
    data = portfolio("posts/week", start=start)
    figures = experiment_measure(data.roadmap[0], data, store, now)
    assert figures is not None
    assert figures["before"]["from"] == "2026-11-09" and figures["before"]["posts"] == 2
    assert figures["since"]["posts"] == 1


def test_roadmap_records_and_cards_carry_the_measure(replies: Store) -> None:
    data = portfolio()
    records = roadmap_records(data, replies, NOW.date())
    add_measures(records, data, replies, NOW)
    assert records[0]["metric"] == "replies/post"
    assert records[0]["measured"]["since"]["value"] == 3.0
    view = with_measures(roadmap_view(data, replies, NOW.date()), data, replies, NOW)
    [card] = view["now"]
    assert card.metric.startswith("replies/post: 1.00 before → 3.00 since")


def test_cards_say_why_a_named_measure_has_no_figures(store: Store) -> None:
    for fields, words in (
        ({"start": dt.date(2027, 2, 1)}, "measured from 2027-02-01"),
        ({"start": None}, "give it a start date"),
        ({"links": ["reading"]}, "link one of your own sources"),
    ):
        data = portfolio(**fields)
        view = with_measures(roadmap_view(data, store, NOW.date()), data, store, NOW)
        assert words in view["now"][0].metric


# -- the matrix -----------------------------------------------------------------------------


def test_a_matrix_entry_shows_its_own_output(replies: Store) -> None:
    data = portfolio()
    window = dt.timedelta(days=90)
    figures = entry_output(data.matrix[0], data, replies, NOW, window)
    assert figures is not None
    # Only the user's own Mastodon account, not the other feed the tag covers.
    assert figures["sources"] == [MASTODON]
    assert figures["posts"] == 8
    assert figures["engagement_per_post"] == 4  # 3 with 1 reply + 2 likes, 4 with 3 + 2: median
    assert entry_output_text(figures).startswith("mine: ")
    assert "4 eng/post" in entry_output_text(figures)
    assert entry_output(data.matrix[1], data, replies, NOW, window) is None
    records = matrix_records(data, replies, NOW)
    add_output(records, data, replies, NOW, window)
    by_id = {record["id"]: record for record in records}
    assert by_id["mastodon"]["output"]["posts"] == 8 and by_id["reading"]["output"] is None
