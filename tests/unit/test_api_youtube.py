"""The YouTube adapter against a loopback YouTube serving a channel page and its feed.

The feed's shape is a real channel feed's (tests/fixtures/apis/youtube-channel.xml: Atom with
``yt:videoId`` and ``media:group/media:community`` holding ``media:starRating count`` and
``media:statistics views``, as https://www.youtube.com/feeds/videos.xml?channel_id=… serves
it). A channel page names its channel as ``"externalId":"UC…"`` and links its feed with
``<link rel="alternate" type="application/rss+xml" … channel_id=UC…>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tui.core.config import ApiSettings, Settings
from tui.core.models import Source
from tui.core.refresh.refresher import ERROR, NOT_MODIFIED, OK, Refresher
from tui.core.sources.base import recognise
from tui.core.sources.youtube import video_counts
from tui.core.storage.store import Store

if TYPE_CHECKING:
    from tests.httpserver import TestServer

pytest_plugins = ["httpserver"]

FEED = (Path(__file__).parents[1] / "fixtures" / "apis" / "youtube-channel.xml").read_bytes()
CHANNEL = "UC4Otk-uDioJN0tg6s1QO9lw"


def settings(server: TestServer) -> Settings:
    return Settings(apis=ApiSettings(youtube=server.url("")))


async def refresh(store: Store, server: TestServer, *sources: Source) -> list[Any]:
    refresher = Refresher(store, settings(server), parse_workers=0)
    try:
        return (await refresher.refresh(list(sources))).results
    finally:
        await refresher.close()


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("https://www.youtube.com/@atomic14", "https://www.youtube.com/@atomic14"),
        (f"https://youtube.com/channel/{CHANNEL}", f"https://www.youtube.com/channel/{CHANNEL}"),
        (
            f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}",
            f"https://www.youtube.com/channel/{CHANNEL}",
        ),
    ],
)
def test_addresses(address: str, url: str) -> None:
    found = recognise(address)
    assert found is not None and found.api == "youtube" and found.url == url


def test_a_handle_is_not_taken_for_a_mastodon_account() -> None:
    found = recognise("https://www.youtube.com/@someone")
    assert found is not None and found.api == "youtube"


def test_counts_are_read_from_media_community() -> None:
    assert video_counts(FEED) == {
        "yt:video:WLCiZ04W5CQ": [1762, 25],
        "yt:video:jyhVxC0ipE8": [5724, 282],
        "yt:video:Wir1jBqvQEs": [4648, 223],
    }


def test_hostile_or_broken_feeds_give_no_counts_and_no_trouble() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><feed xmlns="http://www.w3.org/2005/Atom">'
        b"<entry><id>&b;</id></entry></feed>"
    )
    assert video_counts(bomb) == {}
    assert video_counts(FEED[:2000]) == {"yt:video:WLCiZ04W5CQ": [1762, 25]}  # read up to the cut
    weird = FEED.replace(b'views="1762"', b'views="-1"').replace(b'count="25"', b'count="x"')
    assert video_counts(weird)["yt:video:WLCiZ04W5CQ"] == [None, None]


async def test_a_handle_is_resolved_once_and_counts_kept(
    http_server: TestServer, tmp_path: Path
) -> None:
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" title="RSS" '
        b'href="https://www.youtube.com/feeds/videos.xml?channel_id=' + CHANNEL.encode() + b'">'
        b'</head><body><script>var x = {"externalId":"' + CHANNEL.encode() + b'"};</script>'
    )
    http_server.route("/@atomic14", body=page, content_type="text/html")
    http_server.route(
        "/feeds/videos.xml", body=FEED, etag='"f1"', content_type="application/atom+xml"
    )
    source = Source("https://www.youtube.com/@atomic14", mine=True, api="youtube")
    store = Store(tmp_path / "folio.db")
    [first] = await refresh(store, http_server, source)
    assert first.outcome == OK and first.new_items == 3
    [seen] = http_server.hits("/feeds/videos.xml")
    assert seen.query == {"channel_id": [CHANNEL]}
    [second] = await refresh(store, http_server, source)
    assert second.outcome == NOT_MODIFIED
    assert len(http_server.hits("/@atomic14")) == 1
    history = store.engagement_history(source.url, "yt:video:jyhVxC0ipE8")
    assert [(h["views"], h["likes"]) for h in history] == [(5724, 282), (5724, 282)]


async def test_a_page_that_names_no_channel_says_what_to_do(
    http_server: TestServer, tmp_path: Path
) -> None:
    http_server.route("/@nobody", body=b"<html>consent</html>", content_type="text/html")
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(
        store, http_server, Source("https://www.youtube.com/@nobody", api="youtube")
    )
    assert result.outcome == ERROR and "/channel/UC" in result.error


async def test_429_on_the_feed(http_server: TestServer, tmp_path: Path) -> None:
    http_server.route("/feeds/videos.xml", status=429, headers={"Retry-After": "60"})
    store = Store(tmp_path / "folio.db")
    source = Source(f"https://www.youtube.com/channel/{CHANNEL}", api="youtube")
    [result] = await refresh(store, http_server, source)
    assert result.outcome == ERROR and "429" in result.error
    assert store.state(source.url).retry_after is not None
