"""A list of items across the whole width: Starred, Later, Bookmarked, Unread, All, New
since I last looked, or one feed's every item. Any ``lists.ListSpec`` can be shown here.

The first screenful is read at once (a query with a LIMIT, a few milliseconds even at
100,000 items), and the whole id list in a thread; the list then grows under the cursor
without moving it. The triage keys are the dashboard's (``TriageScreen``); ``v`` goes on
to the next list, Escape back to where the user was.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from .. import keys
from ..core.lists import ListSpec
from ..core.session import Session
from ..messages import RefreshFinished, SessionChanged
from ..widgets.board import FeedBoard
from ..widgets.footer import Footer
from ..widgets.itemlist import ItemList
from ..widgets.status import StatusBar
from .triage import TriageScreen

FIRST_PAGE = 120
"""Rows read at once when a list opens; the rest arrive from a thread."""


class ListScreen(TriageScreen):
    """One list of items, full width, with the triage keys."""

    BINDINGS: ClassVar[list[BindingType]] = keys.LIST_SCREEN_KEYS

    DEFAULT_CSS = """
    ListScreen {
        #list-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
        #list-items { height: 1fr; }
    }
    """

    def __init__(self, session: Session, spec: ListSpec) -> None:
        super().__init__()
        self.session = session
        self.spec = spec
        self._generation = 0
        self._count: int | None = None
        self._shown_at = session.now()
        self._loaded = False
        self._stale = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="list-title")
        yield ItemList(self.session, id="list-items")
        yield StatusBar(self.session)
        yield Footer()

    @property
    def items(self) -> ItemList:
        return self.query_one("#list-items", ItemList)

    @property
    def loaded(self) -> bool:
        """True once the whole list has been read (tests wait for it)."""
        return self._loaded

    def on_mount(self) -> None:
        self.show(self.spec)

    def _active(self) -> FeedBoard | ItemList:
        return self.items

    # -- showing ------------------------------------------------------------------------

    def show(self, spec: ListSpec) -> None:
        """Show ``spec``'s list, cursor on its first item."""
        if spec != self.spec:
            self._leave()
        self.spec = spec
        self._stale = False
        self._generation += 1
        self._count = None
        self._loaded = False
        self._shown_at = self.session.now()
        items = self.items
        items.empty_text = spec.empty
        items.show_source = spec.sources is None or len(spec.sources) > 1
        items.set_ids(self.session.list_ids(spec, limit=FIRST_PAGE), top=True)
        self._title()
        # The rest after the first frame: the thread building 100,000 ids would otherwise
        # take turns at the interpreter with the drawing of the first screenful.
        self.call_after_refresh(self._load_all, spec, self._generation)
        self.set_focus(items)

    def reload(self) -> None:
        """Read the list again, keeping the cursor on the same item."""
        self._generation += 1
        self._load_all(self.spec, self._generation)

    @work(thread=True, exclusive=True, group="list", exit_on_error=False)
    def _load_all(self, spec: ListSpec, generation: int) -> tuple[int, list[int]]:
        return generation, self.session.list_ids(spec, background=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "list" or event.state != WorkerState.SUCCESS:
            return
        result = event.worker.result
        if not isinstance(result, tuple):
            return
        generation, ids = result
        if generation != self._generation:
            return  # another list has been asked for since
        self.items.set_ids(ids)
        self._count = len(ids)
        self._loaded = True
        self._title()

    def _title(self) -> None:
        spec = self.spec
        count = "…" if self._count is None else f"{self._count} item{'s' * (self._count != 1)}"
        where = "v: next list · esc: back" if spec.name != "feed" else "esc: back"
        self.query_one("#list-title", Static).update(
            Content.assemble(
                spec.title, (f"  {count} · newest first · {where}", "$text-muted not bold")
            )
        )

    def _leave(self) -> None:
        """The user is done looking at this list (for "new since I last looked")."""
        self.session.looked_at(self.spec, self._shown_at)

    # -- keys ---------------------------------------------------------------------------

    def action_back(self) -> None:
        self._leave()
        self.app.pop_screen()

    # -- engine events ------------------------------------------------------------------

    def _items_changed(self, item_ids: list[int], sources: list[str]) -> None:
        items = self.items
        items.refresh_items(item_ids or None)
        # Items changed in place stay listed (an unstarred item in Starred, dimmed read
        # items in Unread), so a key can be undone where it was pressed; items the list
        # does not have yet (an undo after a reload) come with a reload.
        if any(items.index_of(item_id) is None for item_id in item_ids):
            self.reload()

    def on_session_changed(self, message: SessionChanged) -> None:
        change = message.change
        if not self.is_current and not self._reader_on_top():
            # Hidden: read again when shown, not on every change made elsewhere (a list
            # of 100,000 ids costs a thread its time).
            self._stale = self._stale or change.area in ("items", "sources", "portfolio")
            return
        if change.area == "items":
            self._items_changed(change.item_ids, change.sources)
        elif change.area in ("sources", "portfolio"):
            self.items.refresh_items()
            self.reload()

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        if getattr(message.summary, "new_items", 0):
            if self.is_current:
                self.reload()
            else:
                self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.items.refresh_items()
            self.reload()

    def _reader_on_top(self) -> bool:
        """The reader was opened from this list: items it reads change here too."""
        stack = self.app.screen_stack
        return self in stack and stack.index(self) == len(stack) - 2
