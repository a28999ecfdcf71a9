"""`folio matrix` and `folio roadmap`, run in-process with the XDG folders in tmp_path."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tui.__main__ import main
from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState, utcnow
from tui.core.storage import paths
from tui.core.storage.portfolio import Experiment, MatrixEntry, Portfolio, save_portfolio
from tui.core.storage.store import Store

TODAY = dt.date.today()
MINE = "https://me.example/feed"
SOCIAL = "https://social.example/@ana.rss"


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def sample() -> Portfolio:
    return Portfolio(
        sources=[
            Source(SOCIAL, "Ana", "social", ["mastodon"]),
            Source(MINE, "My blog", "blog", ["mine"], mine=True),
        ],
        vision="Work in public.",
        matrix=[
            MatrixEntry("mastodon", "Mastodon", "Community", 5, 2, ["mastodon"]),
            MatrixEntry("blog", "My blog", "", 2, 4, [MINE]),
        ],
        roadmap=[
            Experiment("due", "Overdue review", lane="now", status="trying",
                       start=days(-28), review=days(-1), links=[MINE]),
            Experiment("today", "Review today", lane="next", status="idea", review=TODAY),
            Experiment("later", "Not yet", lane="later", status="idea", review=days(30)),
            Experiment("ended", "Finished", lane="done", status="adopted", review=days(-60)),
            Experiment("undated", "No date", lane="next"),
        ],
    )  # fmt: skip


def seed_store(posts: dict[str, int]) -> None:
    """``posts[url]`` items, one a day going back from an hour ago, all unread."""
    now = utcnow()
    with Store(paths.db_path()) as store:
        for url, count in posts.items():
            items = [
                ParsedItem(
                    guid=f"{url}#{n}",
                    title=f"Post {n}",
                    link=f"{url}/{n}",
                    published=now - dt.timedelta(days=n, hours=1),
                )
                for n in range(count)
            ]
            store.store_feed(SourceState(url=url, status="ok"), ParsedFeed(items=items), now=now)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture
def portfolio() -> Portfolio:
    data = sample()
    save_portfolio(paths.portfolio_path(), data)
    seed_store({SOCIAL: 10, MINE: 14})
    return data


def test_matrix_json_lines(portfolio: Portfolio, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "matrix", "--json")
    assert status == 0 and err == ""
    rows = json_lines(out)
    assert [r["id"] for r in rows] == ["mastodon", "blog"]  # Quick wins before Drop
    mastodon, blog = rows
    assert mastodon["quadrant"] == "Quick wins" and blog["quadrant"] == "Drop"
    assert mastodon["source_urls"] == [SOCIAL] and mastodon["unread"] == 10
    assert blog["unread"] == 14
    assert len(mastodon["activity"]) == 12 and sum(mastodon["activity"]) == 10
    # Ten daily posts fill the last two weeks.
    assert mastodon["activity"][-1] == 7 and mastodon["activity"][-2] == 3
    # Nothing opened yet: every week of attention is zero, in the same shape.
    assert mastodon["attention"] == {
        "weeks": 8,
        "opened": [0] * 8,
        "minutes_read": [0.0] * 8,
        "flagged": [0] * 8,
        "read_unopened": [0] * 8,
    }
    assert mastodon["counted_elsewhere"] == {}


def test_matrix_json_counts_attention(
    portfolio: Portfolio, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.core.storage import attention
    from tui.core.storage.store import Store

    with Store(paths.db_path()) as store:
        items = store.items(sources=[SOCIAL], limit=4)
        now = utcnow()
        attention.record(store, "opened", [(i.id, i.source) for i in items[:3]], now)
        [record] = attention.record(store, "browser", [(items[0].id, SOCIAL)], now)
        attention.set_seconds(store, record, 90)
        attention.record(store, "read_unopened", [(items[3].id, SOCIAL)], now)
        attention.record(store, "starred", [(items[1].id, SOCIAL)], now)
    rows = {r["id"]: r for r in json_lines(run(capsys, "matrix", "--json")[1])}
    spent = rows["mastodon"]["attention"]
    assert spent["opened"][-1] == 3  # the item opened twice counts once
    assert spent["minutes_read"][-1] == 1.5
    assert spent["read_unopened"][-1] == 1 and spent["flagged"][-1] == 1
    assert rows["blog"]["attention"]["opened"] == [0] * 8


def test_matrix_text(portfolio: Portfolio, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "matrix")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("Quick wins") and "Mastodon" in lines[0] and "10 unread" in lines[0]
    assert lines[1].startswith("Drop")


def test_roadmap_json_lines(portfolio: Portfolio, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "roadmap", "--json")
    assert status == 0 and err == ""
    rows = {r["id"]: r for r in json_lines(out)}
    assert list(rows) == ["due", "today", "undated", "later", "ended"]  # lane, then review
    due = rows["due"]
    assert due["review_due"] is True and due["review"] == days(-1).isoformat()
    assert due["start"] == days(-28).isoformat() and due["links"] == [MINE]
    # Fourteen daily posts on the user's own blog: every one is within the 28 days.
    cadence = due["cadence"]
    assert (cadence["posts"], cadence["weeks"], cadence["per_week"]) == (14, 4.0, 3.5)
    assert cadence["per_month"] == round(3.5 * 52 / 12, 2)
    # Against the eight weeks before the start (no posts then), week by week since.
    assert cadence["before"] == [0] * 8 and cadence["before_per_week"] == 0
    assert sum(cadence["since"]) == 14 and len(cadence["since"]) == 5
    assert rows["today"]["review_due"] is True  # due on the day itself
    assert rows["later"]["review_due"] is False and rows["later"]["cadence"] is None
    assert rows["ended"]["review_due"] is False  # adopted: nothing left to review
    assert rows["undated"]["review"] is None and rows["undated"]["start"] is None


def test_roadmap_due_lists_only_due_reviews(
    portfolio: Portfolio, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "roadmap", "--due", "--json")
    assert status == 0
    assert [r["id"] for r in json_lines(out)] == ["due", "today"]
    status, out, _ = run(capsys, "roadmap", "--due")
    assert status == 0
    lines = out.splitlines()
    assert len(lines) == 2 and all("REVIEW DUE" in line for line in lines)
    assert "Vision" not in out


def test_roadmap_due_says_when_nothing_is_due(capsys: pytest.CaptureFixture[str]) -> None:
    save_portfolio(
        paths.portfolio_path(), Portfolio(roadmap=[Experiment("x", "X", review=days(5))])
    )
    status, out, err = run(capsys, "roadmap", "--due")
    assert status == 0 and out == "" and "No reviews are due." in err


def test_roadmap_text_starts_with_the_vision(
    portfolio: Portfolio, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "roadmap")
    assert status == 0
    assert out.startswith("Vision: Work in public.\n\n")
    assert "Overdue review" in out and "REVIEW DUE" in out


BROKEN = [
    ('[[matrix]]\nid = "a"\nvalue = 9\n', 3, "matrix[0].value"),
    ('vision = "v"\n\n[[roadmap]]\nid = "x"\nreview = "soon"\n', 5, "roadmap[0].review"),
    ('[[roadmap]]\nid = "x"\nlane = "someday"\n', 3, "roadmap[0].lane"),
    ('[[matrix]]\nid = "a"\ncolour = "red"\n', 3, "matrix[0].colour"),
    ('vision = "unclosed\n', 1, ""),
]


@pytest.mark.parametrize(("text", "line", "key"), BROKEN)
@pytest.mark.parametrize("command", [["matrix"], ["matrix", "--json"], ["roadmap", "--due"]])
def test_broken_portfolio_exits_2_with_file_line_and_key(
    capsys: pytest.CaptureFixture[str], text: str, line: int, key: str, command: list[str]
) -> None:
    path = paths.portfolio_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    status, out, err = run(capsys, *command)
    assert status == 2 and out == ""
    assert err.count("\n") == 1, err  # one line
    assert err.startswith(f"folio: {path}:{line}: {key}")
    assert path.read_bytes() == before
    assert not path.with_name("portfolio.toml.bak").exists()
