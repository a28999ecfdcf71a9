"""The Downloads view (key 6): the download queue with a progress bar, size and speed for
each episode, what is playing, and keys to pause, resume, cancel, retry and play.

Rows come from the store's episode table with the queue's live progress laid over it
(``Podcasts.listed``); the screen redraws the rows an engine event names, and the whole
table only when rows come or go. Titles, feed names and errors come from the network:
they are put in cells as ``Text``, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from .. import keys
from ..core.ingest.text import clean_line
from ..core.models import Item
from ..core.podcasts.episodes import Episode, clock, episode_duration, human_bytes
from ..core.session import Session
from ..core.storage.store import StoreError
from ..messages import SessionChanged
from ..widgets.footer import Footer
from . import episode_keys
from .forms import ConfirmScreen

COLUMNS: tuple[tuple[str, str], ...] = (
    ("status", "State"),
    ("title", "Episode"),
    ("feed", "Feed"),
    ("progress", "Progress"),
    ("size", "Size"),
    ("speed", "Speed"),
    ("heard", "Listened"),
)
NARROW = 110
"""Below this width the feed, speed and listening columns go; the lines under the table
still say everything about the episode under the cursor."""
NARROW_DROPS = ("feed", "speed", "heard")
BAR_CELLS = 12
TITLE_WIDTH = 44
NARROW_TITLE_WIDTH = 26
FEED_WIDTH = 20

STATUS_WORDS = {
    "downloading": "↓ downloading",
    "queued": "… queued",
    "paused": "‖ paused",
    "failed": "✗ failed",
    "downloaded": "✓ downloaded",
}
EMPTY = (
    "Nothing downloaded or queued. On the dashboard or in the reader, d downloads the "
    'episode under the cursor and P plays it; download = "new" on a podcast in '
    "portfolio.toml queues its new episodes as they arrive."
)


def of_size(done: int, total: int | None) -> str:
    """``13.0/31.0 MB`` (one unit when both share it), ``13.0 MB`` when the total is not
    known."""
    have = human_bytes(done)
    if not total:
        return have
    whole = human_bytes(total)
    number, unit = have.rsplit(" ", 1)
    if whole.endswith(" " + unit):
        return f"{number}/{whole}"
    return f"{have}/{whole}"


def cut(text: str, width: int) -> str:
    text = clean_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


class DownloadsScreen(Screen[None]):
    DEFAULT_CSS = """
    DownloadsScreen {
        #downloads-summary { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
        #downloads-playing { height: auto; padding: 0 1; color: $secondary; display: none; }
        #downloads-playing.-shown { display: block; }
        #downloads { height: 1fr; }
        #downloads-detail {
            height: auto;
            max-height: 6;
            padding: 0 1;
            border-top: solid $panel-lighten-2;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [*keys.DOWNLOADS, *keys.MOVE]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.rows: dict[int, tuple[Episode, Item]] = {}
        self._order: list[int] = []
        self._columns: list[str] = []
        self._cells: dict[int, dict[str, Text]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="downloads-summary")
        yield Static(id="downloads-playing")
        yield DataTable(id="downloads", cursor_type="row", zebra_stripes=True)
        yield Static(id="downloads-detail")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#downloads", DataTable)

    def on_mount(self) -> None:
        self._set_columns(self.app.size.width < NARROW)
        self.reload()
        self.table.focus()
        self.watch(self.app, "theme", lambda: self.reload(rebuild=True), init=False)

    def on_screen_resume(self) -> None:
        # Another process (``folio download``) may have changed the queue meanwhile.
        self.session.podcasts.forget()
        self.reload()

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW
        if narrow != (NARROW_DROPS[0] not in self._columns):
            self._set_columns(narrow)
            self.reload(rebuild=True)

    def _set_columns(self, narrow: bool) -> None:
        table = self.table
        table.clear(columns=True)
        self._columns = []
        for key, label in COLUMNS:
            if narrow and key in NARROW_DROPS:
                continue
            table.add_column(label, key=key)
            self._columns.append(key)
        self._order = []

    # -- drawing --------------------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        table = self.table
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(row_key.value) if row_key.value is not None else None

    def current(self) -> tuple[Episode, Item] | None:
        item_id = self.current_id
        return self.rows.get(item_id) if item_id is not None else None

    def reload(self, rebuild: bool = False) -> None:
        """Redraw from the store and the queue, keeping the cursor on its episode."""
        listed = self.session.podcasts.listed()
        self.rows = {episode.item_id: (episode, item) for episode, item in listed}
        order = [episode.item_id for episode, _ in listed]
        table = self.table
        if order == self._order and not rebuild:
            for item_id in order:
                self._update_row(item_id)
        else:
            keep = self.current_id
            index = table.cursor_row
            table.clear()
            self._cells = {}
            for item_id in order:
                cells = self._row_cells(*self.rows[item_id])
                self._cells[item_id] = cells
                table.add_row(*(cells[key] for key in self._columns), key=str(item_id))
            self._order = order
            if keep in order:
                index = order.index(keep)
            if order:
                table.move_cursor(row=min(index, len(order) - 1))
        self._show_summary()
        self._show_playing()
        self._show_detail()
        self.refresh_bindings()

    def _update_row(self, item_id: int) -> None:
        cells = self._row_cells(*self.rows[item_id])
        old = self._cells.get(item_id, {})
        for key in self._columns:
            if old.get(key) != cells[key]:
                self.table.update_cell(str(item_id), key, cells[key], update_width=True)
        self._cells[item_id] = cells

    def _row_cells(self, episode: Episode, item: Item) -> dict[str, Text]:
        theme = self.app.current_theme
        narrow = "feed" not in self._columns
        source = self.session.source(item.source)
        status_colour = {
            "failed": theme.error,
            "downloaded": theme.success,
            "downloading": theme.accent,
            "paused": theme.warning,
        }.get(episode.status)
        heard = ""
        if episode.played:
            heard = "played"
        elif episode.position > 0:
            total = episode_duration(episode, item)
            heard = clock(episode.position) + (f" / {clock(total)}" if total else "")
        size = human_bytes(episode.total) if episode.total else ""
        if episode.status in ("downloading", "paused", "failed") and episode.bytes:
            size = of_size(episode.bytes, episode.total)
        speed = ""
        if episode.status == "downloading" and episode.speed > 0:
            speed = human_bytes(episode.speed) + "/s"
        title = item.title or item.enclosure_url
        return {
            "status": Text(
                STATUS_WORDS.get(episode.status, episode.status), style=status_colour or ""
            ),
            "title": Text(cut(title, NARROW_TITLE_WIDTH if narrow else TITLE_WIDTH)),
            "feed": Text(cut(source.title if source else item.source, FEED_WIDTH)),
            "progress": self._bar(episode),
            "size": Text(size, justify="right"),
            "speed": Text(speed, justify="right"),
            "heard": Text(heard),
        }

    def _bar(self, episode: Episode) -> Text:
        """A bar of ``BAR_CELLS`` cells and the percentage: full when downloaded."""
        theme = self.app.current_theme
        if episode.status == "downloaded":
            fraction: float | None = 1.0
        elif episode.total:
            fraction = min(1.0, episode.bytes / episode.total)
        else:
            fraction = None
        if fraction is None:
            label = "" if not episode.bytes else human_bytes(episode.bytes)
            return Text("╌" * BAR_CELLS + f" {label}".rstrip(), style=theme.panel or "")
        done = round(fraction * BAR_CELLS)
        colour = {"failed": theme.error, "downloaded": theme.success}.get(
            episode.status, theme.accent
        )
        bar = Text("━" * done, style=colour or "")
        bar.append("━" * (BAR_CELLS - done), style=theme.panel or "dim")
        bar.append(f" {int(fraction * 100):>3}%")
        return bar

    def _show_summary(self) -> None:
        counts: dict[str, int] = {}
        speed = 0.0
        for episode, _ in self.rows.values():
            counts[episode.status] = counts.get(episode.status, 0) + 1
            speed += episode.speed
        parts = [
            f"{counts[status]} {word}"
            for status, word in (
                ("downloading", "downloading"),
                ("queued", "queued"),
                ("paused", "paused"),
                ("failed", "failed"),
                ("downloaded", "downloaded"),
            )
            if counts.get(status)
        ]
        if speed:
            parts.append(human_bytes(speed) + "/s")
        parts.append(str(self.session.podcasts.folder))
        self.query_one("#downloads-summary", Static).update(
            Content("Downloads — " + " · ".join(parts))
        )

    def _show_playing(self) -> None:
        playing = self.session.podcasts.now_playing()
        widget = self.query_one("#downloads-playing", Static)
        widget.set_class(bool(playing), "-shown")
        if playing:
            widget.update(Content(f"{playing}   Z pause · S stop · < > seek"))

    def _show_detail(self) -> None:
        detail = self.query_one("#downloads-detail", Static)
        row = self.current()
        if row is None:
            detail.update(Content(EMPTY))
            return
        episode, item = row
        lines = [clean_line(item.title) or "(untitled)"]
        state = self.session.podcasts.state_label(item)
        if episode.status == "downloading" and episode.speed > 0:
            state += f" · {human_bytes(episode.speed)}/s"
        lines.append(f"State: {clean_line(state)}")
        if episode.file:
            where = episode.file if episode.downloaded else episode.file + ".partial"
            lines.append(f"File: {clean_line(where)}")
        lines.append(f"From: {clean_line(episode.url or item.enclosure_url)}")
        detail.update(Content("\n".join(lines)))

    # -- events ---------------------------------------------------------------------------

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a double click) opens the episode in the reader."""
        from .reader import ReaderScreen

        event.stop()
        item_id = self.current_id
        if item_id is not None:
            self.app.push_screen(ReaderScreen(self.session, item_id, list(self._order)))

    def on_session_changed(self, message: SessionChanged) -> None:
        # Hidden, it catches up when shown again (on_screen_resume).
        if message.change.area in ("episodes", "sources") and self.is_current:
            self.reload()

    # -- keys -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        row = self.current()
        status = row[0].status if row is not None else ""
        if action == "pause_download":
            return status in ("queued", "downloading", "paused")
        if action == "retry_download":
            return status == "failed"
        if action == "cancel_download":
            return row is not None
        if action in ("toggle_played", "play"):
            return row is not None
        return True

    def _safely(self, change: Callable[[], object]) -> object:
        """Run a change to the queue; a database problem (a full disk) is said by the
        app, as for any change, instead of stopping it."""
        try:
            return change()
        except StoreError as problem:
            if self.session.on_store_problem is None:
                raise
            self.session.on_store_problem(problem)
            return None

    def action_pause_download(self) -> None:
        row = self.current()
        if row is None:
            return
        queue = self.session.podcasts.queue
        item_id = row[0].item_id
        if row[0].status == "paused":
            self._safely(lambda: queue.resume(item_id))
        else:
            self._safely(lambda: queue.pause(item_id))

    def action_retry_download(self) -> None:
        row = self.current()
        if row is None:
            return
        item_id = row[0].item_id
        if self._safely(lambda: self.session.podcasts.queue.retry(item_id)):
            self.notify("Retrying.", timeout=2)

    def action_cancel_download(self) -> None:
        row = self.current()
        if row is None:
            return
        episode, item = row
        queue = self.session.podcasts.queue
        title = clean_line(item.title) or "this episode"
        if episode.downloaded:
            question = f"Delete the downloaded file of {title}?\n{clean_line(episode.file)}"

            def delete(yes: bool | None) -> None:
                if yes:
                    self._safely(lambda: queue.delete_file(episode.item_id))

            self.app.push_screen(ConfirmScreen("Delete the file", question), delete)
            return
        if episode.bytes:
            question = (
                f"Cancel the download of {title} and delete the "
                f"{human_bytes(episode.bytes)} downloaded so far?"
            )

            def cancel(yes: bool | None) -> None:
                if yes:
                    self._safely(lambda: queue.cancel(episode.item_id))

            confirm = ConfirmScreen("Cancel the download", question, "Stop and delete")
            self.app.push_screen(confirm, cancel)
            return
        self._safely(lambda: queue.cancel(episode.item_id))

    def action_toggle_played(self) -> None:
        row = self.current()
        if row is not None:
            episode = row[0]
            self._safely(
                lambda: self.session.podcasts.set_played(episode.item_id, not episode.played)
            )

    def action_play(self) -> None:
        row = self.current()
        episode_keys.play(self, row[1] if row is not None else None)

    def action_download(self) -> None:
        row = self.current()
        episode_keys.download(self, row[1] if row is not None else None)

    # -- moving (j/k and friends, as everywhere else) -------------------------------------

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
