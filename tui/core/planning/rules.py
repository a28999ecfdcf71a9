"""The priority matrix and the roadmap: quadrants, triage order, reviews and cadence.

Pure functions over a Portfolio (and, for counts, the Store); the screens and the
command line share them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tui.core.models import Source, utcnow
from tui.core.storage import attention
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


def entry_rank(entry: MatrixEntry) -> float:
    """An entry's triage rank (lower comes first): its quadrant, then within a quadrant
    higher value and lower effort first."""
    base = QUADRANTS.index(quadrant(entry))
    # A fraction keeps the quadrant order while favouring better scores inside it.
    return base + (5 - entry.value) * 0.1 + (entry.effort - 1) * 0.01


def source_owners(portfolio: Portfolio) -> dict[str, str]:
    """Which entry each matched source belongs to: a source that the URLs or tags of
    several entries match is counted once, in the best-ranked of them (the first in
    the file on a tie), for its rank, its unread items and the attention spent on it."""
    owners: dict[str, tuple[float, int, str]] = {}
    for position, entry in enumerate(portfolio.matrix):
        rank = entry_rank(entry)
        for url in entry_sources(entry, portfolio.sources):
            if url not in owners or (rank, position) < owners[url][:2]:
                owners[url] = (rank, position, entry.id)
    return {url: owner[2] for url, owner in owners.items()}


def counted_sources(
    entry: MatrixEntry, portfolio: Portfolio, owners: dict[str, str] | None = None
) -> list[str]:
    """The sources an entry matches and is counted for (see ``source_owners``)."""
    owners = source_owners(portfolio) if owners is None else owners
    return [url for url in entry_sources(entry, portfolio.sources) if owners.get(url) == entry.id]


def source_ranks(portfolio: Portfolio) -> dict[str, float]:
    """Each source's triage rank (lower comes first): its owning entry's, so a source in
    several entries takes its best."""
    ranks = {entry.id: entry_rank(entry) for entry in portfolio.matrix}
    return {url: ranks[owner] for url, owner in source_owners(portfolio).items()}


ATTENTION_WEEKS = 8
"""Weeks of attention the matrix shows (and ``folio matrix --json`` gives)."""


def matrix_records(
    portfolio: Portfolio, store: Store, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Each entry with its scores, the sources it counts (each source once, in its best
    entry), unread items, items published per week, and the attention the user gave it
    per week: items opened, minutes in the reader, flags set, items skipped."""
    now = now or utcnow()
    unread = store.unread_counts()
    owners = source_owners(portfolio)
    names = {entry.id: entry.name or entry.id for entry in portfolio.matrix}
    counted = {entry.id: counted_sources(entry, portfolio, owners) for entry in portfolio.matrix}
    spent = attention.weekly(store, counted, ATTENTION_WEEKS, now)
    records = []
    for entry in sorted(portfolio.matrix, key=lambda e: (QUADRANTS.index(quadrant(e)), -e.value)):
        urls = counted[entry.id]
        figures = spent[entry.id]
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
                "counted_elsewhere": {
                    url: names[owners[url]]
                    for url in entry_sources(entry, portfolio.sources)
                    if owners.get(url) != entry.id
                },
                "unread": sum(unread.get(u, 0) for u in urls),
                "activity": store.activity(urls, now=now),
                "attention": {
                    "weeks": ATTENTION_WEEKS,
                    "opened": figures.opened,
                    "minutes_read": [round(m, 1) for m in figures.minutes],
                    "flagged": figures.flagged,
                    "read_unopened": figures.skipped,
                },
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


BEFORE_WEEKS = 8
"""Weeks before an experiment's start that its measure is compared with."""
MAX_SINCE_WEEKS = 52
WEEKS_PER_MONTH = 52 / 12


def cadence(
    experiment: Experiment, portfolio: Portfolio, store: Store, today: dt.date
) -> dict[str, Any] | None:
    """How often the user posted on their own linked sources since the experiment began,
    against the eight weeks before it: posts, weeks and posts per week and per month
    since the start, and the weekly counts before and since (``before``: the eight weeks
    up to the start; ``since``: each week from the start, the last one up to today).
    None when nothing of theirs is linked or the experiment has not started yet (a future
    start would otherwise read as "0/week")."""
    own = linked_own_sources(experiment, portfolio)
    if not own or experiment.start is None or experiment.start > today:
        return None
    since = dt.datetime.combine(experiment.start, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    posts = store.published_since(own, since)
    weeks = max((today - experiment.start).days / 7, 1 / 7)
    before = store.activity(own, BEFORE_WEEKS, now=since)
    since_weeks = min(MAX_SINCE_WEEKS, max(1, -(-(end - since).days // 7)))
    after = store.activity(own, since_weeks, now=since + dt.timedelta(weeks=since_weeks))
    return {
        "posts": posts,
        "weeks": round(weeks, 1),
        "per_week": round(posts / weeks, 2),
        "per_month": round(posts / weeks * WEEKS_PER_MONTH, 2),
        "before": before,
        "before_per_week": round(sum(before) / BEFORE_WEEKS, 2),
        "since": after,
    }


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
