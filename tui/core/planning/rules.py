"""The priority matrix and the roadmap: quadrants, triage order, reviews and cadence.

Pure functions over a Portfolio (and, for counts, the Store); the screens and the
command line share them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tui.core.models import Source
from tui.core.storage.portfolio import (
    LANES,
    STATUSES,
    Experiment,
    MatrixAxes,
    MatrixEntry,
    Portfolio,
)
from tui.core.storage.store import Store

QUADRANTS: tuple[str, ...] = ("quick_wins", "big_bets", "fill_ins", "drop")
"""In triage order: the Inbox shows Quick wins first and Drop last."""

UNRANKED = 2.5
"""Sources no matrix entry covers sort after Fill-ins and before Drop: the user has not
judged them, but has not judged them worth dropping either."""


def quadrant(entry: MatrixEntry) -> str:
    """Which quadrant an entry sits in. Scores of 3 and up count as high, on both axes."""
    high_value = entry.value >= 3
    high_effort = entry.effort >= 3
    if high_value:
        return "big_bets" if high_effort else "quick_wins"
    return "drop" if high_effort else "fill_ins"


def quadrant_label(axes: MatrixAxes | None, name: str) -> str:
    label: str = getattr(axes or MatrixAxes(), name)
    return label


def entry_sources(entry: MatrixEntry, sources: list[Source]) -> list[str]:
    """The source URLs an entry covers: listed by URL, or carrying one of its tags."""
    wanted = set(entry.sources)
    return [s.url for s in sources if s.url in wanted or wanted.intersection(s.tags)]


def source_ranks(portfolio: Portfolio) -> dict[str, float]:
    """Each source's triage rank (lower comes first); a source in several entries takes
    its best. Within a quadrant, higher value and lower effort come first."""
    ranks: dict[str, float] = {}
    for entry in portfolio.matrix:
        base = QUADRANTS.index(quadrant(entry))
        # A fraction keeps the quadrant order while favouring better scores inside it.
        rank = base + (5 - entry.value) * 0.1 + (entry.effort - 1) * 0.01
        for url in entry_sources(entry, portfolio.sources):
            ranks[url] = min(rank, ranks.get(url, rank))
    return ranks


def matrix_records(
    portfolio: Portfolio, store: Store, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    unread = store.unread_counts()
    records = []
    for entry in sorted(portfolio.matrix, key=lambda e: (QUADRANTS.index(quadrant(e)), -e.value)):
        urls = entry_sources(entry, portfolio.sources)
        records.append(
            {
                "id": entry.id,
                "name": entry.name,
                "notes": entry.notes,
                "value": entry.value,
                "effort": entry.effort,
                "quadrant": quadrant_label(portfolio.matrix_axes, quadrant(entry)),
                "sources": entry.sources,
                "source_urls": urls,
                "unread": sum(unread.get(u, 0) for u in urls),
                "activity": store.activity(urls, now=now),
            }
        )
    return records


def review_due(experiment: Experiment, today: dt.date) -> bool:
    """A review is due once its date has come, unless the experiment has ended."""
    return (
        experiment.review is not None
        and experiment.review <= today
        and experiment.status not in ("adopted", "dropped")
    )


def linked_own_sources(experiment: Experiment, portfolio: Portfolio) -> list[str]:
    """The user's own sources (``mine = true``) an experiment is linked to, directly or
    through a matrix entry."""
    urls: set[str] = set()
    entries = {e.id: e for e in portfolio.matrix}
    for link in experiment.links:
        if link in entries:
            urls.update(entry_sources(entries[link], portfolio.sources))
        else:
            urls.add(link)
    return [s.url for s in portfolio.sources if s.mine and s.url in urls]


def cadence(
    experiment: Experiment, portfolio: Portfolio, store: Store, today: dt.date
) -> dict[str, Any] | None:
    """How often the user posted on their own linked sources since the experiment began:
    posts, weeks and posts per week, or None when nothing of theirs is linked or the
    experiment has not started yet (a future start would otherwise read as "0/week")."""
    own = linked_own_sources(experiment, portfolio)
    if not own or experiment.start is None or experiment.start > today:
        return None
    since = dt.datetime.combine(experiment.start, dt.time(), tzinfo=dt.UTC)
    posts = store.published_since(own, since)
    weeks = max((today - experiment.start).days / 7, 1 / 7)
    return {"posts": posts, "weeks": round(weeks, 1), "per_week": round(posts / weeks, 2)}


def roadmap_records(
    portfolio: Portfolio, store: Store, today: dt.date, due_only: bool = False
) -> list[dict[str, Any]]:
    records = []
    ordered = sorted(
        portfolio.roadmap,
        key=lambda e: (LANES.index(e.lane), e.review or dt.date.max, STATUSES.index(e.status)),
    )
    for experiment in ordered:
        due = review_due(experiment, today)
        if due_only and not due:
            continue
        records.append(
            {
                "id": experiment.id,
                "title": experiment.title,
                "hypothesis": experiment.hypothesis,
                "measure": experiment.measure,
                "lane": experiment.lane,
                "status": experiment.status,
                "start": experiment.start.isoformat() if experiment.start else None,
                "review": experiment.review.isoformat() if experiment.review else None,
                "review_due": due,
                "links": experiment.links,
                "cadence": cadence(experiment, portfolio, store, today),
            }
        )
    return records
