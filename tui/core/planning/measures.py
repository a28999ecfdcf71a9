"""The words portfolio.toml uses for the user's own output: a source's target cadence
(``target = "2/w"``) and the measures a roadmap experiment can name (``metric =
"replies/post"``). Pure definitions, so the portfolio reader can validate them without
importing the store; ``output`` computes the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAYS_PER_MONTH = 365.25 / 12
"""An average month, so "1/m" is the same rate in February and in March."""

TARGET_UNITS: dict[str, float] = {"d": 7.0, "w": 1.0, "m": 7.0 / DAYS_PER_MONTH}
"""Posts per week that one post per unit makes."""
_UNIT_WORDS = {"d": "day", "w": "week", "m": "month"}
_UNIT_ALIASES = {
    "d": "d",
    "day": "d",
    "w": "w",
    "wk": "w",
    "week": "w",
    "m": "m",
    "mo": "m",
    "month": "m",
}
_TARGET = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*([a-z]+)\s*$")

TARGET_EXAMPLE = '"2/w" (twice a week), "1/m" (once a month) or "1/d" (daily)'


@dataclass(frozen=True)
class Target:
    """A posting cadence the user aims for: ``count`` posts per ``unit`` (d, w or m)."""

    count: float
    unit: str

    @property
    def per_week(self) -> float:
        return self.count * TARGET_UNITS[self.unit]

    @property
    def text(self) -> str:
        """As written in portfolio.toml, normalised: ``"2/w"``."""
        return f"{self.count:g}/{self.unit}"

    @property
    def words(self) -> str:
        """For people: ``"2 a week"``."""
        return f"{self.count:g} a {_UNIT_WORDS[self.unit]}"


def parse_target(text: str) -> Target:
    """``"2/w"``, ``"1/m"``, ``"3/week"``... as a Target; ValueError in words otherwise."""
    match = _TARGET.match(text.lower())
    unit = _UNIT_ALIASES.get(match.group(2)) if match else None
    if match is None or unit is None:
        raise ValueError(
            f"expected a number of posts per day, week or month, such as {TARGET_EXAMPLE}"
        )
    count = float(match.group(1))
    if count <= 0:
        raise ValueError(f"the number of posts must be more than zero, such as {TARGET_EXAMPLE}")
    return Target(count, unit)


COUNT_FIELDS: tuple[str, ...] = ("replies", "reposts", "likes", "quotes", "points", "comments")
"""The counts that make up a post's engagement: what people did with it."""
REACH_FIELDS: tuple[str, ...] = ("views", "downloads")
"""Counts kept apart from engagement: they measure reach (a video's views, a release's
downloads), and only some platforms give them."""

MEASURES: dict[str, str] = {
    "posts/week": "posts published per week",
    "engagement/post": "replies, reposts, likes, quotes, points and comments per post",
    "replies/post": "replies per post",
    "reposts/post": "reposts (boosts, shares) per post",
    "likes/post": "likes (favourites, stars) per post",
    "quotes/post": "quotes per post",
    "points/post": "points (score) per post",
    "comments/post": "comments per post",
    "views/post": "views per post",
    "downloads/post": "downloads per release",
    "followers/week": "followers gained per week",
}
"""What ``metric`` in a ``[[roadmap]]`` table may name, computed on the experiment's
linked own sources (``mine = true``). A per-post figure is the total of each post's
latest counts divided by the posts that have counts."""


def check_metric(name: str) -> str:
    """``name`` when folio can compute it; ValueError listing the known measures otherwise."""
    if name not in MEASURES:
        raise ValueError(f"unknown measure {name!r}; folio computes {', '.join(MEASURES)}")
    return name
