"""Plain data shared by every part of the engine and the UI.

Nothing here does I/O. Datetimes are always timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

KINDS: tuple[str, ...] = ("blog", "podcast", "bookmarks", "social", "video", "news")
"""The kinds of source a portfolio may hold, in the order the dashboard groups them."""

KIND_HEADINGS: dict[str, str] = {
    "blog": "Blogs",
    "podcast": "Podcasts",
    "bookmarks": "Bookmarks",
    "social": "Social",
    "video": "Video",
    "news": "News",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Source:
    """One followed feed, as kept in ``portfolio.toml``."""

    url: str
    name: str = ""
    kind: str = "blog"
    tags: list[str] = field(default_factory=list)
    mine: bool = False
    """True for the user's own blog or podcast: the roadmap measures its cadence."""
    interval: str | None = None
    """Refresh interval such as ``"30m"``; None means the settings default."""
    api: str = ""
    """The web API this source is read through (``"mastodon"``, ...); empty for a feed.
    See tui/core/sources/."""
    target: str = ""
    """For an own source, the posting cadence aimed for, such as ``"2/w"`` or ``"1/m"``
    (``planning.measures.parse_target``); empty for none."""
    download: str = ""
    """``"new"``: queue each new episode for download as it arrives (podcasts); ``""`` or
    ``"none"``: only when asked."""

    @property
    def downloads_new(self) -> bool:
        return self.download == "new"

    @property
    def title(self) -> str:
        return self.name or self.url


@dataclass
class Enclosure:
    """A media file an item links to (a podcast episode's audio)."""

    url: str
    type: str = ""
    length: int | None = None
    """Size in bytes, as the feed claims it."""


@dataclass
class ParsedItem:
    """One entry as a parser produced it, already sanitised (see ``text.clean``)."""

    guid: str = ""
    title: str = ""
    link: str = ""
    author: str = ""
    summary: str = ""
    content: str = ""
    """HTML or plain text of the full entry, whichever the feed gave."""
    published: dt.datetime | None = None
    enclosures: list[Enclosure] = field(default_factory=list)
    duration: str = ""
    """Podcast episode duration as the feed wrote it (itunes:duration)."""
    tags: list[str] = field(default_factory=list)
    """The entry's own tags (a bookmark's), each one clean line."""
    private: bool = False
    """A bookmark kept private on its service (or in the file it came from)."""
    toread: bool = False
    """A bookmark marked "to read" (unread on linkding, toread on Pinboard)."""


@dataclass
class ParsedFeed:
    """What a parser made of one document; ``error`` says, in words, what was wrong."""

    title: str = ""
    link: str = ""
    items: list[ParsedItem] = field(default_factory=list)
    error: str | None = None
    """Why the document is not a (fully) valid feed, in words; items may still be partial."""

    @property
    def has_audio(self) -> bool:
        return any(enc.type.startswith("audio/") for item in self.items for enc in item.enclosures)


@dataclass
class Item:
    """One stored item, as the store returns it."""

    id: int
    source: str
    guid: str
    title: str
    link: str
    author: str
    summary: str
    content: str
    published: dt.datetime
    """The feed's date, or the first-seen time when the feed gave none or a future one."""
    dated: bool
    """False when ``published`` is only the first-seen time."""
    first_seen: dt.datetime
    read: bool = False
    starred: bool = False
    saved: bool = False
    bookmarked: bool = False
    enclosure_url: str = ""
    enclosure_type: str = ""
    enclosure_length: int | None = None
    duration: str = ""
    tags: list[str] = field(default_factory=list)
    """The item's own tags (a bookmark's); a source's tags are the source's."""
    private: bool = False
    toread: bool = False


@dataclass
class SourceState:
    """What the store knows about fetching one source."""

    url: str
    status: str = "new"
    """One of: new, ok, not-modified, error."""
    error: str = ""
    """The last error in words, empty when the last fetch worked."""
    http_status: int | None = None
    etag: str = ""
    last_modified: str = ""
    content_hash: str = ""
    last_fetched: dt.datetime | None = None
    next_due: dt.datetime | None = None
    failures: int = 0
    """Consecutive failed fetches; drives exponential back-off."""
    retry_after: dt.datetime | None = None
    """Set when the server answered 429/503 with Retry-After."""
    fetches: int = 0
    not_modified: int = 0
    """How many fetches were answered 304 (or had an unchanged body)."""
    items: int = 0
    unread: int = 0
    feed_title: str = ""
    cursor: str = ""
    """An API source's own state between refreshes, as its adapter keeps it (JSON)."""

    @property
    def hit_rate(self) -> float:
        return self.not_modified / self.fetches if self.fetches else 0.0
