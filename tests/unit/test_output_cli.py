"""`folio output`, and the measures `folio roadmap` and `folio matrix` print, run
in-process with the XDG folders in tmp_path and a real store."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tui.__main__ import main
from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState, utcnow
from tui.core.sources.base import AccountFigures, Counts
from tui.core.storage import paths
from tui.core.storage.portfolio import Experiment, MatrixEntry, Portfolio, save_portfolio
from tui.core.storage.store import Engagement, SourceWrite, Store

NOW = utcnow()
SOCIAL = "https://social.example/@me"
BLOG = "https://me.example/feed"
OTHER = "https://other.example/feed"
HOSTILE = "[@click=app.quit]x[/] \x1b[31mred"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture
def own() -> Portfolio:
    """A social account of the user's (posts every other day, counts, followers), their
    blog (a post a week, no counts) and someone else's feed."""
    data = Portfolio(
        sources=[
            Source(SOCIAL, "Me on social", "social", ["social"], mine=True, target="4/w"),
            Source(BLOG, "My blog", "blog", ["blog"], mine=True, target="1/m"),
            Source(OTHER, "Someone else", "blog", ["social"]),
        ],
        matrix=[MatrixEntry("social", "Social", value=4, effort=2, sources=["social"])],
        roadmap=[
            Experiment(
                "replies",
                "Reply first",
                lane="now",
                status="trying",
                start=(NOW - dt.timedelta(weeks=3)).date(),
                links=["social"],
                metric="replies/post",
            )
        ],
    )
    save_portfolio(paths.portfolio_path(), data)
    with Store(paths.db_path()) as store:
        social = [
            ParsedItem(
                guid=f"s{n}",
                title=HOSTILE if n == 0 else f"Post {n}",
                link=f"{SOCIAL}/{n}",
                published=NOW - dt.timedelta(days=2 * n, hours=1),
            )
            for n in range(30)
        ]
        blog = [
            ParsedItem(
                guid=f"b{n}",
                title=f"Essay {n}",
                published=NOW - dt.timedelta(weeks=n) + dt.timedelta(hours=1),
            )
            for n in range(1, 6)
        ]
        store.store_feed(SourceState(SOCIAL, "ok"), ParsedFeed(items=social), now=NOW)
        store.store_feed(SourceState(BLOG, "ok"), ParsedFeed(items=blog), now=NOW)
        store.store_feed(SourceState(OTHER, "ok"), ParsedFeed(items=social[:3]), now=NOW)
        for age, followers in ((100, 200), (5, 230), (1, 240)):
            counts = {f"s{n}": Counts(replies=n % 4, likes=n) for n in range(30)}
            write = SourceWrite(
                SourceState(SOCIAL, "ok"),
                None,
                NOW - dt.timedelta(days=age),
                Engagement(counts, AccountFigures(followers=followers, posts=30)),
            )
            store.write_batch([write])
    return data


def test_output_json(own: Portfolio, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "output", "--json")
    assert status == 0 and err == ""
    social, blog = json_lines(out)
    assert social["url"] == SOCIAL and blog["url"] == BLOG  # only own sources, in order
    # Thirty posts, one every other day: 45 days of the 90-day window.
    assert social["posts"] == 30
    assert social["posts_per_week"] == pytest.approx(30 / ((58 * 24 + 1) / (7 * 24)), abs=1e-2)
    assert social["target"] == "4/w" and social["on_target"] == pytest.approx(
        social["posts_per_week"] / 4, abs=1e-3
    )
    assert social["posts_with_counts"] == 30
    # Each post's engagement is n % 4 + n for n in 0..29; the median of those is 16.
    assert social["engagement_per_post"] == 16
    assert social["medians"] == {"replies": 1, "likes": 14.5}
    # Posts 27 and 29 both have 30; the newer one wins.
    assert social["best_post"]["title"] == "Post 27" and social["best_post"]["engagement"] == 30
    assert social["followers"] == 240 and social["followers_change"] == 40
    assert sum(social["weekly_posts"]) == 30 and len(social["weekly_posts"]) == 13
    assert social["longest_gap_days"] == pytest.approx(2, abs=0.1)
    assert blog["posts"] == 5 and blog["engagement_per_post"] is None
    assert blog["followers"] is None and blog["best_post"] is None
    assert blog["posts_per_month"] == pytest.approx(blog["posts_per_week"] * 4.348, abs=1e-2)


def test_output_window_option(own: Portfolio, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "output", "--json", "--window", "2w")
    assert status == 0
    social, blog = json_lines(out)
    assert social["posts"] == 7 and len(social["weekly_posts"]) == 2
    assert blog["posts"] == 2
    status, out, err = run(capsys, "output", "--window", "soon")
    assert status == 1 and out == ""
    assert err.startswith("folio: --window: expected a duration")


def test_output_window_setting(own: Portfolio, capsys: pytest.CaptureFixture[str]) -> None:
    settings = paths.settings_path()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('[output]\nwindow = "14d"\n', encoding="utf-8")
    status, out, _ = run(capsys, "output", "--json")
    assert status == 0 and json_lines(out)[0]["posts"] == 7


def test_output_text(own: Portfolio, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "output")
    assert status == 0 and err == ""
    header, social, blog, note = out.splitlines()
    assert header.split()[:4] == ["Source", "Posts", "Rate", "Target"]
    assert social.startswith("Me on social") and "240 +40" in social
    # Five posts a week apart since the oldest: one a week, above a target of one a month.
    assert blog.startswith("My blog") and "1.0/wk" in blog and "1/m ✓" in blog
    assert note.startswith("Posts since ")


def test_output_without_own_sources(capsys: pytest.CaptureFixture[str]) -> None:
    save_portfolio(paths.portfolio_path(), Portfolio(sources=[Source(OTHER, "Someone")]))
    status, out, err = run(capsys, "output")
    assert status == 0 and out == ""
    assert "mine = true" in err and "folio refresh" in err
    status, out, err = run(capsys, "output", "--json")
    assert status == 0 and out == "" and err == ""


def test_hostile_titles_stay_data(own: Portfolio, capsys: pytest.CaptureFixture[str]) -> None:
    # The newest post's title is the best of none here, but JSON must carry any title as
    # data: brackets as they are, control codes escaped, never raw.
    status, out, _ = run(capsys, "output", "--json")
    assert status == 0 and "\x1b" not in out
    with Store(paths.db_path()) as store:
        store.write_batch(
            [
                SourceWrite(
                    SourceState(SOCIAL, "ok"), None, NOW, Engagement({"s0": Counts(likes=99)})
                )
            ]
        )
    status, out, _ = run(capsys, "output", "--json")
    best = json_lines(out)[0]["best_post"]
    assert best["title"] == HOSTILE and "\x1b" not in out


def test_roadmap_json_has_the_measure(own: Portfolio, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "roadmap", "--json")
    assert status == 0
    [row] = json_lines(out)
    assert row["metric"] == "replies/post"
    measured = row["measured"]
    assert measured["sources"] == [SOCIAL]
    assert measured["before"]["posts"] == 19 and measured["since"]["posts"] == 11
    assert measured["before"]["value"] is not None and measured["since"]["value"] is not None
    status, out, _ = run(capsys, "roadmap")
    assert "replies/post: " in out and " before → " in out


def test_matrix_json_has_own_output(own: Portfolio, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "matrix", "--json")
    assert status == 0
    [row] = json_lines(out)
    assert row["output"]["sources"] == [SOCIAL]  # the tag covers someone else's feed too
    assert row["output"]["posts"] == 30 and row["output"]["engagement_per_post"] == 16
    assert row["value"] == 4 and row["effort"] == 2


def test_sources_json_names_the_target(own: Portfolio, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "sources", "--json")
    assert status == 0
    targets = {row["url"]: row["target"] for row in json_lines(out)}
    assert targets == {SOCIAL: "4/w", BLOG: "1/m", OTHER: None}


def test_bad_metric_in_portfolio_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    path = paths.portfolio_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[[roadmap]]\nid = "x"\nmetric = "vibes"\n', encoding="utf-8")
    status, out, err = run(capsys, "output")
    assert status == 2 and out == ""
    assert err.startswith(f"folio: {path}:3: roadmap[0].metric: unknown measure 'vibes'")
