"""The posts of one own source with their counts: a Line API list, one row a post.

Only the rows on screen are drawn, and only their text is made (``output_text.post_cells``),
so an account with thousands of posts costs a screenful of rows. A DataTable took 0.5 s to
lay out 2,000 such rows, and formatting every row's text first another 0.2 s.

Titles come from feeds and APIs: drawn as plain ``Segment`` text after ``plain()`` has
stripped controls again, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

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
from ..core.planning.output import ALL_FIELDS, Post
from ..core.planning.output_text import post_cells
from .itemlist import fit, plain

GAP = 2
"""Cells between two columns."""
TITLE_MIN = 16


class PostList(ScrollView, can_focus=True):
    """One row a post under ``columns``; the title column takes what the others leave.
    The cursor is an index into ``post_ids``."""

    BINDINGS: ClassVar[list[BindingType]] = keys.MOVE
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "post-list--cursor",
        "post-list--date",
        "post-list--number",
        "post-list--empty",
    }
    DEFAULT_CSS = """
    PostList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        & > .post-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .post-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .post-list--date { color: $text-muted; }
        & > .post-list--number { color: $text; }
        & > .post-list--empty { color: $text-muted; text-style: italic; }
    }
    """

    class Selected(Message):
        """A post was chosen to be read (double click)."""

        def __init__(self, post_list: PostList, item_id: int) -> None:
            super().__init__()
            self.post_list = post_list
            self.item_id = item_id

        @property
        def control(self) -> PostList:
            return self.post_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source_url: str | None = None
        self.post_ids: list[int] = []
        self.columns: list[tuple[str, str]] = []
        self.widths: dict[str, int] = {}
        self.empty_text = ""
        self._posts: list[Post] = []
        self._fields: list[str] = []
        self._cells: dict[int, dict[str, str]] = {}
        self._cursor = 0
        self._styles: dict[str, Style] = {}

    # -- data ---------------------------------------------------------------------------

    def show(
        self,
        url: str,
        posts: Sequence[Post],
        columns: Sequence[tuple[str, str]],
        widths: dict[str, int],
    ) -> None:
        """Show another source's posts (cursor at the top), or the same source's again
        (the cursor stays on its post)."""
        keep = self.cursor_id if url == self.source_url else None
        self.source_url = url
        self._posts = list(posts)
        self.post_ids = [post.item_id for post in posts]
        self._cells = {}
        self.columns = list(columns)
        self._fields = [key for key, _ in columns if key in ALL_FIELDS]
        self.widths = dict(widths)
        self._cursor = self.post_ids.index(keep) if keep in self.post_ids else 0
        self.virtual_size = Size(0, len(self.post_ids))
        if keep is None:
            self.scroll_to(y=0, animate=False, force=True)
        self._scroll_cursor_into_view()
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.post_ids)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_id(self) -> int | None:
        return self.post_ids[self._cursor] if self.post_ids else None

    def row_cells(self, row: int) -> dict[str, str]:
        """The text of one row's cells, made when first drawn."""
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = post_cells(self._posts[row], self._fields)
        return cells

    def move_to(self, item_id: int) -> None:
        if item_id in self.post_ids:
            self._set_cursor(self.post_ids.index(item_id))

    # -- layout ---------------------------------------------------------------------------

    def title_width(self, width: int) -> int:
        used = sum(self.widths.get(key, 0) + GAP for key, _ in self.columns if key != "title")
        return max(width - used - 1, TITLE_MIN)

    def header(self, width: int) -> Content:
        """The column headings, laid out as the rows are."""
        parts = [Content(" ")]
        for key, label in self.columns:
            if key == "title":
                parts.append(Content(fit(label, self.title_width(width))))
            elif key == "published":
                parts.append(Content(label.ljust(self.widths.get(key, 0))))
            else:
                parts.append(Content(label.rjust(self.widths.get(key, 0))))
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
        self._set_cursor(len(self.post_ids) - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = round(self.scroll_y) + offset.y
        if not 0 <= row < len(self.post_ids):
            return
        self._set_cursor(row)
        if event.chain >= 2:
            self.post_message(self.Selected(self, self.post_ids[row]))

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _set_cursor(self, index: int) -> None:
        if not self.post_ids:
            return
        index = max(0, min(index, len(self.post_ids) - 1))
        if index != self._cursor:
            previous, self._cursor = self._cursor, index
            self.refresh_line(previous)
            self.refresh_line(index)
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
        if not self.post_ids:
            if y == 0 and self.empty_text:
                text = fit(" " + self.empty_text, width)
                return Strip([Segment(text, self._style("post-list--empty"))])
            return Strip.blank(width, base)
        if row >= len(self.post_ids):
            return Strip.blank(width, base)
        cursor = self._style("post-list--cursor") if row == self._cursor else None

        def styled(name: str | None) -> Style:
            style = self._style(name) if name else base
            return style + cursor if cursor is not None else style

        cells = self.row_cells(row)
        segments = [Segment(" ", styled(None))]
        for key, _ in self.columns:
            value = cells.get(key, "")
            if key == "title":
                segments.append(Segment(fit(plain(value), self.title_width(width)), styled(None)))
            elif key == "published":
                segments.append(
                    Segment(value.ljust(self.widths.get(key, 0)), styled("post-list--date"))
                )
            else:
                number = value.rjust(self.widths.get(key, 0))
                segments.append(Segment(number, styled("post-list--number")))
            segments.append(Segment(" " * GAP, styled(None)))
        return Strip(segments).adjust_cell_length(width, styled(None) if cursor else base)


class PostsHeader(Widget):
    """The headings of the PostList below it, aligned with its columns."""

    DEFAULT_CSS = """
    PostsHeader { height: 1; background: $panel; color: $text; text-style: bold; }
    """

    def __init__(self, post_list: PostList, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.post_list = post_list

    def render(self) -> Content:
        # The list's scrollbar takes a cell or so: lay out for the list's own width.
        width = self.post_list.scrollable_content_region.width or self.size.width
        return self.post_list.header(width)
