"""When each source is next due: interval, jitter, back-off and Retry-After. Pure functions."""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import re

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


# RFC 9110, 5.6.7 and 10.2.3: Retry-After is delta-seconds (ASCII digits) or an HTTP-date in
# one of three exact shapes, case-sensitive. Anything else counts as absent.
_DELTA_SECONDS = re.compile(r"[0-9]+")
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_LONG_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TIME = r"[0-9]{2}:[0-9]{2}:[0-9]{2}"
_HTTP_DATE = re.compile(
    rf"{_DAY}, [0-9]{{2}} {_MONTH} [0-9]{{4}} {_TIME} GMT"  # IMF-fixdate
    rf"|{_LONG_DAY}, [0-9]{{2}}-{_MONTH}-[0-9]{{2}} {_TIME} GMT"  # obsolete RFC 850
    rf"|{_DAY} {_MONTH} (?:[0-9]{{2}}| [0-9]) {_TIME} [0-9]{{4}}"  # obsolete asctime
)
_MAX_DELTA_DIGITS = 12
"""More digits than this is more than MAX_RETRY_AFTER anyway (and int() of thousands of
digits is refused by Python)."""


def parse_retry_after(value: str, now: dt.datetime) -> dt.datetime | None:
    """The time a Retry-After header points at, at most ``MAX_RETRY_AFTER`` from ``now``;
    None when the header is absent or is neither delta-seconds nor an HTTP-date.

    Read strictly: ``²³`` (digits to ``str.isdigit``), ``-5``, ``1e3`` or ``5.0`` are not
    delta-seconds, and a date in any other shape is not an HTTP-date. A 429 with such a
    header is still a 429: the source backs off as after any failure.
    """
    value = value.strip(" \t")
    if _DELTA_SECONDS.fullmatch(value):
        if len(value.lstrip("0")) > _MAX_DELTA_DIGITS:
            return now + MAX_RETRY_AFTER
        return now + min(dt.timedelta(seconds=int(value)), MAX_RETRY_AFTER)
    if not _HTTP_DATE.fullmatch(value):
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None  # the shape of a date, but not one (31 Feb)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(now, min(when, now + MAX_RETRY_AFTER))


def is_due(state: SourceState, now: dt.datetime) -> bool:
    """True when the source may be fetched at ``now``: never fetched, or its time has come."""
    if state.retry_after is not None and state.retry_after > now:
        return False
    return state.next_due is None or state.next_due <= now
