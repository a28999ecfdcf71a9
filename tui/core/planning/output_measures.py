"""Measures of the user's own output for the roadmap and the matrix: what a roadmap
experiment's ``metric`` gave over the eight weeks before it started against the weeks
since, and what a matrix entry's own sources did over the window (``output``)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tui.core.planning.measures import MEASURES
from tui.core.planning.output import (
    DEFAULT_WINDOW,
    WEEK,
    number_text,
    own_posts,
    own_sources,
    rate_text,
    source_output,
)
from tui.core.planning.rules import entry_sources, linked_own_sources
from tui.core.storage.portfolio import Experiment, MatrixEntry, Portfolio
from tui.core.storage.store import Store

BEFORE_WEEKS = 8
"""A measured experiment compares its weeks since the start with this many weeks before."""


# -- measures for the roadmap -------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """One measure over one span of time."""

    start: dt.datetime
    end: dt.datetime
    value: float | None
    """None when there is nothing to measure (no posts with counts, one follower figure)."""
    posts: int

    def record(self) -> dict[str, Any]:
        return {
            "from": self.start.date().isoformat(),
            "to": self.end.date().isoformat(),
            "value": round(self.value, 3) if self.value is not None else None,
            "posts": self.posts,
        }


def followers_gained_per_week(
    history: Sequence[dict[str, Any]], start: dt.datetime, end: dt.datetime
) -> float | None:
    """Followers gained per week over [start, end]: from the figure in force at ``start``
    (or the first one after it) to the last one by ``end``, over the time between them.
    None with fewer than two figures to compare."""
    known = [row for row in history if row.get("followers") is not None and row["taken"] <= end]
    before = [row for row in known if row["taken"] <= start]
    after = [row for row in known if row["taken"] > start]
    baseline = before[-1] if before else (after[0] if after else None)
    if baseline is None or baseline is known[-1]:
        return None
    latest = known[-1]
    weeks: float = max((latest["taken"] - max(baseline["taken"], start)) / WEEK, 1 / 7)
    gained: int = latest["followers"] - baseline["followers"]
    return gained / weeks


def measure_period(
    metric: str, sources: Sequence[str], store: Store, start: dt.datetime, end: dt.datetime
) -> Period:
    """``metric`` (a name in ``MEASURES``) over [start, end) on ``sources`` together."""
    if metric not in MEASURES:
        raise ValueError(f"unknown measure {metric!r}")
    weeks = max((end - start) / WEEK, 1 / 7)
    posts = [
        post
        for url in sources
        for post in own_posts(store, url, since=start, until=end)
        if post.published < end
    ]
    if metric == "posts/week":
        return Period(start, end, len(posts) / weeks, len(posts))
    if metric == "followers/week":
        rates = [
            rate
            for url in sources
            if (rate := followers_gained_per_week(store.account_history(url), start, end))
            is not None
        ]
        return Period(start, end, sum(rates) if rates else None, len(posts))
    name = metric.removesuffix("/post")
    if name == "engagement":
        values = [count for post in posts if (count := post.engagement) is not None]
    else:
        values = [count for post in posts if (count := post.count(name)) is not None]
    return Period(start, end, sum(values) / len(values) if values else None, len(posts))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def experiment_measure(
    experiment: Experiment, portfolio: Portfolio, store: Store, now: dt.datetime
) -> dict[str, Any] | None:
    """The experiment's ``metric`` over the eight weeks before its start and the weeks
    since (to its review date once it has ended), on its linked own sources; None when
    it names no metric, links nothing of the user's, or has not started."""
    if not experiment.metric or experiment.metric not in MEASURES:
        return None
    own = linked_own_sources(experiment, portfolio)
    if not own or experiment.start is None:
        return None
    start = _midnight(experiment.start)
    if start > now:
        return None
    end = now
    if experiment.status in ("adopted", "dropped") and experiment.review is not None:
        end = min(now, max(start, _midnight(experiment.review + dt.timedelta(days=1))))
    before = measure_period(experiment.metric, own, store, start - BEFORE_WEEKS * WEEK, start)
    since = measure_period(experiment.metric, own, store, start, end)
    change = None
    if before.value is not None and since.value is not None and before.value != 0:
        change = round((since.value - before.value) / abs(before.value), 3)
    return {
        "metric": experiment.metric,
        "sources": own,
        "before": before.record(),
        "since": since.record(),
        "change": change,
        "weeks_since": round(max((end - start) / WEEK, 0), 1),
    }


# -- the matrix -----------------------------------------------------------------------------


def entry_output(
    entry: MatrixEntry,
    portfolio: Portfolio,
    store: Store,
    now: dt.datetime,
    window: dt.timedelta = DEFAULT_WINDOW,
) -> dict[str, Any] | None:
    """What the entry's own sources did over the window: posts per week (together) and
    engagement per post (the median over all their posts with counts). None when the
    entry covers nothing of the user's."""
    urls = set(entry_sources(entry, portfolio.sources))
    own = [source for source in own_sources(portfolio) if source.url in urls]
    if not own:
        return None
    figures = [source_output(source, store, now, window) for source in own]
    posts = sum(len(f.posts) for f in figures)
    weeks = max(f.weeks for f in figures)
    values = [post.engagement for f in figures for post in f.engaged if post.engagement is not None]
    return {
        "sources": [source.url for source in own],
        "posts": posts,
        "posts_per_week": round(sum(f.per_week for f in figures), 3),
        "engagement_per_post": statistics.median(values) if values else None,
        "posts_with_counts": len(values),
        "window_days": round((now - (now - window)) / dt.timedelta(days=1)),
        "weeks": round(weeks, 1),
    }


# -- the command line's records -------------------------------------------------------------


def add_measures(
    records: list[dict[str, Any]], portfolio: Portfolio, store: Store, now: dt.datetime
) -> None:
    """Give each ``rules.roadmap_records`` record its ``metric`` and what it measured
    (``measured``: the eight weeks before against the weeks since; None until it can)."""
    experiments = {experiment.id: experiment for experiment in portfolio.roadmap}
    for record in records:
        experiment = experiments.get(record["id"])
        record["metric"] = (experiment.metric or None) if experiment else None
        record["measured"] = (
            experiment_measure(experiment, portfolio, store, now) if experiment else None
        )


def add_output(
    records: list[dict[str, Any]],
    portfolio: Portfolio,
    store: Store,
    now: dt.datetime,
    window: dt.timedelta = DEFAULT_WINDOW,
) -> None:
    """Give each ``rules.matrix_records`` record its own sources' output over the window
    (``output``; None when the entry covers nothing of the user's)."""
    entries = {entry.id: entry for entry in portfolio.matrix}
    for record in records:
        entry = entries.get(record["id"])
        record["output"] = entry_output(entry, portfolio, store, now, window) if entry else None


# -- as text, for the cards and the matrix --------------------------------------------


def measure_number(value: float | None) -> str:
    """Small rates with two decimals, so that a change is visible in them: ``"0.51"``."""
    if value is None:
        return "–"
    if abs(value) < 10:
        return f"{value:.2f}"
    if abs(value) < 100:
        return f"{value:.1f}"
    return number_text(value)


def measure_text(figures: dict[str, Any] | None, short: bool = False) -> str:
    """``"replies/post 1.2 → 2.5 (+108%)"``, the eight weeks before against since;
    ``short`` drops the change. "" when the experiment measures nothing."""
    if not figures:
        return ""
    before = measure_number(figures["before"]["value"])
    since = measure_number(figures["since"]["value"])
    if short:
        return f"{figures['metric']} {before}→{since}"
    change = figures["change"]
    percent = f" ({change * 100:+.0f}%)" if change is not None else ""
    return f"{figures['metric']}: {before} before → {since} since{percent}"


def entry_output_text(figures: dict[str, Any] | None) -> str:
    """``"mine: 1.5/wk · 4 eng/post"``; "" when the entry covers nothing of the user's."""
    if not figures:
        return ""
    text = f"mine: {rate_text(figures['posts_per_week'])}"
    if figures["engagement_per_post"] is not None:
        text += f" · {number_text(figures['engagement_per_post'])} eng/post"
    return text
