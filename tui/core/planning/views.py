"""What the matrix and roadmap screens show, computed without Textual.

The widgets only lay out and colour what these functions return, so the rules
(sparklines, ids, cursor moves, timeline spans, form parsing) are tested headless.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tui.core.models import Source
from tui.core.planning.output_measures import (
    entry_output,
    entry_output_text,
    experiment_measure,
    measure_text,
)
from tui.core.planning.rules import (
    ATTENTION_WEEKS,
    QUADRANTS,
    cadence,
    counted_sources,
    entry_sources,
    quadrant,
    quadrant_label,
    review_due,
    source_owners,
)
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

SPARK_BARS = "▁▂▃▄▅▆▇█"
ACTIVITY_WEEKS = 12

GRID: dict[str, tuple[int, int]] = {
    "quick_wins": (0, 0),
    "big_bets": (0, 1),
    "fill_ins": (1, 0),
    "drop": (1, 1),
}
"""(row, column) of each quadrant: value grows upwards, effort grows to the right."""

QUADRANT_RANGES: dict[str, str] = {
    "quick_wins": "value 3-5 · effort 1-2",
    "big_bets": "value 3-5 · effort 3-5",
    "fill_ins": "value 1-2 · effort 1-2",
    "drop": "value 1-2 · effort 3-5",
}


# -- small text helpers -------------------------------------------------------------------


def sparkline(counts: Sequence[float], top: float | None = None) -> str:
    """One character per count, scaled to the largest (or to ``top``, so that several
    rows share one scale); a zero is always the lowest bar and any non-zero count at
    least the second, so quiet weeks differ from empty ones."""
    top = max(counts, default=0) if top is None else top
    if top <= 0:
        return SPARK_BARS[0] * len(counts)
    steps = len(SPARK_BARS) - 1
    return "".join(
        SPARK_BARS[0] if count <= 0 else SPARK_BARS[max(1, round(count / top * steps))]
        for count in counts
    )


def slug_id(name: str, taken: Iterable[str], fallback: str = "entry") -> str:
    """A readable id from ``name`` (``"Link sharing!"`` -> ``"link-sharing"``) that is not
    in ``taken``; ``-2``, ``-3``… are added to make it unique."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    base = base or fallback
    used = set(taken)
    candidate, number = base, 2
    while candidate in used:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def split_list(text: str) -> list[str]:
    """Comma- or newline-separated values, trimmed, blanks and repeats dropped."""
    seen: list[str] = []
    for part in re.split(r"[,\n]", text):
        value = part.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def parse_date(text: str, label: str) -> dt.date | None:
    """``YYYY-MM-DD`` or blank (None); otherwise ValueError with a sentence for the form."""
    value = text.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"{label} must be a date written YYYY-MM-DD, such as 2026-12-01.")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{label}, {value}, is not a real date.") from None


def parse_score(text: str, label: str) -> int:
    value = text.strip()
    if not value.isdigit() or not 1 <= int(value) <= 5:
        raise ValueError(f"{label} must be a whole number from 1 to 5.")
    return int(value)


ENDED: tuple[str, ...] = ("adopted", "dropped")
"""The statuses of an experiment that has ended; such a card belongs in Done."""


def with_status(experiment: Experiment, status: str) -> Experiment:
    """``experiment`` with a new status, its lane made to agree: an ended experiment
    (adopted or dropped) moves to Done, and one taken up again leaves Done (for Now
    when it is being tried, else Next)."""
    changed = copy.deepcopy(experiment)
    changed.status = status
    if status in ENDED:
        changed.lane = "done"
    elif changed.lane == "done":
        changed.lane = "now" if status == "trying" else "next"
    return changed


def with_lane(experiment: Experiment, lane: str, outcome: str | None = None) -> Experiment:
    """``experiment`` in another lane, its status made to agree: into Done with its
    ``outcome`` (adopted or dropped: ValueError without one); out of Done as being tried
    (in Now) or an idea (elsewhere)."""
    changed = copy.deepcopy(experiment)
    changed.lane = lane
    if lane == "done":
        if outcome not in ENDED and changed.status not in ENDED:
            raise ValueError("a card in Done was adopted or dropped: say which")
        changed.status = outcome if outcome in ENDED else changed.status
    elif changed.status in ENDED:
        changed.status = "trying" if lane == "now" else "idea"
    return changed


def lane_status_problem(lane: str, status: str) -> str:
    """Why a lane and a status disagree, in words for a form ("" when they agree)."""
    if lane == "done" and status not in ENDED:
        return "A card in Done was adopted or dropped: choose which as its status."
    if lane != "done" and status in ENDED:
        return f"An experiment {status} has ended: its lane is Done."
    return ""


def next_status(status: str) -> str:
    """idea → trying → adopted → dropped → idea."""
    index = STATUSES.index(status) if status in STATUSES else -1
    return STATUSES[(index + 1) % len(STATUSES)]


def step_lane(lane: str, delta: int) -> str:
    """The lane ``delta`` steps away, stopping at Now and Done."""
    index = LANES.index(lane) if lane in LANES else 0
    return LANES[min(max(index + delta, 0), len(LANES) - 1)]


def clamp_score(score: int) -> int:
    return min(max(score, 1), 5)


def rate_text(per_week: float, short: bool = False) -> str:
    """A posting rate as people say it: per week, or per month when under one a week
    (``0.3/week`` reads worse than ``1.3/month``)."""
    if per_week >= 1 or per_week == 0:
        return f"{per_week:.1f}/{'wk' if short else 'week'}"
    return f"{per_week * 52 / 12:.1f}/{'mo' if short else 'month'}"


def cadence_text(figures: dict[str, Any] | None, short: bool = False) -> str:
    """``"3 posts since start · 1.5/week"`` (``"3 posts · 1.5/wk"`` when ``short``), per
    month when under one a week, or "" when nothing of the user's is linked."""
    if not figures:
        return ""
    posts = figures["posts"]
    rate = rate_text(figures["per_week"], short)
    if short:
        return f"{posts} post{'s' * (posts != 1)} · {rate}"
    return f"{posts} post{'s' * (posts != 1)} since start · {rate}"


def before_and_since(figures: dict[str, Any] | None) -> str:
    """The eight weeks before an experiment's start against the weeks since, as two
    sparklines on one scale: ``"8 wks before ▁▃▂▁▁▂▁▁ 0.4/week · since ▃▅▄▆ 1.2/week"``."""
    if not figures or "before" not in figures:
        return ""
    before, since = figures["before"], figures["since"]
    top = max([*before, *since], default=0)
    return (
        f"{len(before)} wks before {sparkline(before, top)} "
        f"{rate_text(figures['before_per_week'])} · since {sparkline(since, top)} "
        f"{rate_text(figures['per_week'])}"
    )


def review_text(review: dt.date | None, due: bool, width: int) -> str:
    """The longest wording of a card's review date that fits ``width`` cells."""
    if review is None:
        return "no review date"
    day = review.isoformat()
    wordings = (
        [f"review due {day}", f"due {day}", f"due {day[2:]}"]
        if due
        else [f"review {day}", f"rev {day}", day]
    )
    return next((w for w in wordings if len(w) <= width), wordings[-1])


# -- link matching, for the forms -------------------------------------------------------


def describe_source_specs(specs: Sequence[str], sources: Sequence[Source]) -> list[tuple[str, str]]:
    """For each URL or tag in a matrix entry, what it matches: ``(spec, description)``;
    an empty description means it matches no source."""
    described = []
    for spec in specs:
        names = [s.title for s in sources if s.url == spec or spec in s.tags]
        described.append((spec, ", ".join(names)))
    return described


def describe_links(links: Sequence[str], portfolio: Portfolio) -> list[tuple[str, str]]:
    """For each roadmap link, the matrix entry or source it names ("" for neither)."""
    entries = {e.id: e for e in portfolio.matrix}
    described = []
    for link in links:
        if link in entries:
            described.append((link, f"matrix: {entries[link].name or link}"))
        elif (source := portfolio.source(link)) is not None:
            described.append((link, source.title + (" (yours)" if source.mine else "")))
        else:
            described.append((link, ""))
    return described


# -- the matrix -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryView:
    id: str
    name: str
    notes: str
    value: int
    effort: int
    quadrant: str
    unread: int
    spark: str
    """Items per week over the last twelve weeks, as bar characters."""
    source_urls: tuple[str, ...]
    """The sources counted for this entry (each source counts in one entry only)."""
    elsewhere: tuple[tuple[str, str], ...] = ()
    """(source URL, entry name): sources this entry matches that count in a better one."""
    opened: tuple[int, ...] = ()
    """Items opened per week, oldest first (``ATTENTION_WEEKS``; the last is this week)."""
    opened_spark: str = ""
    """``opened`` as bars, on one scale shared by every entry (see ``attention_top``)."""
    minutes: tuple[float, ...] = ()
    """Minutes read in the reader per week."""
    flagged_week: int = 0
    skipped_week: int = 0
    """Items marked read unopened this week."""
    output: str = ""
    """What the entry's own sources did: cadence and engagement per post (``with_output``)."""

    @property
    def opened_week(self) -> int:
        return self.opened[-1] if self.opened else 0

    @property
    def minutes_week(self) -> float:
        return self.minutes[-1] if self.minutes else 0.0


@dataclass(frozen=True)
class MatrixView:
    """Every entry by quadrant, plus the attention figures they share a scale for."""

    quadrants: dict[str, list[EntryView]]
    attention_top: int = 0
    """The most items any entry had opened in one week: the sparklines' common top."""
    opened_by_quadrant: dict[str, int] = field(default_factory=dict)
    """Items opened this week, per quadrant."""


def matrix_view(portfolio: Portfolio, store: Store, now: dt.datetime) -> dict[str, list[EntryView]]:
    """The entries of each quadrant, best first (highest value, then lowest effort)."""
    return matrix_figures(portfolio, store, now).quadrants


def matrix_figures(portfolio: Portfolio, store: Store, now: dt.datetime) -> MatrixView:
    """The matrix screen's data: entries by quadrant with their unread items, activity
    and attention, every source counted in one entry only."""
    unread = store.unread_counts()
    owners = source_owners(portfolio)
    names = {entry.id: entry.name or entry.id for entry in portfolio.matrix}
    counted = {entry.id: counted_sources(entry, portfolio, owners) for entry in portfolio.matrix}
    spent = attention.weekly(store, counted, ATTENTION_WEEKS, now)
    top = max((max(f.opened, default=0) for f in spent.values()), default=0)
    view: dict[str, list[EntryView]] = {name: [] for name in QUADRANTS}
    opened_by_quadrant = dict.fromkeys(QUADRANTS, 0)
    for entry in portfolio.matrix:
        urls = counted[entry.id]
        name = quadrant(entry)
        figures = spent[entry.id]
        opened_by_quadrant[name] += figures.opened[-1]
        view[name].append(
            EntryView(
                id=entry.id,
                name=entry.name or entry.id,
                notes=entry.notes,
                value=entry.value,
                effort=entry.effort,
                quadrant=name,
                unread=sum(unread.get(u, 0) for u in urls),
                spark=sparkline(store.activity(urls, ACTIVITY_WEEKS, now)),
                source_urls=tuple(urls),
                elsewhere=tuple(
                    (url, names[owners[url]])
                    for url in entry_sources(entry, portfolio.sources)
                    if owners.get(url) != entry.id
                ),
                opened=tuple(figures.opened),
                opened_spark=sparkline(figures.opened, top),
                minutes=tuple(figures.minutes),
                flagged_week=figures.flagged[-1],
                skipped_week=figures.skipped[-1],
            )
        )
    for entries in view.values():
        entries.sort(key=lambda e: (-e.value, e.effort, e.name.casefold()))
    return MatrixView(view, top, opened_by_quadrant)


QUADRANT_ITEMS: dict[str, str] = {
    "quick_wins": "Quick-win",
    "big_bets": "Big-bet",
    "fill_ins": "Fill-in",
    "drop": "Drop",
}
"""Quadrant names as adjectives ("140 Drop items"), for the default axis names."""


def attention_summary(figures: MatrixView, axes: MatrixAxes | None) -> str:
    """The matrix's attention line: items opened this week per quadrant, and what the
    bars mean, e.g. "This week you opened 6 Quick-win items, 2 Big-bet, 0 Fill-in, 140
    Drop · bars: items opened per week, last 8 weeks, one scale (█ = 140)"."""
    names = [
        QUADRANT_ITEMS[name] if axes is None else quadrant_label(axes, name) for name in QUADRANTS
    ]
    counts = [figures.opened_by_quadrant.get(name, 0) for name in QUADRANTS]
    parts = [f"{counts[0]} {names[0]} item{'s' * (counts[0] != 1)}"]
    parts += [f"{count} {name}" for count, name in zip(counts[1:], names[1:], strict=True)]
    scale = (
        f"one scale (█ = {figures.attention_top})" if figures.attention_top else "none opened yet"
    )
    return (
        "This week you opened "
        + ", ".join(parts)
        + f" · bars: items opened per week, last {ATTENTION_WEEKS} weeks, {scale}"
    )


def entry_attention_text(entry: EntryView) -> str:
    """This week's attention to one entry, in words, for the detail line."""
    minutes = round(entry.minutes_week)
    parts = [f"this week: {entry.opened_week} opened", f"{minutes} min read"]
    if entry.flagged_week:
        parts.append(f"{entry.flagged_week} flagged")
    if entry.skipped_week:
        parts.append(f"{entry.skipped_week} marked read unopened")
    return " · ".join(parts)


def with_output(
    view: dict[str, list[EntryView]],
    portfolio: Portfolio,
    store: Store,
    now: dt.datetime,
    window: dt.timedelta,
) -> dict[str, list[EntryView]]:
    """The matrix with each entry's own output over ``window`` (``EntryView.output``)."""
    entries = {entry.id: entry for entry in portfolio.matrix}
    return {
        name: [
            replace(
                view_entry,
                output=entry_output_text(
                    entry_output(entries[view_entry.id], portfolio, store, now, window)
                ),
            )
            if view_entry.id in entries
            else view_entry
            for view_entry in entries_view
        ]
        for name, entries_view in view.items()
    }


def matrix_order(view: dict[str, list[EntryView]]) -> list[str]:
    return [e.id for name in QUADRANTS for e in view[name]]


def matrix_move(
    view: dict[str, list[EntryView]], selected: str | None, direction: str
) -> str | None:
    """The entry the cursor lands on after an arrow key ("up", "down", "left", "right").

    Up and down walk the list of a quadrant and carry on into the quadrant above or
    below; left and right jump to the quadrant beside, keeping the position in the list
    (or the nearest entry), and fall back to the other row when that quadrant is empty.
    """
    cells = {GRID[name]: view[name] for name in QUADRANTS}
    where = next(
        (
            (name, index)
            for name in QUADRANTS
            for index, entry in enumerate(view[name])
            if entry.id == selected
        ),
        None,
    )
    if where is None:
        order = matrix_order(view)
        return order[0] if order else None
    name, index = where
    row, column = GRID[name]
    entries = view[name]
    if direction in ("up", "down"):
        step = -1 if direction == "up" else 1
        if 0 <= index + step < len(entries):
            return entries[index + step].id
        other = cells[(1 - row, column)]
        if other and (row + step) in (0, 1):
            return other[-1].id if step < 0 else other[0].id
        return selected
    if direction in ("left", "right"):
        target = column + (-1 if direction == "left" else 1)
        if target not in (0, 1):
            return selected
        for target_row in (row, 1 - row):
            candidates = cells[(target_row, target)]
            if candidates:
                return candidates[min(index, len(candidates) - 1)].id
        return selected
    raise ValueError(f"unknown direction {direction!r}")


def neighbour_after_delete(order: Sequence[str], deleted: str) -> str | None:
    """Where the cursor goes once ``deleted`` is gone: the next one, else the previous."""
    if deleted not in order:
        return order[0] if order else None
    index = order.index(deleted)
    rest = [i for i in order if i != deleted]
    if not rest:
        return None
    return rest[min(index, len(rest) - 1)]


# -- the roadmap ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CardView:
    id: str
    title: str
    hypothesis: str
    measure: str
    lane: str
    status: str
    start: dt.date | None
    review: dt.date | None
    review_due: bool
    cadence: str
    cadence_short: str
    links: tuple[str, ...]
    compared: str = ""
    """The measure before the start against since (``before_and_since``)."""
    metric: str = ""
    """The measure the experiment names, before against since (``with_measures``)."""
    metric_short: str = ""


def roadmap_view(portfolio: Portfolio, store: Store, today: dt.date) -> dict[str, list[CardView]]:
    """The cards of each lane, soonest review first (no review date last)."""
    view: dict[str, list[CardView]] = {lane: [] for lane in LANES}
    for experiment in portfolio.roadmap:
        figures = cadence(experiment, portfolio, store, today)
        view[experiment.lane].append(
            CardView(
                id=experiment.id,
                title=experiment.title or experiment.id,
                hypothesis=experiment.hypothesis,
                measure=experiment.measure,
                lane=experiment.lane,
                status=experiment.status,
                start=experiment.start,
                review=experiment.review,
                review_due=review_due(experiment, today),
                cadence=cadence_text(figures),
                cadence_short=cadence_text(figures, short=True),
                links=tuple(experiment.links),
                compared=before_and_since(figures) if experiment.measure.strip() else "",
            )
        )
    for cards in view.values():
        cards.sort(key=lambda c: (c.review or dt.date.max, STATUSES.index(c.status), c.id))
    return view


def unmeasured_text(experiment: Experiment, today: dt.date) -> str:
    """Why an experiment that names a measure shows no figures yet."""
    if experiment.start is None:
        return f"{experiment.metric}: give it a start date to measure it"
    if experiment.start > today:
        return f"{experiment.metric}: measured from {experiment.start.isoformat()}"
    return f"{experiment.metric}: link one of your own sources (mine = true)"


def with_measures(
    view: dict[str, list[CardView]], portfolio: Portfolio, store: Store, now: dt.datetime
) -> dict[str, list[CardView]]:
    """The roadmap with each experiment's measure (``CardView.metric``), the eight weeks
    before its start against the weeks since."""
    experiments = {experiment.id: experiment for experiment in portfolio.roadmap}
    measured: dict[str, list[CardView]] = {}
    for lane, cards in view.items():
        measured[lane] = []
        for card in cards:
            experiment = experiments.get(card.id)
            figures = experiment_measure(experiment, portfolio, store, now) if experiment else None
            if figures is None and experiment is not None and experiment.metric:
                text = short = unmeasured_text(experiment, now.date())
            else:
                text, short = measure_text(figures), measure_text(figures, short=True)
            measured[lane].append(replace(card, metric=text, metric_short=short))
    return measured


def roadmap_order(view: dict[str, list[CardView]]) -> list[str]:
    return [c.id for lane in LANES for c in view[lane]]


def roadmap_move(
    view: dict[str, list[CardView]], selected: str | None, direction: str
) -> str | None:
    """Up and down within a lane; left and right to the nearest card in the next lane
    that has any, so empty lanes are skipped."""
    where = next(
        (
            (lane_index, index)
            for lane_index, lane in enumerate(LANES)
            for index, card in enumerate(view[lane])
            if card.id == selected
        ),
        None,
    )
    if where is None:
        order = roadmap_order(view)
        return order[0] if order else None
    lane_index, index = where
    cards = view[LANES[lane_index]]
    if direction in ("up", "down"):
        target = index + (-1 if direction == "up" else 1)
        return cards[target].id if 0 <= target < len(cards) else selected
    if direction in ("left", "right"):
        step = -1 if direction == "left" else 1
        lane_index += step
        while 0 <= lane_index < len(LANES):
            candidates = view[LANES[lane_index]]
            if candidates:
                return candidates[min(index, len(candidates) - 1)].id
            lane_index += step
        return selected
    raise ValueError(f"unknown direction {direction!r}")


# -- the timeline ---------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


@dataclass(frozen=True)
class TimelineRow:
    id: str
    title: str
    status: str
    review_due: bool
    first: int | None
    """Index of the month the bar starts in; None when the experiment has no dates."""
    last: int | None
    """Index of the month the bar ends in (the review, or the current month while an
    experiment with no review date runs)."""
    open_ended: bool = False
    review_only: bool = False
    """Only a review date is set: drawn as a single mark, not a bar."""


@dataclass(frozen=True)
class Timeline:
    months: list[dt.date] = field(default_factory=list)
    """The first day of each month shown, in order."""
    current: int = 0
    """Index of the current month in ``months``."""
    rows: list[TimelineRow] = field(default_factory=list)


MIN_TIMELINE_MONTHS = 6


def timeline(experiments: Sequence[Experiment], today: dt.date) -> Timeline:
    """Rows per experiment (ordered by start), months from the earliest date to the
    latest, always including the current month and at least six months."""
    this_month = month_start(today)
    dates = [this_month]
    for experiment in experiments:
        dates += [month_start(d) for d in (experiment.start, experiment.review) if d is not None]
    first, last = min(dates), max(dates)
    if months_between(first, last) + 1 < MIN_TIMELINE_MONTHS:
        last = add_months(first, MIN_TIMELINE_MONTHS - 1)
    months = [add_months(first, n) for n in range(months_between(first, last) + 1)]

    def index(day: dt.date) -> int:
        return months_between(first, day)

    rows = []
    ordered = sorted(
        experiments,
        key=lambda e: (e.start or e.review or dt.date.max, LANES.index(e.lane), e.id),
    )
    for experiment in ordered:
        start, review = experiment.start, experiment.review
        open_ended = review_only = False
        begin: int | None
        end: int | None
        if start and review:
            begin, end = index(min(start, review)), index(max(start, review))
        elif start:
            # Running with no review date: the bar reaches the current month.
            begin = index(start)
            end = max(begin, index(this_month))
            open_ended = True
        elif review:
            begin = end = index(review)
            review_only = True
        else:
            begin = end = None
        rows.append(
            TimelineRow(
                id=experiment.id,
                title=experiment.title or experiment.id,
                status=experiment.status,
                review_due=review_due(experiment, today),
                first=begin,
                last=end,
                open_ended=open_ended,
                review_only=review_only,
            )
        )
    return Timeline(months=months, current=index(this_month), rows=rows)


def month_window(count: int, current: int, fits: int) -> range:
    """Which months to draw when only ``fits`` columns fit: a window that keeps the
    current month in view, leaning towards what comes next."""
    if count <= fits:
        return range(count)
    start = min(max(current - fits // 3, 0), count - fits)
    return range(start, start + fits)


def new_experiment_defaults(today: dt.date) -> Experiment:
    return Experiment(id="", lane="next", status="idea", start=today)


def new_matrix_entry() -> MatrixEntry:
    return MatrixEntry(id="", value=3, effort=3)
