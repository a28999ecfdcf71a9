"""My output (key 5): the user's own sources (``mine = true``) measured.

One row per own account or feed: posts per week against its target, last post, the
longest gap, engagement per post, followers and a sparkline over weeks; below, a panel
on the source under the cursor and the list of its posts with their latest counts.
Enter on a source goes to its posts; Enter on a post opens it in the reader.

The figures are computed by tui/core/planning/output.py in a thread (thousands of posts
with their snapshots take a moment), so the screen appears at once and fills in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from .. import keys
from ..core.ingest.text import clean
from ..core.planning.output import (
    ALL_FIELDS,
    Post,
    SourceOutput,
    count_fields,
    output_rows,
    own_posts,
)
from ..core.planning.output_text import NUMERIC_COLUMNS, post_cells, post_columns, post_widths
from ..core.session import Session
from ..messages import OpenLink, RefreshFinished, SessionChanged
from ..widgets.footer import Footer
from ..widgets.output_tables import (
    NARROW,
    OutputDetail,
    TextBlock,
    name_width,
    source_columns,
    source_row_cells,
    source_widths,
)
from ..widgets.row_list import ColumnsHeader, RowList
from ..widgets.status import StatusBar

if TYPE_CHECKING:
    from .reader import ReaderScreen

REDRAW_AREAS = {"sources", "portfolio"}
"""Changes that alter what this screen shows: which sources are the user's, targets."""

EMPTY_TEXT = (
    "Nothing here is marked as yours yet.\n"
    "\n"
    "Mark a source as yours: on the Sources screen (4) select it, press e and tick "
    "“Mine”, or add  mine = true  to its [[sources]] table in portfolio.toml. A target "
    'such as  target = "2/w"  (twice a week) or  "1/m"  compares your cadence with it.\n'
    "\n"
    "Blogs and podcasts give posts and cadence. For replies, reposts, likes and followers, "
    "add your account through its API: press a on the Sources screen and give its address, "
    "such as https://mastodon.social/@you or https://bsky.app/profile/you.bsky.social, "
    "then mark it as yours. Counts arrive with each refresh (R)."
)
POST_NUMBERS = frozenset({*ALL_FIELDS, "engagement"})


@dataclass(frozen=True)
class PostRows:
    """One source's posts and the list's columns for them."""

    url: str
    posts: list[Post]
    columns: list[tuple[str, str]]
    widths: dict[str, int]


class OutputScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = keys.OUTPUT

    DEFAULT_CSS = """
    OutputScreen {
        #output-title { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
        #output-sources { height: auto; max-height: 8; }
        #output-detail {
            padding: 0 1;
            background: $boost;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        #posts-title { height: 1; padding: 0 1; color: $text-muted; }
        #output-posts { height: 1fr; }
        #output-empty { height: 1fr; padding: 1 2; display: none; }
        &.-empty {
            #output-empty { display: block; }
            #sources-header, #output-sources, #output-detail, #posts-title, #posts-header,
            #output-posts {
                display: none;
            }
        }
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.rows: list[SourceOutput] = []
        self.figures: dict[str, SourceOutput] = {}
        self.posts_url: str | None = None
        """The source whose posts are listed."""
        self._posts: dict[str, PostRows] = {}
        """Each source's posts as loaded since the figures were last counted: going back
        to a source shows them at once."""
        self._stale = False
        self._loaded = False
        self._reader: ReaderScreen | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content("My output · counting your posts…"), id="output-title")
        sources = RowList(id="output-sources")
        yield ColumnsHeader(sources, id="sources-header")
        yield sources
        yield OutputDetail(id="output-detail")
        yield TextBlock(id="posts-title")
        posts = RowList(id="output-posts")
        yield ColumnsHeader(posts, id="posts-header")
        yield posts
        yield Static(Content(EMPTY_TEXT), id="output-empty")
        yield StatusBar(self.session)
        yield Footer()

    @property
    def sources_list(self) -> RowList:
        return self.query_one("#output-sources", RowList)

    @property
    def posts_list(self) -> RowList:
        return self.query_one("#output-posts", RowList)

    @property
    def current_url(self) -> str | None:
        key = self.sources_list.cursor_key
        return key if isinstance(key, str) else None

    @property
    def loaded(self) -> bool:
        """True once the figures have been drawn the first time (tests wait for it)."""
        return self._loaded

    def on_mount(self) -> None:
        self.sources_list.focus()
        self.reload()

    # -- loading ----------------------------------------------------------------------

    @property
    def window(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.session.workspace.settings.output.window_seconds)

    def reload(self) -> None:
        """Compute every own source's figures (and the current one's posts) in a thread."""
        self._stale = False
        self._posts.clear()
        own = [source.url for source in self.session.sources if source.mine]
        current = self.current_url
        self._compute(current if current in own else (own[0] if own else None))

    @work(thread=True, exclusive=True, group="output", exit_on_error=False)
    def _compute(self, url: str | None) -> PostRows | None:
        session = self.session
        rows = output_rows(session.portfolio, session.store, session.now(), self.window)
        # The figures are shown at once; the posts of the source under the cursor follow.
        self.app.call_from_thread(self._show_rows, rows, url)
        return self._post_rows(url) if url else None

    @work(thread=True, exclusive=True, group="output-posts", exit_on_error=False)
    def _load_posts(self, url: str) -> PostRows:
        return self._post_rows(url)

    def _post_rows(self, url: str) -> PostRows:
        """A source's posts and the list's columns for them, in the worker's thread."""
        posts = own_posts(self.session.store, url)
        columns = post_columns(count_fields(posts))
        return PostRows(url, posts, columns, post_widths(posts, columns))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR:
            self.notify(
                f"Could not count your posts: {worker.error}", severity="error", markup=False
            )
            return
        if event.state != WorkerState.SUCCESS:
            return
        if worker.group in ("output", "output-posts"):
            posts = worker.result
            if isinstance(posts, PostRows):
                self._posts[posts.url] = posts
                if posts.url == self.current_url:
                    self._show_posts(posts)

    # -- drawing ----------------------------------------------------------------------

    def _show_rows(self, rows: list[SourceOutput], select: str | None) -> None:
        self.rows = rows
        self.figures = {row.source.url: row for row in rows}
        self.set_class(not rows, "-empty")
        self._show_sources(select=select)
        self._show_title()
        self._show_detail()
        self._loaded = True

    def _show_sources(self, select: str | None = None) -> None:
        narrow = self.size.width < NARROW
        width = name_width(narrow)
        self.sources_list.show(
            self.rows,
            [row.source.url for row in self.rows],
            lambda row: source_row_cells(row, width),
            source_columns(narrow),
            source_widths(self.rows, narrow),
            numeric=NUMERIC_COLUMNS,
            accent=frozenset({"weeks"}),
            select=select,
        )
        self.query_one("#sources-header", ColumnsHeader).refresh()

    def _show_title(self) -> None:
        window = self.window.days
        words = f"last {window} days" if window else "the window"
        if self.rows:
            since = self.rows[0].window_start.astimezone().strftime("%d %b %Y").lstrip("0")
            words += f", since {since}"
        self.query_one("#output-title", Static).update(
            Content(
                f"My output · {words} · engagement: replies, reposts, likes, quotes, "
                "points and comments, median per post · +n: since the snapshot before"
            )
        )

    def _show_posts(self, rows: PostRows) -> None:
        fields = [key for key, _ in rows.columns if key in ALL_FIELDS]
        listed = self.posts_list
        listed.empty_text = "No posts stored yet: they arrive with the next refresh (R)."
        listed.show(
            rows.posts,
            [post.item_id for post in rows.posts],
            lambda post: post_cells(post, fields),
            rows.columns,
            rows.widths,
            numeric=POST_NUMBERS,
            muted=frozenset({"published"}),
            stretch="title",
        )
        self.posts_url = rows.url
        self.query_one("#posts-header", ColumnsHeader).refresh()
        figures = self.figures.get(rows.url)
        name = figures.source.title if figures is not None else rows.url
        count = len(rows.posts)
        self.query_one("#posts-title", TextBlock).set(
            Content.assemble(
                ("Posts of ", "$text-muted"),
                (clean(name), "bold"),
                (
                    f" · {count} stored, newest first · Enter reads one, o opens it"
                    if count
                    else " · none stored yet: they arrive with the next refresh (R)",
                    "$text-muted",
                ),
            )
        )

    def _show_detail(self) -> None:
        url = self.current_url
        self.query_one(OutputDetail).show(self.figures.get(url) if url else None)

    # -- events -----------------------------------------------------------------------

    @on(RowList.Highlighted, "#output-sources")
    def _source_highlighted(self, event: RowList.Highlighted) -> None:
        self._show_detail()
        url = event.key
        if isinstance(url, str) and url != self.posts_url:
            if url in self._posts:
                self._show_posts(self._posts[url])
            else:
                self._load_posts(url)

    @on(RowList.Selected, "#output-sources")
    def _source_selected(self, event: RowList.Selected) -> None:
        event.stop()
        self._to_posts()

    @on(RowList.Selected, "#output-posts")
    def _post_selected(self, event: RowList.Selected) -> None:
        event.stop()
        self._open_post()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if self.rows and (len(self.sources_list.columns) < len(source_columns(False))) != narrow:
            self._show_sources()
        for header in self.query(ColumnsHeader):
            header.refresh()

    def on_session_changed(self, message: SessionChanged) -> None:
        if message.change.area in REDRAW_AREAS:
            self._redraw()

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if self.is_current:
            self.reload()
        else:
            self._stale = True  # counted again when the screen is next shown

    def on_screen_resume(self) -> None:
        if self._stale:
            self.reload()

    # -- actions ----------------------------------------------------------------------

    def _to_posts(self) -> None:
        if self.current_url is None:
            return
        if self.posts_url != self.current_url or not self.posts_list.row_count:
            self.notify("No posts of this source are stored yet.", timeout=3)
            return
        self.posts_list.focus()

    def action_open_item(self) -> None:
        if self.focused is self.posts_list:
            self._open_post()
        else:
            self._to_posts()

    def action_switch_pane(self) -> None:
        if self.focused is self.posts_list:
            self.sources_list.focus()
        else:
            self._to_posts()

    def action_back(self) -> None:
        if self.focused is self.posts_list:
            self.sources_list.focus()

    def _open_post(self) -> None:
        item_id = self.posts_list.cursor_key
        if not isinstance(item_id, int):
            return
        neighbours = [key for key in self.posts_list.row_keys if isinstance(key, int)]

        def came_back(last: int | None) -> None:
            if last is not None:
                self.posts_list.move_to(last)

        reader = self._reader
        if reader is None:
            from .reader import ReaderScreen

            reader = self._reader = ReaderScreen(self.session, item_id, neighbours)
            # Kept between openings, as the dashboard keeps its own.
            self.app.install_screen(reader, name=f"reader-{id(self)}")
        else:
            reader.show_item(item_id, neighbours)
        self.app.push_screen(reader, came_back)

    def action_open_link(self) -> None:
        item_id = self.posts_list.cursor_key
        item = self.session.store.item(item_id) if isinstance(item_id, int) else None
        if item is None:
            self.notify("There is no post here to open.", timeout=3)
            return
        if not item.link:
            self.notify("This post has no link.", severity="warning")
            return
        self.app.post_message(OpenLink(item.link))
