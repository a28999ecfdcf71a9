"""The feed board: one card per followed feed, grouped by kind, laid out as a grid.

It is a Line API ScrollView: the layout is a list of fixed-height blocks (a group heading,
or a row of cards), computed from the source list and the width alone, so it never needs
the store. A card's data (newest items, unread count, fetch state) is read from the store
only when that card is drawn, and cached per source until ``refresh_sources`` drops it.
With 500 feeds, drawing a screen reads the dozen or so cards on it.

Status and count updates change what a card shows, never its size, so they cannot move
the cursor, the scroll position or the focus.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .. import keys
from ..core.dates import local_text
from ..core.ingest.text import clean_line
from ..core.models import KIND_HEADINGS, KINDS, Item, Source, SourceState
from ..core.refresh.schedule import is_due
from ..core.session import Session
from .itemlist import GLYPHS, age_label, bookmark_mark, fit, headline, plain

__all__ = ["CARD_HEIGHT", "CARD_ITEMS", "EMPTY_MESSAGE", "PANE_MOVE", "FeedBoard", "columns_for"]

CARD_ITEMS = 5
"""Newest items shown per card."""
CARD_HEIGHT = CARD_ITEMS + 3
"""Top border with name and count, a status line, the items, the bottom border."""
GAP = 1
"""Blank cells between cards in a row."""

EMPTY_MESSAGE = "No sources yet — press 4 then a to add one, or run `folio import FILE`."

PANE_MOVE: list[BindingType] = [
    b for b in keys.PANES if isinstance(b, Binding) and b.id in ("pane_left", "pane_right")
]


def columns_for(width: int) -> int:
    """Cards per row for a board ``width`` cells wide; cards stay 34 to 70 cells."""
    if width < 70:
        return 1
    if width < 140:
        return 2
    if width < 200:
        return 3
    return 4


_PARTS = (
    "heading", "border", "border-cursor", "name", "count", "ok", "error", "busy",
    "unread", "read", "meta", "dot", "star", "flag", "waiting", "failed", "cursor", "empty",
    "episode",
)  # fmt: skip
"""Component classes, styled in DEFAULT_CSS."""


@dataclass(frozen=True)
class _Block:
    """A horizontal band of the layout: a heading (or spacer) line, or a row of cards."""

    y: int
    height: int
    heading: str | None = None
    panes: tuple[int, ...] = ()


@dataclass
class _Pane:
    items: list[Item]
    unread: int
    state: SourceState


class FeedBoard(ScrollView, can_focus=True):
    """Cards of feeds; the cursor is a (pane, row) pair in reading order."""

    BINDINGS: ClassVar[list[BindingType]] = [*keys.MOVE, *PANE_MOVE]

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"board--{part}" for part in _PARTS}

    DEFAULT_CSS = """
    FeedBoard {
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        & > .board--heading { color: $primary; text-style: bold; }
        & > .board--border { color: $panel-lighten-2; }
        & > .board--border-cursor { color: $panel-lighten-2; }
        &:focus > .board--border-cursor { color: $accent; }
        & > .board--name { text-style: bold; }
        & > .board--count { color: $accent; }
        & > .board--ok { color: $text-muted; }
        & > .board--error { color: $error; }
        & > .board--busy { color: $warning; }
        & > .board--unread { text-style: bold; }
        & > .board--read { color: $text-muted; }
        & > .board--meta { color: $text-muted; }
        & > .board--dot { color: $accent; }
        & > .board--star { color: $warning; }
        & > .board--flag { color: $secondary; }
        & > .board--waiting { color: $warning; }
        & > .board--failed { color: $error; text-style: bold; }
        & > .board--cursor { background: $block-cursor-blurred-background; }
        &:focus > .board--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .board--empty { color: $text-muted; }
        & > .board--episode { color: $secondary; }
    }
    """

    class Highlighted(Message):
        """The cursor moved (by key or mouse) to a pane and maybe an item in it."""

        def __init__(self, board: FeedBoard, source: str | None, item_id: int | None) -> None:
            super().__init__()
            self.board = board
            self.source = source
            self.item_id = item_id

        @property
        def control(self) -> FeedBoard:
            return self.board

    class Selected(Message):
        """An item was chosen to be opened (double click)."""

        def __init__(self, board: FeedBoard, item_id: int) -> None:
            super().__init__()
            self.board = board
            self.item_id = item_id

        @property
        def control(self) -> FeedBoard:
            return self.board

    def __init__(
        self,
        session: Session,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.session = session
        self._order: list[Source] = []
        self._groups: list[tuple[str, list[int]]] = []
        self._blocks: list[_Block] = []
        self._starts: list[int] = []
        self._where: list[tuple[int, int]] = []
        """Per pane: (index of its block, column)."""
        self._layout_width = -1
        self._columns = 1
        self._card_width = 0
        self._pane = 0
        self._row = 0
        self._data: dict[str, _Pane] = {}
        self._cards: dict[str, tuple[tuple[object, ...], list[Strip]]] = {}
        self._styles: dict[str, Style] = {}
        self._refresh_running = False
        self._refreshed: set[str] = set()
        self.set_sources(session.sources)

    # -- public API -------------------------------------------------------------------

    @property
    def sources(self) -> list[Source]:
        """The sources in reading order (grouped by kind)."""
        return self._order

    @property
    def cursor_source(self) -> str | None:
        return self._order[self._pane].url if self._order else None

    @property
    def cursor_row(self) -> int:
        return self._row

    @property
    def cursor_item_id(self) -> int | None:
        url = self.cursor_source
        if url is None:
            return None
        items = self._pane_data(url).items
        return items[self._row].id if self._row < len(items) else None

    def cursor_item(self) -> Item | None:
        """The item under the cursor, read fresh from the store (for actions on it)."""
        item_id = self.cursor_item_id
        return self.session.store.item(item_id) if item_id is not None else None

    def pane_item_ids(self, url: str) -> list[int]:
        """The ids the card for ``url`` shows, newest first."""
        return [item.id for item in self._pane_data(url).items]

    def set_sources(self, sources: Sequence[Source]) -> None:
        """Lay out ``sources`` afresh; the cursor stays on the same source if it remains."""
        current, row = self.cursor_source, self._row
        grouped: dict[str, list[Source]] = {}
        for source in sources:
            grouped.setdefault(source.kind if source.kind in KINDS else "other", []).append(source)
        self._order = []
        self._groups = []
        for kind in (*KINDS, "other"):
            members = grouped.get(kind, [])
            if members:
                start = len(self._order)
                self._order.extend(members)
                heading = KIND_HEADINGS.get(kind, "Other")
                self._groups.append((heading, list(range(start, len(self._order)))))
        urls = {source.url for source in self._order}
        self._data = {url: pane for url, pane in self._data.items() if url in urls}
        self._cards.clear()
        self._pane, self._row = 0, 0
        if current is not None:
            for index, source in enumerate(self._order):
                if source.url == current:
                    self._pane, self._row = index, row
        self._layout_width = -1
        if self.is_mounted:
            self._relayout()
            self.refresh()

    def refresh_sources(self, urls: Iterable[str] | None = None) -> None:
        """Drop cached card data (for ``urls``, or all) and redraw those cards.

        The cursor stays on the same item when it is still on the card.
        """
        cursor_id = self.cursor_item_id if self._order else None
        cursor_url = self.cursor_source
        targets = list(self._data) if urls is None else list(urls)
        for url in targets:
            self._data.pop(url, None)
            self._cards.pop(url, None)
        if cursor_url is not None and cursor_url in targets:
            items = self._pane_data(cursor_url).items
            ids = [item.id for item in items]
            if cursor_id in ids:
                self._row = ids.index(cursor_id)
            else:
                self._row = max(0, min(self._row, len(items) - 1))
        if urls is None:
            self.refresh()
            return
        positions = {source.url: index for index, source in enumerate(self._order)}
        for url in targets:
            index = positions.get(url)
            if index is not None and index < len(self._where):
                block = self._blocks[self._where[index][0]]
                self.refresh_lines(block.y, block.height)

    def set_refresh_running(self, running: bool) -> None:
        """A refresh run started or ended: due cards show "refreshing" until reported."""
        self._refresh_running = running
        self._refreshed.clear()
        self._cards.clear()
        self.refresh()

    def source_refreshed(self, url: str) -> None:
        """One source finished refreshing: its card shows its new items and status."""
        self._refreshed.add(url)
        self.refresh_sources([url])

    def select(self, url: str, item_id: int | None = None) -> bool:
        """Move the cursor to the card for ``url`` (and to ``item_id`` on it, if shown)."""
        for index, source in enumerate(self._order):
            if source.url == url:
                ids = self.pane_item_ids(url)
                row = ids.index(item_id) if item_id in ids else 0
                self._set_cursor(index, row)
                return True
        return False

    # -- actions ----------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        count = self._item_count(self._pane)
        if self._row + 1 < count:
            self._set_cursor(self._pane, self._row + 1)
        elif self._pane + 1 < len(self._order):
            self._set_cursor(self._pane + 1, 0)

    def action_cursor_up(self) -> None:
        if self._row > 0:
            self._set_cursor(self._pane, self._row - 1)
        elif self._pane > 0:
            previous = self._pane - 1
            self._set_cursor(previous, max(0, self._item_count(previous) - 1))

    def action_pane(self, delta: int) -> None:
        # The row is kept, so moving sideways along a grid row stays on the same line.
        target = max(0, min(self._pane + delta, len(self._order) - 1))
        self._set_cursor(target, min(self._row, max(0, self._item_count(target) - 1)))

    def action_page_down(self) -> None:
        self._set_cursor(min(self._pane + self._page_panes(), len(self._order) - 1), 0)

    def action_page_up(self) -> None:
        self._set_cursor(max(self._pane - self._page_panes(), 0), 0)

    def action_first(self) -> None:
        self._set_cursor(0, 0)

    def action_last(self) -> None:
        self._set_cursor(len(self._order) - 1, 0)

    # -- cursor and layout --------------------------------------------------------------

    def _item_count(self, pane: int) -> int:
        return len(self._pane_data(self._order[pane].url).items) if self._order else 0

    def _page_panes(self) -> int:
        rows = max(1, self.scrollable_content_region.height // CARD_HEIGHT)
        return rows * self._columns

    def _set_cursor(self, pane: int, row: int) -> None:
        if not self._order:
            return
        pane = max(0, min(pane, len(self._order) - 1))
        row = max(0, row)
        moved = (pane, row) != (self._pane, self._row)
        old = self._order[self._pane].url
        self._pane, self._row = pane, row
        self._cards.pop(old, None)
        self._cards.pop(self._order[pane].url, None)
        self.refresh()
        self._scroll_cursor_into_view()
        if moved:
            self.post_message(self.Highlighted(self, self.cursor_source, self.cursor_item_id))

    def _scroll_cursor_into_view(self) -> None:
        if not self._where or self._pane >= len(self._where):
            return
        block_index, _ = self._where[self._pane]
        block = self._blocks[block_index]
        top = block.y
        # Show the group heading too when the card is in the group's first row.
        if block_index > 0 and self._blocks[block_index - 1].heading:
            top = self._blocks[block_index - 1].y
        bottom = block.y + block.height
        view_top = round(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        if top < view_top:
            self.scroll_to(y=top, animate=False, force=True)
        elif bottom > view_top + height:
            # A card taller than the view is aligned on the cursor row instead.
            target = bottom - height
            if target > block.y:
                target = min(target, block.y + 2 + self._row)
            self.scroll_to(y=max(target, 0), animate=False, force=True)

    def _relayout(self) -> None:
        width = max(1, self.scrollable_content_region.width)
        self._layout_width = width
        self._columns = columns_for(width)
        self._card_width = max(10, (width - GAP * (self._columns - 1)) // self._columns)
        blocks: list[_Block] = []
        where: list[tuple[int, int]] = [(0, 0)] * len(self._order)
        y = 0
        for number, (heading, members) in enumerate(self._groups):
            if number:
                blocks.append(_Block(y, 1, heading=""))
                y += 1
            feeds = f"{len(members)} feed{'s' * (len(members) != 1)}"
            blocks.append(_Block(y, 1, heading=f"{heading} · {feeds}"))
            y += 1
            for start in range(0, len(members), self._columns):
                row = tuple(members[start : start + self._columns])
                for column, pane in enumerate(row):
                    where[pane] = (len(blocks), column)
                blocks.append(_Block(y, CARD_HEIGHT, panes=row))
                y += CARD_HEIGHT
        self._blocks = blocks
        self._starts = [block.y for block in blocks]
        self._where = where
        self._cards.clear()
        self.virtual_size = Size(0, y)

    def on_mount(self) -> None:
        self._relayout()

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._layout_width:
            self._relayout()
            self._scroll_cursor_into_view()

    def on_focus(self, event: events.Focus) -> None:
        self._cards.clear()
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self._cards.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cards.clear()

    # -- mouse ------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self._blocks:
            return
        y = round(self.scroll_y) + offset.y
        block = self._blocks[bisect_right(self._starts, y) - 1]
        if not block.panes:
            return
        column, inside = divmod(offset.x, self._card_width + GAP)
        if column >= len(block.panes) or inside >= self._card_width:
            return
        pane = block.panes[column]
        row = y - block.y - 2
        if 0 <= row < self._item_count(pane):
            self._set_cursor(pane, row)
            item_id = self.cursor_item_id
            if event.chain >= 2 and item_id is not None:
                self.post_message(self.Selected(self, item_id))
        else:
            self._set_cursor(pane, 0 if pane != self._pane else self._row)

    # -- data -------------------------------------------------------------------------

    def _pane_data(self, url: str) -> _Pane:
        pane = self._data.get(url)
        if pane is None:
            store = self.session.store
            pane = _Pane(
                items=store.items(sources=[url], limit=CARD_ITEMS),
                unread=store.count(sources=[url], unread=True),
                state=store.state(url),
            )
            self._data[url] = pane
        return pane

    # -- rendering --------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            # The full component style: colours such as $text-muted are blended with the
            # background only there (a partial style would keep them unblended).
            style = self.get_component_rich_style(name)
            self._styles[name] = style
        return style

    def empty_message(self) -> str:
        """What the board says when it has no cards: how to add one, or, when the file
        could not be read, that it is the file (not the sources) that is wrong."""
        error = self.session.portfolio_error
        if error:
            return (
                f"No sources shown: portfolio.toml has an error. {clean_line(error)}. "
                "Nothing was changed: fix the file and folio reloads it."
            )
        return EMPTY_MESSAGE

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._layout_width:
            self._relayout()
        base = self.rich_style
        if not self._order:
            lines = textwrap.wrap(self.empty_message(), max(10, width - 4))
            if 1 <= y <= len(lines):
                text = fit("  " + lines[y - 1], width)
                return Strip([Segment(text, self._style("board--empty"))])
            return Strip.blank(width, base)
        virtual_y = round(self.scroll_y) + y
        if virtual_y >= self.virtual_size.height:
            return Strip.blank(width, base)
        block = self._blocks[bisect_right(self._starts, virtual_y) - 1]
        if block.heading is not None:
            if not block.heading:
                return Strip.blank(width, base)
            label = f" {block.heading} "
            rule = "─" * max(0, width - len(label) - 1)
            segments = [Segment("─" + label + rule, self._style("board--heading"))]
            return Strip(segments).adjust_cell_length(width, base)
        line = virtual_y - block.y
        strips: list[Strip] = []
        for column in range(self._columns):
            if column:
                strips.append(Strip.blank(GAP, base))
            if column < len(block.panes):
                strips.append(self._card(block.panes[column])[line])
            else:
                strips.append(Strip.blank(self._card_width, base))
        return Strip.join(strips).adjust_cell_length(width, base)

    def _card(self, pane: int) -> list[Strip]:
        source = self._order[pane]
        is_cursor = pane == self._pane
        busy = self._is_busy(source.url)
        key = (self._card_width, self._row if is_cursor else None, self.has_focus, busy)
        cached = self._cards.get(source.url)
        if cached is not None and cached[0] == key:
            return cached[1]
        strips = self._draw_card(source, self._pane_data(source.url), is_cursor, busy)
        self._cards[source.url] = (key, strips)
        return strips

    def _is_busy(self, url: str) -> bool:
        if not self._refresh_running or url in self._refreshed:
            return False
        return is_due(self._pane_data(url).state, self.session.now())

    def _draw_card(self, source: Source, data: _Pane, is_cursor: bool, busy: bool) -> list[Strip]:
        width = self._card_width
        inner = width - 4
        border = self._style("board--border-cursor" if is_cursor else "board--border")
        s = self._style
        count = f" {data.unread} unread " if data.unread else " all read "
        # "╭─ " + name + " " + fill + count + "─╮", with at least one cell of fill.
        name = fit(plain(source.title), max(1, width - 7 - len(count))).rstrip()
        fill = "─" * max(1, width - 6 - cell_len(name) - len(count))
        top = [
            Segment("╭─ ", border),
            Segment(name, s("board--name")),
            Segment(" " + fill, border),
            Segment(count, s("board--count")),
            Segment("─╮", border),
        ]
        status_text, status_style = self._status(data.state, busy)
        lines = [
            self._framed(top, width, border),
            self._boxed([Segment(fit(status_text, inner), s(status_style))], border),
        ]
        now = self.session.now()
        for row in range(CARD_ITEMS):
            if row < len(data.items):
                cursor = is_cursor and row == self._row
                lines.append(
                    self._boxed(self._item_line(data.items[row], inner, now, cursor), border)
                )
            elif row == 0 and not data.items:
                empty = "no items yet" if data.state.status != "error" else "no items"
                lines.append(self._boxed([Segment(fit(empty, inner), s("board--empty"))], border))
            else:
                lines.append(self._boxed([Segment(" " * inner, self.rich_style)], border))
        lines.append(Strip([Segment("╰" + "─" * (width - 2) + "╯", border)]))
        return lines

    def _framed(self, segments: list[Segment], width: int, border: Style) -> Strip:
        # Names can contain wide characters; cropping keeps the corner in place.
        strip = Strip(segments)
        if strip.cell_length != width:
            strip = strip.crop(0, width - 2).adjust_cell_length(width - 2, border)
            strip = Strip.join([strip, Strip([Segment("─╮", border)])])
        return strip

    def _boxed(self, segments: list[Segment], border: Style) -> Strip:
        inner = Strip(segments).adjust_cell_length(self._card_width - 4, self.rich_style)
        return Strip([Segment("│ ", border), *inner, Segment(" │", border)])

    def _item_line(self, item: Item, inner: int, now: dt.datetime, cursor: bool) -> list[Segment]:
        cursor_style = self._style("board--cursor")

        def styled(name: str) -> Style:
            style = self._style(name)
            return style + cursor_style if cursor else style

        age = age_label(item.published, now)
        # A podcast episode's state (queued, ↓42%, 12:03/45:00, played…) before its age.
        episode = self.session.podcasts.row_label(item) if item.enclosure_url else ""
        episode = " " + episode if episode else ""
        title_width = max(1, inner - 4 - 1 - 1 - len(age) - cell_len(episode))
        mark, mark_style = bookmark_mark(self.session.bookmark_state(item))
        segments = [
            Segment(" " if item.read else GLYPHS["unread"], styled("board--dot")),
            Segment(GLYPHS["starred"] if item.starred else " ", styled("board--star")),
            Segment(GLYPHS["saved"] if item.saved else " ", styled("board--flag")),
            Segment(mark, styled(f"board--{mark_style}")),
            Segment(" ", styled("board--read")),
            Segment(
                fit(headline(item), title_width),
                styled("board--read" if item.read else "board--unread"),
            ),
        ]
        if episode:
            segments.append(Segment(episode, styled("board--episode")))
        segments.append(Segment(" " + age, styled("board--meta")))
        return segments

    def _status(self, state: SourceState, busy: bool) -> tuple[str, str]:
        if busy:
            return "⟳ refreshing…", "board--busy"
        if state.status == "error":
            return "✗ " + (plain(state.error) or "the last refresh failed"), "board--error"
        if state.status == "new" or state.last_fetched is None:
            return "· not fetched yet", "board--ok"
        return "✓ ok · " + self._next_label(state.next_due), "board--ok"

    def _next_label(self, due: dt.datetime | None) -> str:
        if due is None:
            return "due now"
        now = self.session.now()
        if due <= now:
            return "due now"
        if due - now < dt.timedelta(hours=20):
            return "next " + local_text(due, "%H:%M")
        return "next " + local_text(due, "%d %b %H:%M")
