"""The reader: one item's title, source, author, date and text, with its links numbered.

Every string shown here comes from a feed, so it is put on screen as ``Content`` built
from plain text (never markup) after ``text.clean`` has removed terminal controls again.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Header, Static

from .. import keys
from ..core.dates import local_text
from ..core.ingest.htmltext import html_to_text
from ..core.ingest.text import clean
from ..core.models import Item
from ..core.session import Session
from ..messages import OpenLink, SessionChanged
from ..widgets.footer import Footer
from ..widgets.itemlist import GLYPHS, bookmark_mark, plain
from . import episode_keys

IDLE = 120.0
"""Seconds: the reader counts time towards "minutes read" only up to this long after the
last key (or the opening), and only while the terminal has focus; an item left open over
lunch is not an hour of reading."""


def human_size(length: int | None) -> str:
    """Bytes as megabytes with one decimal (``31.0 MB``); empty when the feed gave none."""
    if not length or length <= 0:
        return ""
    if length < 1_000_000:
        return f"{length / 1000:.0f} kB"
    return f"{length / 1_000_000:.1f} MB"


class ReaderScreen(Screen[int | None]):
    """Shows one item; dismisses with the id of the item shown last (after n/p)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.READER_SCREEN

    DEFAULT_CSS = """
    ReaderScreen {
        #reader-body { height: 1fr; padding: 0 2; }
        #reader-title { text-style: bold; margin-top: 1; }
        #reader-meta { color: $text-muted; }
        #reader-flags { color: $warning; }
        #reader-episode { color: $text-muted; margin-top: 1; }
        #reader-text { margin: 1 0; max-width: 100; }
    }
    """

    def __init__(
        self, session: Session, item_id: int, neighbours: Sequence[int] | None = None
    ) -> None:
        super().__init__()
        self.session = session
        self.item_id = item_id
        self.neighbours: Sequence[int] = neighbours if neighbours is not None else [item_id]
        self._position: int | None = None
        self._record: int | None = None
        """The attention record of the item shown, for the time it is read."""
        self._seconds = 0.0
        self._tick = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="reader-body"):
            yield Static(id="reader-title")
            yield Static(id="reader-meta")
            yield Static(id="reader-flags")
            yield Static(id="reader-episode")
            yield Static(id="reader-text")
        yield Footer()

    def on_mount(self) -> None:
        self._show(self.item_id)
        self.set_focus(self.query_one("#reader-body"))

    def show_item(self, item_id: int, neighbours: Sequence[int] | None = None) -> None:
        """Show another item, for a reader kept between openings (the dashboard's)."""
        self.neighbours = neighbours if neighbours is not None else [item_id]
        self._position = None
        self._show(item_id)

    @property
    def item(self) -> Item | None:
        return self.session.store.item(self.item_id)

    # -- showing an item ------------------------------------------------------------

    def _show(self, item_id: int) -> None:
        self._stop_timing()
        self.item_id = item_id
        item = self.item
        if item is None:
            self._set("#reader-title", "This item is no longer in the store.")
            for part in ("#reader-meta", "#reader-flags", "#reader-episode", "#reader-text"):
                self._set(part, "")
            return
        # Opening is reading ("u" brings it back as unread), and is recorded as attention.
        self._record = self.session.opened(item)
        self._seconds, self._tick = 0.0, time.monotonic()
        item.read = True
        self._draw(item)
        self.query_one("#reader-body", VerticalScroll).scroll_home(animate=False)

    def _draw(self, item: Item) -> None:
        source = self.session.source(item.source)
        meta = [plain(source.title if source else item.source)]
        if item.author:
            meta.append(plain(item.author))
        when = local_text(item.published, "%a %d %b %Y %H:%M")
        meta.append(when if item.dated else f"first seen {when}")
        self._set("#reader-title", plain(item.title) or "(untitled)")
        self._set("#reader-meta", " · ".join(meta))
        self._set("#reader-flags", self._flags(item))
        self._set("#reader-episode", self._episode(item))
        rendered = html_to_text(item.content or item.summary, base_url=item.link)
        body = rendered.text or "(This item has no text.)"
        if item.link:
            body += f"\n\nLink: {plain(item.link)}"
        self._set("#reader-text", body)

    def _flags(self, item: Item) -> str:
        names = {"starred": "starred", "saved": "saved for later"}
        shown = [f"{GLYPHS[flag]} {label}" for flag, label in names.items() if getattr(item, flag)]
        if not item.read:
            shown.insert(0, f"{GLYPHS['unread']} unread")
        bookmark = self._bookmark(item)
        if bookmark:
            shown.append(bookmark)
        if item.tags:
            shown.append("tags: " + ", ".join(plain(tag) for tag in item.tags))
        return "  ".join(shown)

    def _bookmark(self, item: Item) -> str:
        """Whether the item's bookmark is saved, waiting or failed, and where."""
        state = self.session.bookmark_state(item)
        service = self.session.bookmark_service
        mark, _ = bookmark_mark(state)
        if not state:
            return ""
        if not service:
            return f"{mark} bookmarked"
        if state == "saved":
            return f"{mark} bookmarked, saved on {service}"
        why = self.session.bookmark_states().get(item.link)
        reason = f": {plain(why.error)}" if why is not None and why.error else ""
        if state == "waiting":
            return f"{mark} bookmarked, waiting to be sent to {service}{reason}"
        if state == "removing":
            return f"{mark} bookmark removal waiting to be sent to {service}{reason}"
        return f"{mark} {service} refused this bookmark{reason} (ctrl+p: retry)"

    def _episode(self, item: Item) -> str:
        if not item.enclosure_url:
            return ""
        facts = [f"Episode: {plain(item.duration)}" if item.duration else "Episode"]
        size = human_size(item.enclosure_length)
        if size:
            facts.append(size)
        if item.enclosure_type:
            facts.append(plain(item.enclosure_type))
        state = plain(self.session.podcasts.state_label(item))
        keys = "d downloads it · P plays it"
        return " · ".join(facts) + f"\nState: {state} · {keys}\n" + plain(item.enclosure_url)

    def _set(self, selector: str, text: str) -> None:
        widget = self.query_one(selector, Static)
        # Content(text) is literal: "[bold]" stays brackets, "[@click=…]" is not a link.
        widget.update(Content(clean(text)))
        widget.display = bool(text)

    # -- time read ------------------------------------------------------------------

    def _count_time(self) -> None:
        now = time.monotonic()
        if getattr(self.app, "app_focus", True):
            self._seconds += min(now - self._tick, IDLE)
        self._tick = now

    def _stop_timing(self) -> None:
        if self._record is None:
            return
        self._count_time()
        self.session.reader_time(self._record, self._seconds)
        self._record = None

    def on_key(self, event: events.Key) -> None:
        # Not handled here, only noted: each key shows the user is still reading.
        if self._record is not None:
            self._count_time()

    def on_unmount(self) -> None:
        self._stop_timing()

    # -- keys -----------------------------------------------------------------------

    def action_back(self) -> None:
        self._stop_timing()
        self.dismiss(self.item_id)

    def action_read_next(self) -> None:
        """On to the next unread item of the list the reader was opened from."""
        try:
            position = list(self.neighbours).index(self.item_id)
        except ValueError:
            position = -1
        following = self.session.next_unread(list(self.neighbours), position)
        if following is None:
            self._say("No unread items after this one.")
            return
        self._position = following
        self._show(self.neighbours[following])

    def action_scroll(self, lines: int) -> None:
        body = self.query_one("#reader-body", VerticalScroll)
        body.scroll_relative(y=lines, animate=False)

    def action_page(self, pages: int) -> None:
        body = self.query_one("#reader-body", VerticalScroll)
        body.scroll_relative(y=pages * max(1, body.size.height - 1), animate=False)

    def action_step(self, delta: int) -> None:
        if self._position is None or self.neighbours[self._position] != self.item_id:
            try:
                self._position = self.neighbours.index(self.item_id)
            except ValueError:
                self._position = None
        if self._position is None:
            return
        target = self._position + delta
        if not 0 <= target < len(self.neighbours):
            self._say("No more items that way.")
            return
        self._position = target
        self._show(self.neighbours[target])

    async def action_toggle(self, flag: str) -> None:  # DOMNode.action_toggle is async
        item = self.item
        if item is None:
            return
        value = self.session.toggle_flag(item, flag)
        setattr(item, flag, value)
        self._set("#reader-flags", self._flags(item))

    def action_bookmark(self) -> None:
        item = self.item
        if item is None:
            return
        from .bookmarking import toggle_bookmark

        def redraw() -> None:
            fresh = self.item
            if fresh is not None:
                self._set("#reader-flags", self._flags(fresh))

        toggle_bookmark(self, self.session, item, redraw)

    def action_open_link(self) -> None:
        item = self.item
        if item is None or not item.link:
            self._say("This item has no link.", "warning")
            return
        self.session.opened_in_browser(item)
        self._open_link(item.link)

    def _open_link(self, url: str) -> None:
        self.app.post_message(OpenLink(url))

    def action_download(self) -> None:
        episode_keys.download(self, self.item)

    def action_play(self) -> None:
        episode_keys.play(self, self.item)

    def action_undo(self) -> None:
        label = self.session.undo_triage()
        self._say(f"Undid: {label}" if label else "Nothing to undo.")

    def on_session_changed(self, message: SessionChanged) -> None:
        if self.item_id in message.change.item_ids or message.change.area == "outbox":
            item = self.item
            if item is not None:
                self._set("#reader-flags", self._flags(item))
                self._set("#reader-episode", self._episode(item))

    def _say(self, message: str, severity: SeverityLevel = "information") -> None:
        self.notify(clean(message), markup=False, severity=severity)
