"""When each source is next due: interval, jitter, back-off and Retry-After. Pure functions."""

from __future__ import annotations

import datetime as dt
import random

from tui.core.config import parse_duration
from tui.core.models import Source, SourceState

__all__ = [
    "JITTER",
    "MAX_BACKOFF",
    "MIN_INTERVAL",
    "backoff_seconds",
    "is_due",
    "next_due",
    "source_interval",
]

MIN_INTERVAL = 60.0
"""No source is fetched more often than once a minute, whatever its settings say."""
MAX_BACKOFF = 24 * 3600.0
"""Failures stretch the interval up to a day (or the interval itself, if that is longer)."""
JITTER = 0.10
"""Due times are spread by ±10% so sources added together do not stay in lock-step."""


def source_interval(source: Source, default_seconds: float) -> float:
    """The source's own interval in seconds, or ``default_seconds`` when it has none."""
    if source.interval:
        try:
            return parse_duration(source.interval)
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


def is_due(state: SourceState, now: dt.datetime) -> bool:
    """True when the source may be fetched at ``now``: never fetched, or its time has come."""
    if state.retry_after is not None and state.retry_after > now:
        return False
    return state.next_due is None or state.next_due <= now
