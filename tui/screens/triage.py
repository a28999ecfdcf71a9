"""The triage keys, shared by every screen that lists items: the dashboard (board and
Inbox) and the list screen (Starred, Later, a whole feed…).

A subclass says which widget is active (``_active``) and how to redraw after items
change (``_items_changed``); reading, flagging, read-and-next, marking read, opening
the reader or the browser and undo work the same everywhere, through the session.
"""

from __future__ import annotations

from textual.notifications import SeverityLevel
from textual.screen import Screen

from ..core.ingest.text import clean
from ..core.models import Item
from ..core.session import Session
from ..messages import NextList, OpenFeed, OpenLink, OpenReader, ShowList
from ..widgets.board import FeedBoard
from ..widgets.itemlist import ItemList
from . import episode_keys


class TriageScreen(Screen[None]):
    """A screen with a board or an item list whose cursor item the triage keys act on."""

    session: Session

    # -- for subclasses ---------------------------------------------------------------

    def _active(self) -> FeedBoard | ItemList:
        raise NotImplementedError

    def _items_changed(self, item_ids: list[int], sources: list[str]) -> None:
        """Redraw what shows these items (called at once, before the broadcast arrives)."""
        raise NotImplementedError

    def _say(self, message: str, severity: SeverityLevel = "information") -> None:
        # Messages quote source names and errors: plain text, never markup.
        self.notify(clean(message), markup=False, severity=severity)

    def _current_item(self) -> Item | None:
        return self._active().cursor_item()

    # -- opening ----------------------------------------------------------------------

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

        self.app.post_message(OpenReader(item_id, neighbours, came_back))

    def action_open_link(self) -> None:
        item = self._current_item()
        if item is None:
            return
        if not item.link:
            self.notify("This item has no link.", severity="warning")
            return
        self.session.opened_in_browser(item)
        self.app.post_message(OpenLink(item.link))

    def _cursor_source(self) -> str | None:
        """The feed under the cursor: the card's on the board, else the item's."""
        active = self._active()
        if isinstance(active, FeedBoard):
            return active.cursor_source
        item = active.cursor_item()
        return item.source if item is not None else None

    def action_open_feed(self) -> None:
        """The whole list of the feed under the cursor (the card's, or the item's)."""
        url = self._cursor_source()
        if url is not None:
            self.app.post_message(OpenFeed(url))

    # -- lists ------------------------------------------------------------------------

    def action_show_list(self, name: str) -> None:
        self.app.post_message(ShowList(name))

    def action_next_list(self) -> None:
        self.app.post_message(NextList())

    # -- flags --------------------------------------------------------------------------

    async def action_toggle(self, flag: str) -> None:  # DOMNode.action_toggle is async
        item = self._current_item()
        if item is None:
            return
        self.session.toggle_flag(item, flag)
        # Redraw now, not when the broadcast arrives, so a fast second key sees the change.
        self._items_changed([item.id], [item.source])

    def action_bookmark(self) -> None:
        """Bookmark the item, here and on the bookmark service (or take it away)."""
        item = self._current_item()
        if item is None:
            return
        from .bookmarking import toggle_bookmark

        # Redrawn at once, not when the broadcast arrives, as for the other flags.
        toggle_bookmark(
            self, self.session, item, lambda: self._items_changed([item.id], [item.source])
        )

    # -- episodes -----------------------------------------------------------------------

    def action_download(self) -> None:
        episode_keys.download(self, self._current_item())

    def action_play(self) -> None:
        episode_keys.play(self, self._current_item())

    def action_read_next(self) -> None:
        """Mark the item read and move to the next unread one (newsboat's N)."""
        active = self._active()
        item = active.cursor_item()
        if item is None:
            return
        if not item.read:
            self.session.set_flag([item.id], "read", True, label=f"read {item.title}")
            self._items_changed([item.id], [item.source])
        if isinstance(active, ItemList):
            position = len(active.ids_above_cursor())
            following = self.session.next_unread(active.ids, position)
            if following is not None:
                active.move_to(active.ids[following])
                return
        else:
            found = active.next_unread()
            if found is not None:
                active.move_cursor(*found)
                return
        self._say("No unread items after this one.")

    def action_mark_pane_read(self) -> None:
        url = self._cursor_source()
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

    def action_mark_above_read(self) -> None:
        active = self._active()
        if not isinstance(active, ItemList):
            self._say("Mark above read works in a list: Tab to the Inbox first.")
            return
        above = active.ids_above_cursor()
        count = self.session.mark_read(above, label=f"Marked the {len(above)} items above read")
        if count:
            self._items_changed(above, [])
            self._say(f"Marked {count} item{'s' * (count != 1)} above read. u undoes it.")
        else:
            self._say("Nothing unread above this item.")

    def action_undo(self) -> None:
        label = self.session.undo_triage()
        self._say(f"Undid: {label}" if label else "Nothing to undo.")
