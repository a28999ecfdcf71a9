"""The roadmap: experiment cards in lanes (Now, Next, Later, Done), or a month timeline.

Cards are widgets (their height follows their wrapped title); a lane's cards are only
re-mounted when which cards it holds changes, otherwise they are updated in place.
Titles and the rest reach the screen as Content, never as markup.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from .. import keys
from ..core.planning.views import (
    CardView,
    Timeline,
    month_window,
    review_text,
    roadmap_move,
    roadmap_order,
)
from ..core.storage.portfolio import LANES, STATUSES

STATUS_STYLES: dict[str, str] = {
    "idea": "$text-primary",
    "trying": "$text-warning",
    "adopted": "$text-success",
    "dropped": "$text-muted",
}
BADGE_STYLES: dict[str, str] = {
    "idea": "bold $text on $primary-muted",
    "trying": "bold $text on $warning-muted",
    "adopted": "bold $text on $success-muted",
    "dropped": "$text-muted on $panel",
}

NARROW_LANES = 72
"""Below this many columns the four lanes are laid out two by two."""

WIDE_CARD = 20
"""Cards at least this wide (inside) say "since start" in full."""


def card_content(card: CardView, width: int) -> Content:
    """Title, status badge, review date, and cadence when the user's own sources are
    linked; wordings shorten to fit the narrow lanes of an 80-column terminal."""
    parts: list[Content] = [
        Content.styled(card.title, "bold"),
        Content.styled(f" {card.status} ", BADGE_STYLES.get(card.status, "")),
    ]
    review = review_text(card.review, card.review_due, width)
    if card.review is None:
        parts.append(Content.styled(review, "$text-muted"))
    elif card.review_due:
        parts.append(Content.styled(review, "bold $text-error"))
    else:
        parts.append(Content.styled(review, "$text-muted"))
    if card.cadence:
        # The full wording wraps well onto two lines; below that it becomes three.
        cadence = card.cadence if width >= WIDE_CARD else card.cadence_short
        parts.append(Content.styled(cadence, "$text-accent"))
    if card.metric:
        parts.append(measure_content(card, width))
    return Content("\n").join(parts)


def measure_content(card: CardView, width: int) -> Content:
    """The experiment's measure, before against since, in the card's accent."""
    return Content.styled(card.metric if width >= WIDE_CARD else card.metric_short, "$text-success")


class Card(Widget):
    DEFAULT_CSS = """
    Card {
        height: auto;
        border: round $border-blurred;
        padding: 0 1;
        &.-due { border: round $error 60%; }
        &.-selected { background: $boost; border: round $border; }
        &.-selected.-focused { border: heavy $accent; background: $accent 15%; }
    }
    """

    class Clicked(Message):
        def __init__(self, card_id: str) -> None:
            super().__init__()
            self.card_id = card_id

    def __init__(self, card: CardView) -> None:
        super().__init__()
        self.card = card
        self.set_class(card.review_due, "-due")

    def update_card(self, card: CardView) -> None:
        if card != self.card:
            self.card = card
            self.set_class(card.review_due, "-due")
            self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Worded for the width being laid out, which self.size does not know yet.
        # RenderStyles serves as the rules map at run time; Widget does the same.
        return card_content(self.card, width).get_height(self.styles, width)  # type: ignore[arg-type]

    def render(self) -> Content:
        return card_content(self.card, self.size.width)

    def on_click(self) -> None:
        self.post_message(self.Clicked(self.card.id))


class LaneColumn(VerticalScroll, can_focus=False):
    DEFAULT_CSS = """
    LaneColumn {
        width: 1fr;
        height: 1fr;
        border-top: solid $border-blurred;
        border-title-align: left;
        border-title-style: bold;
        border-title-color: $text;
        margin: 0 1 0 0;
        scrollbar-size-vertical: 1;
        .empty { color: $text-muted; text-style: italic; padding: 0 1; }
        &.-current { border-top: solid $border; }
    }
    """

    def __init__(self, lane: str) -> None:
        super().__init__(id=f"lane-{lane}")
        self.lane = lane

    @property
    def cards(self) -> list[Card]:
        return list(self.query_children(Card))

    async def set_cards(self, cards: list[CardView]) -> None:
        self.border_title = f" {self.lane.capitalize()} · {len(cards)} "
        shown = self.cards
        if [c.card.id for c in shown] == [c.id for c in cards] and (cards or self.children):
            for widget, card in zip(shown, cards, strict=True):
                widget.update_card(card)
            return
        await self.remove_children()
        if cards:
            await self.mount_all([Card(card) for card in cards])
        else:
            await self.mount(Static("empty", classes="empty"))


class TimelineView(Widget):
    """Experiments as rows, months as columns, a bar from start to review; the current
    month is marked in the header and down every row."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"timeline--cursor", "timeline--cursor-blurred"}
    DEFAULT_CSS = """
    TimelineView {
        height: auto;
        padding: 0 1;
        & > .timeline--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .timeline--cursor-blurred { background: $block-cursor-blurred-background; }
    }
    """
    HEADER_LINES = 2

    class Clicked(Message):
        def __init__(self, card_id: str) -> None:
            super().__init__()
            self.card_id = card_id

    def __init__(self) -> None:
        super().__init__(id="timeline")
        self.timeline = Timeline()
        self.selected: str | None = None
        self.focused = False

    @property
    def row_ids(self) -> list[str]:
        return [row.id for row in self.timeline.rows]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Header, rows, a blank line and the legend (which may take two lines).
        return self.HEADER_LINES + max(len(self.timeline.rows), 1) + 3

    def render(self) -> Content:
        timeline = self.timeline
        width = max(self.size.width, 30)
        label_width = min(28, max(14, width // 4))
        room = width - label_width
        count = len(timeline.months)
        cell = max(3, min(10, room // max(count, 1)))
        window = month_window(count, timeline.current, max(room // cell, 1))

        years = [" "] * (len(window) * cell)
        month_parts: list[Content] = [Content(" " * label_width)]
        for column, index in enumerate(window):
            month = timeline.months[index]
            if column == 0 or month.month == 1:
                for offset, char in enumerate(str(month.year)):
                    if column * cell + offset < len(years):
                        years[column * cell + offset] = char
            name = month.strftime("%b")[: cell - 1].ljust(cell)
            style = "bold reverse $text-accent" if index == timeline.current else "$text-muted"
            month_parts.append(
                Content.styled(name[: cell - 1], style) + " " * (cell - len(name[: cell - 1]))
            )
        lines = [
            Content.styled(" " * label_width + "".join(years), "bold $text-muted"),
            Content.assemble(*month_parts),
        ]
        if not timeline.rows:
            lines.append(Content.styled("No experiments yet. Press n to add one.", "$text-muted"))
        for row in timeline.rows:
            label_style = "bold $text-error" if row.review_due else ""
            label = Content.styled(row.title, label_style).truncate(
                label_width - 1, ellipsis=True, pad=True
            )
            if row.id == self.selected:
                label = label.stylize(
                    self.get_visual_style(
                        "timeline--cursor" if self.focused else "timeline--cursor-blurred"
                    )
                )
            cells: list[Content] = [label, Content(" ")]
            bar_style = STATUS_STYLES.get(row.status, "")
            for index in window:
                inside = (
                    row.first is not None
                    and row.last is not None
                    and row.first <= index <= row.last
                )
                if inside and row.review_only:
                    text = "◆".center(cell)
                elif inside:
                    text = ("▓" if index == timeline.current else "█") * cell
                    if row.open_ended and index == row.last:
                        text = text[:-1] + "▶"
                elif index == timeline.current:
                    cells.append(Content.styled("┊".ljust(cell), "$text-accent"))
                    continue
                else:
                    text = " " * cell
                cells.append(Content.styled(text, bar_style))
            lines.append(Content.assemble(*cells))
        lines.append(Content(""))
        statuses: list[Content | str] = []
        for status in STATUSES:
            statuses += [Content.styled("█", STATUS_STYLES[status]), f" {status}  "]
        marks = Content.assemble(
            Content.styled("┊", "$text-accent"),
            " this month  ◆ review only  ",
            Content.styled("red title", "bold $text-error"),
            ": review due",
        )
        legend = Content.assemble(*statuses)
        if legend.cell_length + marks.cell_length <= width:
            lines.append(legend + marks)
        else:
            lines += [legend, marks.truncate(width, ellipsis=True)]
        return Content("\n").join(lines)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y - self.HEADER_LINES
        if 0 <= index < len(self.timeline.rows):
            self.post_message(self.Clicked(self.timeline.rows[index].id))


class RoadmapBoard(Widget, can_focus=True):
    """Lanes of cards, or the timeline (``t``); owns the cursor, which both views share."""

    BINDINGS: ClassVar[list[BindingType]] = keys.GRID
    DEFAULT_CSS = """
    RoadmapBoard {
        height: 1fr;
        #lanes { height: 1fr; }
        &.-narrow #lanes { layout: grid; grid-size: 2 2; grid-gutter: 0 0; }
        #timeline-scroll { height: 1fr; display: none; }
        &.-timeline {
            #lanes { display: none; }
            #timeline-scroll { display: block; }
        }
    }
    """

    class SelectionChanged(Message):
        def __init__(self, card: CardView | None) -> None:
            super().__init__()
            self.card = card

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: dict[str, list[CardView]] = {lane: [] for lane in LANES}
        self.selected: str | None = None
        self._lock = asyncio.Lock()

    def on_resize(self, event: events.Resize) -> None:
        # Four lanes below this width leave cards too narrow for a word or a date: the
        # lanes then sit two by two.
        self.set_class(event.size.width < NARROW_LANES, "-narrow")

    def compose(self) -> ComposeResult:
        with Horizontal(id="lanes"):
            for lane in LANES:
                yield LaneColumn(lane)
        with VerticalScroll(id="timeline-scroll", can_focus=False):
            yield TimelineView()

    @property
    def timeline_mode(self) -> bool:
        return self.has_class("-timeline")

    def set_timeline_mode(self, on: bool) -> None:
        self.set_class(on, "-timeline")
        self.select(self.selected, force=True)

    @property
    def card(self) -> CardView | None:
        return next((c for lane in LANES for c in self.view[lane] if c.id == self.selected), None)

    async def show(
        self, view: dict[str, list[CardView]], timeline: Timeline, selected: str | None = None
    ) -> None:
        """Show new data, keeping the cursor on ``selected`` (or the current card)."""
        # Edits can arrive back to back (a key, then the session's change message); the
        # lock stops two re-mounts of one lane from interleaving.
        async with self._lock:
            self.view = view
            self.query_one(TimelineView).timeline = timeline
            self.query_one(TimelineView).refresh(layout=True)
            for lane in LANES:
                await self.query_one(f"#lane-{lane}", LaneColumn).set_cards(view[lane])
            order = roadmap_order(view)
            wanted = selected if selected is not None else self.selected
            self.select(wanted if wanted in order else (order[0] if order else None), force=True)

    def select(self, card_id: str | None, *, force: bool = False) -> None:
        if card_id == self.selected and not force:
            return
        self.selected = card_id
        card = self.card
        focused = self.has_focus
        for lane_column in self.query(LaneColumn):
            lane_column.set_class(card is not None and card.lane == lane_column.lane, "-current")
            for widget in lane_column.cards:
                chosen = widget.card.id == card_id
                widget.set_class(chosen, "-selected")
                widget.set_class(chosen and focused, "-focused")
                if chosen and not self.timeline_mode:
                    widget.scroll_visible(animate=False)
        timeline_view = self.query_one(TimelineView)
        timeline_view.selected = card_id
        timeline_view.focused = focused
        timeline_view.refresh()
        if self.timeline_mode:
            # After the next layout: the timeline may only just have been switched on.
            self.call_after_refresh(self._scroll_timeline_to, card_id)
        self.post_message(self.SelectionChanged(card))

    def _scroll_timeline_to(self, card_id: str | None) -> None:
        row_ids = self.query_one(TimelineView).row_ids
        if card_id in row_ids:
            # The row plus as many lines above it as the header has, so the first rows
            # bring the month names back into view.
            row = row_ids.index(card_id)
            self.query_one("#timeline-scroll", VerticalScroll).scroll_to_region(
                Region(0, row, 1, TimelineView.HEADER_LINES + 1), animate=False, immediate=True
            )

    # -- focus and mouse ---------------------------------------------------------------

    def on_focus(self) -> None:
        self.select(self.selected, force=True)

    def on_blur(self) -> None:
        self.select(self.selected, force=True)

    def on_card_clicked(self, message: Card.Clicked) -> None:
        message.stop()
        self.focus()
        self.select(message.card_id)

    def on_timeline_view_clicked(self, message: TimelineView.Clicked) -> None:
        message.stop()
        self.focus()
        self.select(message.card_id)

    # -- cursor keys -------------------------------------------------------------------

    def _order(self) -> list[str]:
        if self.timeline_mode:
            return self.query_one(TimelineView).row_ids
        return roadmap_order(self.view)

    def action_move(self, direction: str) -> None:
        if self.timeline_mode:
            if direction in ("up", "down"):
                order = self._order()
                if self.selected in order:
                    index = order.index(self.selected) + (1 if direction == "down" else -1)
                    self.select(order[min(max(index, 0), len(order) - 1)])
                elif order:
                    self.select(order[0])
            return
        self.select(roadmap_move(self.view, self.selected, direction))

    def action_cursor_up(self) -> None:
        self.action_move("up")

    def action_cursor_down(self) -> None:
        self.action_move("down")

    def action_first(self) -> None:
        order = self._order()
        self.select(order[0] if order else None)

    def action_last(self) -> None:
        order = self._order()
        self.select(order[-1] if order else None)

    def action_page_up(self) -> None:
        self._lane_edge(last=False)

    def action_page_down(self) -> None:
        self._lane_edge(last=True)

    def _lane_edge(self, last: bool) -> None:
        card = self.card
        if card is None or self.timeline_mode:
            self.action_last() if last else self.action_first()
            return
        cards = self.view[card.lane]
        self.select(cards[-1 if last else 0].id)
