"""A bookmark service's own bookmarks as a source of kind ``bookmarks`` (api "linkding",
"shaarli" or "pinboard"), and folio's own imported bookmarks (api "folio").

Each refresh asks the service what changed since the cursor (linkding's
``modified_since``, Pinboard's ``posts/update``, Shaarli's newest page) and lists
everything now and then; a complete listing removes from folio what was deleted on the
service. The items are flagged ``bookmarked``, so the Bookmarked view lists them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, ClassVar

from tui.core.sources.base import AdapterResult, Recognised, register

if TYPE_CHECKING:
    from tui.core.models import Source, SourceState
    from tui.core.sources.base import AdapterContext


class BookmarkServiceAdapter:
    """The adapter of one bookmark service; its address is the service's, from settings."""

    api: ClassVar[str] = ""
    label: ClassVar[str] = ""

    def __init__(self, api: str, label: str) -> None:
        self.api = api  # type: ignore[misc]
        self.label = label  # type: ignore[misc]

    def recognise(self, address: str) -> Recognised | None:
        return None  # set up in settings.toml's [bookmarks], not added by address

    async def refresh(
        self, source: Source, state: SourceState, context: AdapterContext
    ) -> AdapterResult:
        from tui.core.bookmarks.common import ServiceFailure
        from tui.core.bookmarks.local import make_client, parsed_item
        from tui.core.models import ParsedFeed

        client = make_client(
            context.settings.bookmarks,
            context.credentials,
            context.fetcher,
            base_url=source.url,
            service=self.api,
        )
        assert client is not None
        try:
            cursor = json.loads(state.cursor) if state.cursor else {}
        except ValueError:
            cursor = {}
        if not isinstance(cursor, dict):
            cursor = {}
        try:
            listing = await client.listing(cursor, context.now)
        except ServiceFailure as failure:
            return AdapterResult(
                error=failure.message, http_status=failure.status, retry_after=failure.retry_after
            )
        next_cursor = json.dumps(listing.cursor)
        if not listing.changed:
            return AdapterResult(feed=None, cursor=next_cursor, note=listing.note)
        feed = ParsedFeed(
            title=self.label, items=[parsed_item(bookmark) for bookmark in listing.bookmarks]
        )
        return AdapterResult(
            feed=feed,
            cursor=next_cursor,
            note=listing.note,
            bookmarks=True,
            complete=listing.complete,
            # The collection as it was before folio knew it is no news for the Inbox; what
            # arrives later is. Bookmarks marked to read stay unread either way.
            backlog=not cursor,
        )


class FolioBookmarksAdapter:
    """folio's own bookmarks (imported while no service was set): nothing to fetch."""

    api: ClassVar[str] = "folio"
    label: ClassVar[str] = "folio's bookmarks"

    def recognise(self, address: str) -> Recognised | None:
        return None

    async def refresh(
        self, source: Source, state: SourceState, context: AdapterContext
    ) -> AdapterResult:
        return AdapterResult(feed=None, note="kept in folio: set [bookmarks] to send them")


register(BookmarkServiceAdapter("linkding", "linkding"))
register(BookmarkServiceAdapter("shaarli", "Shaarli"))
register(BookmarkServiceAdapter("pinboard", "Pinboard"))
register(FolioBookmarksAdapter())
