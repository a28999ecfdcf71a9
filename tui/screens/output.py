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
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from .. import keys
from ..core.ingest.text import clean
from ..core.planning.output import Post, SourceOutput, count_fields, output_rows, own_posts
from ..core.planning.output_text import post_columns, post_widths
from ..core.session import Session
from ..messages import RefreshFinished, SessionChanged
from ..widgets.footer import Footer
from ..widgets.output_tables import NARROW, OutputDetail, OwnSourcesTable
from ..widgets.post_list import PostList, PostsHeader
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


@dataclass(frozen=True)
class PostRows:
    """One source's posts as the list shows them."""

    url: str
    posts: list[Post]
    columns: list[tuple[str, str]]
    widths: dict[str, int]


class OutputScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [*keys.OUTPUT, *keys.MOVE]

    DEFAULT_CSS = """
    OutputScreen {
        #output-title { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
        #output-sources { height: auto; max-height: 9; }
        #output-detail {
            height: auto;
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
            #output-sources, #output-detail, #posts-title, #posts-header, #output-posts {
                display: none;
            }
        }
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.rows: list[SourceOutput] = []
        self._stale = False
        self._loaded = False
        self._reader: ReaderScreen | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content("My output · counting your posts…"), id="output-title")
        yield OwnSourcesTable(id="output-sources")
        yield OutputDetail(id="output-detail")
        yield Static(id="posts-title")
        posts = PostList(id="output-posts")
        yield PostsHeader(posts, id="posts-header")
        yield posts
        yield Static(Content(EMPTY_TEXT), id="output-empty")
        yield StatusBar(self.session)
        yield Footer()

    @property
    def sources_table(self) -> OwnSourcesTable:
        return self.query_one(OwnSourcesTable)

    @property
    def posts_table(self) -> PostList:
        return self.query_one(PostList)

    @property
    def loaded(self) -> bool:
        """True once the figures have been drawn the first time (tests wait for it)."""
        return self._loaded

    def on_mount(self) -> None:
        self.sources_table.focus()
        self.reload()

    # -- loading ----------------------------------------------------------------------

    @property
    def window(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.session.workspace.settings.output.window_seconds)

    def reload(self) -> None:
        """Compute every own source's figures (and the current one's posts) in a thread."""
        self._stale = False
        own = [source.url for source in self.session.sources if source.mine]
        current = self.sources_table.current_url
        self._compute(current if current in own else (own[0] if own else None))

    @work(thread=True, exclusive=True, group="output", exit_on_error=False)
    def _compute(self, url: str | None) -> tuple[list[SourceOutput], PostRows | None]:
        session = self.session
        rows = output_rows(session.portfolio, session.store, session.now(), self.window)
        return rows, self._post_rows(url) if url else None

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
        if worker.group == "output":
            rows, posts = worker.result  # type: ignore[misc]
            self._show_rows(rows, posts)
        elif worker.group == "output-posts":
            posts = worker.result
            if isinstance(posts, PostRows) and posts.url == self.sources_table.current_url:
                self._show_posts(posts)

    def _show_rows(self, rows: list[SourceOutput], posts: PostRows | None) -> None:
        self.rows = rows
        self.set_class(not rows, "-empty")
        select = posts.url if posts is not None else None
        self.sources_table.show(rows, self.size.width < NARROW, select=select)
        self._show_title()
        if posts is not None and posts.url == self.sources_table.current_url:
            self._show_posts(posts)
        self._show_detail()
        self._loaded = True

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

    def _show_posts(self, posts: PostRows) -> None:
        url = posts.url
        figures = self.sources_table.figures.get(url)
        listed = self.posts_table
        listed.empty_text = "No posts stored yet: they arrive with the next refresh (R)."
        listed.show(url, posts.posts, posts.columns, posts.widths)
        self.query_one(PostsHeader).refresh()
        name = figures.source.title if figures is not None else url
        self.query_one("#posts-title", Static).update(
            Content.assemble(
                ("Posts of ", "$text-muted"),
                (clean(name), "bold"),
                (
                    f" · {len(posts.posts)} stored, newest first · Enter reads one, o opens it"
                    if posts.posts
                    else " · none stored yet: they arrive with the next refresh (R)",
                    "$text-muted",
                ),
            )
        )

    def _show_detail(self) -> None:
        url = self.sources_table.current_url
        figures = self.sources_table.figures.get(url) if url else None
        self.query_one(OutputDetail).show(figures)

    # -- events -----------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#output-sources")
    def _source_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        url = event.row_key.value
        if url is not None and url != self.posts_table.source_url:
            self._load_posts(url)

    @on(DataTable.RowSelected, "#output-sources")
    def _source_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._to_posts()

    @on(PostList.Selected)
    def _post_selected(self, event: PostList.Selected) -> None:
        event.stop()
        self._open_post()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if self.rows and self.sources_table.narrow != narrow:
            self.sources_table.show(self.rows, narrow)
        self.query_one(PostsHeader).refresh()

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
        if not self.posts_table.row_count:
            self.notify("No posts of this source are stored yet.", timeout=3)
            return
        self.posts_table.focus()

    def action_open_item(self) -> None:
        if self.focused is self.posts_table:
            self._open_post()
        else:
            self._to_posts()

    def action_switch_pane(self) -> None:
        if self.focused is self.posts_table:
            self.sources_table.focus()
        else:
            self._to_posts()

    def action_back(self) -> None:
        if self.focused is self.posts_table:
            self.sources_table.focus()

    def _open_post(self) -> None:
        item_id = self.posts_table.cursor_id
        if item_id is None:
            return
        neighbours = list(self.posts_table.post_ids)

        def came_back(last: int | None) -> None:
            if last is not None:
                self.posts_table.move_to(last)

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
        item_id = self.posts_table.cursor_id
        item = self.session.store.item(item_id) if item_id is not None else None
        if item is None:
            self.notify("There is no post here to open.", timeout=3)
            return
        if not item.link:
            self.notify("This post has no link.", severity="warning")
            return
        from ..app import FolioApp

        assert isinstance(self.app, FolioApp)
        self.app.open_link(item.link)

    # -- moving (j/k and friends, as everywhere else) ---------------------------------

    # The post list binds these keys itself; the sources table gets them from here.

    def action_cursor_down(self) -> None:
        self.sources_table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.sources_table.action_cursor_up()

    def action_page_down(self) -> None:
        self.sources_table.action_page_down()

    def action_page_up(self) -> None:
        self.sources_table.action_page_up()

    def action_first(self) -> None:
        self.sources_table.move_cursor(row=0)

    def action_last(self) -> None:
        self.sources_table.move_cursor(row=max(self.sources_table.row_count - 1, 0))
