"""The widgets of "My output": a table of the user's own sources and a panel on the one
under the cursor (its labelled weekly sparkline, target, best post, followers). Its posts
are listed by ``post_list.PostList``.

They draw what tui/core/planning/output*.py compute. Post titles come from feeds and
APIs: they reach the screen as ``Text``/``Content`` built from plain strings, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.widgets import DataTable, Static

from ..core.planning.output import SourceOutput
from ..core.planning.output_text import (
    NUMERIC_COLUMNS,
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
"""Below this many columns the sources table keeps only its most telling columns; the
panel under it still says everything."""
NARROW_COLUMNS = ("name", "rate", "last", "engagement", "followers", "weeks")
NAME_WIDTH = 28


def column_widths(labels: dict[str, str], rows: list[dict[str, str]]) -> dict[str, int]:
    """Each column's width: its longest cell or its heading. Numbers are padded to it on
    the left, so they line up on the right."""
    return {
        key: max([len(label), *(len(row[key]) for row in rows)]) for key, label in labels.items()
    }


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


class OwnSourcesTable(DataTable[Text]):
    """One row per own source; the row key is the source's URL."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.columns_shown: tuple[str, ...] = ()
        self.figures: dict[str, SourceOutput] = {}

    @property
    def narrow(self) -> bool:
        return self.columns_shown == NARROW_COLUMNS

    @property
    def current_url(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def show(self, rows: list[SourceOutput], narrow: bool, select: str | None = None) -> None:
        """Redraw every row, keeping the cursor on ``select`` or the source it was on."""
        keep = select or self.current_url
        columns = NARROW_COLUMNS if narrow else tuple(key for key, _ in SOURCE_COLUMNS)
        if columns != self.columns_shown:
            self.clear(columns=True)
            labels = dict(SOURCE_COLUMNS)
            for key in columns:
                self.add_column(labels[key], key=key)
            self.columns_shown = columns
        else:
            self.clear()
        self.figures = {row.source.url: row for row in rows}
        all_cells = [source_cells(row) for row in rows]
        for cells in all_cells:
            cells["name"] = _cut(cells["name"], NAME_WIDTH)
        widths = column_widths(dict(SOURCE_COLUMNS), all_cells)
        for row, cells in zip(rows, all_cells, strict=True):
            self.add_row(
                *(self._cell(key, cells[key], widths[key]) for key in columns), key=row.source.url
            )
        order = [row.source.url for row in rows]
        if keep in order:
            self.move_cursor(row=order.index(keep))

    @staticmethod
    def _cell(key: str, value: str, width: int) -> Text:
        # Source names come from feeds and from portfolio.toml: Text, never markup.
        if key == "weeks":
            return Text(value, style="bold")
        return Text(value.rjust(width) if key in NUMERIC_COLUMNS else value)


class OutputDetail(Static):
    """What the table cannot say about the source under the cursor, on a few lines."""

    def show(self, figures: SourceOutput | None) -> None:
        self.update(self.describe(figures) if figures is not None else Content(""))

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
