"""The dashboard: the feed board and the Inbox, side by side (or one at a time when narrow).

The screen only routes: keys to the focused widget's cursor item and to the session, and
engine events to the widgets. Everything it shows is drawn by the widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import DescendantFocus, Resize
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from .. import keys
from ..core.ingest.text import clean
from ..core.models import Item
from ..core.session import Session
from ..messages import DashboardReady, OpenLink, RefreshFinished, SessionChanged, SourceRefreshed
from ..widgets.board import FeedBoard
from ..widgets.footer import Footer
from ..widgets.itemlist import ItemList, plain
from ..widgets.status import outbox_lines, sync_line
from . import episode_keys

if TYPE_CHECKING:
    from .reader import ReaderScreen

WIDE = 120
"""From this many columns the board and the Inbox are shown side by side."""
INBOX_RELOAD_DELAY = 0.3
"""Seconds to gather bursts of events (a refresh reports per source) into one reload."""


class DashboardScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        *keys.TRIAGE,
        *keys.EPISODE,
        *[b for b in keys.PANES if isinstance(b, Binding) and b.id == "switch_pane"],
    ]

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
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._reload_timer: Timer | None = None
        self._unread = 0
        self._inbox_loaded = False
        self._reader: ReaderScreen | None = None
        """The reader, kept between openings: see ``_open_reader``."""
        self._on_episode: bool | None = None
        """Whether the cursor is on an episode, so the footer offers d and P."""

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
        self.board.focus()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < WIDE, "-narrow")
        self._show_status()

    # -- which side is active -----------------------------------------------------------

    def _active(self) -> FeedBoard | ItemList:
        # ``focused``, not ``has_focus``: the latter changes only when the widget has handled
        # its Focus event, after keys that were typed together with Tab.
        inbox_focused = self.focused is self.inbox
        if inbox_focused or (self.has_class("-narrow") and self.has_class("-show-inbox")):
            return self.inbox
        return self.board

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # Whichever side got focus (Tab, or a mouse click) is the one a narrow layout shows.
        if event.widget is self.inbox or event.widget is self.board:
            self.set_class(event.widget is self.inbox, "-show-inbox")
            self._show_status()

    def action_switch_pane(self) -> None:
        show_inbox = self._active() is self.board
        self.set_class(show_inbox, "-show-inbox")
        target: FeedBoard | ItemList = self.inbox if show_inbox else self.board
        if self.has_class("-narrow"):
            # Focus after the display change has been applied, or a hidden widget refuses it.
            self.call_after_refresh(target.focus)
        else:
            # Focus now, not later: a key typed together with Tab must go where Tab went.
            self.set_focus(target)
        self._show_status()

    # -- triage -----------------------------------------------------------------------

    def _current_item(self) -> Item | None:
        return self._active().cursor_item()

    def action_open_item(self) -> None:
        active = self._active()
        item = active.cursor_item()
        if item is None:
            return
        if isinstance(active, ItemList):
            neighbours = active.ids
        else:
            neighbours = [i.id for i in self.session.store.items(sources=[item.source], limit=500)]
        self._open_reader(item.id, neighbours)

    @on(ItemList.Selected)
    @on(FeedBoard.Selected)
    def _on_selected(self, event: ItemList.Selected | FeedBoard.Selected) -> None:
        self.action_open_item()

    def _open_reader(self, item_id: int, neighbours: list[int]) -> None:
        origin = self._active()

        def came_back(last: int | None) -> None:
            if last is None:
                return
            if isinstance(origin, ItemList):
                origin.move_to(last)
            else:
                item = self.session.store.item(last)
                if item is not None:
                    origin.select(item.source, item.id)

        reader = self._reader
        if reader is None:
            from .reader import ReaderScreen

            reader = self._reader = ReaderScreen(self.session, item_id, neighbours)
            # Installed, so that closing it keeps it: opening it again then only draws the
            # item, where building the screen (its footer above all) took 20-30 ms more.
            self.app.install_screen(reader, name=f"reader-{id(self)}")
        else:
            reader.show_item(item_id, neighbours)
        self.app.push_screen(reader, came_back)

    async def action_toggle(self, flag: str) -> None:  # DOMNode.action_toggle is async
        item = self._current_item()
        if item is None:
            return
        self.session.toggle_flag(item, flag)
        # Redraw now, not when the broadcast arrives, so a fast second key sees the change.
        self._items_changed([item.id], [item.source])

    def action_bookmark(self) -> None:
        item = self._current_item()
        if item is None:
            return
        from .bookmarking import toggle_bookmark

        # Redrawn at once, not when the broadcast arrives, as for the other flags.
        toggle_bookmark(
            self, self.session, item, lambda: self._items_changed([item.id], [item.source])
        )

    def action_open_link(self) -> None:
        item = self._current_item()
        if item is None:
            return
        if not item.link:
            self.notify("This item has no link.", severity="warning")
            return
        self._open_link(item.link)

    def _open_link(self, url: str) -> None:
        self.app.post_message(OpenLink(url))

    # -- episodes -----------------------------------------------------------------------

    def action_download(self) -> None:
        episode_keys.download(self, self._current_item())

    def action_play(self) -> None:
        episode_keys.play(self, self._current_item())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in episode_keys.ACTIONS:
            return episode_keys.applies(self._current_item())
        return True

    @on(ItemList.Highlighted)
    @on(FeedBoard.Highlighted)
    def _cursor_moved(self) -> None:
        on_episode = episode_keys.applies(self._current_item())
        if on_episode != self._on_episode:
            self._on_episode = on_episode
            self.refresh_bindings()

    def action_mark_pane_read(self) -> None:
        active = self._active()
        if isinstance(active, FeedBoard):
            url = active.cursor_source
        else:
            item = active.cursor_item()
            url = item.source if item is not None else None
        if url is None:
            return
        source = self.session.source(url)
        name = source.title if source else url
        count = self.session.mark_source_read(url)
        if count:
            self._items_changed([], [url])
            self._say(f"Marked {count} item{'s' * (count != 1)} in {name} read. u undoes it.")
        else:
            self._say(f"Nothing unread in {name}.")

    def action_undo(self) -> None:
        label = self.session.undo_triage()
        self._say(f"Undid: {label}" if label else "Nothing to undo.")

    def _say(self, message: str, severity: SeverityLevel = "information") -> None:
        # Messages quote source names and errors: plain text, never markup.
        self.notify(clean(message), markup=False, severity=severity)

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
            self._schedule_inbox_reload()
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
    def _load_inbox_ids(self) -> list[int]:
        return self.session.inbox_ids()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "inbox" and event.state == WorkerState.SUCCESS:
            result = event.worker.result
            if isinstance(result, list):
                inbox = self.inbox
                inbox.empty_text = "Nothing unread. New items land here, most important first."
                inbox.set_ids(result)
                first = not self._inbox_loaded
                self._inbox_loaded = True
                self._update_counts()
                self._cursor_moved()
                if first:
                    self.post_message(DashboardReady())

    # -- titles and the status line -----------------------------------------------------

    def _update_counts(self) -> None:
        unread = self.session.inbox_unread()
        self.query_one("#inbox-title", Static).update(
            Content(f"Inbox — {unread} unread, by priority")
        )
        self._unread = unread
        self._show_status()

    def _show_status(self, *_: object) -> None:
        status = plain(str(getattr(self.app, "refresh_status", "") or ""))
        parts = [f"{len(self.session.sources)} feeds", f"{self._unread} unread"]
        if status:
            parts.append(status)
        parts.extend(outbox_lines(self.session))
        problem = sync_line(self.session)
        if problem:
            parts.append(problem)
        if self.has_class("-narrow"):
            parts.append("Tab: board" if self.has_class("-show-inbox") else "Tab: Inbox")
        self.query_one("#status", Static).update(Content(" · ".join(parts)))
