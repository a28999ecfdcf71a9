"""What "My output" and ``folio output`` write: figures as short text, the labelled
weekly sparkline, and the command line's table. Plain strings; the screen wraps them
in Content, and post titles (untrusted) are never part of markup."""

from __future__ import annotations

import datetime as dt

from tui.core.planning.output import (
    ALL_FIELDS,
    Followers,
    Gap,
    Post,
    SourceOutput,
    count_fields,
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
    if fields and fields != ["views"]:
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


PostTable = tuple[list[tuple[str, str]], list[dict[str, str]], dict[str, int]]


def post_table(posts: list[Post]) -> PostTable:
    """The posts list of one source: its columns, each post's cells, each column's width
    (its longest cell or heading). Plain strings, made off the event loop."""
    fields = count_fields(posts)
    columns = post_columns(fields)
    cells = [post_cells(post, fields) for post in posts]
    widths = {
        key: max([len(label), *(len(row[key]) for row in cells)])
        for key, label in columns
        if key != "title"
    }
    return columns, cells, widths


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
