"""The Google Reader API in FreshRSS's dialect (p/api/greader.php; also spoken by
Miniflux, Inoreader, The Old Reader and BazQux), as the sync needs it.

Log in with ``accounts/ClientLogin`` (``Email``, ``Passwd``: the API password), then send
``Authorization: GoogleLogin auth=…``; writes carry a token from ``reader/api/0/token`` as
``T=``. The Auth and the token are kept in memory for the process, never on disk; a 401
logs in again, once.

A pull is FreshRSS's recommended synchronisation (FreshRSS issue 2566, "the following seven
requests"): ``tag/list``, ``subscription/list`` (``feeds``), ``unread-count``, the reading
list's contents without read items (``xt=…/read``) since the last pull (``ot=``),
``stream/items/ids`` for unread, ``stream/contents`` for starred, ``stream/items/ids`` for
starred; and, when "later" is kept in a label, that label's ids. Only what is unread or
starred is ever downloaded, never every article. Ids a listing names that folio does not
have come by ``stream/items/contents``. Continuations (``c=``) page every listing.

Marks are ``edit-tag`` (``a=``/``r=`` with ``user/-/state/com.google/read``, ``…/starred``
or the later label); a feed is marked read with ``mark-all-as-read`` up to ``ts=``, the
crawl time of the newest item the user saw, so what arrived after stays unread and what
folio never downloaded is covered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tui.core.ingest.text import clean, clean_line
from tui.core.models import Enclosure, utcnow
from tui.core.sync.common import (
    LATER,
    READ,
    STAR,
    UNLATER,
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

__all__ = ["GReaderClient", "item_id"]

API = "reader/api/0/"
READING_LIST = "user/-/state/com.google/reading-list"
READ_STATE = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
LABEL = "user/-/label/"
ITEM_PREFIX = "tag:google.com,2005:reader/item/"

PAGE = 1000
"""Items per page of ``stream/contents`` (``n=``)."""
IDS_PAGE = 10_000
"""Ids per page of ``stream/items/ids``."""
CHUNK = 250
"""Ids per ``edit-tag`` or ``stream/items/contents`` request."""
OVERLAP = 120
"""Seconds ``ot=`` reaches back before the previous pull began (by the server's clock)."""
MAX_PAGES = 400

_SESSIONS: dict[tuple[str, str, str], tuple[str, str]] = {}
"""Per server, user and secret (hashed): the Auth and the write token, for this process."""


def item_id(value: object) -> str | None:
    """An item id as a decimal string, from the long form
    (``tag:google.com,2005:reader/item/<16 hex digits>``) or the short one (decimal)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if value >= 0 else None
    if not isinstance(value, str) or not value:
        return None
    if value.startswith(ITEM_PREFIX):
        try:
            return str(int(value[len(ITEM_PREFIX) :], 16))
        except ValueError:
            return None
    return value if value.isdigit() else None


def long_id(entry_id: str) -> str:
    """The long form every dialect accepts."""
    return f"{ITEM_PREFIX}{int(entry_id):016x}"


class GReaderClient:
    service = "greader"

    def __init__(self, settings: SyncSettings, secret: str, fetcher: Fetcher) -> None:
        self.base = settings.base_url
        self.user = settings.user
        self.fetcher = fetcher
        self._secret = secret
        self.label = urlsplit(self.base).hostname or "the sync server"
        self.later_label = settings.later_label
        self.has_later = bool(settings.later_label)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        self._key = (self.base, self.user, digest)
        self.requests = 0

    # -- plumbing ---------------------------------------------------------------------

    def _secrets(self) -> list[str]:
        auth, token = _SESSIONS.get(self._key, ("", ""))
        return [s for s in (self._secret, auth, token) if s]

    async def _login(self) -> str:
        session = _SESSIONS.get(self._key)
        if session is not None:
            return session[0]
        result = await self.fetcher.request(
            "POST",
            self.base + "accounts/ClientLogin",
            form={"Email": self.user, "Passwd": self._secret},
            headers={"Accept": "text/plain, application/json;q=0.9"},
            secrets=[self._secret],
        )
        self.requests += 1
        if not result.ok:
            if result.status in (401, 403):
                said = _said(result)
                raise SyncError(
                    f"{self.label} refused the user name or password ({result.status}"
                    f"{': ' + said if said else ''}); check [sync] user and FOLIO_SYNC_TOKEN "
                    "or sync_token in credentials.toml (the API password, not the web one)",
                    status=result.status,
                )
            raise error_from(self.label, result, _said(result))
        auth = _login_field(result.body, "Auth")
        if not auth:
            raise SyncError(f"{self.label} answered the login without Auth=")
        _SESSIONS[self._key] = (auth, "")
        return auth

    async def _write_token(self) -> str:
        auth, token = _SESSIONS.get(self._key, ("", ""))
        if token:
            return token
        result = await self._call("GET", "token")
        token = result.body.decode("utf-8", "replace").strip()
        if not token:
            raise SyncError(f"{self.label} gave an empty write token")
        auth = _SESSIONS.get(self._key, (auth, ""))[0]
        _SESSIONS[self._key] = (auth, token)
        return token

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str | int]] | None = None,
        form: Sequence[tuple[str, str]] | None = None,
        write: bool = False,
        again: bool = True,
    ) -> FetchResult:
        if write:  # first: getting the token may log in afresh
            form = [*(form or ()), ("T", await self._write_token())]
        auth = await self._login()
        result = await self.fetcher.request(
            method,
            self.base + API + path,
            params=params,
            headers={"Authorization": f"GoogleLogin auth={auth}"},
            form=form,
            secrets=self._secrets(),
        )
        self.requests += 1
        if result.status == 401 and again:
            # The Auth or the write token expired: log in once more, then try once more.
            _SESSIONS.pop(self._key, None)
            plain = [pair for pair in form or () if pair[0] != "T"] if write else form
            return await self._call(
                method, path, params=params, form=plain, write=write, again=False
            )
        if result.ok:
            return result
        if result.status == 401:
            _SESSIONS.pop(self._key, None)
        raise error_from(self.label, result, _said(result))

    async def _json(self, path: str, params: Sequence[tuple[str, str | int]] = ()) -> Any:
        return parse_json(
            self.label, await self._call("GET", path, params=[*params, ("output", "json")])
        )

    # -- reading ----------------------------------------------------------------------

    async def feeds(self) -> list[RemoteFeed]:
        data = await self._json("subscription/list")
        raw = data.get("subscriptions") if isinstance(data, dict) else None
        if not isinstance(raw, list):
            raise SyncError(f"{self.label} answered subscription/list without subscriptions")
        return [feed for item in raw if (feed := _feed(item)) is not None]

    async def pull(self, cursor: dict[str, Any], *, full: bool) -> Pull:
        pull = Pull()
        since = cursor.get("ot")
        since = since if isinstance(since, int) else None
        # 1. tag/list: whether the "later" label exists yet (FreshRSS makes it on first use).
        tags = await self._json("tag/list")
        names = {
            tag.get("id")
            for tag in (tags.get("tags") if isinstance(tags, dict) else None) or []
            if isinstance(tag, dict)
        }
        # 3. unread-count: when the newest item is the one seen last time, no new contents.
        counts = await self._call("GET", "unread-count", params=[("output", "json")])
        started = server_time(counts) or utcnow()
        newest = _newest(parse_json(self.label, counts))
        unchanged = since is not None and newest is not None and newest == cursor.get("newest")
        # 4. the reading list without what is read, since the last pull.
        if not unchanged:
            query: list[tuple[str, str | int]] = [("xt", READ_STATE)]
            if since is not None:
                query.append(("ot", since))
            pull.entries += await self._contents(READING_LIST, query)
        # 5. every unread id.
        pull.unread = await self._ids([("s", READING_LIST), ("xt", READ_STATE)])
        # 6. starred contents (since the last pull), 7. every starred id.
        starred_query: list[tuple[str, str | int]] = [("ot", since)] if since is not None else []
        pull.entries += await self._contents(STARRED, starred_query)
        pull.starred = await self._ids([("s", STARRED)])
        if self.has_later:
            label = LABEL + self.later_label
            pull.later = await self._ids([("s", label)]) if label in names else set()
        pull.cursor = {"ot": int(started.timestamp()) - OVERLAP, "newest": newest}
        pull.requests = self.requests
        return pull

    async def _contents(
        self, stream: str, query: Sequence[tuple[str, str | int]]
    ) -> list[RemoteEntry]:
        found: list[RemoteEntry] = []
        continuation = ""
        for _ in range(MAX_PAGES):
            params = [*query, ("n", PAGE)]
            if continuation:
                params.append(("c", continuation))
            data = await self._json(f"stream/contents/{stream}", params)
            items = data.get("items") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise SyncError(f"{self.label} answered stream/contents without items")
            found += [entry for raw in items if (entry := self._entry(raw)) is not None]
            continuation = _continuation(data)
            if not continuation or not items:
                break
        return found

    async def _ids(self, query: Sequence[tuple[str, str | int]]) -> set[str]:
        ids: set[str] = set()
        continuation = ""
        for _ in range(MAX_PAGES):
            params = [*query, ("n", IDS_PAGE)]
            if continuation:
                params.append(("c", continuation))
            data = await self._json("stream/items/ids", params)
            refs = data.get("itemRefs") if isinstance(data, dict) else None
            if not isinstance(refs, list):
                raise SyncError(f"{self.label} answered stream/items/ids without itemRefs")
            for ref in refs:
                found = item_id(ref.get("id")) if isinstance(ref, dict) else None
                if found is not None and found != "0":  # "0": News+'s placeholder
                    ids.add(found)
            continuation = _continuation(data)
            if not continuation or not refs:
                break
        return ids

    async def entries(self, ids: Sequence[str]) -> list[RemoteEntry]:
        found: list[RemoteEntry] = []
        wanted = [i for i in ids if i.isdigit()]
        for start in range(0, len(wanted), CHUNK):
            form = [("i", long_id(i)) for i in wanted[start : start + CHUNK]]
            result = await self._call("POST", "stream/items/contents", form=form)
            data = parse_json(self.label, result)
            items = data.get("items") if isinstance(data, dict) else None
            found += [e for raw in items or [] if (e := self._entry(raw)) is not None]
        return found

    def _entry(self, raw: object) -> RemoteEntry | None:
        if not isinstance(raw, dict):
            return None
        entry_id = item_id(raw.get("id"))
        origin = raw.get("origin")
        feed_id = origin.get("streamId") if isinstance(origin, dict) else None
        if entry_id is None or not isinstance(feed_id, str) or not feed_id:
            return None
        categories = {c for c in raw.get("categories") or [] if isinstance(c, str)}
        link = ""
        for key in ("canonical", "alternate"):
            links = raw.get(key)
            if isinstance(links, list) and links and isinstance(links[0], dict):
                href = links[0].get("href")
                if isinstance(href, str) and href:
                    link = href
                    break
        body = raw.get("content") or raw.get("summary")
        content = body.get("content") if isinstance(body, dict) else None
        crawled = raw.get("timestampUsec")
        if not (isinstance(crawled, str) and crawled.isdigit()):
            millis = raw.get("crawlTimeMsec")
            crawled = (
                str(int(millis) * 1000) if isinstance(millis, str) and millis.isdigit() else "0"
            )
        enclosures = []
        for item in raw.get("enclosure") or []:
            if isinstance(item, dict) and isinstance(item.get("href"), str):
                length = item.get("length")
                enclosures.append(
                    Enclosure(
                        clean_line(item["href"]),
                        _line(item, "type"),
                        length if isinstance(length, int) and length > 0 else None,
                    )
                )
        guid = raw.get("guid")
        return RemoteEntry(
            id=entry_id,
            feed_id=clean_line(feed_id),
            url=clean_line(link),
            title=_line(raw, "title"),
            author=_line(raw, "author"),
            content=clean(content) if isinstance(content, str) else "",
            published=parse_time(raw.get("published")),
            crawled=int(crawled),
            read=READ_STATE in categories,
            starred=STARRED in categories,
            later=(LABEL + self.later_label in categories) if self.has_later else None,
            guid=clean_line(guid) if isinstance(guid, str) else "",
            enclosures=enclosures,
        )

    # -- writing ----------------------------------------------------------------------

    async def mark(self, ids: Sequence[str], action: str) -> None:
        tag = {
            READ: ("a", READ_STATE),
            UNREAD: ("r", READ_STATE),
            STAR: ("a", STARRED),
            UNSTAR: ("r", STARRED),
            LATER: ("a", LABEL + self.later_label),
            UNLATER: ("r", LABEL + self.later_label),
        }.get(action)
        if tag is None or (action in (LATER, UNLATER) and not self.has_later):
            return
        wanted = [i for i in ids if i.isdigit()]
        for start in range(0, len(wanted), CHUNK):
            form = [("i", long_id(i)) for i in wanted[start : start + CHUNK]]
            await self._call("POST", "edit-tag", form=[*form, tag], write=True)

    async def mark_feed_read(self, feed_id: str, newest_entry: str, before_usec: int) -> None:
        stamp = before_usec or int(utcnow().timestamp() * 1_000_000)
        try:
            await self._call(
                "POST", "mark-all-as-read", form=[("s", feed_id), ("ts", str(stamp))], write=True
            )
        except SyncError as exc:
            if exc.refused and not await self._listed(feed_id):
                return  # the feed is gone from the server: nothing left to mark
            raise

    async def _listed(self, feed_id: str) -> bool:
        return any(feed.id == feed_id for feed in await self.feeds())

    async def subscribe(self, url: str, title: str) -> RemoteFeed | None:
        from tui.core.interop.opml import normalise_url

        result = await self._call(
            "POST", "subscription/quickadd", form=[("quickadd", url)], write=True
        )
        data = parse_json(self.label, result)
        stream = data.get("streamId") if isinstance(data, dict) else None
        if isinstance(stream, str) and stream.startswith("feed/"):
            return RemoteFeed(stream, url, title)
        key = normalise_url(url)
        known = next((f for f in await self.feeds() if normalise_url(f.url) == key), None)
        if known is not None:
            return known  # followed already (sent twice, or followed elsewhere)
        error = data.get("error") if isinstance(data, dict) else None
        said = words(error) if isinstance(error, str) else "no feed there"
        raise SyncError(f"{self.label} could not follow {words(url, 120)}: {said}", refused=True)

    async def unsubscribe(self, feed_id: str) -> None:
        try:
            await self._call(
                "POST",
                "subscription/edit",
                form=[("ac", "unsubscribe"), ("s", feed_id)],
                write=True,
            )
        except SyncError as exc:
            if exc.refused and not await self._listed(feed_id):
                return  # gone already
            raise

    async def set_position(self, enclosure_id: str, seconds: int) -> None:
        return None  # the Google Reader API keeps no podcast positions


def _said(result: FetchResult) -> str:
    """A Google Reader API error body: ``Error=BadAuthentication`` (Google's ClientLogin),
    FreshRSS's ``Unauthorized!``, or JSON with an error (Miniflux's dialect)."""
    text = result.body.decode("utf-8", "replace").strip()
    if not text:
        return ""
    if text.startswith("{"):
        try:
            import json

            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("error_message", "error", "message"):
                if isinstance(data.get(key), str):
                    return words(data[key])
    found = _login_field(text.encode(), "Error")
    return words(found or text.splitlines()[0], 120)


def _line(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    return clean_line(value) if isinstance(value, str) else ""


def _login_field(body: bytes, name: str) -> str:
    for line in body.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == name:
            return value.strip()
    return ""


def _continuation(data: object) -> str:
    value = data.get("continuation") if isinstance(data, dict) else None
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _newest(data: object) -> str | None:
    """The reading list's newest item time from ``unread-count``."""
    counts = data.get("unreadcounts") if isinstance(data, dict) else None
    for count in counts or []:
        if isinstance(count, dict) and count.get("id") == READING_LIST:
            value = count.get("newestItemTimestampUsec")
            return str(value) if isinstance(value, str | int) else None
    return None


def _feed(raw: object) -> RemoteFeed | None:
    if not isinstance(raw, dict):
        return None
    feed_id, url = raw.get("id"), raw.get("url")
    if not isinstance(feed_id, str) or not feed_id or not isinstance(url, str) or not url:
        return None
    category = ""
    for item in raw.get("categories") or []:
        if isinstance(item, dict) and isinstance(item.get("label"), str):
            category = clean_line(item["label"])
            break
    title, site = raw.get("title"), raw.get("htmlUrl")
    return RemoteFeed(
        clean_line(feed_id),
        clean_line(url),
        clean_line(title) if isinstance(title, str) else "",
        clean_line(site) if isinstance(site, str) else "",
        category,
    )
