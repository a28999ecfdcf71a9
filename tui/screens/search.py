"""Search every stored item by the words in its title, author or content (SQLite FTS5).

Typing is never held up: each change restarts a short timer, and the query itself runs
in a thread worker; a result that arrives after the text has changed again is dropped.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from ..core.dates import local_text
from ..core.models import Item
from ..core.session import Session
from ..widgets.footer import Footer
from ..widgets.status import StatusBar

DEBOUNCE = 0.15
"""Seconds of quiet typing before a search runs."""

LIMIT = 200


class SearchScreen(Screen[None]):
    """An input over a result table; Enter opens the reader, Escape goes back."""

    DEFAULT_CSS = """
    SearchScreen #query {
        margin: 1 1 0 1;
    }
    SearchScreen #summary {
        height: 1;
        padding: 0 2;
        color: $text-muted;
    }
    SearchScreen #results {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("down", "to_results", "Results", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.results: list[Item] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search every item: words in a title, author or text", id="query")
        yield Static("", id="summary")
        table: DataTable[Text] = DataTable(id="results", cursor_type="row", zebra_stripes=True)
        table.add_column("Source", key="source")
        table.add_column("Date", key="date")
        table.add_column("Title", key="title")
        yield table
        yield StatusBar(self.session)
        yield Footer()

    def on_mount(self) -> None:
        self._summary(Content("Type to search every stored item."))
        self.query_one("#query", Input).focus()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#results", DataTable)

    def _summary(self, text: Content) -> None:
        self.query_one("#summary", Static).update(text)

    # -- searching --------------------------------------------------------------------

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self._start_search)

    def _start_search(self) -> None:
        self._timer = None
        query = self.query_one("#query", Input).value
        if not query.strip():
            self._show(query, [])
            return
        self._search(query)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, query: str) -> None:
        items = self.session.store.search(query, limit=LIMIT)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, query, items)

    def _show(self, query: str, items: list[Item]) -> None:
        if query != self.query_one("#query", Input).value:
            return  # typing moved on; a newer search is coming
        self.results = items
        table = self.table
        table.clear()
        names = {source.url: source.title for source in self.session.sources}
        for item in items:
            table.add_row(
                Text(names.get(item.source, item.source), overflow="ellipsis", no_wrap=True),
                Text(local_text(item.published, "%Y-%m-%d")),
                Text(" ".join(item.title.split()) or "(untitled)"),
                key=str(item.id),
            )
        if not query.strip():
            self._summary(Content("Type to search every stored item."))
        elif not items:
            self._summary(Content.from_markup("No matches for [b]$query[/b].", query=query))
        else:
            more = "+" if len(items) >= LIMIT else ""
            self._summary(
                Content.from_markup(
                    "$count$more match$s for [b]$query[/b]. enter opens, ↓ goes to the list.",
                    count=str(len(items)),
                    more=more,
                    s="" if len(items) == 1 and not more else "es",
                    query=query,
                )
            )

    # -- opening ----------------------------------------------------------------------

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._timer is not None:
            # Enter straight after typing: search now rather than open stale results.
            self._timer.stop()
            self._timer = None
            self._start_search()
            return
        self.open_result(self.table.cursor_row)

    @on(DataTable.RowSelected, "#results")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_result(event.cursor_row)

    def open_result(self, index: int) -> None:
        if not 0 <= index < len(self.results):
            return
        from .reader import ReaderScreen

        ids = [item.id for item in self.results]
        self.app.push_screen(ReaderScreen(self.session, ids[index], neighbours=ids))

    def action_to_results(self) -> None:
        if self.results:
            self.table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
