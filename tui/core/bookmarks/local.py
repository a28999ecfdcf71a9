"""folio's side of bookmarks: the service as a source, what ``b`` queues, an item's
bookmark state, and bookmark files in and out of the store."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tui.core.bookmarks.common import (
    MAX_DESCRIPTION,
    SERVICE,
    Bookmark,
    BookmarkClient,
    clean_tags,
    is_web_url,
)
from tui.core.config import BOOKMARK_SERVICES, BookmarkSettings
from tui.core.models import Item, ParsedFeed, ParsedItem, Source

if TYPE_CHECKING:
    import sqlite3

    from tui.core.credentials import Credentials
    from tui.core.net.fetch import Fetcher
    from tui.core.outbox.queue import KeyState
    from tui.core.storage.store import Store

__all__ = [
    "FAILED",
    "LOCAL_API",
    "LOCAL_URL",
    "REMOVING",
    "SAVED",
    "WAITING",
    "bookmark_changes",
    "bookmark_of",
    "bookmark_sources",
    "bookmark_state",
    "export_bookmarks",
    "import_bookmarks",
    "make_client",
    "queue_changes",
]

LOCAL_URL = "folio:bookmarks"
"""The source of bookmarks imported while no service is set: they stay in folio."""
LOCAL_API = "folio"

SAVED = "saved"
WAITING = "waiting"
FAILED = "failed"
REMOVING = "removing"


def make_client(
    settings: BookmarkSettings,
    credentials: Credentials,
    fetcher: Fetcher,
    base_url: str = "",
    service: str = "",
) -> BookmarkClient | None:
    """The client of the service ``settings`` name (or ``service`` at ``base_url``)."""
    name = service or settings.service
    if name == "linkding":
        from tui.core.bookmarks.linkding import Linkding as client_class
    elif name == "shaarli":
        from tui.core.bookmarks.shaarli import Shaarli as client_class  # type: ignore[assignment]
    elif name == "pinboard":
        from tui.core.bookmarks.pinboard import Pinboard as client_class  # type: ignore[assignment]
    else:
        return None
    client = client_class(
        fetcher, base_url or settings.base_url, credentials.get("bookmarks_token"), settings.user
    )
    client.token_problem = credentials.problem
    return client


def service_source(settings: BookmarkSettings) -> Source | None:
    """The service's own bookmarks as a source of kind ``bookmarks`` (not in portfolio.toml:
    settings.toml names it)."""
    if not settings.enabled or not settings.base_url:
        return None
    return Source(
        url=settings.base_url, name=settings.label, kind="bookmarks", api=settings.service
    )


def bookmark_sources(
    settings: BookmarkSettings, portfolio_sources: Sequence[Source], has_local: bool
) -> list[Source]:
    """The bookmark sources to show beside the portfolio's: the service's, unless the
    portfolio has a source for it already (to name, tag or rank it), and folio's own when
    it holds imported bookmarks."""
    extra: list[Source] = []
    known = {source.url for source in portfolio_sources}
    service = service_source(settings)
    if service is not None and service.url not in known:
        extra.append(service)
    if has_local and LOCAL_URL not in known:
        extra.append(Source(url=LOCAL_URL, name="Bookmarks", kind="bookmarks", api=LOCAL_API))
    return extra


def plain_summaries(source: Source | None) -> bool:
    """True when the source's items have plain text summaries (bookmarks' descriptions)."""
    return source is not None and (source.api in BOOKMARK_SERVICES or source.api == LOCAL_API)


def bookmark_of(item: Item, source: Source | None) -> Bookmark:
    """What ``b`` on ``item`` sends: its URL, title, the source's and the item's tags, and
    its summary as the description, in plain text."""
    from tui.core.ingest.htmltext import html_to_text

    if plain_summaries(source):
        description = item.summary
    else:
        description = html_to_text(item.summary or item.content, base_url=item.link).text
    return Bookmark(
        url=item.link,
        title=item.title,
        description=description.strip()[:MAX_DESCRIPTION],
        tags=clean_tags([*(source.tags if source else []), *item.tags]),
        private=True if item.private else None,
        toread=item.toread,
        added=item.published if item.dated else item.first_seen,
    )


def bookmark_changes(
    items: Iterable[Item], value: bool, sources: dict[str, Source]
) -> list[tuple[str, str, dict[str, Any]]]:
    """The outbox rows for bookmarking (``value``) or unbookmarking ``items``: "add" with
    the bookmark, or "delete", for each item with a web address (only those are sent)."""
    changes: list[tuple[str, str, dict[str, Any]]] = []
    for item in items:
        if not is_web_url(item.link):
            continue
        if value:
            payload = bookmark_of(item, sources.get(item.source)).payload()
            changes.append(("add", item.link, payload))
        else:
            changes.append(("delete", item.link, {}))
    return changes


def queue_changes(
    db: sqlite3.Connection,
    items: Iterable[Item],
    value: bool,
    sources: dict[str, Source],
) -> int:
    """Queue ``bookmark_changes`` inside the caller's transaction; returns how many."""
    from tui.core.outbox.queue import put_in

    return len(put_in(db, SERVICE, bookmark_changes(items, value, sources)))


def bookmark_state(item: Item, states: dict[str, KeyState]) -> str:
    """``saved``, ``waiting`` or ``failed`` for a bookmarked item (waiting: its change is
    still in the outbox); ``removing`` or ``failed`` for one whose removal waits; else ""."""
    state = states.get(item.link) if item.link else None
    if item.bookmarked:
        if state is not None and state.action == "add":
            return FAILED if state.failed else WAITING
        return SAVED
    if state is not None and state.action == "delete":
        return FAILED if state.failed else REMOVING
    return ""


def _escaped(text: str) -> str:
    """Plain text as HTML that shows it literally, paragraphs kept."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "".join(
        "<p>" + html.escape(p.strip()).replace("\n", "<br>") + "</p>" for p in paragraphs
    )


def parsed_item(bookmark: Bookmark) -> ParsedItem:
    """A bookmark as an item: keyed by its URL (so folio's copy and the service's are one
    item), its description as plain text in the summary and escaped in the content."""
    return ParsedItem(
        guid=bookmark.url,
        title=bookmark.title or bookmark.url,
        link=bookmark.url,
        summary=bookmark.description,
        content=_escaped(bookmark.description),
        published=bookmark.added,
        tags=list(bookmark.tags),
        private=bool(bookmark.private),
        toread=bookmark.toread,
    )


def import_bookmarks(
    store: Store, settings: BookmarkSettings, bookmarks: Sequence[Bookmark]
) -> tuple[int, int, int]:
    """Keep imported bookmarks as bookmarked items of the service's source (of folio's own
    when no service is set), and queue those the service lacks for sending.

    Returns (new items, already bookmarked, queued). The outbox is written first: should
    folio stop between the two writes, the changes still go out and the next listing
    brings the items.
    """
    from tui.core.outbox.queue import put_in
    from tui.core.storage.store import SourceWrite

    source = service_source(settings)
    url = source.url if source is not None else LOCAL_URL
    known = {item.link for item in store.items(sources=[url], flag="bookmarked") if item.link}
    fresh = [b for b in bookmarks if b.url not in known]
    queued = 0
    if source is not None and fresh:
        with store.transaction() as db:
            queued = len(put_in(db, SERVICE, [("add", b.url, b.payload()) for b in fresh]))
    feed = ParsedFeed(items=[parsed_item(b) for b in bookmarks])
    [written] = store.write_batch(
        [SourceWrite(store.state(url), feed, bookmarks=True, backlog=True)]
    )
    if isinstance(written, Exception):
        raise written
    return written, len(bookmarks) - len(fresh), queued


def export_bookmarks(store: Store, sources: Sequence[Source]) -> list[Bookmark]:
    """Every bookmarked item, one per link, newest first, as bookmarks."""
    by_url = {source.url: source for source in sources}
    found = []
    for item in store.items_by_id(store.bookmarked_ids()):
        if not is_web_url(item.link):
            continue
        bookmark = bookmark_of(item, by_url.get(item.source))
        bookmark.modified = bookmark.added
        found.append(bookmark)
    return found
