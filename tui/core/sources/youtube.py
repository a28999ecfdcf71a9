"""YouTube channels through their feed, with each video's views and likes.

Addresses: ``https://www.youtube.com/@handle``, ``https://www.youtube.com/channel/UC…``
and the channel's feed itself (``/feeds/videos.xml?channel_id=UC…``).

YouTube's channel feed (``[apis] youtube`` + ``/feeds/videos.xml?channel_id=UC…``, Atom,
fetched conditionally like any feed) lists the 15 newest videos, and each entry carries
``<media:community>`` with ``<media:starRating count="…">`` (likes) and
``<media:statistics views="…">``: those are the counts kept for your own channel
(``mine``), needing no API key and no quota. An ``@handle`` is resolved once, from the
channel's page: its ``"externalId":"UC…"`` (or ``"channelId"``), else the page's RSS
``<link rel="alternate">``; the channel id is kept in the cursor.
"""

from __future__ import annotations

import contextlib
import re
import xml.parsers.expat
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit

from tui.core.ingest.text import clean_line
from tui.core.sources.base import (
    AdapterContext,
    AdapterResult,
    Counts,
    Recognised,
    register,
)
from tui.core.sources.common import (
    Calls,
    dump_cursor,
    load_cursor,
    parse_feed_body,
    text_of,
    web_address_on,
)

if TYPE_CHECKING:
    from tui.core.models import ParsedFeed, Source, SourceState

HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com"})
_CHANNEL = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_HANDLE = re.compile(r"^@[A-Za-z0-9._-]{3,30}$")
_PAGE_ID = re.compile(rb'"(?:externalId|channelId)"\s*:\s*"(UC[A-Za-z0-9_-]{22})"')
_RSS_LINK = re.compile(rb"feeds/videos\.xml\?channel_id=(UC[A-Za-z0-9_-]{22})")
_ATOM = "http://www.w3.org/2005/Atom"
_MEDIA = "http://search.yahoo.com/mrss/"


def what_of(url: str) -> tuple[str, str] | None:
    """("channel", id) or ("handle", "@name") of a stored address, or None."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path == "/feeds/videos.xml":
        channel = (parse_qs(parts.query).get("channel_id") or [""])[0]
        return ("channel", channel) if _CHANNEL.match(channel) else None
    if path.startswith("/channel/") and _CHANNEL.match(path.removeprefix("/channel/")):
        return "channel", path.removeprefix("/channel/")
    name = path.removeprefix("/")
    if _HANDLE.match(name):
        return "handle", name
    return None


class YouTube:
    """A channel's feed, and the views and likes it states for each video."""

    api: ClassVar[str] = "youtube"
    label: ClassVar[str] = "YouTube channel feed"

    def recognise(self, address: str) -> Recognised | None:
        parts = web_address_on(address, HOSTS)
        if parts is None:
            return None
        found = what_of(address.strip())
        if found is None:
            return None
        kind, name = found
        if kind == "channel":
            return Recognised(
                self.api, f"https://www.youtube.com/channel/{name}", f"{self.label} ({name})"
            )
        return Recognised(self.api, f"https://www.youtube.com/{name}", f"{self.label} ({name})")

    async def refresh(
        self, source: Source, state: SourceState, context: AdapterContext
    ) -> AdapterResult:
        found = what_of(source.url)
        if found is None:
            return AdapterResult(error="not a YouTube channel address (/@handle or /channel/UC…)")
        kind, name = found
        base = context.settings.apis.youtube
        cursor = load_cursor(state.cursor)
        calls = Calls(context)
        channel = name if kind == "channel" else text_of(cursor, "channel")
        if not _CHANNEL.match(channel):
            reply = await calls.get(f"{base}/{quote(name)}", as_json=False, accept="text/html")
            if not reply.ok:
                return reply.failed(f"reading {name}'s channel page")
            page = reply.data if isinstance(reply.data, bytes) else b""
            match = _PAGE_ID.search(page) or _RSS_LINK.search(page)
            if match is None:
                return AdapterResult(
                    error=f"{name}'s page does not say which channel it is; add the address"
                    " https://www.youtube.com/channel/UC… from the channel's About page",
                    http_status=reply.status,
                )
            channel = match.group(1).decode("ascii")
            cursor["channel"] = channel
        feed_url = f"{base}/feeds/videos.xml?channel_id={channel}"
        reply = await calls.feed(feed_url, text_of(cursor, "etag"), text_of(cursor, "modified"))
        if not reply.ok or reply.fetched is None:
            return reply.failed("reading the channel's feed")
        feed: ParsedFeed | None = None
        if not reply.not_modified:
            body = reply.fetched.body
            feed = await parse_feed_body(body, feed_url, reply.fetched.content_type)
            if feed.error and not feed.items:
                return AdapterResult(error=f"the channel's feed: {feed.error}", http_status=200)
            cursor["etag"] = reply.fetched.etag
            cursor["modified"] = reply.fetched.last_modified
            cursor["counts"] = video_counts(body)
        counts = {}
        kept = cursor.get("counts")
        for guid, (views, likes) in kept.items() if isinstance(kept, dict) else []:
            counts[str(guid)] = Counts(views=_number(views), likes=_number(likes))
        return AdapterResult(
            feed,
            counts=counts,
            cursor=dump_cursor(cursor),
            http_status=reply.status,
            retry_after=calls.parked_until,
        )


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _whole(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 15 else None


def video_counts(body: bytes) -> dict[str, list[int | None]]:
    """Each entry's id with its [views, likes], read from ``media:community``.

    The document is defused first (its DOCTYPE's entities removed, as for any feed) and
    read by expat; a document expat refuses gives no counts, not an error: the items
    still come from the feed parser.
    """
    from tui.core.ingest.xmlsafe import defuse_subset, scan_prolog

    body, _ = defuse_subset(body, scan_prolog(body))
    found: dict[str, list[int | None]] = {}
    entry: dict[str, Any] | None = None
    text: list[str] = []
    in_id = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal entry, in_id
        if name == f"{_ATOM} entry":
            entry = {"id": "", "views": None, "likes": None}
        elif entry is not None:
            if name == f"{_MEDIA} statistics":
                entry["views"] = _whole(attrs.get("views"))
            elif name == f"{_MEDIA} starRating":
                entry["likes"] = _whole(attrs.get("count"))
            elif name == f"{_ATOM} id":
                text.clear()
                in_id = True

    def end(name: str) -> None:
        nonlocal entry, in_id
        if entry is None:
            return
        if name == f"{_ATOM} id":
            entry["id"] = clean_line("".join(text))[:200]
            in_id = False
        elif name == f"{_ATOM} entry":
            if entry["id"] and len(found) < 100:
                found[entry["id"]] = [entry["views"], entry["likes"]]
            entry = None

    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end

    def data(chunk: str) -> None:
        if in_id and len(text) < 100:
            text.append(chunk)

    parser.CharacterDataHandler = data
    with contextlib.suppress(xml.parsers.expat.ExpatError):  # what came before it is kept
        parser.Parse(body, True)
    return found


register(YouTube())
