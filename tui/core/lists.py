"""Lists of items, each defined by a store query: the Inbox, Starred, Later, Bookmarked,
Unread, All, New since I last looked, and one feed's whole list.

A ``ListSpec`` says what a list holds in words the screens can show and in terms the
session turns into a ``store.ItemQuery``; a list screen is a spec plus a virtual list of
ids, so a new list (the user's own output, a sync server's feed) is one more spec.

The Inbox's order is worked out here too (``inbox_order``), from the unread rows and the
matrix's ranks, so it can be tested without a screen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from tui.core.config import parse_duration
from tui.core.models import Source

NEW_MARK = "looked-at-new"
"""The store mark (``Store.mark``) of when the user last looked at what is new."""
NEW_FIRST_LOOK = dt.timedelta(days=1)
"""Before the user has ever looked at "New", it holds what arrived in the last day."""


@dataclass(frozen=True)
class ListSpec:
    """One list of items, in words and as a query (the session builds the query)."""

    name: str
    """A stable name: ``starred``, ``feed``…; commands and keys refer to lists by it."""
    title: str
    """What the list's title bar calls it."""
    empty: str
    """What an empty list says: why it is empty and how to fill it."""
    flags: tuple[str, ...] = ()
    unread: bool = False
    own: str = "exclude"
    """The user's own items (``mine = true`` sources): "exclude", "only" or "include"."""
    since_mark: str | None = None
    """Only items first stored after this store mark (see ``NEW_MARK``)."""
    sources: tuple[str, ...] | None = None
    one_per_link: bool = False
    """Each link once (a bookmark made in folio and listed again by the bookmark service)."""


VIEWS: tuple[ListSpec, ...] = (
    ListSpec(
        "unread",
        "Unread",
        "Nothing unread: you are up to date.",
        unread=True,
    ),
    ListSpec(
        "starred",
        "Starred",
        "Nothing starred yet. Press s on an item to star it.",
        flags=("starred",),
        own="include",
    ),
    ListSpec(
        "saved",
        "Later",
        "Nothing saved for later. Press l on an item to keep it here.",
        flags=("saved",),
        own="include",
    ),
    ListSpec(
        "bookmarked",
        "Bookmarked",
        "Nothing bookmarked yet. Press b on an item to bookmark it.",
        flags=("bookmarked",),
        own="include",
        one_per_link=True,
    ),
    ListSpec("all", "All items", "No items yet: refresh (R) to fetch your sources.", own="include"),
    ListSpec(
        "new",
        "New since I last looked",
        "Nothing new since you last looked.",
        since_mark=NEW_MARK,
    ),
)
"""The flag and state views, in the order the view key cycles through them."""

VIEW_NAMES: tuple[str, ...] = tuple(spec.name for spec in VIEWS)


def view(name: str) -> ListSpec:
    """The view called ``name`` (ValueError for an unknown name)."""
    for spec in VIEWS:
        if spec.name == name:
            return spec
    raise ValueError(f"unknown list {name!r}; the lists are {', '.join(VIEW_NAMES)}")


CYCLE: tuple[str, ...] = ("inbox", *VIEW_NAMES)
"""What the view key steps through: the dashboard's Inbox, then each view, and round."""


def next_view(name: str, step: int = 1) -> str:
    """The list after (or before) ``name`` in ``CYCLE``; from a list outside the cycle
    (a feed's), the first view."""
    if name not in CYCLE:
        return VIEW_NAMES[0] if step > 0 else VIEW_NAMES[-1]
    return CYCLE[(CYCLE.index(name) + step) % len(CYCLE)]


def feed_list(url: str, title: str) -> ListSpec:
    """Every item of one feed, read or not, newest first."""
    return ListSpec(
        "feed",
        title,
        "This feed has no items yet: it is fetched with the next refresh (R).",
        own="include",
        sources=(url,),
    )


# -- the Inbox's order --------------------------------------------------------------------


@dataclass
class ItemRows:
    """A list's ids in order, with headings placed before some of them."""

    ids: list[int] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    """(index into ``ids``, text): a heading row goes just before that item."""


BUCKETS: tuple[float, ...] = (0, 1, 2, 2.5, 3)
"""Inbox groups by triage rank: Quick wins, Big bets, Fill-ins, not in the matrix, Drop
(the integer part of ``rules.source_ranks``; unranked sources rank 2.5)."""


def bucket_of(rank: float) -> float:
    return rank if rank == 2.5 else float(min(int(rank), 3))


def inbox_order(
    rows: Sequence[tuple[int, str, float]],
    ranks: dict[str, float],
    recent_since: dt.datetime,
    labels: dict[float, str],
    recent_label: str,
    unranked: float = 2.5,
) -> ItemRows:
    """The Inbox: unread items published since ``recent_since`` first, then older ones;
    within each part, grouped by the matrix's quadrants (Quick wins, Big bets, Fill-ins,
    sources the matrix does not cover, Drop), newest first within a group.

    ``rows`` are (id, source, published timestamp), newest first. A heading names each
    part and group with its count ("Last 2 days · Big bets · 3"). With no matrix at all
    there are no groups, only the two parts. So a post from today on a Big bet comes
    before last month's Quick wins, and the matrix still orders each part.
    """
    cutoff = recent_since.timestamp()
    recent: dict[float, list[int]] = {}
    older: dict[float, list[int]] = {}
    for item_id, source, published in rows:
        bucket = bucket_of(ranks.get(source, unranked))
        (recent if published >= cutoff else older).setdefault(bucket, []).append(item_id)
    result = ItemRows()
    grouped = bool(ranks)
    for part, groups in ((recent_label, recent), ("Older", older)):
        for bucket in BUCKETS:
            ids = groups.get(bucket)
            if not ids:
                continue
            name = f"{part} · {labels.get(bucket, '')}" if grouped else part
            result.headings.append((len(result.ids), f"{name} · {len(ids)}"))
            result.ids.extend(ids)
    return result


def recent_label(window: dt.timedelta) -> str:
    """How the Inbox's recent part is headed: "Last 24 hours", "Last 2 days"…"""
    hours = window.total_seconds() / 3600
    if hours < 48 and hours == int(hours):
        return f"Last {int(hours)} hour{'s' * (hours != 1)}"
    days = hours / 24
    if days == int(days):
        return f"Last {int(days)} day{'s' * (days != 1)}"
    return f"Last {hours:.0f} hours"


# -- finding sources and dates for ``folio items`` -----------------------------------------


def match_sources(sources: Sequence[Source], text: str) -> list[Source]:
    """The sources ``text`` names: its URL; else a source whose name is ``text`` (any
    case); else every source whose name or URL contains it (any case)."""
    wanted = text.strip()
    exact = [s for s in sources if s.url == wanted]
    if exact:
        return exact
    folded = wanted.casefold()
    named = [s for s in sources if s.title.casefold() == folded]
    if named:
        return named
    return [s for s in sources if folded in s.title.casefold() or folded in s.url.casefold()]


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """``--since``: a date (2026-11-01), a date and time (2026-11-01T09:30, taken as local
    time when it has no offset), or a span back from now ("36h", "2d", "1w").
    ValueError with a sentence otherwise."""
    value = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?\s*[smhdw]", value):
        return now - dt.timedelta(seconds=parse_duration(value))
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date: write it as 2026-11-01, 2026-11-01T09:30, "
            "or as a span back from now such as 36h, 2d or 1w"
        ) from None
    if when.tzinfo is None:
        when = when.astimezone()  # a time without an offset is the user's local time
    return when.astimezone(dt.UTC)
