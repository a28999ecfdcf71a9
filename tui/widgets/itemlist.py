"""A virtual list of items (the Inbox): a Line API ScrollView over a list of item ids.

Only the rows on screen are ever loaded (``Store.items_by_id`` for the visible window plus
a margin), so a list of 100,000 ids costs a list of ints and a screenful of rows. Reloading
the ids keeps the cursor on the same item and the same items on screen.

Feed text (titles, source names) is drawn as plain ``Segment`` text after ``plain()`` has
stripped terminal controls again: it is never parsed as markup, and a title such as
``[@click=app.quit]x[/]`` is only characters.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .. import keys
from ..core.ingest.htmltext import one_line
from ..core.ingest.text import clean_line
from ..core.models import Item
from ..core.session import Session

__all__ = ["GLYPHS", "ItemList", "age_label", "bookmark_mark", "fit", "headline", "plain"]

GLYPHS = {
    "unread": "●",
    "starred": "★",
    "saved": "◷",
    "bookmarked": "⚑",
    "waiting": "⚐",
    "failed": "!",
}
"""Flag markers. All are single-cell text symbols (no emoji presentation), so they line
up in any terminal font; ``⏲`` and ``🔖`` were rejected because many terminals draw them as
two-cell emoji. A bookmark is ⚑ once saved, ⚐ while it waits to be sent to the bookmark
service (or its removal does), and ! when the service refused it."""


def bookmark_mark(state: str) -> tuple[str, str]:
    """The glyph and the style suffix ("flag", "waiting", "failed") for a bookmark state."""
    if state == "saved":
        return GLYPHS["bookmarked"], "flag"
    if state in ("waiting", "removing"):
        return GLYPHS["waiting"], "waiting"
    if state == "failed":
        return GLYPHS["failed"], "failed"
    return " ", "flag"


_FETCH_MARGIN = 30
"""Rows loaded above and below the visible window in one query, so scrolling a little does
not query again."""


_SNIPPET_SOURCE = 1500
"""Characters of HTML looked at to make a one-line snippet of an untitled item."""
_ANCHOR_SEARCH = 5000
"""How far ``set_ids`` looks for a surviving item when the cursor item has gone."""


def plain(text: str) -> str:
    """Untrusted text made safe to draw: one line, no controls, no bidi overrides.

    Ingest already cleans everything, but the UI must not rely on it (rows written by
    older versions or other tools): an ESC reaching the terminal is a real escape.
    """
    return clean_line(text)


def headline(item: Item) -> str:
    """What a row shows for ``item``: its title, or for untitled posts (Mastodon, Bluesky)
    the start of their text, so a timeline is not a column of "(untitled)"."""
    title = plain(item.title)
    if title:
        return title
    # Only the start is looked at, so a long post costs no more than a short one;
    # one_line keeps "#tag", "@name" and links whole, as the post shows them.
    return one_line((item.summary or item.content)[:_SNIPPET_SOURCE]) or "(untitled)"


def fit(text: str, width: int) -> str:
    """``text`` cropped to ``width`` cells with an ellipsis, or padded to exactly ``width``."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def age_label(when: dt.datetime, now: dt.datetime) -> str:
    """A compact age such as ``now``, ``5m``, ``3h``, ``2d``, ``6w`` or ``2y``."""
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "now"
    minutes = seconds / 60
    if minutes < 60:
        return f"{int(minutes)}m"
    hours = minutes / 60
    if hours < 24:
        return f"{int(hours)}h"
    days = hours / 24
    if days < 14:
        return f"{int(days)}d"
    if days < 365:
        return f"{int(days // 7)}w"
    return f"{int(days // 365)}y"


class ItemList(ScrollView, can_focus=True):
    """Items by id, one row each: flags, age, source name, title.

    The cursor is an index into ``ids``. Rows are loaded lazily and cached by id; call
    ``refresh_items`` when items change and ``set_ids`` when the list itself changes.
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.MOVE

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "itemlist--cursor",
        "itemlist--unread",
        "itemlist--read",
        "itemlist--meta",
        "itemlist--dot",
        "itemlist--star",
        "itemlist--flag",
        "itemlist--waiting",
        "itemlist--failed",
        "itemlist--empty",
        "itemlist--episode",
    }

    DEFAULT_CSS = """
    ItemList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        & > .itemlist--cursor {
            background: $block-cursor-blurred-background;
        }
        &:focus > .itemlist--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .itemlist--unread { text-style: bold; }
        & > .itemlist--read { color: $text-muted; }
        & > .itemlist--meta { color: $text-muted; }
        & > .itemlist--dot { color: $accent; }
        & > .itemlist--star { color: $warning; }
        & > .itemlist--flag { color: $secondary; }
        & > .itemlist--waiting { color: $warning; }
        & > .itemlist--failed { color: $error; text-style: bold; }
        & > .itemlist--empty { color: $text-muted; text-style: italic; }
        & > .itemlist--episode { color: $secondary; }
    }
    """

    class Highlighted(Message):
        """The cursor moved to another item (by key or mouse, not by a reload)."""

        def __init__(self, item_list: ItemList, item_id: int | None) -> None:
            super().__init__()
            self.item_list = item_list
            self.item_id = item_id

        @property
        def control(self) -> ItemList:
            return self.item_list

    class Selected(Message):
        """An item was chosen to be opened (double click)."""

        def __init__(self, item_list: ItemList, item_id: int) -> None:
            super().__init__()
            self.item_list = item_list
            self.item_id = item_id

        @property
        def control(self) -> ItemList:
            return self.item_list

    def __init__(
        self,
        session: Session,
        ids: Sequence[int] = (),
        *,
        empty_text: str = "Nothing here.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.session = session
        self.empty_text = empty_text
        self._ids: list[int] = list(ids)
        self._index: dict[int, int] | None = None
        self._cursor = 0
        self._rows: LRUCache[int, Item | None] = LRUCache(1024)
        self._styles: dict[str, Style] = {}
        self._names: dict[str, str] = {}
        """Source URL to display name; Portfolio.source() is a linear scan."""

    # -- public API -------------------------------------------------------------------

    @property
    def ids(self) -> list[int]:
        """The ids shown, in order. Treat as read-only; use ``set_ids`` to change it."""
        return self._ids

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def cursor_id(self) -> int | None:
        return self._ids[self._cursor] if self._ids else None

    def cursor_item(self) -> Item | None:
        """The item under the cursor, read fresh from the store (for actions on it)."""
        item_id = self.cursor_id
        if item_id is None:
            return None
        item = self.session.store.item(item_id)
        self._rows.set(item_id, item)
        return item

    def index_of(self, item_id: int) -> int | None:
        if self._index is None:
            self._index = {value: index for index, value in enumerate(self._ids)}
        return self._index.get(item_id)

    def move_to(self, item_id: int) -> bool:
        """Put the cursor on ``item_id`` if it is in the list; returns whether it is."""
        index = self.index_of(item_id)
        if index is None:
            return False
        self._set_cursor(index)
        return True

    def set_ids(self, ids: Sequence[int]) -> None:
        """Replace the list, keeping the cursor on the same item and the view still.

        When the cursor item is gone, the cursor goes to the next surviving item after
        it (else before it). The scroll offset is adjusted by what was inserted or removed
        above, so the rows the user was looking at stay where they were.
        """
        old_ids, old_cursor = self._ids, self._cursor
        old_top = round(self.scroll_y)
        cursor_screen_row = old_cursor - old_top
        cursor_was_visible = 0 <= cursor_screen_row < self._page_height()
        self._ids = list(ids)
        self._index = None
        if not self._ids:
            self._cursor = 0
            self._update_virtual_size()
            self.refresh()
            return
        # An anchor: the cursor item if it survived, else the nearest survivor.
        anchor_old, anchor_new = self._anchor(old_ids, old_cursor)
        if anchor_new is None:
            self._cursor = min(old_cursor, len(self._ids) - 1)
            new_top = old_top
        else:
            self._cursor = anchor_new
            # Keep the anchor on the same screen row as the cursor row was.
            new_top = anchor_new - cursor_screen_row + (old_cursor - anchor_old)
        self._update_virtual_size()
        self.scroll_to(y=max(0, new_top), animate=False, force=True)
        if cursor_was_visible:
            # Only when removals above shifted it off screen; a user who scrolled away
            # from the cursor with the wheel is not pulled back.
            self._scroll_cursor_into_view()
        self.refresh()

    def _anchor(self, old_ids: list[int], old_cursor: int) -> tuple[int, int | None]:
        if not old_ids:
            return 0, None
        old_cursor = min(old_cursor, len(old_ids) - 1)
        # Forward first: the item after a removed one is what a reader expects to land on
        # (as after deleting a line); backward only when nothing after it survived. The
        # search is bounded so that a mass change stays cheap.
        forward = range(old_cursor, min(len(old_ids), old_cursor + _ANCHOR_SEARCH))
        backward = range(old_cursor - 1, max(-1, old_cursor - _ANCHOR_SEARCH), -1)
        for position in (*forward, *backward):
            new_index = self.index_of(old_ids[position])
            if new_index is not None:
                return position, new_index
        return old_cursor, None

    def refresh_items(self, item_ids: Sequence[int] | None = None) -> None:
        """Forget cached rows (all, or these ids) and redraw; the cursor and scroll stay."""
        if item_ids is None:
            self._rows.clear()
            self._names.clear()
        else:
            for item_id in item_ids:
                self._rows.discard(item_id)
        self.refresh()

    # -- actions ----------------------------------------------------------------------

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
        self._set_cursor(len(self._ids) - 1)

    # -- cursor and scrolling -----------------------------------------------------------

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _set_cursor(self, index: int) -> None:
        if not self._ids:
            return
        index = max(0, min(index, len(self._ids) - 1))
        if index == self._cursor:
            self._scroll_cursor_into_view()
            return
        previous = self._cursor
        self._cursor = index
        self.refresh_line(previous)
        self.refresh_line(index)
        self._scroll_cursor_into_view()
        self.post_message(self.Highlighted(self, self.cursor_id))

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        height = self._page_height()
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False, force=True)

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(0, len(self._ids))

    def on_mount(self) -> None:
        self._update_virtual_size()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    # -- mouse ------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = round(self.scroll_y) + offset.y
        if not 0 <= row < len(self._ids):
            return
        self._set_cursor(row)
        if event.chain >= 2:
            self.post_message(self.Selected(self, self._ids[row]))

    # -- rendering --------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            # The full style: $text-muted and friends are blended with the background only
            # there, so partial styles would draw them at full strength.
            style = self.get_component_rich_style(name)
            self._styles[name] = style
        return style

    def _load(self, row: int) -> Item | None:
        item_id = self._ids[row]
        if item_id in self._rows:
            return self._rows.get(item_id)
        top = round(self.scroll_y)
        window = self._ids[max(0, top - _FETCH_MARGIN) : top + self._page_height() + _FETCH_MARGIN]
        wanted = [i for i in window if i not in self._rows]
        if item_id not in wanted:
            wanted.append(item_id)
        found = {item.id: item for item in self.session.store.items_by_id(wanted)}
        for wanted_id in wanted:
            # None marks an id the store no longer has, so it is not asked for again.
            self._rows.set(wanted_id, found.get(wanted_id))
        return found.get(item_id)

    def _source_name(self, url: str) -> str:
        if not self._names:
            self._names = {source.url: plain(source.title) for source in self.session.sources}
        return self._names.get(url) or plain(url)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = round(self.scroll_y) + y
        if not self._ids:
            lines = textwrap.wrap(self.empty_text, max(10, width - 4))
            if 1 <= y <= len(lines):
                text = fit("  " + lines[y - 1], width)
                style = self._style("itemlist--empty")
                return Strip([Segment(text, style)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        if row >= len(self._ids):
            return Strip.blank(width, base)
        item = self._load(row)
        cursor = self._style("itemlist--cursor") if row == self._cursor else None
        return self._render_row(item, width, base, cursor)

    def _render_row(
        self, item: Item | None, width: int, base: Style, cursor: Style | None
    ) -> Strip:
        def styled(name: str | None) -> Style:
            style = self._style(name) if name else base
            return style + cursor if cursor is not None else style

        if item is None:
            text = fit("  (this item was removed)", width)
            return Strip([Segment(text, styled("itemlist--read"))]).adjust_cell_length(width, base)
        text_style = "itemlist--read" if item.read else "itemlist--unread"
        source_name = self._source_name(item.source)
        source_width = max(8, min(22, width // 4))
        mark, mark_style = bookmark_mark(self.session.bookmark_state(item))
        segments = [
            Segment(" ", styled(None)),
            Segment(GLYPHS["unread"] if not item.read else " ", styled("itemlist--dot")),
            Segment(GLYPHS["starred"] if item.starred else " ", styled("itemlist--star")),
            Segment(GLYPHS["saved"] if item.saved else " ", styled("itemlist--flag")),
            Segment(mark, styled(f"itemlist--{mark_style}")),
            Segment(
                f" {age_label(item.published, self.session.now()):>4}  ", styled("itemlist--meta")
            ),
            Segment(fit(source_name, source_width), styled("itemlist--meta")),
            Segment("  ", styled(None)),
        ]
        # A podcast episode's state (queued, ↓42%, 12:03/45:00, played…) ends the row.
        episode = " " + self.session.podcasts.row_label(item) if item.enclosure_url else " "
        used = sum(segment.cell_length for segment in segments) + cell_len(episode.rstrip())
        segments.append(Segment(fit(headline(item), width - used), styled(text_style)))
        if episode.strip():
            segments.append(Segment(episode, styled("itemlist--episode")))
        return Strip(segments).adjust_cell_length(width, base)
