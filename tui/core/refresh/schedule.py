"""When each source is next due: interval, jitter, back-off and Retry-After. Pure functions."""

from __future__ import annotations

import datetime as dt
import email.utils
import random

from tui.core.config import parse_interval
from tui.core.models import Source, SourceState

__all__ = [
    "JITTER",
    "MAX_BACKOFF",
    "MAX_RETRY_AFTER",
    "MIN_INTERVAL",
    "backoff_seconds",
    "is_due",
    "next_due",
    "parse_retry_after",
    "source_interval",
]

MIN_INTERVAL = 60.0
"""No source is fetched more often than once a minute, whatever its settings say."""
MAX_BACKOFF = 24 * 3600.0
"""Failures stretch the interval up to a day (or the interval itself, if that is longer)."""
JITTER = 0.10
"""Due times are spread by ±10% so sources added together do not stay in lock-step."""
MAX_RETRY_AFTER = dt.timedelta(days=7)
"""A Retry-After further away than this is taken as this: a server cannot park a source forever."""


def source_interval(source: Source, default_seconds: float) -> float:
    """The source's own interval in seconds, or ``default_seconds`` when it has none."""
    if source.interval:
        try:
            return parse_interval(source.interval)
        except ValueError:
            pass  # the portfolio loader reports a bad interval; here the default will do
    return default_seconds


def backoff_seconds(interval_seconds: float, failures: int) -> float:
    """The interval stretched by 2^failures, capped, and never under a minute."""
    interval = max(MIN_INTERVAL, interval_seconds)
    if failures <= 0:
        return interval
    # Capping the exponent first keeps a long failure streak from overflowing the float.
    stretched = interval * 2.0 ** min(failures, 32)
    return max(MIN_INTERVAL, min(stretched, max(MAX_BACKOFF, interval)))


def next_due(
    state: SourceState,
    interval_seconds: float,
    now: dt.datetime,
    rng: random.Random | None = None,
) -> dt.datetime:
    """When ``state``'s source should next be fetched, counting from ``now``.

    The interval (backed off by ``state.failures``) gets ±10% jitter; a Retry-After the
    server asked for wins when it is later.
    """
    seconds = backoff_seconds(interval_seconds, state.failures)
    factor = (rng or random).uniform(1.0 - JITTER, 1.0 + JITTER)
    due = now + dt.timedelta(seconds=max(MIN_INTERVAL, seconds * factor))
    if state.retry_after is not None and state.retry_after > due:
        return state.retry_after
    return due


def parse_retry_after(value: str, now: dt.datetime) -> dt.datetime | None:
    """The time a Retry-After header (seconds or an HTTP date) points at, or None."""
    value = value.strip()
    if not value:
        return None
    when: dt.datetime | None
    if value.isdigit():
        when = now + min(dt.timedelta(seconds=int(value[:12])), MAX_RETRY_AFTER)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
    return max(now, min(when, now + MAX_RETRY_AFTER))


def is_due(state: SourceState, now: dt.datetime) -> bool:
    """True when the source may be fetched at ``now``: never fetched, or its time has come."""
    if state.retry_after is not None and state.retry_after > now:
        return False
    return state.next_due is None or state.next_due <= now
