"""Finding feeds and guessing what kind of source they are, without touching the network.

Everything here is a pure function over text the caller already has (a URL, a page body,
a parsed feed), so it is cheap to call from anywhere and easy to test.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from tui.core.models import ParsedFeed

FEED_TYPES: frozenset[str] = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
    }
)
"""MIME types that mark a ``<link rel="alternate">`` as a feed."""

_AUDIO_EXTENSIONS = (".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac", ".wav")
_VIDEO_EXTENSIONS = (".mp4", ".m4v", ".mov", ".webm", ".mkv")


class _FeedLinkParser(HTMLParser):
    """Collects feed ``<link>`` tags and the first ``<base href>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base" and self.base is None:
            href = _attr(attrs, "href")
            if href:
                self.base = href
            return
        if tag != "link":
            return
        # rel is a space-separated token list ("alternate nofollow" is fine) and,
        # like type, compared case-insensitively.
        rel = (_attr(attrs, "rel") or "").lower().split()
        if "alternate" not in rel:
            return
        mime = (_attr(attrs, "type") or "").split(";", 1)[0].strip().lower()
        if mime not in FEED_TYPES:
            return
        href = (_attr(attrs, "href") or "").strip()
        # WordPress marks its REST API document as rel=alternate application/json on
        # every page; that is not a feed, and picking it would subscribe to nothing.
        if not href or (mime == "application/json" and "/wp-json/" in href):
            return
        self.hrefs.append(href)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _attr(attrs: list[tuple[str, str | None]], name: str) -> str | None:
    for key, value in attrs:
        if key == name:
            return value
    return None


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def find_feed_links(html: str, base_url: str) -> list[str]:
    """Feed URLs a page advertises, resolved, in document order, without repeats.

    Only http(s) results are returned: a page may advertise ``javascript:`` or
    ``file:`` links, and those must never become sources.
    """
    parser = _FeedLinkParser()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):
        # html.parser gives up on a few malformed constructs (an unknown marked
        # section, for one); the links seen before that point are still good.
        pass
    base = base_url
    if parser.base:
        try:
            base = urljoin(base_url, parser.base.strip())
        except ValueError:
            base = base_url
    found: list[str] = []
    for href in parser.hrefs:
        try:
            url = urljoin(base, href)
        except ValueError:
            continue
        url = url.split("#", 1)[0]
        if _is_web_url(url) and url not in found:
            found.append(url)
    return found


_SKIP_PROLOGUE = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!doctype\b[^>]*>)", re.IGNORECASE | re.DOTALL
)
_FIRST_TAG = re.compile(r"\s*<([a-zA-Z][\w:.-]*)")


def _sniff_text(body: bytes) -> str:
    head = body[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    # Markup names are ASCII, so any single-byte decoding finds them whatever the
    # real encoding; latin-1 never fails.
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def looks_like_html(body: bytes, content_type: str) -> bool:
    """True when a response is a web page rather than a feed.

    Servers often label feeds ``text/html`` (and pages ``text/xml``), so the body's
    first element decides when it can be seen; the header only breaks a tie.
    """
    text = _sniff_text(body)
    if text.lstrip().startswith(("{", "[")):
        return False  # JSON Feed
    if re.match(r"\s*<!doctype\s+html", text, re.IGNORECASE):
        return True
    position = 0
    while match := _SKIP_PROLOGUE.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    tag = _FIRST_TAG.match(text, position)
    if tag:
        name = tag.group(1).lower()
        if name == "html":
            return True
        if name in ("rss", "feed", "rdf:rdf", "rdf", "opml"):
            return False
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime in ("text/html", "application/xhtml+xml")


def _host_is(host: str, *domains: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


# Hosts that only serve podcasts; an OPML import has no feed body to look at, so the
# host is the best evidence available before the first fetch.
_PODCAST_HOSTS = (
    "simplecast.com",
    "libsyn.com",
    "anchor.fm",
    "podbean.com",
    "buzzsprout.com",
    "transistor.fm",
    "megaphone.fm",
    "acast.com",
    "omny.fm",
    "spreaker.com",
    "captivate.fm",
    "podcasts.apple.com",
)
_BOOKMARK_HOSTS = ("pinboard.in", "raindrop.io", "getpocket.com", "del.icio.us", "delicious.com")


def guess_kind_from_url(url: str) -> str | None:
    """The kind a URL alone reveals, or None when it says nothing."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    path = parts.path.lower()
    if not host:
        return None
    if _host_is(host, "youtube.com", "youtu.be", "youtube-nocookie.com", "vimeo.com"):
        return "video"
    # Mastodon (and other ActivityPub servers) publish profiles as /@user.rss or
    # /users/user.rss on any host; Bluesky feeds come from bsky.app or bridges named
    # after it.
    if (
        re.fullmatch(r"/@[^/]+\.rss", path)
        or re.fullmatch(r"/users/[^/]+\.rss", path)
        or "bsky" in host
        or "bsky.app" in path
    ):
        return "social"
    if _host_is(host, "news.ycombinator.com", "hnrss.org", "reddit.com", "lobste.rs"):
        return "news"
    if _host_is(host, "github.com"):
        return "news"
    if _host_is(host, *_BOOKMARK_HOSTS) or "linkding" in host or "linkding" in path:
        return "bookmarks"
    if "bookmarks" in path:
        return "bookmarks"
    if _host_is(host, *_PODCAST_HOSTS) or {"podcast", "podcasts"} & set(path.split("/")):
        return "podcast"
    return None


def _enclosure_kinds(feed: ParsedFeed) -> tuple[bool, bool]:
    audio = feed.has_audio
    video = False
    for item in feed.items:
        for enc in item.enclosures:
            mime = enc.type.lower()
            path = enc.url.split("?", 1)[0].split("#", 1)[0].lower()
            # Many feeds leave the enclosure type empty; the file extension is the
            # next best evidence.
            if mime.startswith("video/") or (not mime and path.endswith(_VIDEO_EXTENSIONS)):
                video = True
            elif not mime and path.endswith(_AUDIO_EXTENSIONS):
                audio = True
    return audio, video


def guess_kind(url: str, feed: ParsedFeed) -> str:
    """The kind of a source, from what its feed carries and then from its URL."""
    audio, video = _enclosure_kinds(feed)
    if audio:
        return "podcast"
    if video:
        return "video"
    return guess_kind_from_url(url) or "blog"
