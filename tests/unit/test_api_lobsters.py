"""The Lobsters adapter against a loopback Lobsters answering as the site's source does.

From https://github.com/lobsters/lobsters: ``config/routes.rb`` (``/~:user/stories(/page/:page)``
with ``.json``, ``/hottest.json``, ``/newest.json``), ``app/models/story.rb`` ``as_json``
(``short_id``, ``short_id_url``, ``created_at``, ``title``, ``url``, ``score``,
``comment_count``, ``description``, ``comments_url``, ``submitter_user``, ``tags``) and
``config/initializers/rack_attack.rb`` (429 with ``RateLimit-Limit``, ``RateLimit-Remaining``
and ``RateLimit-Reset``).
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

HOSTILE = "[@click=app.quit]x[/] \x1b[5m \u202eevil\u202c"


def story(number: int, days_ago: float, **fields: Any) -> dict[str, Any]:
    created = (utcnow() - dt.timedelta(days=days_ago)).astimezone(
        dt.timezone(dt.timedelta(hours=-5))
    )
    return {
        "short_id": f"s{number:05d}",
        "short_id_url": f"https://lobste.rs/s/s{number:05d}",
        "created_at": created.isoformat(timespec="milliseconds"),
        "title": f"Story {number}",
        "url": f"https://example.org/{number}",
        "score": number,
        "flags": 0,
        "comment_count": number % 5,
        "description": "",
        "description_plain": "",
        "comments_url": f"https://lobste.rs/s/s{number:05d}/story_{number}",
        "submitter_user": "ana",
        "user_is_author": True,
        "tags": ["practices"],
        **fields,
    }


class Site:
    def __init__(self, server: TestServer, stories: list[dict[str, Any]]) -> None:
        self.stories = stories
        server.handle("/~ana/stories.json", self.page)
        for n in range(2, 6):
            server.handle(f"/~ana/stories/page/{n}.json", self.page)

    def page(self, seen: Seen) -> Answer:
        from tests.httpserver import Answer

        number = (
            1
            if seen.route_path.endswith("stories.json")
            else int(seen.route_path.split("/")[-1][:-5])
        )
        return Answer.json(self.stories[(number - 1) * 25 : number * 25])


def settings(server: TestServer) -> Settings:
    return Settings(apis=ApiSettings(lobsters=server.url("")))


def user(mine: bool = True) -> Source:
    return Source("https://lobste.rs/~ana", mine=mine, api="lobsters")


async def refresh(store: Store, server: TestServer, *sources: Source) -> list[Any]:
    refresher = Refresher(store, settings(server), parse_workers=0)
    try:
        return (await refresher.refresh(list(sources))).results
    finally:
        await refresher.close()


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("https://lobste.rs/~ana", "https://lobste.rs/~ana"),
        ("https://lobste.rs/~ana/stories", "https://lobste.rs/~ana"),
        ("https://lobste.rs/u/ana", "https://lobste.rs/~ana"),
        ("https://lobste.rs/", "https://lobste.rs/"),
        ("https://lobste.rs/newest", "https://lobste.rs/newest"),
    ],
)
def test_addresses(address: str, url: str) -> None:
    found = recognise(address)
    assert found is not None and found.api == "lobsters" and found.url == url


def test_tag_pages_stay_feeds() -> None:
    assert recognise("https://lobste.rs/t/python") is None


async def test_own_stories_with_counts(http_server: TestServer, tmp_path: Path) -> None:
    site = Site(http_server, [story(n, days_ago=(100 - n) * 1.5) for n in range(100, 0, -1)])
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, user())
    assert result.outcome == OK
    # Pages of 25 are read until one reaches past 90 days (one story every 1.5 days): 3.
    assert len(store.items()) == 75
    assert len(store.engagement_history(user().url)) == 60  # the 90 days' stories
    assert len(http_server.hits("/~ana/stories.json")) == 1
    assert len(http_server.hits("/~ana/stories/page/4.json")) == 0
    newest = store.items()[0]
    assert (newest.title, newest.link) == ("Story 100", "https://example.org/100")
    [counts] = store.engagement_history(user().url, newest.guid)
    assert (counts["points"], counts["comments"]) == (100, 0)
    site.stories[0]["score"] = 120
    await refresh(store, http_server, user())
    assert [c["points"] for c in store.engagement_history(user().url, newest.guid)] == [100, 120]


async def test_a_followed_user_stops_at_the_newest_seen(
    http_server: TestServer, tmp_path: Path
) -> None:
    site = Site(http_server, [story(2, 1), story(1, 2)])
    store = Store(tmp_path / "folio.db")
    await refresh(store, http_server, user(mine=False))
    [same] = await refresh(store, http_server, user(mine=False))
    assert same.outcome == NOT_MODIFIED
    site.stories.insert(0, story(3, 0.1))
    [later] = await refresh(store, http_server, user(mine=False))
    assert later.new_items == 1


async def test_throttled_with_ratelimit_headers(http_server: TestServer, tmp_path: Path) -> None:
    from tests.httpserver import Answer

    reset = str(int(utcnow().timestamp()) + 45)
    http_server.handle(
        "/~ana/stories.json",
        lambda seen: Answer(
            429,
            b"Throttled, sleep(1) between hits; more in config/initializers/rack_attack.rb\n",
            {"RateLimit-Limit": "30", "RateLimit-Remaining": "0", "RateLimit-Reset": reset},
        ),
    )
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, user())
    assert result.outcome == ERROR and "429" in result.error
    state = store.state(user().url)
    assert state.retry_after is not None
    assert state.retry_after - utcnow() <= dt.timedelta(seconds=45)


async def test_malformed_and_hostile(http_server: TestServer, tmp_path: Path) -> None:
    Site(
        http_server,
        [
            story(
                1,
                1,
                title=HOSTILE,
                description=f"<p>{HOSTILE}</p>",
                submitter_user=HOSTILE,
                url="javascript:x",
                score=-3,
            ),
            "not a story",  # type: ignore[list-item]
        ],
    )
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, user())
    assert result.outcome == OK
    [item] = store.items()
    for text in (item.title, item.author, item.content):
        assert "\x1b" not in text and "\u202e" not in text
    assert item.title.startswith("[@click=app.quit]x[/]")
    assert item.link == "https://lobste.rs/s/s00001/story_1"  # the comments, not javascript:
    [counts] = store.engagement_history(user().url)
    assert counts["points"] is None  # a negative score is not a count


async def test_not_json(http_server: TestServer, tmp_path: Path) -> None:
    http_server.route("/~ana/stories.json", body=b"<html>", content_type="text/html")
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, user())
    assert result.outcome == ERROR and "not valid JSON" in result.error


async def test_a_page_of_10000_stories_is_one_call(http_server: TestServer, tmp_path: Path) -> None:
    Site(http_server, [])
    many = [story(n, 0.5) for n in range(10_000, 0, -1)]
    from tests.httpserver import Answer

    http_server.handle("/~ana/stories.json", lambda seen: Answer.json(many))
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, user())
    assert result.outcome == OK
    assert len(http_server.hits("/~ana/stories.json")) == 1
    assert len(store.items()) == 100
