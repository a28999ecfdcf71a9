"""Dates at the edges of the calendar, made safe to store and to show.

Feeds carry placeholder dates such as ``0001-01-01T00:00:00Z`` (.NET's DateTime.MinValue)
and ``9999-12-31``. Python holds years 1 to 9999 only, so moving such a date into a local
time zone (``astimezone``) or to a timestamp can overflow: year 1 at midnight UTC is still
year 0 in Los Angeles. The rules here:

* A date before ``EARLIEST`` is a placeholder: the item counts as undated (the store then
  dates it by when it was first seen, as it does for a date in the future).
* Shown in local time where that exists, and in UTC where the local time would fall
  outside the calendar: never an error.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["EARLIEST", "from_timestamp", "local", "local_text", "plausible"]

EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
"""Nothing a feed publishes is older than this (the web is from 1991); an earlier date is a
placeholder for "no date"."""


def plausible(moment: dt.datetime | None) -> bool:
    """Whether ``moment`` can be an item's date (not a placeholder before ``EARLIEST``)."""
    if moment is None:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment >= EARLIEST
    except (OverflowError, ValueError):
        return False


def from_timestamp(value: float | None) -> dt.datetime | None:
    """A stored timestamp as an aware UTC datetime; None when it is none or is outside the
    calendar (a damaged value)."""
    if value is None:
        return None
    try:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def local(moment: dt.datetime) -> dt.datetime:
    """``moment`` in the local time zone, or as it is when that would leave the calendar."""
    try:
        return moment.astimezone()
    except (OverflowError, OSError, ValueError):
        return moment


def local_text(moment: dt.datetime, pattern: str) -> str:
    """``moment`` in local time written with ``pattern`` (strftime), never an error."""
    shown = local(moment)
    try:
        return shown.strftime(pattern)
    except (OverflowError, ValueError):
        return shown.isoformat(timespec="minutes")
