"""What the user does with items, with the time, in the store (table ``attention``,
migration 13): what the matrix exists to weigh against value and effort.

Actions recorded:

* ``opened``: shown in the reader. ``seconds`` is how long it stayed there, counted
  while folio was in use (see ``reader_time``), or NULL while it is still open.
* ``browser``: its link opened in the browser.
* ``starred``, ``saved``, ``bookmarked``: the flag set (not cleared).
* ``read_unopened``: marked read without being opened (``r``, marking a feed or
  everything above read, read-and-next).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tui.core.storage.store import Store

ACTIONS: tuple[str, ...] = ("opened", "browser", "starred", "saved", "bookmarked", "read_unopened")
OPENING: frozenset[str] = frozenset({"opened", "browser"})
"""Actions that count as opening an item: in the reader or in the browser."""
FLAG_ACTIONS: dict[str, str] = {"starred": "starred", "saved": "saved", "bookmarked": "bookmarked"}
"""Item flag → the action recorded when it is set."""

WEEK = dt.timedelta(weeks=1)


def record(
    store: Store, action: str, items: Iterable[tuple[int, str]], at: dt.datetime
) -> list[int]:
    """Record ``action`` on each (item id, source) at ``at``; returns the new row ids."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    rows = [(item_id, source, action, at.timestamp()) for item_id, source in items]
    if not rows:
        return []
    ids: list[int] = []
    with store._transaction() as db:
        for row in rows:
            cursor = db.execute(
                "INSERT INTO attention (item, source, action, at) VALUES (?, ?, ?, ?)", row
            )
            ids.append(int(cursor.lastrowid or 0))
    return ids


def set_seconds(store: Store, row_id: int, seconds: float) -> None:
    """How long the reader showed the item of ``opened`` row ``row_id``."""
    with store._transaction() as db:
        db.execute("UPDATE attention SET seconds = ? WHERE id = ?", (round(seconds, 1), row_id))


def actions_of(store: Store, item_id: int) -> list[tuple[str, dt.datetime, float | None]]:
    """Every action recorded on one item, oldest first: (action, when, seconds)."""
    rows = store._query(
        "SELECT action, at, seconds FROM attention WHERE item = ? ORDER BY at, id", (item_id,)
    )
    return [
        (action, dt.datetime.fromtimestamp(at, dt.UTC), seconds) for action, at, seconds in rows
    ]


@dataclass
class Weekly:
    """One group's attention per week, oldest week first (the last is the current one)."""

    opened: list[int] = field(default_factory=list)
    """Items opened, in the reader or the browser (an item opened twice counts once a week)."""
    minutes: list[float] = field(default_factory=list)
    """Minutes items stayed open in the reader."""
    flagged: list[int] = field(default_factory=list)
    """Stars, saves for later and bookmarks set."""
    skipped: list[int] = field(default_factory=list)
    """Items marked read without being opened."""


def weekly(
    store: Store,
    groups: Mapping[str, Sequence[str]],
    weeks: int,
    now: dt.datetime,
) -> dict[str, Weekly]:
    """Attention per week for each group of sources (a matrix entry's), over ``weeks``
    weeks ending at ``now``: week ``weeks - 1`` is the seven days up to now."""
    start = now - WEEK * weeks
    owner: dict[str, str] = {}
    for group_name, sources in groups.items():
        for url in sources:
            owner.setdefault(url, group_name)
    result = {name: Weekly([0] * weeks, [0.0] * weeks, [0] * weeks, [0] * weeks) for name in groups}
    seen: set[tuple[str, int, int]] = set()
    rows = store._query(
        "SELECT item, source, action, at, seconds FROM attention WHERE at > ? AND at <= ?",
        (start.timestamp(), now.timestamp()),
    )
    span = WEEK.total_seconds()
    for item_id, source, action, at, seconds in rows:
        group = owner.get(source)
        if group is None:
            continue
        name = group
        week = min(int((at - start.timestamp()) // span), weeks - 1)
        figures = result[name]
        if action in OPENING:
            if (name, week, item_id) not in seen:
                seen.add((name, week, item_id))
                figures.opened[week] += 1
            if seconds:
                figures.minutes[week] += seconds / 60
        elif action == "read_unopened":
            figures.skipped[week] += 1
        else:
            figures.flagged[week] += 1
    return result
