"""Retry-After read strictly (RFC 9110, 10.2.3): ASCII digits or an HTTP-date in one of its
three shapes (5.6.7); anything else counts as absent, and a 429 still parks the source.

The parser's unit tests, then a real server on 127.0.0.1 answering 429 with each header.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tui.core.config import RefreshSettings
from tui.core.models import Source
from tui.core.refresh.refresher import ERROR, Refresher
from tui.core.refresh.schedule import MAX_RETRY_AFTER, parse_retry_after
from tui.core.storage.store import Store

if TYPE_CHECKING:
    from tests.httpserver import TestServer

pytest_plugins = ["httpserver"]

NOW = dt.datetime(2024, 1, 1, 0, 0, tzinfo=dt.UTC)

ABSENT = [
    "",
    "   ",
    "²³",  # superscript digits: str.isdigit() says yes, int() says no
    "١٢٣",  # Arabic-Indic digits: int() would take them
    "１２",  # fullwidth digits
    "-5",
    "+5",
    "1e3",
    "5.0",
    "0x10",
    "5 s",
    "soon",
    "garbage\x00",
    "Mon, 01 Jan 2024 01:00:00 +0000",  # not GMT
    "mon, 01 jan 2024 01:00:00 gmt",  # HTTP-dates are case-sensitive
    "01 Jan 2024 01:00:00 GMT",  # no day name
    "Mon, 1 Jan 2024 01:00:00 GMT",  # one-digit day in an IMF-fixdate
    "Mon, 31 Feb 2024 01:00:00 GMT",  # the shape of a date, not one
    "Mon, 01 Jan 99999 01:00:00 GMT",
    "2024-01-01T01:00:00Z",
    "Mon, 01 Jan 2024 01:00:00 GMT, Tue, 02 Jan 2024 01:00:00 GMT",
]


@pytest.mark.parametrize("value", ABSENT)
def test_anything_but_digits_or_an_http_date_is_absent(value: str) -> None:
    assert parse_retry_after(value, NOW) is None


@pytest.mark.parametrize(
    ("value", "after"),
    [
        ("0", dt.timedelta(0)),
        ("120", dt.timedelta(seconds=120)),
        (" \t3600\t ", dt.timedelta(hours=1)),
        ("0000042", dt.timedelta(seconds=42)),
        ("99999999999", MAX_RETRY_AFTER),  # capped
        ("9" * 5000, MAX_RETRY_AFTER),  # far past what int() takes from a string
        ("Mon, 01 Jan 2024 01:00:00 GMT", dt.timedelta(hours=1)),  # IMF-fixdate
        ("Monday, 01-Jan-24 02:00:00 GMT", dt.timedelta(hours=2)),  # RFC 850
        ("Mon Jan  1 03:00:00 2024", dt.timedelta(hours=3)),  # asctime
        ("Sun, 31 Dec 2023 00:00:00 GMT", dt.timedelta(0)),  # in the past: now
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER),  # far future: capped
    ],
)
def test_digits_and_http_dates(value: str, after: dt.timedelta) -> None:
    assert parse_retry_after(value, NOW) == NOW + after


@pytest.fixture
async def refresher(tmp_path: Path) -> AsyncIterator[Refresher]:
    engine = Refresher(
        Store(tmp_path / "folio.db"), RefreshSettings(), parse_workers=0, rng=random.Random(3)
    )
    yield engine
    await engine.close()
    engine.store.close()


@pytest.mark.parametrize("header", ["²³", "-5", "1e3", "garbage", "Mon, 31 Feb 2024 01:00:00 GMT"])
async def test_a_429_with_a_bad_retry_after_still_parks_the_source(
    http_server: TestServer, refresher: Refresher, header: str
) -> None:
    """Before, "²³" made the fetch fail with "request failed: ValueError", and the 429 was
    not recorded."""
    http_server.route("/busy", status=429, headers={"Retry-After": header})
    url = http_server.url("/busy")
    before = dt.datetime.now(dt.UTC)
    summary = await refresher.refresh([Source(url=url)])
    [result] = summary.results
    assert result.outcome == ERROR and result.http_status == 429
    assert result.error == "server said 429 Too Many Requests"
    state = refresher.store.state(url)
    assert state.http_status == 429 and state.failures == 1
    assert state.retry_after is None  # absent
    # Parked with the default back-off (the 30 m interval doubled, with jitter).
    assert state.next_due is not None
    assert state.next_due - before >= dt.timedelta(minutes=50)
    # And not asked again before then.
    again = await refresher.refresh([Source(url=url)], only_due=True)
    assert again.total == 0 and len(http_server.hits("/busy")) == 1


@pytest.mark.parametrize(
    ("header", "at_least"),
    [("7200", dt.timedelta(hours=2)), ("99999999999", MAX_RETRY_AFTER)],
)
async def test_a_429_with_a_good_retry_after_parks_the_source_until_then(
    http_server: TestServer, refresher: Refresher, header: str, at_least: dt.timedelta
) -> None:
    http_server.route("/busy", status=429, headers={"Retry-After": header})
    url = http_server.url("/busy")
    before = dt.datetime.now(dt.UTC)
    await refresher.refresh([Source(url=url)])
    state = refresher.store.state(url)
    assert state.retry_after is not None and state.next_due == state.retry_after
    assert at_least - dt.timedelta(seconds=5) <= state.retry_after - before
    assert state.retry_after - before <= at_least + dt.timedelta(minutes=1)


async def test_a_503_with_an_http_date_parks_the_source_until_that_date(
    http_server: TestServer, refresher: Refresher
) -> None:
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=5)).replace(microsecond=0)
    http_server.route(
        "/down", status=503, headers={"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    )
    url = http_server.url("/down")
    await refresher.refresh([Source(url=url)])
    state = refresher.store.state(url)
    assert state.http_status == 503 and state.retry_after == when
