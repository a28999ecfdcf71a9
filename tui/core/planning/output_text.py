"""What "My output" and ``folio output`` write: figures as short text, the labelled
weekly sparkline, and the command line's table. Plain strings; the screen wraps them
in Content, and post titles (untrusted) are never part of markup."""

from __future__ import annotations

import datetime as dt

from tui.core.planning.measures import COUNT_FIELDS
from tui.core.planning.output import (
    ALL_FIELDS,
    Followers,
    Gap,
    Post,
    SourceOutput,
    number_text,
    rate_text,
    signed_text,
)
from tui.core.planning.views import sparkline

# -- words and numbers, shared by the screen and the command line ------------------------


def age_text(when: dt.datetime | None, now: dt.datetime) -> str:
    """``"today"``, ``"3d ago"``, ``"5w ago"``; ``"never"`` for no post."""
    if when is None:
        return "never"
    days = (now - when).total_seconds() / 86400
    if days < 1:
        return "today"
    if days < 14:
        return f"{int(days)}d ago"
    if days < 120:
        return f"{int(days // 7)}w ago"
    return when.date().isoformat()


def days_text(days: float) -> str:
    return f"{days:.0f}d" if days >= 1 else f"{days * 24:.0f}h"


def target_text(figures: SourceOutput) -> str:
    """``"2/w ✓"`` on target, ``"2/w 60%"`` below it, ``""`` with no target."""
    share = figures.on_target
    if figures.target is None or share is None:
        return ""
    mark = "✓" if share >= 1 else f"{share * 100:.0f}%"
    return f"{figures.target.text} {mark}"


def gap_text(gap: Gap | None) -> str:
    """``"12d"``, or ``"12d, now"`` while it lasts; ``"–"`` for none."""
    if gap is None:
        return "–"
    return days_text(gap.days) + (", now" if gap.ongoing else "")


def followers_text(followers: Followers | None) -> str:
    """``"1.2k +56"``: the latest figure and its change over the window."""
    if followers is None:
        return "–"
    change = signed_text(followers.change)
    return number_text(followers.latest) + (f" {change}" if change else "")


FIELD_LABELS: dict[str, str] = {
    "replies": "Replies",
    "reposts": "Reposts",
    "likes": "Likes",
    "quotes": "Quotes",
    "points": "Points",
    "comments": "Comments",
    "views": "Views",
    "downloads": "Downloads",
}
assert set(FIELD_LABELS) == set(ALL_FIELDS)

SOURCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Source"),
    ("posts", "Posts"),
    ("rate", "Rate"),
    ("target", "Target"),
    ("last", "Last post"),
    ("gap", "Longest gap"),
    ("engagement", "Eng./post"),
    ("best", "Best"),
    ("followers", "Followers"),
    ("weeks", "Posts a week"),
)
NUMERIC_COLUMNS = frozenset({"posts", "rate", "engagement", "best", "followers"})


def source_cells(figures: SourceOutput) -> dict[str, str]:
    """The plain text of each column of one source's row (``SOURCE_COLUMNS``)."""
    best = figures.best
    return {
        "name": figures.source.title,
        "posts": str(len(figures.posts)),
        "rate": rate_text(figures.per_week),
        "target": target_text(figures) or "–",
        "last": age_text(figures.last_post, figures.now),
        "gap": gap_text(figures.gap),
        "engagement": number_text(figures.engagement_median),
        "best": number_text(best.engagement) if best else "–",
        "followers": followers_text(figures.followers),
        "weeks": sparkline(figures.weekly),
    }


def post_columns(fields: list[str]) -> list[tuple[str, str]]:
    """The posts table's columns for a source whose posts have ``fields``."""
    columns = [("published", "Published"), ("title", "Post")]
    columns += [(name, FIELD_LABELS[name]) for name in fields]
    if any(name in COUNT_FIELDS for name in fields):
        columns.append(("engagement", "Eng."))
    return columns


def count_text(value: int | None, change: int | None) -> str:
    """``"12 +3"``: the latest count and its change since the snapshot before."""
    if value is None:
        return "–"
    delta = signed_text(change) if change else ""
    return number_text(value) + (f" {delta}" if delta else "")


def post_cells(post: Post, fields: list[str]) -> dict[str, str]:
    """The plain text of each column of one post's row; the title is the caller's to
    wrap (it is untrusted text)."""
    counts, change = post.counts, post.change
    cells = {
        "published": post.published.astimezone().strftime("%Y-%m-%d %H:%M"),
        "title": " ".join((post.title or post.link or "(untitled)").split()),
    }
    for name in fields:
        cells[name] = count_text(counts.get(name), change.get(name))
    cells["engagement"] = count_text(post.engagement, post.engagement_change)
    return cells


PUBLISHED_WIDTH = len("2026-01-31 23:59")

# Ranges of counts within which the width of ``number_text`` grows with the size of the
# number ("999" is wider than "10", "9.9k" than "1.0k", "123k" than "10k"), so the widest
# text of a set of counts is that of the largest of them in one of these ranges.
_WIDTH_RANGES = ((0, 999), (1000, 9999), (10_000, None))


def widest_number(values: list[int]) -> int:
    """The width of the widest ``number_text`` of ``values``, without formatting each."""
    widest = 0
    for low, high in _WIDTH_RANGES:
        sizes = [abs(v) for v in values if abs(v) >= low and (high is None or abs(v) <= high)]
        if sizes:
            negative = max(sizes) > 0 and -max(sizes) in values
            widest = max(widest, len(number_text(max(sizes))) + (1 if negative else 0))
    return widest


def widest_change(changes: list[int]) -> int:
    """The width ``count_text`` adds for the widest change (a space and "+3"); 0 for none."""
    changes = [change for change in changes if change]
    if not changes:
        return 0
    # A space, then signed_text: a sign ("+3", "-2") and the number's text.
    return 2 + widest_number([abs(change) for change in changes])


def post_widths(posts: list[Post], columns: list[tuple[str, str]]) -> dict[str, int]:
    """Each column's width for ``posts`` (at least its heading's), worked out from the
    least and greatest counts and changes rather than from every row's text: 2,000 rows
    formatted took 0.2 s, where only a screenful is ever drawn."""
    widths = {"published": max(PUBLISHED_WIDTH, len("Published"))}
    rows = [(post.latest, post.previous) for post in posts if post.latest is not None]
    for key, label in columns:
        if key in ("published", "title"):
            continue
        if key == "engagement":
            values = [value for post in posts if (value := post.engagement) is not None]
            changes = [c for post in posts if (c := post.engagement_change) is not None]
        else:
            index = ALL_FIELDS.index(key)
            values = [value for latest, _ in rows if (value := latest[index]) is not None]
            changes = [
                new - old
                for latest, previous in rows
                if previous is not None
                and (new := latest[index]) is not None
                and (old := previous[index]) is not None
            ]
        widths[key] = max(len(label), widest_number(values) + widest_change(changes), 1)
    return widths


def spark_label(figures: SourceOutput) -> tuple[str, str]:
    """The weekly sparkline and, under it, the first week's date and "now" at its ends."""
    bars = sparkline(figures.weekly)
    if not figures.weekly:
        return "", ""
    first = figures.week_starts[0].astimezone().strftime("%d %b").lstrip("0")
    width = len(bars)
    label = first + " " * max(1, width - len(first) - 3) + "now"
    return bars, label


def target_sentence(figures: SourceOutput) -> str:
    """Cadence against the target in words, or how to set one."""
    rate = rate_text(figures.per_week)
    target = figures.target
    if target is None or figures.on_target is None:
        return f'{rate}; no target set (add target = "2/w" to this source in portfolio.toml)'
    share = figures.on_target
    verdict = "on target" if share >= 1 else f"{share * 100:.0f}% of it"
    return f"{rate} against a target of {target.words}: {verdict}"


def best_sentence(figures: SourceOutput) -> str:
    best = figures.best
    if best is None:
        if figures.source.api:
            return "No counts yet: they arrive with the next refresh."
        return "A feed gives no counts; posts and cadence only."
    parts = [f"{number_text(value)} {name}" for name, value in best.counts.items()]
    return (
        f"{number_text(best.engagement)} ({', '.join(parts)}), "
        f"{age_text(best.published, figures.now)}"
    )


def output_table(rows: list[SourceOutput]) -> list[str]:
    """``folio output``: one line per own source, columns aligned, then the window."""
    header = [label for key, label in SOURCE_COLUMNS]
    lines = [header]
    for figures in rows:
        cells = source_cells(figures)
        cells["name"] = cells["name"][:32]
        lines.append([cells[key] for key, _ in SOURCE_COLUMNS])
    widths = [max(len(line[index]) for line in lines) for index in range(len(header))]
    out = []
    for line in lines:
        words = []
        for (key, _), cell, width in zip(SOURCE_COLUMNS, line, widths, strict=True):
            words.append(cell.rjust(width) if key in NUMERIC_COLUMNS else cell.ljust(width))
        out.append("  ".join(words).rstrip())
    if rows:
        start = rows[0].window_start.astimezone().date().isoformat()
        out.append(f"Posts since {start} (the [output] window); engagement is a median per post.")
    return out
