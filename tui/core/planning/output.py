"""The user's own output, measured: cadence, gaps, engagement and followers per own
source (``mine = true``), and the measures roadmap experiments and matrix entries name.

Computed from the items' dates and from the engagement snapshots the refresher stores
(``engagement`` and ``account_figures`` tables), never from anything else: history is
data. Every figure covers a window (``[output] window``, 90 days by default) ending now;
posts published before it are not counted.

Definitions, which the screen, ``folio output`` and the roadmap share:

* A *post* is a dated item of an own source (an item without a date of its own has only
  the time folio first saw it, which says nothing about cadence).
* A post's *counts* are its latest snapshot; its *engagement* is the sum of the counts in
  ``measures.COUNT_FIELDS`` that the platform gives (views are kept apart).
* *Posts per week* are counted over the window, or from the source's oldest stored post
  when that is later (a feed that only ever held its last ten posts, a new account), and
  never over less than a week.
* The *longest gap* is the longest stretch of that same span without a post, up to now.
* *Followers change* is the latest figure less the one in force when the window began
  (or the first one taken inside it).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tui.core.models import Source
from tui.core.planning.measures import COUNT_FIELDS, REACH_FIELDS, Target, parse_target
from tui.core.storage.portfolio import Portfolio
from tui.core.storage.store import Store

ALL_FIELDS: tuple[str, ...] = (*COUNT_FIELDS, *REACH_FIELDS)
"""Every count a snapshot may hold, in the order of the ``engagement_latest`` columns."""
WEEK = dt.timedelta(weeks=1)
DEFAULT_WINDOW = dt.timedelta(days=90)
LOW_RATE = 1.0
"""Below this many posts a week, cadence reads better per month."""
WEEKS_PER_MONTH = 365.25 / 12 / 7


# -- what is stored ---------------------------------------------------------------------


CountsRow = tuple[int | None, ...]
"""One snapshot's counts in ``ALL_FIELDS`` order; None where the platform gives none."""


@dataclass(frozen=True, slots=True)
class Post:
    """One own post with its latest counts and those of the snapshot before."""

    item_id: int
    guid: str
    title: str
    link: str
    published: dt.datetime
    latest: CountsRow | None = None
    """The latest snapshot's counts; None when the post has none."""
    previous: CountsRow | None = None
    """The counts of the snapshot before the latest; None with one snapshot or none."""
    taken: dt.datetime | None = None
    """When the latest snapshot was taken."""

    def count(self, name: str) -> int | None:
        return self.latest[ALL_FIELDS.index(name)] if self.latest is not None else None

    @property
    def counts(self) -> dict[str, int]:
        """The latest counts the platform gives, by name; {} with no snapshot."""
        if self.latest is None:
            return {}
        return {n: v for n, v in zip(ALL_FIELDS, self.latest, strict=True) if v is not None}

    @property
    def change(self) -> dict[str, int]:
        """Latest less previous, per count both snapshots have; {} with fewer than two."""
        if self.latest is None or self.previous is None:
            return {}
        return {
            name: new - old
            for name, new, old in zip(ALL_FIELDS, self.latest, self.previous, strict=True)
            if new is not None and old is not None
        }

    @property
    def engagement(self) -> int | None:
        """The sum of the engagement counts (``COUNT_FIELDS``); None when the post has no
        snapshot, or one with views alone."""
        return _engagement(self.latest)

    @property
    def engagement_change(self) -> int | None:
        latest, previous = _engagement(self.latest), _engagement(self.previous)
        return latest - previous if latest is not None and previous is not None else None


_ENGAGEMENT_SLICE = slice(0, len(COUNT_FIELDS))


def _engagement(counts: CountsRow | None) -> int | None:
    if counts is None:
        return None
    values = [value for value in counts[_ENGAGEMENT_SLICE] if value is not None]
    return sum(values) if values else None


def _stamp(value: dt.datetime) -> float:
    return value.timestamp()


def _time(value: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, dt.UTC)


_LATEST = ", ".join(f"e.{name}" for name in ALL_FIELDS)
_PREVIOUS = ", ".join(f"e.previous_{name}" for name in ALL_FIELDS)
_WIDTH = len(ALL_FIELDS)


def own_posts(
    store: Store,
    source: str,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[Post]:
    """The source's dated posts published in [since, until], newest first, each with its
    latest counts and those of the snapshot before, from ``engagement_latest`` (which the
    store keeps up to date from the history: storage/engagement_sql.py)."""
    clauses: list[str] = ["i.source = ?", "i.dated = 1"]
    params: list[Any] = [source]
    if since is not None:
        clauses.append("i.published >= ?")
        params.append(_stamp(since))
    if until is not None:
        clauses.append("i.published <= ?")
        params.append(_stamp(until))
    rows = store.query(
        f"SELECT i.id, i.guid, i.title, i.link, i.published, e.taken, e.previous_taken,"
        f" {_LATEST}, {_PREVIOUS} FROM items AS i LEFT JOIN engagement_latest AS e"
        " ON e.source = i.source AND e.guid = i.guid AND i.guid != ''"
        f" WHERE {' AND '.join(clauses)} ORDER BY i.published DESC, i.id DESC",
        params,
    )
    stamp = dt.datetime.fromtimestamp
    utc = dt.UTC
    posts = []
    for row in rows:
        taken = row[5]
        if taken is None:
            posts.append(Post(row[0], row[1], row[2], row[3], stamp(row[4], utc)))
            continue
        posts.append(
            Post(
                row[0],
                row[1],
                row[2],
                row[3],
                stamp(row[4], utc),
                row[7 : 7 + _WIDTH],
                row[7 + _WIDTH :] if row[6] is not None else None,
                stamp(taken, utc),
            )
        )
    return posts


def _post_bounds(store: Store, source: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The oldest and newest dated post of ``source``."""
    rows = store.query(
        "SELECT min(published), max(published) FROM items WHERE source = ? AND dated = 1",
        (source,),
    )
    oldest, newest = rows[0] if rows else (None, None)
    return (
        _time(oldest) if oldest is not None else None,
        _time(newest) if newest is not None else None,
    )


def count_fields(posts: Iterable[Post]) -> list[str]:
    """The counts any of ``posts`` has, in ``ALL_FIELDS`` order."""
    rows = [post.latest for post in posts if post.latest is not None]
    return [
        name for index, name in enumerate(ALL_FIELDS) if any(row[index] is not None for row in rows)
    ]


# -- one source's figures -----------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """The longest stretch without a post."""

    start: dt.datetime
    end: dt.datetime
    ongoing: bool
    """True when it lasts until now: nothing has been posted since ``start``."""

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400


@dataclass(frozen=True)
class Followers:
    latest: int
    taken: dt.datetime
    change: int | None
    """Since ``since``; None with a single figure in the window."""
    since: dt.datetime | None


@dataclass(frozen=True)
class SourceOutput:
    """Everything "My output" shows about one own source. The figures over its posts are
    worked out once, when first asked for (the screen asks on every cursor move)."""

    source: Source
    now: dt.datetime
    window_start: dt.datetime
    since: dt.datetime
    """Where the counted span starts: the window's start, or the oldest stored post."""
    posts: list[Post]
    """Posts within the window, newest first."""
    last_post: dt.datetime | None
    """The newest post, however old."""
    gap: Gap | None
    weekly: list[int]
    """Posts per week across the window, oldest week first, the last ending now."""
    followers: Followers | None
    target: Target | None

    @property
    def weeks(self) -> float:
        return max((self.now - self.since) / WEEK, 1.0)

    @property
    def per_week(self) -> float:
        return len(self.posts) / self.weeks

    @property
    def on_target(self) -> float | None:
        """Posts per week as a share of the target (1.0 is on target); None without one."""
        if self.target is None:
            return None
        return self.per_week / self.target.per_week

    @functools.cached_property
    def engaged(self) -> list[Post]:
        """The posts in the window that have counts."""
        return [post for post in self.posts if post.latest is not None]

    @functools.cached_property
    def engagement_median(self) -> float | None:
        values = [post.engagement for post in self.engaged if post.engagement is not None]
        return statistics.median(values) if values else None

    def median(self, name: str) -> float | None:
        """The median of one count over the posts that have it."""
        index = ALL_FIELDS.index(name)
        values = [
            value
            for post in self.posts
            if post.latest is not None and (value := post.latest[index]) is not None
        ]
        return statistics.median(values) if values else None

    @functools.cached_property
    def fields(self) -> list[str]:
        """The counts this source's posts in the window have, in the usual order."""
        return count_fields(self.posts)

    @functools.cached_property
    def best(self) -> Post | None:
        """The post in the window with the most engagement (the newest among equals)."""
        engaged = self.engaged
        if not engaged:
            return None
        return max(engaged, key=lambda post: (post.engagement or 0, post.published))

    @property
    def week_starts(self) -> list[dt.datetime]:
        """When each week of ``weekly`` begins."""
        count = len(self.weekly)
        return [self.now - WEEK * (count - index) for index in range(count)]


def window_weeks(window: dt.timedelta) -> int:
    return max(1, math.ceil(window / WEEK))


def weekly_counts(
    published: Iterable[dt.datetime], now: dt.datetime, window: dt.timedelta
) -> list[int]:
    """Posts per seven days, oldest first, the last week ending ``now``; the first week
    is cut at the window's start, so the weeks add up to the posts in the window."""
    weeks = window_weeks(window)
    start = now - window
    counts = [0] * weeks
    for when in published:
        if start <= when <= now:
            index = weeks - 1 - int((now - when) / WEEK)
            counts[max(index, 0)] += 1
    return counts


def longest_gap(
    published: Iterable[dt.datetime], since: dt.datetime, now: dt.datetime
) -> Gap | None:
    """The longest stretch of [since, now] without a post (None when ``since`` is now)."""
    times = sorted(when for when in published if since <= when <= now)
    points = [since, *times, now]
    best: Gap | None = None
    for start, end in itertools.pairwise(points):
        if end > start and (best is None or end - start > best.end - best.start):
            best = Gap(start, end, ongoing=end == now)
    return best


def follower_figures(
    history: Sequence[dict[str, Any]], window_start: dt.datetime
) -> Followers | None:
    """Followers now and their change since the figure in force at ``window_start``."""
    known = [row for row in history if row.get("followers") is not None]
    if not known:
        return None
    latest = known[-1]
    before = [row for row in known if row["taken"] <= window_start]
    baseline = before[-1] if before else known[0]
    if baseline is latest:
        return Followers(latest["followers"], latest["taken"], None, None)
    return Followers(
        latest["followers"],
        latest["taken"],
        latest["followers"] - baseline["followers"],
        max(baseline["taken"], window_start),
    )


def source_output(
    source: Source, store: Store, now: dt.datetime, window: dt.timedelta = DEFAULT_WINDOW
) -> SourceOutput:
    window_start = now - window
    posts = own_posts(store, source.url, since=window_start, until=now)
    oldest, newest = _post_bounds(store, source.url)
    since = max(window_start, oldest) if oldest is not None else window_start
    since = min(since, now)
    try:
        target = parse_target(source.target) if source.target else None
    except ValueError:
        target = None  # the portfolio reader refuses a bad one; a Source built in code may not
    times = [post.published for post in posts]
    return SourceOutput(
        source=source,
        now=now,
        window_start=window_start,
        since=since,
        posts=posts,
        last_post=newest,
        gap=longest_gap(times, since, now),
        weekly=weekly_counts(times, now, window),
        followers=follower_figures(store.account_history(source.url), window_start),
        target=target,
    )


def own_sources(portfolio: Portfolio) -> list[Source]:
    return [source for source in portfolio.sources if source.mine]


def output_rows(
    portfolio: Portfolio, store: Store, now: dt.datetime, window: dt.timedelta = DEFAULT_WINDOW
) -> list[SourceOutput]:
    """One SourceOutput per own source, in the portfolio's order."""
    return [source_output(source, store, now, window) for source in own_sources(portfolio)]


# -- numbers as text, for the screen, the command line and the cards ------------------


def rate_text(per_week: float) -> str:
    """``"2.5/wk"``, or ``"3.0/mo"`` below one a week; ``"none"`` for nothing."""
    if per_week <= 0:
        return "none"
    if per_week < LOW_RATE:
        return f"{per_week * WEEKS_PER_MONTH:.1f}/mo"
    return f"{per_week:.1f}/wk"


def number_text(value: float | None) -> str:
    """A count or median: ``"3"``, ``"2.5"``, ``"1.2k"``; ``"–"`` for none."""
    if value is None:
        return "–"
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def signed_text(value: float | None) -> str:
    """A change: ``"+3"``, ``"-2"``, ``"±0"``; ``""`` for none."""
    if value is None:
        return ""
    if value == 0:
        return "±0"
    return ("+" if value > 0 else "") + number_text(value)


def output_record(figures: SourceOutput) -> dict[str, Any]:
    """One own source's figures as JSON (``folio output --json``)."""
    best = figures.best
    followers = figures.followers
    gap = figures.gap
    return {
        "url": figures.source.url,
        "name": figures.source.title,
        "kind": figures.source.kind,
        "api": figures.source.api or None,
        "window_start": figures.window_start.isoformat(),
        "counted_from": figures.since.isoformat(),
        "posts": len(figures.posts),
        "posts_per_week": round(figures.per_week, 3),
        "posts_per_month": round(figures.per_week * WEEKS_PER_MONTH, 3),
        "target": figures.target.text if figures.target else None,
        "target_per_week": round(figures.target.per_week, 3) if figures.target else None,
        "on_target": round(figures.on_target, 3) if figures.on_target is not None else None,
        "last_post": figures.last_post.isoformat() if figures.last_post else None,
        "longest_gap_days": round(gap.days, 2) if gap else None,
        "longest_gap": (
            {"from": gap.start.isoformat(), "to": gap.end.isoformat(), "ongoing": gap.ongoing}
            if gap
            else None
        ),
        "posts_with_counts": len(figures.engaged),
        "engagement_per_post": figures.engagement_median,
        "medians": {name: figures.median(name) for name in figures.fields},
        "best_post": (
            {
                "title": best.title,
                "link": best.link,
                "published": best.published.isoformat(),
                "engagement": best.engagement,
                "counts": best.counts,
            }
            if best
            else None
        ),
        "followers": followers.latest if followers else None,
        "followers_change": followers.change if followers else None,
        "followers_since": (followers.since.isoformat() if followers and followers.since else None),
        "weekly_posts": figures.weekly,
        "weeks_from": figures.week_starts[0].isoformat() if figures.weekly else None,
    }
