"""Item ages in minutes, and the ``{{date:-3d4h}}`` placeholders they become.

Feeds are written with placeholders relative to the moment they are served;
``tui.core.demo.offline.render_feed`` turns them into real dates, so the demo never
looks stale.
"""

from __future__ import annotations

from .randomness import R

MIN = 1
HOUR = 60
DAY = 24 * HOUR
WEEK = 7 * DAY


def ph(minutes_ago: int) -> str:
    """``{{date:-3d4h12m}}`` for a moment ``minutes_ago`` before now (negative: in the future)."""
    sign = "-" if minutes_ago >= 0 else "+"
    rest = abs(minutes_ago)
    if rest == 0:
        return "{{date:now}}"
    out = ""
    for unit, size in (("w", WEEK), ("d", DAY), ("h", HOUR), ("m", MIN)):
        if rest >= size:
            out += f"{rest // size}{unit}"
            rest %= size
    return f"{{{{date:{sign}{out}}}}}"


def spread(n: int, *, newest: int | None = None, span: int = 14 * WEEK) -> list[int]:
    """``n`` item ages in minutes, newest first, spread irregularly over ``span``."""
    if newest is None:
        # About half the feeds have something from the last day; the rest are quieter.
        newest = R.choice(
            [
                R.randint(20, 20 * HOUR),
                R.randint(20, 20 * HOUR),
                R.randint(DAY, 4 * DAY),
                R.randint(2 * DAY, 12 * DAY),
            ]
        )
    ages = sorted(R.randint(newest, span) for _ in range(n - 1))
    return [newest, *ages]


def cadence(start_age: int, period: int, count: int, jitter: int = 3 * HOUR) -> list[int]:
    """Ages of ``count`` regular posts, the first ``start_age`` ago, one every ``period``."""
    return [start_age - k * period + R.randint(-jitter, jitter) for k in range(count)]
