"""Dates at the edges of the calendar (year 1, year 9999), from RSS, Atom and JSON Feed, in
time zones west and east of UTC: stored as undated, listed and shown, never a crash."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.__main__ import main
from tui.core.dates import EARLIEST, from_timestamp, local, local_text, plausible
from tui.core.ingest.parse import parse_feed
from tui.core.models import SourceState
from tui.core.storage import paths
from tui.core.storage.store import MIGRATIONS, Store

ZONES = ["America/Los_Angeles", "Pacific/Kiritimati", "UTC"]
"""West of UTC (year 1 at midnight UTC is year 0 there), the furthest east (+14: year 9999
at the last minute is year 10000 there), and UTC itself."""

EXTREMES_RFC822 = [
    "Mon, 01 Jan 0001 00:00:00 GMT",
    "Mon, 01 Jan 0001 00:00:00 +0100",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Fri, 31 Dec 9999 23:59:59 -1200",
]
EXTREMES_ISO = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-12:00",
]


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def rss() -> bytes:
    items = "".join(
        f"<item><title>rss {n}</title><guid>rss-{n}</guid><pubDate>{date}</pubDate></item>"
        for n, date in enumerate(EXTREMES_RFC822)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>'
        f"<link>https://r.example/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def atom() -> bytes:
    entries = "".join(
        f"<entry><title>atom {n}</title><id>urn:atom-{n}</id><updated>{date}</updated></entry>"
        for n, date in enumerate(EXTREMES_ISO)
    )
    return (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        f"<id>urn:a</id><updated>2024-01-01T00:00:00Z</updated>{entries}</feed>"
    ).encode()


def json_feed() -> bytes:
    items = [
        {"id": f"json-{n}", "title": f"json {n}", "content_text": "x", "date_published": date}
        for n, date in enumerate(EXTREMES_ISO)
    ]
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}
    ).encode()


FEEDS = {
    "https://r.example/rss": (rss, ""),
    "https://a.example/atom": (atom, ""),
    "https://j.example/feed.json": (json_feed, "application/feed+json"),
}
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def store_extremes(path: Path) -> int:
    total = 0
    with Store(path) as store:
        for url, (make, content_type) in FEEDS.items():
            feed = parse_feed(make(), url, content_type)
            assert not feed.error and feed.items
            total += store.store_feed(SourceState(url=url, status="ok"), feed, now=NOW)
    return total


def test_extreme_dates_are_stored_undated_and_listed_in_every_zone(
    zone: str, capsys: pytest.CaptureFixture[str]
) -> None:
    paths.portfolio_path().parent.mkdir(parents=True)
    paths.portfolio_path().write_text("".join(f'[[sources]]\nurl = "{u}"\n' for u in FEEDS))
    total = store_extremes(paths.db_path())
    assert total == len(EXTREMES_RFC822) + 2 * len(EXTREMES_ISO)
    with Store(paths.db_path()) as store:
        items = store.items()
    assert len(items) == total and not any(item.dated for item in items)
    assert all(item.published == NOW for item in items)

    assert main(["items"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == total
    assert local_text(NOW, "%Y-%m-%d %H:%M") in out

    assert main(["items", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == total and all(r["published"] is None for r in records)


def test_a_placeholder_date_stored_by_an_older_folio_is_undated_after_migrating(
    tmp_path: Path, zone: str
) -> None:
    path = tmp_path / "folio.db"
    db = sqlite3.connect(path)
    # Every migration before the one that undates placeholder dates (its number may change).
    before = next(n for n, script in enumerate(MIGRATIONS) if "published = first_seen" in script)
    for script in MIGRATIONS[:before]:
        db.executescript(script)
    db.execute(f"PRAGMA user_version = {before}")
    year_one = dt.datetime(1, 1, 1, tzinfo=dt.UTC).timestamp()
    db.execute(
        "INSERT INTO items (source, key, guid, title, link, author, summary, content,"
        " published, dated, first_seen) VALUES ('u', 'g:a', 'a', 'old', '', '', '', '', ?, 1, ?)",
        (year_one, NOW.timestamp()),
    )
    db.commit()
    db.close()
    with Store(path) as store:
        [item] = store.items()
        assert not item.dated and item.published == NOW
        assert store.schema_version == len(MIGRATIONS)


def test_a_stored_value_outside_the_calendar_reads_as_undated(tmp_path: Path, zone: str) -> None:
    """What a damaged page (or a repair of one) can leave: no crash, the item undated."""
    with Store(tmp_path / "folio.db") as store:
        store._db.execute(
            "INSERT INTO items (source, key, guid, title, link, author, summary, content,"
            " published, dated, first_seen) VALUES ('u', 'g:a', 'a', 'x', '', '', '', '',"
            " 1e300, 1, ?)",
            (NOW.timestamp(),),
        )
        [item] = store.items()
        assert not item.dated and item.published == NOW
        assert local_text(item.published, "%Y-%m-%d")


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    ],
)
def test_showing_a_date_never_fails(zone: str, moment: dt.datetime) -> None:
    shown = local_text(moment, "%a %d %b %Y %H:%M")
    assert shown
    assert local(moment).tzinfo is not None


def test_plausible_and_from_timestamp() -> None:
    assert plausible(EARLIEST) and plausible(NOW)
    assert not plausible(None)
    assert not plausible(dt.datetime(1, 1, 1, tzinfo=dt.UTC))
    assert not plausible(dt.datetime(1969, 12, 31, 23, 59, tzinfo=dt.UTC))
    assert plausible(dt.datetime(9999, 12, 31))  # naive: taken as UTC
    assert from_timestamp(None) is None
    assert from_timestamp(1e300) is None
    assert from_timestamp(float("nan")) is None
    assert from_timestamp(0.0) == EARLIEST
