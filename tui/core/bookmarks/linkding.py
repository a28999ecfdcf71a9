"""linkding's REST API (its docs/API.md): ``Authorization: Token …``;
``GET /api/bookmarks/`` and ``/api/bookmarks/archived/`` with ``limit``, ``offset`` and
``modified_since``, answering ``{count, next, previous, results}``; ``POST /api/bookmarks/``
creates a bookmark or silently updates the one an URL already has; ``GET
/api/bookmarks/check/?url=`` finds a URL's bookmark; ``DELETE /api/bookmarks/{id}/``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tui.core.bookmarks.common import (
    Bookmark,
    BookmarkClient,
    Listing,
    ServiceFailure,
    failure_from,
    parse_time,
)
from tui.core.sources.common import text_of

__all__ = ["FULL_LISTING_EVERY", "Linkding"]

PAGE = 100
FULL_LISTING_EVERY = dt.timedelta(hours=6)
"""How often the whole collection is listed, to notice bookmarks deleted on linkding (the
API lists only what exists, so a deletion shows as an absence)."""
MAX_PAGES = 1000


class Linkding(BookmarkClient):
    service = "linkding"
    label = "linkding"
    batch_size = 20

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    async def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: dict[str, str | int] | None = None,
        body: Any = None,
    ) -> Any:
        self.need_token()
        result = await self.fetcher.request(
            method,
            self.base_url + path,
            params=params,
            headers=self._headers(),
            json=body,
            secrets=[self.token],
        )
        if not result.ok:
            raise failure_from(result, self.label, what)
        if not result.body:
            return None
        try:
            return json.loads(result.body)
        except ValueError:
            raise ServiceFailure(
                f"{self.label} answered {what} with something that is not JSON: is "
                f"{self.base_url} linkding's address?"
            ) from None

    async def save(self, bookmark: Bookmark) -> None:
        body: dict[str, Any] = {
            "url": bookmark.url,
            "title": bookmark.title,
            "description": bookmark.description,
            "tag_names": bookmark.tags,
            "unread": bookmark.toread,
        }
        if bookmark.private is not None:
            body["shared"] = not bookmark.private
        # An URL linkding has already is updated, not added twice (API.md, "Create").
        await self._call(
            "POST",
            "api/bookmarks/",
            "the bookmark",
            params={"disable_scraping": ""},
            body=body,
        )

    async def _find(self, url: str) -> int | None:
        found = await self._call("GET", "api/bookmarks/check/", "the lookup", params={"url": url})
        bookmark = found.get("bookmark") if isinstance(found, dict) else None
        if isinstance(bookmark, dict) and isinstance(bookmark.get("id"), int):
            return int(bookmark["id"])
        return None

    async def remove(self, url: str) -> None:
        bookmark_id = await self._find(url)
        if bookmark_id is None:
            return  # not there (deleted already, or never sent): nothing to do
        try:
            await self._call("DELETE", f"api/bookmarks/{bookmark_id}/", "the removal")
        except ServiceFailure as failure:
            if failure.status != 404:
                raise

    async def _pages(self, path: str, since: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        offset = 0
        for _ in range(MAX_PAGES):
            params: dict[str, str | int] = {"limit": PAGE, "offset": offset}
            if since:
                params["modified_since"] = since
            page = await self._call("GET", path, "the listing", params=params)
            results = page.get("results") if isinstance(page, dict) else None
            if not isinstance(results, list):
                raise ServiceFailure(f"{self.label}'s listing has no results: is it linkding?")
            found.extend(r for r in results if isinstance(r, dict))
            offset += len(results)
            # ``next`` is followed by its offset, never as given: the token goes only to the
            # address in settings.toml.
            if not page.get("next") or not results:
                break
        return found

    async def listing(self, cursor: dict[str, Any], now: dt.datetime) -> Listing:
        last_full = parse_time(cursor.get("full"))
        full = last_full is None or now - last_full >= FULL_LISTING_EVERY
        since = "" if full else str(cursor.get("since") or "")
        rows = await self._pages("api/bookmarks/", since)
        rows += await self._pages("api/bookmarks/archived/", since)
        bookmarks = [b for b in (_bookmark(row) for row in rows) if b is not None]
        newest = max((b.modified for b in bookmarks if b.modified), default=None)
        next_cursor = dict(cursor)
        if newest is not None:
            # linkding's own clock, not ours, to the second: what changed within that second
            # is listed again next time, which does no harm.
            next_cursor["since"] = _iso(newest)
        elif full:
            next_cursor["since"] = _iso(now - dt.timedelta(minutes=10))
        if full:
            next_cursor["full"] = _iso(now)
        return Listing(bookmarks, next_cursor, complete=full, changed=full or bool(bookmarks))


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bookmark(row: dict[str, Any]) -> Bookmark | None:
    url = row.get("url")
    if not isinstance(url, str) or not url:
        return None
    tags = row.get("tag_names")

    description = text_of(row, "description")
    notes = text_of(row, "notes")
    if notes:
        description = f"{description}\n\n{notes}" if description else notes
    return Bookmark(
        url=url,
        title=text_of(row, "title"),
        description=description,
        tags=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
        private=row.get("shared") is False,
        toread=row.get("unread") is True,
        added=parse_time(row.get("date_added")),
        modified=parse_time(row.get("date_modified")),
    ).cleaned()
