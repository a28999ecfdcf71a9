"""The priority matrix as a 2×2 grid: value grows upwards, effort to the right.

Each quadrant is one widget drawing its entries as lines of Content (two lines an
entry), so a redraw after an edit is synchronous and cheap, and entry names never pass
through markup. The grid owns the cursor; the screen owns editing.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.style import Style
from textual.widget import Widget

from .. import keys
from ..core.planning.rules import QUADRANTS, quadrant_label
from ..core.planning.views import QUADRANT_RANGES, EntryView, matrix_move, matrix_order
from ..core.storage.portfolio import MatrixAxes

ROW_HEIGHT = 2
"""Lines an entry takes; one more when it covers the user's own sources (its output)."""


def entry_height(entry: EntryView) -> int:
    return ROW_HEIGHT + (1 if entry.output else 0)


def entry_top(entries: list[EntryView], index: int) -> int:
    """The line an entry starts on within its quadrant."""
    return sum(entry_height(entry) for entry in entries[:index])


class QuadrantList(Widget):
    """The entries of one quadrant: name and scores, then the items opened per week (a
    sparkline on the scale every entry shares) with this week's count, unread and notes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "quadrant-list--cursor",
        "quadrant-list--cursor-blurred",
        "quadrant-list--spark",
        "quadrant-list--muted",
        "quadrant-list--unread",
    }
    DEFAULT_CSS = """
    QuadrantList {
        height: auto;
        & > .quadrant-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .quadrant-list--cursor-blurred { background: $block-cursor-blurred-background; }
        & > .quadrant-list--spark { color: $accent; }
        & > .quadrant-list--muted { color: $text-muted; }
        & > .quadrant-list--unread { color: $text-warning; }
    }
    """

    class Clicked(Message):
        def __init__(self, entry_id: str) -> None:
            super().__init__()
            self.entry_id = entry_id

    def __init__(self, quadrant: str) -> None:
        super().__init__(id=f"list-{quadrant}")
        self.quadrant = quadrant
        self.entries: list[EntryView] = []
        self.selected: str | None = None
        self.focused = False

    @property
    def entry_ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(entry_top(self.entries, len(self.entries)), 1)

    def _style(self, name: str) -> Style:
        return self.get_visual_style(f"quadrant-list--{name}")

    def render(self) -> Content:
        width = max(self.size.width, 10)
        if not self.entries:
            return Content.styled("nothing here", "italic $text-muted")
        lines: list[Content] = []
        for entry in self.entries:
            scores = f" v{entry.value} e{entry.effort}"
            name = Content(entry.name).truncate(width - len(scores), ellipsis=True, pad=True)
            first = Content.assemble(name, (scores, self._style("muted")))
            unread = f" · {entry.unread} unread"
            second = Content.assemble(
                ("opened ", self._style("muted")),
                (entry.opened_spark, self._style("spark")),
                f" {entry.opened_week}",
                (unread, self._style("unread" if entry.unread else "muted")),
            )
            notes = entry.notes.splitlines()[0] if entry.notes.strip() else ""
            if notes:
                second = Content.assemble(second, "  ", (notes, self._style("muted")))
            second = second.truncate(width, ellipsis=True, pad=True)
            entry_lines = [first, second, *self._output_lines(entry, width)]
            if entry.id == self.selected:
                cursor = self._style("cursor" if self.focused else "cursor-blurred")
                entry_lines = [line.stylize(cursor) for line in entry_lines]
            lines += entry_lines
        return Content("\n").join(lines)

    def _output_lines(self, entry: EntryView, width: int) -> list[Content]:
        """The entry's own output (cadence, engagement per post), when it covers any."""
        if not entry.output:
            return []
        return [
            Content.styled(entry.output, "$text-success").truncate(width, ellipsis=True, pad=True)
        ]

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for index, entry in enumerate(self.entries):
            top = entry_top(self.entries, index)
            if top <= offset.y < top + entry_height(entry):
                self.post_message(self.Clicked(entry.id))
                return


class QuadrantPanel(VerticalScroll, can_focus=False):
    """A bordered, scrolling frame around one QuadrantList, titled with its label."""

    DEFAULT_CSS = """
    QuadrantPanel {
        border: round $border-blurred;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
        &.-current { border: round $border; border-title-style: bold; }
    }
    """


class MatrixGrid(Widget, can_focus=True):
    """Four quadrants and a cursor. Arrow keys move the cursor (see ``matrix_move``);
    clicking an entry selects it."""

    BINDINGS: ClassVar[list[BindingType]] = keys.GRID
    DEFAULT_CSS = """
    MatrixGrid {
        layout: grid;
        grid-size: 2 2;
        grid-gutter: 0 1;
        height: 1fr;
    }
    """

    class SelectionChanged(Message):
        """The cursor moved, or the entry under it changed."""

        def __init__(self, entry: EntryView | None) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, axes: MatrixAxes | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.axes = axes
        self.view: dict[str, list[EntryView]] = {name: [] for name in QUADRANTS}
        self.selected: str | None = None

    def compose(self) -> ComposeResult:
        for name in QUADRANTS:
            panel = QuadrantPanel(id=name)
            panel.border_subtitle = QUADRANT_RANGES[name]
            with panel:
                yield QuadrantList(name)

    def on_mount(self) -> None:
        self.set_axes(self.axes)

    # -- data --------------------------------------------------------------------------

    def set_axes(self, axes: MatrixAxes | None) -> None:
        self.axes = axes
        for name in QUADRANTS:
            # Content, not a str: a quadrant renamed in portfolio.toml is shown as written.
            self.query_one(f"#{name}", QuadrantPanel).border_title = Content(
                quadrant_label(axes, name)
            )

    def show(self, view: dict[str, list[EntryView]], selected: str | None = None) -> None:
        """Show new data, keeping the cursor on ``selected`` (or the current entry) when
        it still exists."""
        self.view = view
        for name in QUADRANTS:
            quadrant_list = self.query_one(f"#list-{name}", QuadrantList)
            quadrant_list.entries = view[name]
            quadrant_list.refresh(layout=True)
        order = matrix_order(view)
        wanted = selected if selected is not None else self.selected
        self.select(wanted if wanted in order else (order[0] if order else None), force=True)

    @property
    def entry(self) -> EntryView | None:
        return next(
            (e for name in QUADRANTS for e in self.view[name] if e.id == self.selected), None
        )

    def select(self, entry_id: str | None, *, force: bool = False) -> None:
        if entry_id == self.selected and not force:
            return
        self.selected = entry_id
        entry = self.entry
        for name in QUADRANTS:
            quadrant_list = self.query_one(f"#list-{name}", QuadrantList)
            quadrant_list.selected = entry_id
            quadrant_list.focused = self.has_focus
            quadrant_list.refresh()
            panel = self.query_one(f"#{name}", QuadrantPanel)
            panel.set_class(entry is not None and entry.quadrant == name, "-current")
            if entry is not None and entry.quadrant == name:
                index = quadrant_list.entry_ids.index(entry.id)
                entries = quadrant_list.entries
                region = Region(0, entry_top(entries, index), 1, entry_height(entries[index]))
                panel.scroll_to_region(region, animate=False, immediate=True)
        self.post_message(self.SelectionChanged(entry))

    # -- focus and mouse ---------------------------------------------------------------

    def _redraw_cursor(self) -> None:
        for quadrant_list in self.query(QuadrantList):
            quadrant_list.focused = self.has_focus
            quadrant_list.refresh()

    def on_focus(self) -> None:
        self._redraw_cursor()

    def on_blur(self) -> None:
        self._redraw_cursor()

    def on_quadrant_list_clicked(self, message: QuadrantList.Clicked) -> None:
        message.stop()
        self.focus()
        self.select(message.entry_id)

    # -- cursor keys -------------------------------------------------------------------

    def action_move(self, direction: str) -> None:
        self.select(matrix_move(self.view, self.selected, direction))

    def action_cursor_up(self) -> None:
        self.action_move("up")

    def action_cursor_down(self) -> None:
        self.action_move("down")

    def action_first(self) -> None:
        order = matrix_order(self.view)
        self.select(order[0] if order else None)

    def action_last(self) -> None:
        order = matrix_order(self.view)
        self.select(order[-1] if order else None)

    def _quadrant_edge(self, last: bool) -> None:
        entry = self.entry
        if entry is None:
            self.action_first()
            return
        entries = self.view[entry.quadrant]
        self.select(entries[-1 if last else 0].id)

    def action_page_down(self) -> None:
        self._quadrant_edge(last=True)

    def action_page_up(self) -> None:
        self._quadrant_edge(last=False)
