"""The dashboard: the feed board and the Inbox, side by side (or one at a time when narrow).

The screen only routes: keys to the focused widget's cursor item and to the session, and
engine events to the widgets. Everything it shows is drawn by the widgets.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import DescendantFocus, Resize
from textual.timer import Timer
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from .. import keys
from ..core.lists import ItemRows
from ..core.session import Session
from ..messages import (
    DashboardReady,
    OpenFeed,
    RefreshFinished,
    SessionChanged,
    SourceRefreshed,
)
from ..widgets.board import FeedBoard
from ..widgets.footer import Footer
from ..widgets.itemlist import ItemList, plain
from ..widgets.status import outbox_lines, sync_line
from .triage import TriageScreen

WIDE = 120
"""From this many columns the board and the Inbox are shown side by side."""
INBOX_RELOAD_DELAY = 0.3
"""Seconds to gather bursts of events (a refresh reports per source) into one reload."""


class DashboardScreen(TriageScreen):
    BINDINGS: ClassVar[list[BindingType]] = keys.DASHBOARD_SCREEN

    DEFAULT_CSS = """
    DashboardScreen {
        #dash-main { height: 1fr; }
        #board { width: 3fr; height: 1fr; }
        #inbox-box { width: 2fr; height: 1fr; border-left: vkey $panel-lighten-1; }
        #inbox-title { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
        #inbox-box:focus-within #inbox-title { color: $text; text-style: bold; }
        #inbox { height: 1fr; }
        #status { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
        &.-narrow #inbox-box { display: none; border-left: none; }
        &.-narrow.-show-inbox #inbox-box { display: block; }
        &.-narrow.-show-inbox #board { display: none; }
        &.-full #board { display: none; }
        &.-full #inbox-box { display: block; width: 1fr; border-left: none; }
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._reload_timer: Timer | None = None
        self._unread = 0
        self._reviews_due = 0
        self._inbox_loaded = False
        self._inbox_to_top = False
        """The next Inbox reload puts the cursor on its first item (its order changed)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="dash-main"):
            yield FeedBoard(self.session, id="board")
            with Vertical(id="inbox-box"):
                yield Static(id="inbox-title")
                yield ItemList(self.session, empty_text="Loading the Inbox…", id="inbox")
        yield Static(id="status")
        yield Footer()

    @property
    def board(self) -> FeedBoard:
        return self.query_one("#board", FeedBoard)

    @property
    def inbox(self) -> ItemList:
        return self.query_one("#inbox", ItemList)

    @property
    def inbox_loaded(self) -> bool:
        """True once the Inbox ids have been read the first time (tests wait for it)."""
        return self._inbox_loaded

    def on_mount(self) -> None:
        # The Inbox ids come from a thread (a quarter of a second at 100,000 unread), so
        # the board is drawn at once and the Inbox fills in when they arrive. The thread
        # starts after the first frame: the store has one connection, and the board's
        # queries would otherwise queue behind the Inbox's.
        self.call_after_refresh(self._load_inbox_ids)
        self._update_counts()
        self.watch(self.app, "refresh_status", self._show_status)
        # init=True: an automatic refresh may already be running when this screen mounts.
        self.watch(self.app, "refreshing", self.board.set_refresh_running, init=True)
        self.set_focus(self.board)

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < WIDE, "-narrow")
        self._show_status()

    # -- which side is active -----------------------------------------------------------

    def _active(self) -> FeedBoard | ItemList:
        # ``focused``, not ``has_focus``: the latter changes only when the widget has handled
        # its Focus event, after keys that were typed together with Tab.
        inbox_focused = self.focused is self.inbox
        if inbox_focused or self.has_class("-full"):
            return self.inbox
        if self.has_class("-narrow") and self.has_class("-show-inbox"):
            return self.inbox
        return self.board

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # Whichever side got focus (Tab, or a mouse click) is the one a narrow layout shows.
        if event.widget is self.inbox or event.widget is self.board:
            self.set_class(event.widget is self.inbox, "-show-inbox")
            self._show_status()

    def action_full_width(self) -> None:
        """The Inbox across the whole width, or back to the board beside it."""
        full = not self.has_class("-full")
        self.set_class(full, "-full")
        if full:
            self.set_class(True, "-show-inbox")
            self._focus_now(self.inbox)
        self._show_status()

    def show_inbox(self) -> None:
        """Bring the Inbox into view and focus it (the Inbox list key, ``I``)."""
        self.set_class(True, "-show-inbox")
        self._focus_now(self.inbox)
        self._show_status()

    def _focus_now(self, target: FeedBoard | ItemList) -> None:
        """Show the side a class change chose and focus ``target`` at once, not after the
        next refresh: keys typed in the same burst (a paste, tmux, a macro) must go to the
        widget that has focus when each arrives, which is the one just chosen."""
        self.app.stylesheet.update_nodes(
            [self.board, self.query_one("#inbox-box"), self.inbox], animate=False
        )
        self.set_focus(target)

    def action_switch_pane(self) -> None:
        if self.has_class("-full"):
            # Tab leaves the full-width Inbox for the board.
            self.set_class(False, "-full")
        show_inbox = self._active() is self.board
        self.set_class(show_inbox, "-show-inbox")
        target: FeedBoard | ItemList = self.inbox if show_inbox else self.board
        self._focus_now(target)
        self._show_status()

    # -- triage -----------------------------------------------------------------------

    @on(ItemList.Selected)
    @on(FeedBoard.Selected)
    def _on_selected(self, event: ItemList.Selected | FeedBoard.Selected) -> None:
        self.action_open_item()

    @on(FeedBoard.OpenFeed)
    def _on_open_feed(self, event: FeedBoard.OpenFeed) -> None:
        self.app.post_message(OpenFeed(event.url))

    # -- engine events ------------------------------------------------------------------

    def on_session_changed(self, message: SessionChanged) -> None:
        change = message.change
        if change.area == "items":
            self._items_changed(change.item_ids, change.sources)
        elif change.area == "episodes":
            # A download's progress or a position: redraw those rows, nothing else.
            self.board.refresh_sources(change.sources)
            self.inbox.refresh_items(change.item_ids)
        elif change.area == "outbox":
            # Bookmarks were sent (or refused): every row's mark may have changed.
            self.board.refresh_sources()
            self.inbox.refresh_items()
            self._show_status()
        elif change.area in ("sources", "matrix", "portfolio"):
            self.board.set_sources(self.session.sources)
            self.board.refresh_sources()
            self.inbox.refresh_items()  # source names may have changed
            if change.area == "matrix":
                # A new order: show its top, not the old selection deep in the list.
                self._inbox_to_top = True
            self._schedule_inbox_reload()
            self._update_counts()
        elif change.area == "roadmap":
            self._update_counts()

    def on_source_refreshed(self, message: SourceRefreshed) -> None:
        self.board.source_refreshed(message.url)
        if message.new_items:
            # The counts are updated with the (debounced) reload: a refresh of 500 feeds
            # sends 500 of these, and each count is a query over every unread item.
            self._schedule_inbox_reload()

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self.board.set_refresh_running(False)
        if getattr(message.summary, "new_items", 0):
            self._schedule_inbox_reload()
        self._update_counts()

    def _items_changed(self, item_ids: list[int], sources: list[str]) -> None:
        self.board.refresh_sources(sources)
        inbox = self.inbox
        inbox.refresh_items(item_ids or None)
        # Items read in place stay listed (dimmed) so r can be undone where it happened;
        # only items the list does not have yet (an undo after a reload) need a reload.
        # The user's own are never in it: reading one (from My output) changes nothing here.
        own = self.session.own_sources()
        if any(inbox.index_of(item_id) is None for item_id in item_ids) and not all(
            source in own for source in sources
        ):
            self._schedule_inbox_reload()
        self._update_counts()

    # -- inbox reloads ------------------------------------------------------------------

    def _schedule_inbox_reload(self) -> None:
        if self._reload_timer is None:
            self._reload_timer = self.set_timer(INBOX_RELOAD_DELAY, self._start_inbox_reload)

    def _start_inbox_reload(self) -> None:
        self._reload_timer = None
        self._load_inbox_ids()

    @work(thread=True, exclusive=True, group="inbox", exit_on_error=False)
    def _load_inbox_ids(self) -> ItemRows:
        return self.session.inbox_rows(background=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "inbox" and event.state == WorkerState.SUCCESS:
            result = event.worker.result
            if isinstance(result, ItemRows):
                inbox = self.inbox
                inbox.empty_text = "Nothing unread. New items land here, most important first."
                inbox.set_ids(result.ids, result.headings, top=self._inbox_to_top)
                self._inbox_to_top = False
                first = not self._inbox_loaded
                self._inbox_loaded = True
                self._update_counts()
                if first:
                    self.post_message(DashboardReady())

    # -- titles and the status line -----------------------------------------------------

    def _update_counts(self) -> None:
        unread = self.session.inbox_count()
        self.query_one("#inbox-title", Static).update(
            Content(f"Inbox — {unread} unread, recent first, by quadrant")
        )
        self._unread = unread
        self._reviews_due = self.session.reviews_due()
        self._show_status()

    def _show_status(self, *_: object) -> None:
        status = plain(str(getattr(self.app, "refresh_status", "") or ""))
        parts = [f"{len(self.session.sources)} feeds", f"{self._unread} unread"]
        due = self._reviews_due
        if due:
            parts.append(f"{due} review{'s' * (due != 1)} due: press 3")
        if status:
            parts.append(status)
        parts.extend(outbox_lines(self.session))
        problem = sync_line(self.session)
        if problem:
            parts.append(problem)
        if self.has_class("-full"):
            parts.append("z: board")
        elif self.has_class("-narrow"):
            parts.append("Tab: board" if self.has_class("-show-inbox") else "Tab: Inbox")
        self.query_one("#status", Static).update(Content(" · ".join(parts)))
