"""What "My output" shows beside its two lists (``row_list.RowList``): the columns of the
sources list, and a panel on the source under the cursor (its labelled weekly sparkline,
target, best post, followers).

They draw what tui/core/planning/output*.py compute. Post titles come from feeds and
APIs: they reach the screen as ``Text``/``Content`` built from plain strings, never markup.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from ..core.planning.output import SourceOutput
from ..core.planning.output_text import (
    SOURCE_COLUMNS,
    age_text,
    best_sentence,
    followers_text,
    gap_text,
    source_cells,
    spark_label,
    target_sentence,
)

NARROW = 110
"""Below this many columns the sources list keeps only its most telling columns; the
panel under it still says everything."""
NARROW_COLUMNS = ("name", "rate", "last", "engagement", "followers", "weeks")
NAME_WIDTH = 28
NARROW_NAME_WIDTH = 18


def column_widths(labels: dict[str, str], rows: list[dict[str, str]]) -> dict[str, int]:
    """Each column's width: its longest cell or its heading. Numbers are padded to it on
    the left, so they line up on the right."""
    return {
        key: max([len(label), *(len(row[key]) for row in rows)]) for key, label in labels.items()
    }


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def source_columns(narrow: bool) -> list[tuple[str, str]]:
    """The sources list's columns: fewer below ``NARROW`` columns."""
    return [(key, label) for key, label in SOURCE_COLUMNS if not narrow or key in NARROW_COLUMNS]


def source_row_cells(figures: SourceOutput, name_width: int = NAME_WIDTH) -> dict[str, str]:
    cells = source_cells(figures)
    cells["name"] = _cut(cells["name"], name_width)
    return cells


def name_width(narrow: bool) -> int:
    """Source names are cut shorter below ``NARROW``, so the sparkline stays in view."""
    return NARROW_NAME_WIDTH if narrow else NAME_WIDTH


def source_widths(rows: list[SourceOutput], narrow: bool = False) -> dict[str, int]:
    """Each column's width: its heading's or its longest cell's (there are few rows)."""
    cells = [source_row_cells(row, name_width(narrow)) for row in rows]
    return {
        key: max([len(label), *(len(row[key]) for row in cells)]) for key, label in SOURCE_COLUMNS
    }


class TextBlock(Widget):
    """Lines of Content of a fixed height (CSS), redrawn in place when they change: a
    Static's update lays the whole screen out again, a tenth of a second on a busy
    machine, on every cursor move."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.content = Content("")

    def set(self, content: Content) -> None:
        if content != self.content:
            self.content = content
            self.refresh()

    def render(self) -> Content:
        return self.content


class OutputDetail(TextBlock):
    """What the list cannot say about the source under the cursor, on four lines."""

    DEFAULT_CSS = """
    OutputDetail { height: 4; }
    """

    def show(self, figures: SourceOutput | None) -> None:
        self.set(self.describe(figures) if figures is not None else Content(""))

    @staticmethod
    def describe(figures: SourceOutput) -> Content:
        source = figures.source
        bars, label = spark_label(figures)
        kind = source.api or source.kind
        followers = figures.followers
        follower_words = "no follower figures"
        if followers is not None:
            follower_words = f"followers {followers_text(followers)}"
            if followers.since is not None:
                since = followers.since.astimezone().strftime("%d %b").lstrip("0")
                follower_words += f" since {since}"
        peak = max(figures.weekly, default=0)
        lead = "Posts a week "
        lines = [
            Content.assemble(
                (source.title, "bold"),
                (f"  {kind} · ", "$text-muted"),
                target_sentence(figures),
            ),
            Content.assemble(
                (lead, "$text-muted"),
                (bars, "bold $text-accent"),
                (
                    f"  most {peak} · last post {age_text(figures.last_post, figures.now)}"
                    f" · longest gap {gap_text(figures.gap)} · {follower_words}",
                    "$text-muted",
                ),
            ),
            Content.styled(" " * len(lead) + label, "$text-muted"),
        ]
        best = figures.best
        # The title is untrusted: it is a Content of its own, joined, never markup.
        best_line = Content.assemble(("Best recent post: ", "$text-muted"), best_sentence(figures))
        if best is not None:
            title = " ".join((best.title or best.link or "(untitled)").split())
            best_line = best_line + Content(" — ") + Content(title)
        lines.append(best_line)
        return Content("\n").join(lines)
