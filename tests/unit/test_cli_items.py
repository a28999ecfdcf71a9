"""``folio items`` with its filters: flags, --since, and --source by name."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tui.__main__ import main
from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState, utcnow
from tui.core.storage import paths
from tui.core.storage.portfolio import Portfolio, save_portfolio
from tui.core.storage.store import Store

DESK = "https://desk.example/feed"
WIRE = "https://wire.example/feed"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, [json.loads(line)["title"] for line in out.splitlines()], err


@pytest.fixture
def filled() -> None:
    save_portfolio(
        paths.portfolio_path(),
        Portfolio(sources=[Source(DESK, "People Desk"), Source(WIRE, "People Wire")]),
    )
    now = utcnow()
    with Store(paths.db_path()) as store:
        for url in (DESK, WIRE):
            items = [
                ParsedItem(
                    guid=f"{url}{days}",
                    title=f"{url[8:12]} {days}d",
                    published=now - dt.timedelta(days=days, minutes=5),
                )
                for days in (0, 3, 10)
            ]
            store.store_feed(SourceState(url=url), ParsedFeed(items=items))
        desk = store.items(sources=[DESK])
        store.set_flag([desk[0].id], "starred", True)
        store.set_flag([desk[1].id], "saved", True)
        store.set_flag([desk[1].id, desk[2].id], "bookmarked", True)


def test_flags_filter(filled: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "items", "--json", "--starred")[1] == ["desk 0d"]
    assert run(capsys, "items", "--json", "--saved")[1] == ["desk 3d"]
    assert run(capsys, "items", "--json", "--bookmarked")[1] == ["desk 3d", "desk 10d"]
    assert run(capsys, "items", "--json", "--bookmarked", "--saved")[1] == ["desk 3d"]


def test_since(filled: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert sorted(run(capsys, "items", "--json", "--since", "2d")[1]) == ["desk 0d", "wire 0d"]
    week_ago = (utcnow() - dt.timedelta(days=7)).date().isoformat()
    assert len(run(capsys, "items", "--json", "--since", week_ago)[1]) == 4
    status, titles, err = run(capsys, "items", "--since", "last tuesday")
    assert status == 1 and titles == []
    assert "--since: 'last tuesday' is not a date" in err and "Traceback" not in err


def test_source_by_name_part_or_url(filled: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "items", "--json", "--source", "people desk")[1] == [
        "desk 0d",
        "desk 3d",
        "desk 10d",
    ]
    assert len(run(capsys, "items", "--json", "--source", WIRE)[1]) == 3
    status, titles, err = run(capsys, "items", "--json", "--source", "people")
    assert status == 0 and len(titles) == 6
    assert "2 sources match 'people': People Desk, People Wire" in err
    status, titles, err = run(capsys, "items", "--source", "gazette")
    assert status == 1 and titles == []
    assert "no source is named 'gazette'" in err and "'folio sources' lists them" in err


def test_nothing_matching_says_what_was_asked(
    filled: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, titles, err = run(capsys, "items", "--starred", "--source", "wire")
    assert status == 0 and titles == []
    assert "No items starred from https://wire.example/feed." in err
