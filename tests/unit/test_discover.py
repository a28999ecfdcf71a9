"""Feed discovery in HTML and kind guessing, all without the network."""

from __future__ import annotations

import pytest

from tui.core.ingest.discover import (
    find_feed_links,
    guess_kind,
    guess_kind_from_url,
    looks_like_html,
)
from tui.core.models import Enclosure, ParsedFeed, ParsedItem

PAGE = """<!DOCTYPE html>
<html><head>
<title>A blog</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml">
<link rel="alternate" type="application/atom+xml" href="https://example.com/atom.xml"/>
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="/feed.xml#dup">
<link rel="Alternate Nofollow" type="Application/Feed+JSON; charset=utf-8" href="feed.json">
<link rel="alternate" type="application/json" href="https://example.com/wp-json/wp/v2/posts/1">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="">
<link rel="alternate" type="application/rss+xml" href="/comments?a=1&amp;b=2">
<link rel="alternate stylesheet" type="text/css" href="/dark.css">
</head><body><a rel="alternate" type="application/rss+xml" href="/not-a-link-tag">x</a>
</body></html>
"""


def test_finds_feed_links_in_order_resolved_and_deduped() -> None:
    assert find_feed_links(PAGE, "https://example.com/blog/post") == [
        "https://example.com/feed.xml",
        "https://example.com/atom.xml",
        "https://example.com/blog/feed.json",
        "https://example.com/comments?a=1&b=2",
    ]


def test_base_href_changes_resolution() -> None:
    page = (
        '<head><base href="https://cdn.example/sub/">'
        "<link rel=alternate type=application/atom+xml href=atom></head>"
    )
    assert find_feed_links(page, "https://example.com/") == ["https://cdn.example/sub/atom"]


def test_relative_base_href_is_resolved_against_the_page() -> None:
    page = '<base href="/b/"><link rel="alternate" type="application/rss+xml" href="rss">'
    assert find_feed_links(page, "https://example.com/a/page") == ["https://example.com/b/rss"]


def test_json_alternate_that_is_not_wordpress_api_counts() -> None:
    page = '<link rel="alternate" type="application/json" href="/feed.json">'
    assert find_feed_links(page, "https://example.com/") == ["https://example.com/feed.json"]


@pytest.mark.parametrize(
    "html",
    [
        '<link rel="alternate" type="application/rss+xml" href="/rss"><div><p><span',
        '<html><head><link rel=alternate type=application/rss+xml href="/rss"><![weird',
        '<link rel="alternate" type="application/rss+xml" href="/rss"></head></html></html><<<>>>',
        '\x00<link rel="alternate" type="application/rss+xml" href="/rss">\udcff',
    ],
)
def test_broken_html_still_yields_the_links_seen(html: str) -> None:
    assert find_feed_links(html, "http://example.com/") == ["http://example.com/rss"]


def test_no_links_and_non_web_base() -> None:
    assert find_feed_links("", "https://example.com/") == []
    assert find_feed_links("<p>nothing here</p>", "https://example.com/") == []
    page = '<link rel="alternate" type="application/rss+xml" href="rss">'
    assert find_feed_links(page, "file:///tmp/page.html") == []


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"<!DOCTYPE html><html><head></head></html>", "text/html; charset=utf-8", True),
        (b"<!doctype HTML>\n<p>hi", "text/xml", True),
        (b"\xef\xbb\xbf  <html lang=en>", "application/octet-stream", True),
        (b'<?xml version="1.0"?>\n<!-- c --><rss version="2.0">', "text/html", False),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'>", "text/html", False),
        (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="x">', "text/html", False),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "text/html", False),
        (b"some text without markup", "text/html", True),
        (b"some text without markup", "application/rss+xml", False),
        (b"", "application/xhtml+xml", True),
        (b"", "", False),
        ('<?xml version="1.0"?><rss/>'.encode("utf-16"), "text/html", False),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">', "text/xml", True),
    ],
)
def test_looks_like_html(body: bytes, content_type: str, expected: bool) -> None:
    assert looks_like_html(body, content_type) is expected


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.youtube.com/feeds/videos.xml?channel_id=UC123", "video"),
        ("https://youtube.com/feeds/videos.xml?playlist_id=PL1", "video"),
        ("https://youtu.be/abc", "video"),
        ("https://mastodon.social/@someone.rss", "social"),
        ("https://fosstodon.org/users/someone.rss", "social"),
        ("https://bsky.app/profile/someone.bsky.social/rss", "social"),
        ("https://bsky.brid.gy/feed", "social"),
        ("https://news.ycombinator.com/rss", "news"),
        ("https://hnrss.org/newest?points=100", "news"),
        ("https://www.reddit.com/r/python/.rss", "news"),
        ("https://old.reddit.com/r/python/.rss", "news"),
        ("https://github.com/Textualize/textual/releases.atom", "news"),
        ("https://github.com/Textualize/textual/commits/main.atom", "news"),
        ("https://feeds.pinboard.in/rss/u:someone/", "bookmarks"),
        ("https://raindrop.io/collection/123/feed", "bookmarks"),
        ("https://getpocket.com/users/me/feed/all", "bookmarks"),
        ("https://links.example.org/linkding/feeds/abc/all", "bookmarks"),
        ("https://del.icio.us/rss/someone", "bookmarks"),
        ("https://example.com/my/bookmarks.rss", "bookmarks"),
        ("https://feeds.simplecast.com/abc", "podcast"),
        ("https://example.com/feed/podcast/", "podcast"),
        ("https://example.com/feed.xml", None),
        ("https://notyoutube.com/feed", None),
        ("https://example.com/@someone/posts.rss", None),
        ("not a url", None),
        ("http://[broken/", None),
    ],
)
def test_guess_kind_from_url(url: str, kind: str | None) -> None:
    assert guess_kind_from_url(url) == kind


def feed_with(*enclosures: Enclosure) -> ParsedFeed:
    return ParsedFeed(title="f", items=[ParsedItem(title="i", enclosures=list(enclosures))])


def test_guess_kind_prefers_what_the_feed_carries() -> None:
    audio = feed_with(Enclosure(url="https://cdn.example/e1.mp3", type="audio/mpeg"))
    video = feed_with(Enclosure(url="https://cdn.example/e1.mp4", type="video/mp4"))
    # An audio feed hosted on a "news" host is still a podcast.
    assert guess_kind("https://news.ycombinator.com/x", audio) == "podcast"
    assert guess_kind("https://example.com/feed", video) == "video"


def test_guess_kind_uses_file_extensions_when_type_is_missing() -> None:
    untyped_audio = feed_with(Enclosure(url="https://cdn.example/e1.M4A?x=1"))
    untyped_video = feed_with(Enclosure(url="https://cdn.example/e1.webm"))
    untyped_image = feed_with(Enclosure(url="https://cdn.example/e1.jpg"))
    assert guess_kind("https://example.com/feed", untyped_audio) == "podcast"
    assert guess_kind("https://example.com/feed", untyped_video) == "video"
    assert guess_kind("https://example.com/feed", untyped_image) == "blog"


def test_guess_kind_falls_back_to_url_then_blog() -> None:
    empty = ParsedFeed()
    images = feed_with(Enclosure(url="https://cdn.example/a.png", type="image/png"))
    assert guess_kind("https://www.youtube.com/feeds/videos.xml?user=x", empty) == "video"
    assert guess_kind("https://github.com/a/b/releases.atom", images) == "news"
    assert guess_kind("https://blog.example/feed", empty) == "blog"
