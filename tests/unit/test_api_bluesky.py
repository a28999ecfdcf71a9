"""The Bluesky adapter against a loopback AppView that answers as the documentation says.

Shapes from the Bluesky documentation and lexicons:
- https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed (``actor``, ``limit`` 1-100,
  ``cursor``; ``feed`` of ``feedViewPost``: ``post``, optional ``reply`` and ``reason``)
- https://docs.bsky.app/docs/api/app-bsky-actor-get-profile (``followersCount``,
  ``followsCount``, ``postsCount``)
- lexicons/app/bsky/feed/defs.json (``postView``: ``uri``, ``cid``, ``author``, ``record``,
  ``replyCount``, ``repostCount``, ``likeCount``, ``quoteCount``, ``indexedAt``;
  ``reasonRepost``)
- https://docs.bsky.app/docs/advanced-guides/rate-limits (429, ``RateLimit-*`` headers)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest

from tui.core.config import ApiSettings, Settings
from tui.core.models import Source, utcnow
from tui.core.refresh.refresher import ERROR, NOT_MODIFIED, OK, Refresher
from tui.core.sources.base import recognise
from tui.core.storage.store import Store

if TYPE_CHECKING:
    from pathlib import Path

    from tests.httpserver import Answer, Seen, TestServer

pytest_plugins = ["httpserver"]

DID = "did:plc:4xk2mq7vd3e5ntwlyrb6opsa"
HOSTILE = "[@click=app.quit]x[/] \x1b[2J \u202eevil\u202c <b>bold</b>"
AUTHOR = {"did": DID, "handle": "maya.bsky.social", "displayName": "Maya"}


def post(number: int, *, age_hours: float, text: str = "", repost: bool = False) -> dict[str, Any]:
    created = (utcnow() - dt.timedelta(hours=age_hours)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    view = {
        "uri": f"at://{DID}/app.bsky.feed.post/3lpost{number:06d}",
        "cid": f"bafyrei{number:06d}",
        "author": AUTHOR,
        "record": {
            "$type": "app.bsky.feed.post",
            "text": text
            or f"Post {number} on #hiring with @sam.bsky.social https://example.org/a-long-path/{number}",
            "createdAt": created,
        },
        "replyCount": number,
        "repostCount": 2 * number,
        "likeCount": 3 * number,
        "quoteCount": 1,
        "indexedAt": created,
    }
    entry: dict[str, Any] = {"post": view}
    if repost:
        entry["post"] = {**view, "author": {"did": "did:plc:other", "handle": "other.example"}}
        entry["reason"] = {
            "$type": "app.bsky.feed.defs#reasonRepost",
            "by": AUTHOR,
            "indexedAt": created,
        }
    return entry


class AppView:
    def __init__(self, server: TestServer, feed: list[dict[str, Any]]) -> None:
        self.feed = feed
        self.profile = {**AUTHOR, "followersCount": 300, "followsCount": 20, "postsCount": 99}
        server.handle("/xrpc/app.bsky.feed.getAuthorFeed", self.author_feed)
        server.handle("/xrpc/app.bsky.actor.getProfile", self.get_profile)

    def author_feed(self, seen: Seen) -> Answer:
        from tests.httpserver import Answer

        assert seen.query["actor"] == ["maya.bsky.social"]
        limit = int(seen.query["limit"][0])
        assert 1 <= limit <= 100
        start = int(seen.query.get("cursor", ["0"])[0])
        page = self.feed[start : start + limit]
        body: dict[str, Any] = {"feed": page}
        if start + limit < len(self.feed):
            body["cursor"] = str(start + limit)
        return Answer.json(body)

    def get_profile(self, seen: Seen) -> Answer:
        from tests.httpserver import Answer

        return Answer.json(self.profile)


def settings(server: TestServer) -> Settings:
    return Settings(apis=ApiSettings(bluesky=server.url("")))


def source(mine: bool = True) -> Source:
    return Source("https://bsky.app/profile/maya.bsky.social", "Maya", mine=mine, api="bluesky")


async def refresh(store: Store, server: TestServer, *sources: Source) -> list[Any]:
    refresher = Refresher(store, settings(server), parse_workers=0)
    try:
        return (await refresher.refresh(list(sources))).results
    finally:
        await refresher.close()


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("https://bsky.app/profile/Maya.bsky.social", "https://bsky.app/profile/maya.bsky.social"),
        ("@maya.example.org", "https://bsky.app/profile/maya.example.org"),
        ("maya.bsky.social", "https://bsky.app/profile/maya.bsky.social"),
        (DID, f"https://bsky.app/profile/{DID}"),
        (f"https://bsky.app/profile/{DID}", f"https://bsky.app/profile/{DID}"),
    ],
)
def test_profile_addresses_are_recognised(address: str, url: str) -> None:
    found = recognise(address)
    assert found is not None and found.api == "bluesky" and found.url == url
    assert found.label.startswith("Bluesky API (@")


@pytest.mark.parametrize(
    "address",
    ["https://bsky.app/profile/maya.bsky.social/post/3lxyz", "example.org", "did:plc:short"],
)
def test_other_addresses_are_not_bluesky(address: str) -> None:
    found = recognise(address)
    assert found is None or found.api != "bluesky"


async def test_own_account_pages_by_cursor_drops_reposts_and_keeps_counts(
    http_server: TestServer, tmp_path: Path
) -> None:
    feed = [post(n, age_hours=(200 - n) * 3) for n in range(200, 0, -1)]
    feed.insert(5, post(999, age_hours=14, repost=True))
    view = AppView(http_server, feed)
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, source())
    assert result.outcome == OK
    assert len(http_server.hits("/xrpc/app.bsky.feed.getAuthorFeed")) == 3  # 100, 100, 1
    items = store.items()
    assert len(items) == 200  # the repost is not Maya's post
    newest = items[0]
    assert newest.title == (
        "Post 200 on #hiring with @sam.bsky.social https://example.org/a-long-path/200"
    )
    assert newest.link == "https://bsky.app/profile/maya.bsky.social/post/3lpost000200"
    assert newest.guid == f"at://{DID}/app.bsky.feed.post/3lpost000200"
    [counts] = store.engagement_history(source().url, newest.guid)
    assert (counts["replies"], counts["reposts"], counts["likes"], counts["quotes"]) == (
        200,
        400,
        600,
        1,
    )
    assert store.account_history(source().url)[0]["followers"] == 300
    view.profile["followersCount"] = 301
    await refresh(store, http_server, source())
    assert [a["followers"] for a in store.account_history(source().url)] == [300, 301]


async def test_a_followed_account_stops_at_the_newest_seen(
    http_server: TestServer, tmp_path: Path
) -> None:
    view = AppView(http_server, [post(n, age_hours=10 - n) for n in (3, 2, 1)])
    store = Store(tmp_path / "folio.db")
    await refresh(store, http_server, source(mine=False))
    [again] = await refresh(store, http_server, source(mine=False))
    assert again.outcome == NOT_MODIFIED
    view.feed.insert(0, post(4, age_hours=0.5))
    [later] = await refresh(store, http_server, source(mine=False))
    assert later.new_items == 1
    assert http_server.hits("/xrpc/app.bsky.actor.getProfile") == []
    assert store.engagement_history(source().url) == []


async def test_long_post_titles_are_cut_at_a_space(http_server: TestServer, tmp_path: Path) -> None:
    text = "A " * 30 + "#averyveryverylonghashtag and more words\nsecond line"
    AppView(http_server, [post(1, age_hours=1, text=text)])
    store = Store(tmp_path / "folio.db")
    await refresh(store, http_server, source())
    [item] = store.items()
    assert item.title.endswith(" …") and "#averyveryverylonghashtag" not in item.title
    assert len(item.title) <= 82
    assert "second line" not in item.title


async def test_429_and_rate_limit_headers(http_server: TestServer, tmp_path: Path) -> None:
    from tests.httpserver import Answer

    AppView(http_server, [])
    reset = str(int((utcnow() + dt.timedelta(seconds=300)).timestamp()))
    http_server.handle(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        lambda seen: Answer.json(
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            429,
            **{"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": reset},
        ),
    )
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, source(mine=False))
    assert result.outcome == ERROR and "Rate Limit Exceeded" in result.error
    state = store.state(source().url)
    assert state.retry_after is not None
    assert dt.timedelta(seconds=200) < state.retry_after - utcnow() <= dt.timedelta(seconds=300)


@pytest.mark.parametrize(
    ("body", "words"),
    [(b"not json", "not valid JSON"), (b'{"posts": []}', "no feed of posts"), (b"[]", "no feed")],
)
async def test_malformed_answers(
    http_server: TestServer, tmp_path: Path, body: bytes, words: str
) -> None:
    from tests.httpserver import Answer

    AppView(http_server, [])
    http_server.handle(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        lambda seen: Answer(200, body, {"Content-Type": "application/json"}),
    )
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, source(mine=False))
    assert result.outcome == ERROR and words in result.error


async def test_a_page_of_10000_posts_is_one_call(http_server: TestServer, tmp_path: Path) -> None:
    from tests.httpserver import Answer

    AppView(http_server, [])
    many = [post(n, age_hours=1) for n in range(10_000)]
    http_server.handle(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        lambda seen: Answer.json({"feed": many, "cursor": "next"}),
    )
    store = Store(tmp_path / "folio.db")
    tight = settings(http_server)
    tight.apis.max_pages = 2
    refresher = Refresher(store, tight, parse_workers=0)
    try:
        summary = await refresher.refresh([source()])
    finally:
        await refresher.close()
    assert summary.results[0].outcome == OK
    assert len(http_server.hits("/xrpc/app.bsky.feed.getAuthorFeed")) == 1
    assert len(store.items()) == 200  # 2 pages of 100: a refresh's worth


async def test_hostile_text_in_every_field(http_server: TestServer, tmp_path: Path) -> None:
    evil = post(1, age_hours=1, text=HOSTILE)
    evil["post"]["author"] = {"did": DID, "handle": HOSTILE, "displayName": HOSTILE}
    evil["post"]["embed"] = {
        "$type": "app.bsky.embed.external#view",
        "external": {"uri": "javascript:alert(1)", "title": HOSTILE, "description": HOSTILE},
    }
    evil["post"]["likeCount"] = True
    AppView(http_server, [evil])
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, source())
    assert result.outcome == OK
    [item] = store.items()
    for text in (item.title, item.author, item.content, item.link, item.guid):
        assert "\x1b" not in text and "\u202e" not in text
    assert item.title.startswith("[@click=app.quit]x[/]")
    assert "&lt;b&gt;bold&lt;/b&gt;" in item.content  # plain text stays text in the reader
    assert item.link == ""  # the handle is not a handle: no link made from it
    [counts] = store.engagement_history(source().url)
    assert counts["likes"] is None and counts["replies"] == 1
