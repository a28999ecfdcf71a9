"""The Hacker News adapter against loopback servers that answer as the documentation says.

- HN Search API by Algolia, https://hn.algolia.com/api: ``search_by_date`` with ``tags``
  (``story``, ``author_NAME``), ``numericFilters`` (``created_at_i>T``), ``hitsPerPage``,
  ``page``; answers ``hits`` (``objectID``, ``title``, ``url``, ``author``, ``points``,
  ``num_comments``, ``story_text``, ``created_at_i``), ``nbHits``, ``page``, ``nbPages``,
  ``hitsPerPage``; 1,000 hits at most per query.
- The official API, https://github.com/HackerNews/API (README): ``/v0/topstories.json``
  (up to 500 ids), ``/v0/beststories.json``, ``/v0/item/ID.json`` (``id``, ``type``,
  ``by``, ``time``, ``title``, ``url``, ``score``, ``descendants``, ``deleted``, ``dead``).
"""

from __future__ import annotations

import time
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

HOSTILE = "[@click=app.quit]x[/] \x1b[31m \u202eevil\u202c"


def hit(number: int, age_hours: float, **fields: Any) -> dict[str, Any]:
    created = int(utcnow().timestamp() - age_hours * 3600)
    return {
        "objectID": str(number),
        "title": f"Show HN: Tool {number}",
        "url": f"https://example.org/tool/{number}",
        "author": "alex",
        "points": number % 50,
        "num_comments": number % 7,
        "story_text": None,
        "created_at_i": created,
        "_tags": ["story", "author_alex", f"story_{number}"],
        **fields,
    }


class Algolia:
    def __init__(self, server: TestServer, hits: list[dict[str, Any]]) -> None:
        self.hits = hits
        server.handle("/search_by_date", self.search)

    def search(self, seen: Seen) -> Answer:
        from tests.httpserver import Answer

        query = seen.query
        assert query["tags"] == ["story,author_alex"]
        since = int(query["numericFilters"][0].removeprefix("created_at_i>"))
        per_page = int(query["hitsPerPage"][0])
        page = int(query["page"][0])
        found = [h for h in self.hits if h["created_at_i"] > since][:1000]
        pages = (len(found) + per_page - 1) // per_page
        return Answer.json(
            {
                "hits": found[page * per_page : (page + 1) * per_page],
                "nbHits": len(found),
                "page": page,
                "nbPages": pages,
                "hitsPerPage": per_page,
            }
        )


def settings(server: TestServer) -> Settings:
    return Settings(
        apis=ApiSettings(hackernews_algolia=server.url(""), hackernews=server.url("/v0"))
    )


def user(mine: bool = True) -> Source:
    return Source("https://news.ycombinator.com/user?id=alex", mine=mine, api="hackernews")


async def refresh(store: Store, server: TestServer, *sources: Source) -> list[Any]:
    refresher = Refresher(store, settings(server), parse_workers=0)
    try:
        return (await refresher.refresh(list(sources))).results
    finally:
        await refresher.close()


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("https://news.ycombinator.com/user?id=pg", "https://news.ycombinator.com/user?id=pg"),
        ("https://news.ycombinator.com/submitted?id=pg", "https://news.ycombinator.com/user?id=pg"),
        ("https://news.ycombinator.com/", "https://news.ycombinator.com/"),
        ("https://news.ycombinator.com/news", "https://news.ycombinator.com/"),
        ("https://news.ycombinator.com/best", "https://news.ycombinator.com/best"),
    ],
)
def test_addresses(address: str, url: str) -> None:
    found = recognise(address)
    assert found is not None and found.api == "hackernews" and found.url == url


def test_other_pages_are_not_read_as_the_api() -> None:
    assert recognise("https://news.ycombinator.com/item?id=1") is None
    assert recognise("https://news.ycombinator.com/user?id=bad%20name") is None


async def test_own_stories_pages_and_counts(http_server: TestServer, tmp_path: Path) -> None:
    algolia = Algolia(http_server, [hit(n, age_hours=(300 - n) * 5) for n in range(300, 0, -1)])
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, user())
    assert result.outcome == OK
    # 90 days of one story every 5 hours: 432 would fit, there are 300: three pages.
    assert len(http_server.hits("/search_by_date")) == 3
    items = store.items()
    assert len(items) == 300
    newest = items[0]
    assert newest.guid == "https://news.ycombinator.com/item?id=300"
    assert newest.link == "https://example.org/tool/300"
    assert newest.title == "Show HN: Tool 300"
    [counts] = store.engagement_history(user().url, newest.guid)
    assert (counts["points"], counts["comments"]) == (0, 6)
    algolia.hits[0]["points"] = 77
    await refresh(store, http_server, user())
    assert [c["points"] for c in store.engagement_history(user().url, newest.guid)] == [0, 77]


async def test_a_followed_user_asks_from_the_newest_seen(
    http_server: TestServer, tmp_path: Path
) -> None:
    algolia = Algolia(http_server, [hit(2, age_hours=2), hit(1, age_hours=3)])
    store = Store(tmp_path / "folio.db")
    await refresh(store, http_server, user(mine=False))
    [same] = await refresh(store, http_server, user(mine=False))
    assert same.outcome == NOT_MODIFIED
    algolia.hits.insert(0, hit(3, age_hours=0.1))
    [later] = await refresh(store, http_server, user(mine=False))
    assert later.new_items == 1
    filters = [s.query["numericFilters"][0] for s in http_server.hits("/search_by_date")]
    assert filters[1] == f"created_at_i>{algolia.hits[1]['created_at_i']}"


async def test_a_list_reads_each_item_once(http_server: TestServer, tmp_path: Path) -> None:
    from tests.httpserver import Answer

    ids = list(range(10_000, 0, -1))  # far more than a front page
    http_server.handle("/v0/beststories.json", lambda seen: Answer.json(ids))

    def item(seen: Seen) -> Answer:
        number = int(seen.route_path.rsplit("/", 1)[1].removesuffix(".json"))
        return Answer.json(
            {
                "id": number,
                "type": "story",
                "by": "someone",
                "time": int(time.time()) - (10_002 - number) * 60,
                "title": f"Best &amp; brightest {number}",
                "url": f"https://example.org/{number}",
                "score": number,
                "descendants": 3,
            }
        )

    for number in range(10_001, 9_960, -1):
        http_server.handle(f"/v0/item/{number}.json", item)
    source = Source("https://news.ycombinator.com/best", api="hackernews")
    store = Store(tmp_path / "folio.db")
    [first] = await refresh(store, http_server, source)
    assert first.outcome == OK and first.new_items == 30
    assert store.items()[0].title == "Best & brightest 10000"
    item_calls = [s for s in http_server.requests if s.route_path.startswith("/v0/item/")]
    assert len(item_calls) == 30
    ids.insert(0, 10_001)
    [second] = await refresh(store, http_server, source)
    assert second.new_items == 1
    item_calls = [s for s in http_server.requests if s.route_path.startswith("/v0/item/")]
    assert len(item_calls) == 31  # only the new one was read


async def test_429_with_retry_after(http_server: TestServer, tmp_path: Path) -> None:
    from tests.httpserver import Answer

    http_server.handle(
        "/search_by_date",
        lambda seen: Answer.json({"message": "slow down"}, 429, **{"Retry-After": "120"}),
    )
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, user())
    assert result.outcome == ERROR and "slow down" in result.error
    assert store.state(user().url).retry_after is not None


@pytest.mark.parametrize(
    ("body", "words"), [(b"{oops", "not valid JSON"), (b'{"results": []}', "no list of hits")]
)
async def test_malformed_answers(
    http_server: TestServer, tmp_path: Path, body: bytes, words: str
) -> None:
    from tests.httpserver import Answer

    http_server.handle(
        "/search_by_date", lambda seen: Answer(200, body, {"Content-Type": "application/json"})
    )
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, user())
    assert result.outcome == ERROR and words in result.error


async def test_hostile_text_in_every_field(http_server: TestServer, tmp_path: Path) -> None:
    Algolia(
        http_server,
        [
            hit(
                1,
                age_hours=1,
                title=HOSTILE,
                url="javascript:alert(1)",
                author=HOSTILE,
                story_text=f"<p>{HOSTILE}</p>",
                points="lots",
            )
        ],
    )
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, user())
    assert result.outcome == OK
    [item] = store.items()
    for text in (item.title, item.author, item.content, item.link):
        assert "\x1b" not in text and "\u202e" not in text
    assert item.title.startswith("[@click=app.quit]x[/]")
    assert item.link == "https://news.ycombinator.com/item?id=1"
    [counts] = store.engagement_history(user().url)
    assert counts["points"] is None and counts["comments"] == 1
