"""Miniflux's REST API v1 (https://miniflux.app/docs/api.html), as the sync needs it.

Authentication is an API token in ``X-Auth-Token`` (or, when ``[sync] user`` is set, the
account's password by HTTP Basic). Errors come as ``{"error_message": "..."}``.

* Subscriptions: ``GET /v1/feeds`` (a feed's category becomes the source's tag).
* Pull: the first time, every unread and every starred entry; after that the delta
  ``GET /v1/entries?changed_after=…``. Pages go by ``after_entry_id`` in id order, which no
  entry arriving meanwhile can shift (an ``offset`` could skip one).
* Listing, now and then: ``GET /v1/entries/ids?status=unread`` and ``?starred=true``
  (Miniflux 2.3.2 and later; an older server answers 404 and the deltas alone count).
* Marks: ``PUT /v1/entries {"entry_ids": […], "status": "read"}`` or ``"starred": true``
  (2.3.2; before it, starring is the toggle ``PUT /v1/entries/{id}/bookmark``, done only
  where the entry's state differs, so that sending it twice does no harm).
* Mark a feed read: ``PUT /v1/feeds/{id}/mark-all-as-read`` when nothing newer than what
  the user saw is unread; otherwise the feed's unread entries up to that one, by id, so an
  article that arrived after the user's key press stays unread.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tui.core.ingest.text import clean, clean_line
from tui.core.models import Enclosure, utcnow
from tui.core.sync.common import (
    READ,
    STAR,
    UNREAD,
    UNSTAR,
    Pull,
    RemoteEntry,
    RemoteFeed,
    SyncError,
    error_from,
    parse_json,
    parse_time,
    server_time,
    words,
)

if TYPE_CHECKING:
    from tui.core.config import SyncSettings
    from tui.core.net.fetch import Fetcher, FetchResult

__all__ = ["MinifluxClient"]

PAGE = 250
"""Entries per page (Miniflux allows up to 1,000, with their whole content)."""
IDS_PAGE = 10_000
"""Ids per page of ``/v1/entries/ids``: its documented maximum."""
MARK_CHUNK = 1000
"""Ids per ``PUT /v1/entries``."""
OVERLAP = 120
"""Seconds a delta reaches back before the previous pull began (by the server's clock):
a change committed while that pull ran is seen again rather than missed."""
MAX_PAGES = 400
"""A server that pages for ever (a bug on its side) stops after this many pages."""


class MinifluxClient:
    service = "miniflux"
    label = "Miniflux"
    has_later = False

    def __init__(self, settings: SyncSettings, secret: str, fetcher: Fetcher) -> None:
        self.base = settings.base_url
        self.fetcher = fetcher
        if settings.user:
            basic = base64.b64encode(f"{settings.user}:{secret}".encode()).decode("ascii")
            self._headers = {"Authorization": f"Basic {basic}"}
            self._secrets: tuple[str, ...] = (secret, basic)
        else:
            self._headers = {"X-Auth-Token": secret}
            self._secrets = (secret,)
        self.requests = 0

    # -- plumbing ---------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | Sequence[tuple[str, str | int]] | None = None,
        json: Any = None,
    ) -> FetchResult:
        result = await self.fetcher.request(
            method,
            self.base + path,
            params=params,
            headers=self._headers,
            json=json,
            secrets=self._secrets,
        )
        self.requests += 1
        if result.ok:
            return result
        raise error_from(self.label, result, _said(result))

    async def _json(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        return parse_json(self.label, await self._call("GET", path, params=params))

    # -- reading ----------------------------------------------------------------------

    async def feeds(self) -> list[RemoteFeed]:
        data = await self._json("v1/feeds")
        if not isinstance(data, list):
            raise SyncError(f"{self.label} answered /v1/feeds with something that is no list")
        return [feed for raw in data if (feed := _feed(raw)) is not None]

    async def pull(self, cursor: dict[str, Any], *, full: bool) -> Pull:
        pull = Pull()
        since = cursor.get("changed_after")
        started = None
        if isinstance(since, int):
            entries, started = await self._pages({"changed_after": since})
        else:
            entries, started = await self._pages({"status": "unread"})
            starred, _ = await self._pages({"starred": "true"})
            entries += starred
            full = True
        pull.entries = entries
        if full:
            pull.unread = await self._ids({"status": "unread"})
            pull.starred = await self._ids({"starred": "true"}) if pull.unread is not None else None
        if started is not None:
            pull.cursor = {"changed_after": int(started.timestamp()) - OVERLAP}
        pull.requests = self.requests
        return pull

    async def _pages(
        self, filters: dict[str, str | int]
    ) -> tuple[list[RemoteEntry], dt.datetime | None]:
        """Every entry matching ``filters``, page by page in id order; and the server's
        time when the first page was answered."""
        found: list[RemoteEntry] = []
        after = 0
        started = None
        for _ in range(MAX_PAGES):
            params: dict[str, str | int] = {
                **filters,
                "order": "id",
                "direction": "asc",
                "limit": PAGE,
            }
            if after:
                params["after_entry_id"] = after
            result = await self._call("GET", "v1/entries", params=params)
            if started is None:
                started = server_time(result) or utcnow()
            data = parse_json(self.label, result)
            raw_entries = data.get("entries") if isinstance(data, dict) else None
            page = [e for raw in raw_entries or [] if (e := _entry(raw)) is not None]
            found += page
            if len(raw_entries or []) < PAGE or not page:
                break
            after = max(int(entry.id) for entry in page)
        return found, started

    async def _ids(self, filters: dict[str, str | int]) -> set[str] | None:
        """Every id matching ``filters`` (None when this Miniflux has no id listing)."""
        ids: set[str] = set()
        offset = 0
        for _ in range(MAX_PAGES):
            try:
                data = await self._json(
                    "v1/entries/ids", {**filters, "limit": IDS_PAGE, "offset": offset}
                )
            except SyncError as exc:
                if exc.status in (404, 405):
                    return None  # before Miniflux 2.3.2
                raise
            page = data.get("entry_ids") if isinstance(data, dict) else None
            if not isinstance(page, list):
                raise SyncError(f"{self.label} answered /v1/entries/ids without entry_ids")
            ids.update(str(i) for i in page if isinstance(i, int) and not isinstance(i, bool))
            total = data.get("total")
            offset += len(page)
            if not page or len(page) < IDS_PAGE or (isinstance(total, int) and offset >= total):
                break
        return ids

    async def entries(self, ids: Sequence[str]) -> list[RemoteEntry]:
        wanted = {int(i) for i in ids if i.isdigit()}
        if not wanted:
            return []
        found: list[RemoteEntry] = []
        if len(wanted) <= 50:
            for entry_id in sorted(wanted):
                try:
                    raw = await self._json(f"v1/entries/{entry_id}")
                except SyncError as exc:
                    if exc.status == 404:
                        continue  # gone meanwhile
                    raise
                entry = _entry(raw)
                if entry is not None:
                    found.append(entry)
            return found
        # Many: the range they span, page by page, keeping the ones asked for.
        low, high = min(wanted), max(wanted)
        after = low - 1
        for _ in range(MAX_PAGES):
            params: dict[str, str | int] = {
                "order": "id",
                "direction": "asc",
                "limit": PAGE,
                "before_entry_id": high + 1,
            }
            if after > 0:
                params["after_entry_id"] = after
            data = await self._json("v1/entries", params)
            raw_entries = data.get("entries") if isinstance(data, dict) else None
            page = [e for raw in raw_entries or [] if (e := _entry(raw)) is not None]
            found += [entry for entry in page if int(entry.id) in wanted]
            if len(raw_entries or []) < PAGE or not page:
                break
            after = max(int(entry.id) for entry in page)
        return found

    # -- writing ----------------------------------------------------------------------

    async def mark(self, ids: Sequence[str], action: str) -> None:
        numbers = [int(i) for i in ids if i.isdigit()]
        for start in range(0, len(numbers), MARK_CHUNK):
            chunk = numbers[start : start + MARK_CHUNK]
            if action in (READ, UNREAD):
                body: dict[str, Any] = {"entry_ids": chunk, "status": action}
            elif action in (STAR, UNSTAR):
                body = {"entry_ids": chunk, "starred": action == STAR}
            else:
                return  # "later": Miniflux has no place for it
            try:
                await self._call("PUT", "v1/entries", json=body)
            except SyncError as exc:
                if action in (STAR, UNSTAR) and exc.status == 400:
                    await self._star_one_by_one(chunk, action == STAR)
                    continue
                raise

    async def _star_one_by_one(self, ids: Sequence[int], starred: bool) -> None:
        """Before Miniflux 2.3.2, starring is a toggle: flip only where the state differs."""
        for entry_id in ids:
            try:
                raw = await self._json(f"v1/entries/{entry_id}")
            except SyncError as exc:
                if exc.status == 404:
                    continue
                raise
            if isinstance(raw, dict) and bool(raw.get("starred")) != starred:
                await self._call("PUT", f"v1/entries/{entry_id}/bookmark")

    async def mark_feed_read(self, feed_id: str, newest_entry: str, before_usec: int) -> None:
        path = f"v1/feeds/{int(feed_id)}"
        try:
            if newest_entry.isdigit():
                query: dict[str, str | int] = {
                    "status": "unread",
                    "after_entry_id": newest_entry,
                    "limit": 1,
                }
                newer = await self._json(f"{path}/entries", query)
                if isinstance(newer, dict) and newer.get("total"):
                    # Something arrived after what the user saw: mark only up to it.
                    await self._mark_up_to(path, int(newest_entry))
                    return
            await self._call("PUT", f"{path}/mark-all-as-read")
        except SyncError as exc:
            # Miniflux says "invalid feed ID" (400) or 404 for a feed it no longer has.
            if exc.status in (400, 404) and not await self._listed(feed_id):
                return  # the feed is gone from the server: nothing left to mark
            raise

    async def _listed(self, feed_id: str) -> bool:
        return any(feed.id == feed_id for feed in await self.feeds())

    async def _mark_up_to(self, path: str, newest: int) -> None:
        ids: list[str] = []
        after = 0
        for _ in range(MAX_PAGES):
            params: dict[str, str | int] = {
                "status": "unread",
                "order": "id",
                "direction": "asc",
                "limit": PAGE,
                "before_entry_id": newest + 1,
            }
            if after:
                params["after_entry_id"] = after
            data = await self._json(f"{path}/entries", params)
            raw_entries = data.get("entries") if isinstance(data, dict) else None
            page = [e for raw in raw_entries or [] if (e := _entry(raw)) is not None]
            ids += [entry.id for entry in page]
            if len(raw_entries or []) < PAGE or not page:
                break
            after = max(int(entry.id) for entry in page)
        await self.mark(ids, READ)

    async def subscribe(self, url: str, title: str) -> RemoteFeed | None:
        try:
            result = await self._call("POST", "v1/feeds", json={"feed_url": url})
        except SyncError as exc:
            if exc.refused and "already exists" in exc.message.lower():
                return await self._feed_by_url(url)
            raise
        data = parse_json(self.label, result)
        feed_id = data.get("feed_id") if isinstance(data, dict) else None
        if isinstance(feed_id, int) and not isinstance(feed_id, bool):
            return RemoteFeed(str(feed_id), url, title)
        return await self._feed_by_url(url)

    async def _feed_by_url(self, url: str) -> RemoteFeed | None:
        from tui.core.interop.opml import normalise_url

        key = normalise_url(url)
        return next((f for f in await self.feeds() if normalise_url(f.url) == key), None)

    async def unsubscribe(self, feed_id: str) -> None:
        try:
            await self._call("DELETE", f"v1/feeds/{int(feed_id)}")
        except SyncError as exc:
            if exc.status != 404:
                raise

    async def set_position(self, enclosure_id: str, seconds: int) -> None:
        await self._call(
            "PUT", f"v1/enclosures/{int(enclosure_id)}", json={"media_progression": int(seconds)}
        )


def _said(result: FetchResult) -> str:
    """Miniflux's own explanation: ``{"error_message": "..."}``."""
    try:
        import json

        data = json.loads(result.body)
    except ValueError:
        return ""
    message = data.get("error_message") if isinstance(data, dict) else None
    return words(message) if isinstance(message, str) else ""


def _int_id(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _feed(raw: object) -> RemoteFeed | None:
    if not isinstance(raw, dict):
        return None
    feed_id = _int_id(raw.get("id"))
    url = raw.get("feed_url")
    if feed_id is None or not isinstance(url, str) or not url:
        return None
    category = raw.get("category")
    name = category.get("title") if isinstance(category, dict) else None
    title = raw.get("title")
    site = raw.get("site_url")
    return RemoteFeed(
        feed_id,
        clean_line(url),
        clean_line(title) if isinstance(title, str) else "",
        clean_line(site) if isinstance(site, str) else "",
        # "All" is the category Miniflux gives a feed no one put in one: no tag.
        clean_line(name) if isinstance(name, str) and name.lower() != "all" else "",
    )


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    return value if isinstance(value, str) else ""


def _entry(raw: object) -> RemoteEntry | None:
    if not isinstance(raw, dict):
        return None
    entry_id = _int_id(raw.get("id"))
    feed_id = _int_id(raw.get("feed_id"))
    if entry_id is None or feed_id is None:
        return None
    enclosures = []
    enclosure_id = ""
    for item in raw.get("enclosures") or []:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            continue
        size = item.get("size")
        enclosures.append(
            Enclosure(
                clean_line(item["url"]),
                clean_line(_text(item, "mime_type")),
                size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else None,
            )
        )
        enclosure_id = enclosure_id or (_int_id(item.get("id")) or "")
    created = parse_time(raw.get("created_at"))
    status = _text(raw, "status")
    return RemoteEntry(
        id=entry_id,
        feed_id=feed_id,
        url=clean_line(_text(raw, "url")),
        title=clean_line(_text(raw, "title")),
        author=clean_line(_text(raw, "author")),
        content=clean(_text(raw, "content")),
        published=parse_time(raw.get("published_at")),
        crawled=int(created.timestamp() * 1_000_000) if created else 0,
        # "removed" entries are hidden in Miniflux: to folio they are read.
        read=status != "unread",
        starred=bool(raw.get("starred")),
        changed=parse_time(raw.get("changed_at")),
        enclosures=enclosures,
        enclosure_id=enclosure_id,
    )
