"""The Sources screen: every followed feed's health, and adding, editing and deleting them.

The table is a view of two things: the portfolio (what is followed) and the store's fetch
state (how fetching went). Edits go through the session, which saves portfolio.toml
atomically and tells every screen; this screen redraws from those events, keeping the
cursor on the same source.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Static

from .. import keys
from ..core.models import Source, SourceState
from ..core.session import NotSaved, ReadOnlyError, Session
from ..messages import RefreshFinished, SessionChanged, SourceRefreshed
from ..widgets.footer import Footer
from ..widgets.status import StatusBar
from .forms import AddSourceScreen, BulkEdit, BulkEditScreen, ConfirmScreen, EditSourceScreen

COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Source"),
    ("kind", "Kind"),
    ("status", "Status"),
    ("items", "Items"),
    ("unread", "Unread"),
    ("hits", "304s"),
    ("fetched", "Fetched"),
    ("due", "Next"),
    ("retry", "Retry-After"),
    ("error", "Last error"),
)
TIME_COLUMNS = ("fetched", "due", "retry")
"""The columns that change as time passes, redrawn every second."""

NARROW = 110
"""Below this many columns the table drops kind and items and shortens a heading, so the
timings stay in view at 80 columns; the panel under the table still shows everything."""
NARROW_DROPS = ("kind", "items")
NARROW_LABELS = {"retry": "Retry"}

NAME_WIDTH = 32
ERROR_WIDTH = 48
"""Longer names and errors are cut in the table; the panel below shows them whole."""

STATUS_WORDS = {"new": "new", "ok": "ok", "not-modified": "not modified", "error": "error"}

REFRESHED_DELAY = 0.5
"""Seconds to gather per-source refresh reports into one redraw during a big refresh."""


# -- words for times ---------------------------------------------------------------------


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h"
    return f"{hours // 24}d"


def ago(when: dt.datetime | None, now: dt.datetime) -> str:
    """``"5m ago"``; ``"never"`` for a source not fetched yet."""
    if when is None:
        return "never"
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    return f"{_span(seconds)} ago"


def until(when: dt.datetime | None, now: dt.datetime) -> str:
    """``"in 25m"``; ``"due now"`` once the time has come."""
    if when is None:
        return "due now"
    seconds = (when - now).total_seconds()
    if seconds <= 0:
        return "due now"
    if seconds < 60:
        return f"in {math.ceil(seconds)}s"
    # Rounded up, so "in 1m" never shows for something 90 seconds away.
    return f"in {_span(math.ceil(seconds / 60) * 60)}"


def countdown(when: dt.datetime | None, now: dt.datetime) -> str:
    """A Retry-After wait as ``m:ss`` (``h:mm:ss`` past an hour); empty once it is over."""
    if when is None or when <= now:
        return ""
    total = math.ceil((when - now).total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


def api_label(api: str) -> str:
    """The name of the API a source is read through: "Mastodon API"."""
    from ..core.sources.base import adapter_for

    adapter = adapter_for(api)
    return adapter.label if adapter is not None else f"{api} API"


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def row_values(source: Source, state: SourceState, now: dt.datetime) -> dict[str, str]:
    """The plain text of every cell in one source's row."""
    return {
        "name": _cut(source.title, NAME_WIDTH),
        "kind": source.kind,
        "status": STATUS_WORDS.get(state.status, state.status),
        "items": str(state.items),
        "unread": str(state.unread),
        "hits": f"{state.hit_rate * 100:.0f}%" if state.fetches else "–",
        "fetched": ago(state.last_fetched, now),
        "due": until(state.next_due, now),
        "retry": countdown(state.retry_after, now),
        "error": _cut(state.error, ERROR_WIDTH),
    }


class SourcesScreen(Screen[None]):
    """Source health in a table; a add, enter/e edit, d delete, u undo."""

    DEFAULT_CSS = """
    SourcesScreen #sources {
        height: 1fr;
    }
    SourcesScreen #detail {
        height: auto;
        max-height: 6;
        padding: 0 1;
        border-top: solid $panel-lighten-2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.SOURCES_SCREEN

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.states: dict[str, SourceState] = {}
        self._cells: dict[str, dict[str, str]] = {}
        self._columns: list[str] = []
        self._detail: Content | None = None
        self._order: list[str] = []
        self._ticker: Timer | None = None
        self._pending: Timer | None = None
        self._stale = False
        self.marked: set[str] = set()
        """Sources selected (space) for editing or deleting together."""

    def compose(self) -> ComposeResult:
        yield DataTable(id="sources", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield StatusBar(self.session)
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#sources", DataTable)

    def on_mount(self) -> None:
        self._set_columns(self.app.size.width < NARROW)
        self.reload()
        self.set_focus(self.table)
        # Cell colours come from the theme, so a theme change redraws every row.
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self) -> None:
        self._order = []
        self._redraw_soon(0)

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW
        if narrow != (NARROW_DROPS[0] not in self._columns):
            url = self.current_url
            self._set_columns(narrow)
            self.reload(select=url)

    def _set_columns(self, narrow: bool) -> None:
        table = self.table
        table.clear(columns=True)
        self._columns = []
        self._order = []  # the next reload adds every row again
        for key, label in COLUMNS:
            if narrow and key in NARROW_DROPS:
                continue
            table.add_column(NARROW_LABELS.get(key, label) if narrow else label, key=key)
            self._columns.append(key)

    def on_screen_resume(self) -> None:
        if self._stale:
            self.reload()
        # Countdowns tick only while the screen is visible.
        if self._ticker is None:
            self._ticker = self.set_interval(1.0, self._tick)
        else:
            self._ticker.resume()

    def on_screen_suspend(self) -> None:
        if self._ticker is not None:
            self._ticker.pause()

    # -- drawing ----------------------------------------------------------------------

    @property
    def current_url(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def reload(self, select: str | None = None) -> None:
        """Redraw from the portfolio and the store, keeping the cursor on its source.

        ``select`` moves the cursor to that source instead (a newly added one).
        """
        self._stale = False
        self.states = self.session.store.states()
        now = self.session.now()
        sources = self.session.sources
        table = self.table
        order = [source.url for source in sources]
        rows = {
            source.url: row_values(
                source, self.states.get(source.url) or SourceState(source.url), now
            )
            for source in sources
        }
        self.marked &= set(rows)
        for url in self.marked:
            rows[url]["name"] = "✓ " + rows[url]["name"]
        if order == self._order:
            for url, values in rows.items():
                self._update_row(url, values)
        else:
            keep = select or self.current_url
            index = table.cursor_row
            table.clear()
            for url in order:
                table.add_row(*(self._cell(key, rows[url]) for key in self._columns), key=url)
            self._cells = rows
            self._order = order
            if keep in order:
                index = order.index(keep)
            if order:
                table.move_cursor(row=min(index, len(order) - 1))
        self.show_detail()

    def _update_row(self, url: str, values: dict[str, str], only: tuple[str, ...] = ()) -> None:
        old = self._cells.get(url, {})
        for key in only or self._columns:
            if key in self._columns and old.get(key) != values[key]:
                self.table.update_cell(url, key, self._cell(key, values), update_width=True)
        self._cells[url] = {**old, **values}

    def _cell(self, key: str, values: dict[str, str]) -> Text:
        """One cell as Text: feed titles and errors are never read as markup."""
        value = values[key]
        theme = self.app.current_theme
        if key in ("items", "unread", "hits"):
            return Text(value, justify="right")
        if key == "status":
            colour = {"ok": theme.success, "not modified": theme.success, "error": theme.error}
            return Text(value, style=colour.get(value) or "")
        if key == "error" and values["status"] != STATUS_WORDS["error"]:
            # A note on a source that works (an API read through its RSS feed instead).
            return Text(value, style=theme.warning or "")
        if key in ("error", "retry"):
            return Text(value, style=theme.error or "")
        return Text(value)

    def _tick(self) -> None:
        now = self.session.now()
        for source in self.session.sources:
            if source.url in self._cells:
                state = self.states.get(source.url) or SourceState(source.url)
                values = row_values(source, state, now)
                self._update_row(source.url, values, only=TIME_COLUMNS)
        self.show_detail()

    def show_detail(self) -> None:
        """The whole story of the source under the cursor, below the table."""
        detail = self.query_one("#detail", Static)
        url = self.current_url
        source = self.session.source(url) if url else None
        if self.marked:
            count = len(self.marked)
            text = Content.assemble(
                (f"{count} source{'s' * (count != 1)} selected", "bold"),
                ": e edits their kind or tags, d deletes them, space selects another,"
                " esc clears the selection.",
            )
        elif source is None:
            text = Content("No sources yet. Press a to add one: a feed, or a page that has one.")
        else:
            state = self.states.get(source.url) or SourceState(source.url)
            text = self.detail_text(source, state)
        if text != self._detail:
            self._detail = text
            detail.update(text)

    def detail_text(self, source: Source, state: SourceState) -> Content:
        now = self.session.now()
        values = row_values(source, state, now)
        default = self.session.workspace.settings.refresh.interval
        interval = source.interval or f"{default} (default)"
        facts = [
            f"{source.kind}",
            f"{state.items} items, {state.unread} unread",
            f"tags {', '.join(source.tags) or 'none'}",
            f"every {interval}",
        ]
        if source.mine:
            facts.append(f"mine, target {source.target}" if source.target else "mine")
        if source.api:
            facts.append(f"through the {api_label(source.api)}")
        timing = [
            f"fetched {values['fetched']}",
            f"next {values['due']}",
            f"304 hit rate {values['hits']}",
        ]
        if values["retry"]:
            timing.append(f"Retry-After {values['retry']}")
        lines = [
            Content.from_markup("[b]$title[/b]  $url", title=source.title, url=source.url),
            Content(" · ".join(facts)),
            Content(" · ".join(timing)),
        ]
        if state.error and state.status != "error":
            lines.append(Content.from_markup("[$text-warning]Note: $note[/]", note=state.error))
        elif state.error:
            code = f" (HTTP {state.http_status})" if state.http_status else ""
            lines.append(
                Content.from_markup(
                    "[$text-error]Last error$code: $error[/]", code=code, error=state.error
                )
            )
        return Content("\n").join(lines)

    # -- events -----------------------------------------------------------------------

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        # Enter (and a click on the highlighted row) reaches the table first.
        event.stop()
        self.action_edit()

    def on_session_changed(self, message: SessionChanged) -> None:
        if message.change.area in ("sources", "items", "portfolio"):
            self._redraw_soon(0)

    def on_source_refreshed(self, message: SourceRefreshed) -> None:
        # A big refresh reports hundreds of sources; gather them into one redraw.
        self._redraw_soon(REFRESHED_DELAY)

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self._redraw_soon(0)

    def _redraw_soon(self, delay: float) -> None:
        if not self.is_current:
            self._stale = True  # drawn when the screen comes back
            return
        if delay == 0:
            if self._pending is not None:
                self._pending.stop()
                self._pending = None
            self.reload()
        elif self._pending is None:
            self._pending = self.set_timer(delay, self._pending_done)

    def _pending_done(self) -> None:
        self._pending = None
        self.reload()

    # -- actions ----------------------------------------------------------------------

    def _writable(self) -> bool:
        if self.session.read_only:
            self.notify(
                f"Sources cannot be changed until portfolio.toml is fixed: "
                f"{self.session.portfolio_error}",
                title="Read-only",
                severity="warning",
                markup=False,
            )
            return False
        return True

    def _selected_source(self) -> Source | None:
        url = self.current_url
        source = self.session.source(url) if url else None
        if source is None:
            self.notify("There is no source here. Press a to add one.", markup=False)
        elif any(extra.url == source.url for extra in self.session.extra_sources()):
            self.notify(
                f"{source.title} comes from [bookmarks] in settings.toml: change or remove it "
                "there.",
                markup=False,
            )
            return None
        return source

    def action_add_source(self) -> None:
        if not self._writable():
            return

        def added(source: Source | None) -> None:
            if source is None:
                return
            if self._save(lambda: self.session.add_source(source)):
                self.reload(select=source.url)
                self.notify(
                    f"Added {source.title} ({source.kind}). "
                    "Its items arrive with the next refresh.",
                    markup=False,
                )

        self.app.push_screen(AddSourceScreen(self.session), added)

    def action_mark(self) -> None:
        """Select the source under the cursor (or let it go), then move down."""
        url = self.current_url
        if url is None:
            return
        self.marked ^= {url}
        self.reload()
        self.table.action_cursor_down()

    def action_clear_marks(self) -> None:
        if self.marked:
            self.marked.clear()
            self.reload()

    def _marked_sources(self) -> list[Source]:
        return [s for s in self.session.sources if s.url in self.marked]

    def _edit_marked(self) -> None:
        chosen = self._marked_sources()
        tags = sorted({tag for source in chosen for tag in source.tags})

        def edited(result: BulkEdit | None) -> None:
            if result is None or (
                result.kind is None and not result.add_tags and not result.remove_tags
            ):
                return
            urls = [s.url for s in chosen]
            if self._save(
                lambda: self.session.update_sources(
                    urls, result.kind, result.add_tags, result.remove_tags
                )
            ):
                self.notify(f"Edited {len(urls)} sources. u undoes it.", markup=False)

        self.app.push_screen(BulkEditScreen(len(chosen), tags), edited)

    def _delete_marked(self) -> None:
        chosen = self._marked_sources()
        names = ", ".join(s.title for s in chosen[:5]) + (" …" if len(chosen) > 5 else "")
        message = Content.assemble(
            f"Stop following {len(chosen)} sources?\n",
            (names, "bold"),
            "\nTheir stored items are removed too. u brings them back, with their items "
            "and flags, and fetches them again.",
        )

        def confirmed(yes: bool | None) -> None:
            urls = [s.url for s in chosen]
            if yes and self._save(lambda: self.session.delete_sources(urls)):
                self.marked.clear()
                self.reload()
                self.notify(f"Deleted {len(urls)} sources. u brings them back.", markup=False)

        self.app.push_screen(ConfirmScreen("Delete sources", message), confirmed)

    def action_edit(self) -> None:
        if not self._writable():
            return
        if self.marked:
            self._edit_marked()
            return
        if (source := self._selected_source()) is None:
            return
        url = source.url

        def edited(updated: Source | None) -> None:
            if updated is None or updated == source:
                return
            if self._save(lambda: self.session.update_source(url, updated)):
                self.notify(f"Saved {updated.title}.", markup=False)

        default = self.session.workspace.settings.refresh.interval
        self.app.push_screen(EditSourceScreen(source, default), edited)

    def action_delete(self) -> None:
        if not self._writable():
            return
        if self.marked:
            self._delete_marked()
            return
        if (source := self._selected_source()) is None:
            return
        url = source.url
        message = Content.from_markup(
            "Stop following [b]$title[/b]?\n"
            "Its stored items are removed too. u brings the source back with its items\n"
            "and their flags, and fetches it again.",
            title=source.title,
        )

        def confirmed(yes: bool | None) -> None:
            if yes and self._save(lambda: self.session.delete_source(url)):
                self.notify(f"Deleted {source.title}. u brings it back.", markup=False)

        self.app.push_screen(ConfirmScreen("Delete source", message), confirmed)

    def action_undo(self) -> None:
        if not self._writable():
            return
        label: str | None = None

        def undo() -> None:
            nonlocal label
            label = self.session.undo_portfolio("sources")

        if self._save(undo):
            self.notify(f"Undid: {label}" if label else "Nothing to undo.", markup=False)

    def _save(self, edit: Callable[[], object]) -> bool:
        """Run a session edit, turning a failed save into a notification."""
        try:
            edit()
        except ReadOnlyError as exc:
            self.notify(str(exc), title="Read-only", severity="warning", markup=False)
            return False
        except NotSaved as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False)
            return False
        except OSError as exc:
            self.notify(f"Could not save portfolio.toml: {exc}", severity="error", markup=False)
            return False
        return True

    # -- moving (j/k and friends, as everywhere else) ---------------------------------

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_page_down(self) -> None:
        self.table.action_page_down()

    def action_page_up(self) -> None:
        self.table.action_page_up()

    def action_first(self) -> None:
        self.table.move_cursor(row=0)

    def action_last(self) -> None:
        self.table.move_cursor(row=max(self.table.row_count - 1, 0))
