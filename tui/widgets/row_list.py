"""A table as a Line API list: rows under fixed columns, one line a row, a cursor.

Only the rows on screen are drawn, and only their text is made (by the ``cells``
function given to ``show``), so thousands of rows cost a screenful. "My output" uses it
for its own sources and their posts: a DataTable took 0.5 s to lay out 2,000 posts, and
redrawing its rows when the cursor moved took most of a key press.

Cell text may be untrusted (post titles): it is drawn as plain ``Segment`` text after
``plain()`` has stripped controls again, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from .. import keys
from .itemlist import fit, plain

GAP = 2
"""Cells between two columns."""
STRETCH_MIN = 16
"""The stretching column (a post's title) never gets less than this."""


class RowList(ScrollView, can_focus=True):
    """Rows under ``columns`` (key, heading); ``numeric`` columns are right-aligned and
    ``stretch`` takes what the others leave. The cursor is an index into ``row_keys``."""

    BINDINGS: ClassVar[list[BindingType]] = keys.MOVE
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "row-list--cursor",
        "row-list--muted",
        "row-list--accent",
        "row-list--empty",
    }
    DEFAULT_CSS = """
    RowList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        & > .row-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .row-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .row-list--muted { color: $text-muted; }
        & > .row-list--accent { color: $text-accent; text-style: bold; }
        & > .row-list--empty { color: $text-muted; text-style: italic; }
    }
    """

    class Highlighted(Message):
        """The cursor moved to another row (by a key or the mouse, not by ``show``)."""

        def __init__(self, row_list: RowList, key: Hashable) -> None:
            super().__init__()
            self.row_list = row_list
            self.key = key

        @property
        def control(self) -> RowList:
            return self.row_list

    class Selected(Message):
        """A row was chosen (a double click; Enter is the screen's)."""

        def __init__(self, row_list: RowList, key: Hashable) -> None:
            super().__init__()
            self.row_list = row_list
            self.key = key

        @property
        def control(self) -> RowList:
            return self.row_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.row_keys: list[Hashable] = []
        self.columns: list[tuple[str, str]] = []
        self.widths: dict[str, int] = {}
        self.numeric: frozenset[str] = frozenset()
        self.muted: frozenset[str] = frozenset()
        self.accent: frozenset[str] = frozenset()
        self.stretch: str | None = None
        self.empty_text = ""
        self._rows: list[Any] = []
        self._make_cells: Callable[[Any], dict[str, str]] = lambda row: {}
        self._cells: dict[int, dict[str, str]] = {}
        self._cursor = 0
        self._styles: dict[str, Style] = {}

    # -- data ---------------------------------------------------------------------------

    def show(
        self,
        rows: Sequence[Any],
        row_keys: Sequence[Hashable],
        cells: Callable[[Any], dict[str, str]],
        columns: Sequence[tuple[str, str]],
        widths: dict[str, int],
        *,
        numeric: frozenset[str] = frozenset(),
        muted: frozenset[str] = frozenset(),
        accent: frozenset[str] = frozenset(),
        stretch: str | None = None,
        select: Hashable | None = None,
    ) -> None:
        """Show ``rows``; the cursor goes to ``select`` when given, else it stays on the row
        key it was on (or the top when that is gone)."""
        keep = select if select is not None else self.cursor_key
        self._rows = list(rows)
        self.row_keys = list(row_keys)
        self._make_cells = cells
        self._cells = {}
        self.columns = list(columns)
        self.widths = dict(widths)
        self.numeric, self.muted, self.accent, self.stretch = numeric, muted, accent, stretch
        found = self.row_keys.index(keep) if keep in self.row_keys else None
        self._cursor = found if found is not None else 0
        self.virtual_size = Size(0, len(self.row_keys))
        if found is None:
            self.scroll_to(y=0, animate=False, force=True)
        self._scroll_cursor_into_view()
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.row_keys)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> Hashable | None:
        return self.row_keys[self._cursor] if self.row_keys else None

    def row_cells(self, row: int) -> dict[str, str]:
        """The text of one row's cells, made when first drawn."""
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = self._make_cells(self._rows[row])
        return cells

    def move_to(self, key: Hashable) -> None:
        if key in self.row_keys:
            self._set_cursor(self.row_keys.index(key))

    # -- layout ---------------------------------------------------------------------------

    def stretch_width(self, width: int) -> int:
        used = sum(self.widths.get(key, 0) + GAP for key, _ in self.columns if key != self.stretch)
        return max(width - used - 1, STRETCH_MIN)

    def _width(self, key: str, width: int) -> int:
        return self.stretch_width(width) if key == self.stretch else self.widths.get(key, 0)

    def header(self, width: int) -> Content:
        """The column headings, laid out as the rows are."""
        parts = [Content(" ")]
        for key, label in self.columns:
            size = self._width(key, width)
            parts.append(Content(label.rjust(size) if key in self.numeric else fit(label, size)))
            parts.append(Content(" " * GAP))
        return Content.assemble(*parts).truncate(width)

    # -- keys and mouse -------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._set_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self._cursor - 1)

    def action_page_down(self) -> None:
        self._set_cursor(self._cursor + max(1, self._page_height() - 1))

    def action_page_up(self) -> None:
        self._set_cursor(self._cursor - max(1, self._page_height() - 1))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self.row_keys) - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = round(self.scroll_y) + offset.y
        if not 0 <= row < len(self.row_keys):
            return
        self._set_cursor(row)
        if event.chain >= 2:
            self.post_message(self.Selected(self, self.row_keys[row]))

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _set_cursor(self, index: int) -> None:
        if not self.row_keys:
            return
        index = max(0, min(index, len(self.row_keys) - 1))
        if index != self._cursor:
            previous, self._cursor = self._cursor, index
            self.refresh_line(previous)
            self.refresh_line(index)
            self.post_message(self.Highlighted(self, self.row_keys[index]))
        self._scroll_cursor_into_view()

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        height = self._page_height()
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False, force=True)

    # -- drawing --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name)
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = round(self.scroll_y) + y
        if not self.row_keys:
            if y == 0 and self.empty_text:
                text = fit(" " + self.empty_text, width)
                return Strip([Segment(text, self._style("row-list--empty"))])
            return Strip.blank(width, base)
        if row >= len(self.row_keys):
            return Strip.blank(width, base)
        cursor = self._style("row-list--cursor") if row == self._cursor else None

        def styled(name: str | None) -> Style:
            style = self._style(name) if name else base
            return style + cursor if cursor is not None else style

        cells = self.row_cells(row)
        segments = [Segment(" ", styled(None))]
        for key, _ in self.columns:
            size = self._width(key, width)
            value = plain(cells.get(key, ""))
            text = value.rjust(size) if key in self.numeric else fit(value, size)
            name = (
                "row-list--muted"
                if key in self.muted
                else "row-list--accent"
                if key in self.accent
                else None
            )
            segments.append(Segment(text, styled(name)))
            segments.append(Segment(" " * GAP, styled(None)))
        return Strip(segments).adjust_cell_length(width, styled(None) if cursor else base)


class ColumnsHeader(Widget):
    """The headings of the RowList it is given, aligned with its columns."""

    DEFAULT_CSS = """
    ColumnsHeader { height: 1; background: $panel; color: $text; text-style: bold; }
    """

    def __init__(self, row_list: RowList, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.row_list = row_list

    def render(self) -> Content:
        # The list's scrollbar may take a cell: lay out for the list's own width.
        width = self.row_list.scrollable_content_region.width or self.size.width
        return self.row_list.header(width)
