"""Due times: interval, jitter, back-off, Retry-After."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tui.core.models import Source, SourceState
from tui.core.refresh.schedule import (
    MAX_BACKOFF,
    MIN_INTERVAL,
    backoff_seconds,
    is_due,
    next_due,
    parse_retry_after,
    source_interval,
)

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def wait(state: SourceState, interval: float, seed: int = 1) -> float:
    return (next_due(state, interval, NOW, random.Random(seed)) - NOW).total_seconds()


def test_interval_with_jitter_within_ten_percent() -> None:
    waits = [wait(SourceState(url="u"), 1800, seed) for seed in range(200)]
    assert all(1620 <= w <= 1980 for w in waits)
    # Really spread, not a constant: the point of jitter.
    assert max(waits) - min(waits) > 300


def test_same_seed_same_answer() -> None:
    assert wait(SourceState(url="u"), 1800, 5) == wait(SourceState(url="u"), 1800, 5)


@pytest.mark.parametrize(
    ("failures", "expected"),
    [(0, 1800), (1, 3600), (2, 7200), (3, 14400), (5, 57600), (6, MAX_BACKOFF), (60, MAX_BACKOFF)],
)
def test_back_off_doubles_and_is_capped(failures: int, expected: float) -> None:
    assert backoff_seconds(1800, failures) == expected


def test_back_off_never_shortens_a_long_interval() -> None:
    week = 7 * 86400.0
    assert backoff_seconds(week, 3) == week


def test_never_under_a_minute() -> None:
    assert backoff_seconds(5, 0) == MIN_INTERVAL
    assert all(wait(SourceState(url="u"), 1, seed) >= MIN_INTERVAL for seed in range(50))


def test_failures_push_next_due_out() -> None:
    waits = [wait(SourceState(url="u", failures=n), 1800) for n in range(5)]
    assert waits == sorted(waits)
    assert waits[4] > 10 * waits[0]


def test_later_retry_after_wins() -> None:
    later = NOW + dt.timedelta(hours=5)
    state = SourceState(url="u", retry_after=later)
    assert next_due(state, 1800, NOW, random.Random(1)) == later


def test_earlier_retry_after_loses() -> None:
    state = SourceState(url="u", retry_after=NOW + dt.timedelta(seconds=90))
    assert wait(state, 1800) >= 1620


def test_is_due() -> None:
    assert is_due(SourceState(url="u"), NOW)  # never fetched
    assert is_due(SourceState(url="u", next_due=NOW), NOW)
    assert not is_due(SourceState(url="u", next_due=NOW + dt.timedelta(seconds=1)), NOW)
    # Retry-After holds even when next_due has passed (e.g. the interval was shortened).
    held = SourceState(
        url="u", next_due=NOW - dt.timedelta(hours=1), retry_after=NOW + dt.timedelta(minutes=5)
    )
    assert not is_due(held, NOW)


def test_source_interval() -> None:
    assert source_interval(Source(url="u"), 1800) == 1800
    assert source_interval(Source(url="u", interval="2h"), 1800) == 7200
    assert source_interval(Source(url="u", interval="soon"), 1800) == 1800


def test_parse_retry_after() -> None:
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert parse_retry_after("60", now) == now + dt.timedelta(seconds=60)
    assert parse_retry_after(" 0 ", now) == now
    assert parse_retry_after("Mon, 01 Jan 2024 01:00:00 GMT", now) == now + dt.timedelta(hours=1)
    assert parse_retry_after("Sun, 31 Dec 2023 00:00:00 GMT", now) == now  # past: now
    assert parse_retry_after("99999999999", now) == now + dt.timedelta(days=7)  # capped
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) is None
    assert parse_retry_after("", now) is None
