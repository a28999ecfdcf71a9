"""The offline demo's API accounts: answered by DemoTransport in each API's documented shapes
(the pages are cited in the adapters and their tests), read by the real adapters, with
counts that grow with time, deterministically from the date, and weeks of history seeded."""

from __future__ import annotations

import datetime as dt
import socket
import tomllib
from statistics import mean
from typing import Any

import httpx
import pytest

from tui.core.config import Settings
from tui.core.demo.apis import DEMO_APIS, SEED_WEEKS, DemoApis, day_of, seed_history
from tui.core.demo.offline import ANCHOR_DATE, DemoTransport, demo_dir, demo_portfolio_text
from tui.core.models import Source
from tui.core.refresh.refresher import OK, Refresher
from tui.core.storage.portfolio import load_portfolio
from tui.core.storage.store import Store

NOW = dt.datetime(2026, 11, 25, 12, 30, tzinfo=dt.UTC)
OWN_MASTODON = "https://hr.social.example/@alexmoreau"
OWN_BLUESKY = "https://bsky.example/profile/alexmoreau.bsky.example"
OWN_HN = "https://news.ycombinator.example/user?id=alexmoreau"


def api_sources() -> list[Source]:
    data = tomllib.loads(demo_portfolio_text(ANCHOR_DATE))
    return [
        Source(s["url"], s["name"], s["kind"], s["tags"], s["mine"], s.get("interval"), s["api"])
        for s in data["sources"]
        if "api" in s
    ]


def settings() -> Settings:
    return Settings(apis=DEMO_APIS)


async def refresh(store: Store, now: dt.datetime, sources: list[Source]) -> list[Any]:
    refresher = Refresher(store, settings(), transport=DemoTransport(now=now), parse_workers=0)
    try:
        return (await refresher.refresh(sources)).results
    finally:
        await refresher.close()


def test_the_demo_has_own_and_followed_accounts_of_three_apis() -> None:
    sources = api_sources()
    own = {s.url: s.api for s in sources if s.mine}
    assert own == {OWN_MASTODON: "mastodon", OWN_BLUESKY: "bluesky", OWN_HN: "hackernews"}
    followed = [s.api for s in sources if not s.mine]
    assert {"mastodon", "bluesky", "hackernews"} <= set(followed)
    for api_base in (DEMO_APIS.bluesky, DEMO_APIS.hackernews, DEMO_APIS.hackernews_algolia):
        assert httpx.URL(api_base).host.endswith(".example")


async def test_every_api_source_refreshes_through_its_adapter(tmp_path: Any) -> None:
    store = Store(tmp_path / "folio.db")
    results = await refresh(store, NOW, api_sources())
    assert {r.url: r.outcome for r in results} == {s.url: OK for s in api_sources()}
    for source in api_sources():
        items = store.items(sources=[source.url])
        assert len(items) >= 6, source.url
        assert all(item.link.startswith("https://") for item in items)
        assert all(".example" in httpx.URL(item.link).host for item in items), source.url
    mastodon = store.items(sources=[OWN_MASTODON])
    assert any("#HR" in item.title or "#Blogging" in item.title for item in mastodon)
    assert store.account_history(OWN_MASTODON)[-1]["followers"] > 400


def test_answers_have_the_documented_shapes() -> None:
    client = httpx.Client(transport=DemoTransport(now=NOW))
    account = client.get("https://hr.social.example/api/v1/accounts/lookup?acct=alexmoreau")
    assert account.status_code == 200
    assert {"id", "username", "followers_count", "statuses_count"} <= set(account.json())
    page = client.get(
        f"https://hr.social.example/api/v1/accounts/{account.json()['id']}/statuses",
        params={"exclude_reblogs": "true", "limit": 40},
    )
    statuses = page.json()
    assert len(statuses) == 40 and 'rel="next"' in page.headers["link"]
    assert {"replies_count", "reblogs_count", "favourites_count", "quotes_count"} <= set(
        statuses[0]
    )
    assert page.headers["x-ratelimit-remaining"]
    feed = client.get(
        f"{DEMO_APIS.bluesky}/xrpc/app.bsky.feed.getAuthorFeed",
        params={"actor": "alexmoreau.bsky.example", "limit": 10},
    ).json()
    assert feed["cursor"] and {"uri", "record", "likeCount"} <= set(feed["feed"][0]["post"])
    search = client.get(
        f"{DEMO_APIS.hackernews_algolia}/search_by_date",
        params={"tags": "story,author_alexmoreau", "hitsPerPage": 100, "page": 0},
    ).json()
    assert {"hits", "nbHits", "nbPages", "page"} <= set(search)
    missing = client.get("https://hr.social.example/api/v1/accounts/lookup?acct=nobody")
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}


def test_the_same_moment_gives_the_same_answer_and_counts_grow_with_time() -> None:
    day = day_of(NOW)

    def statuses(now: dt.datetime) -> list[dict[str, Any]]:
        apis = DemoApis(day, demo_dir() / "apis", lambda: now)

        def answer(request: httpx.Request) -> httpx.Response:
            response = apis.answer(request)
            assert response is not None
            return response

        client = httpx.Client(transport=httpx.MockTransport(answer))
        account = client.get(
            "https://hr.social.example/api/v1/accounts/lookup?acct=alexmoreau"
        ).json()
        page = client.get(
            f"https://hr.social.example/api/v1/accounts/{account['id']}/statuses?limit=40"
        )
        result: list[dict[str, Any]] = page.json()
        return result

    first = statuses(NOW)
    assert first == statuses(NOW)  # deterministic: the same moment, the same answer
    later = statuses(NOW + dt.timedelta(hours=6))
    assert [s["id"] for s in later] == [s["id"] for s in first]  # the same posts, same times
    assert [s["created_at"] for s in later] == [s["created_at"] for s in first]
    grew = 0
    for before, after in zip(first, later, strict=True):
        for key in ("favourites_count", "reblogs_count", "replies_count"):
            assert after[key] >= before[key]
        grew += after["favourites_count"] > before["favourites_count"]
    assert grew >= 1  # six hours later, the young posts have more likes


async def test_seeded_weeks_of_history_match_what_refreshes_store(tmp_path: Any) -> None:
    store = Store(tmp_path / "folio.db")
    own = {s.url: s.api for s in api_sources() if s.mine}
    written = seed_history(store, day_of(NOW), NOW, demo_dir() / "apis", own)
    # Every week for Mastodon and Bluesky; for Hacker News the weeks it had stories then.
    assert 2 * SEED_WEEKS < written <= 3 * SEED_WEEKS
    await refresh(store, NOW, [s for s in api_sources() if s.mine])
    for url in own:
        seeded = {row["guid"] for row in store.engagement_history(url)}
        stored = {item.guid for item in store.items(sources=[url])}
        assert seeded and seeded <= stored, url  # every seeded post is a post the API gave
    followers = [row["followers"] for row in store.account_history(OWN_MASTODON)]
    assert len(followers) == SEED_WEEKS + 1 and followers == sorted(followers)


async def test_replies_per_post_rose_when_the_experiment_began(tmp_path: Any) -> None:
    """ "Reply first on Mastodon" began 21 days before the anchor: the measure has a story."""
    store = Store(tmp_path / "folio.db")
    await refresh(store, NOW, [s for s in api_sources() if s.url == OWN_MASTODON])
    start = NOW - dt.timedelta(days=21)
    published = {i.guid: i.published for i in store.items(sources=[OWN_MASTODON])}
    latest: dict[str, int] = {}
    for row in store.engagement_history(OWN_MASTODON):
        latest[row["guid"]] = row["replies"]
    # Posts a few days old or more, so that their replies have mostly come in.
    settled = {g: r for g, r in latest.items() if published[g] < NOW - dt.timedelta(days=3)}
    before = [r for g, r in settled.items() if published[g] < start]
    since = [r for g, r in settled.items() if published[g] >= start]
    assert len(before) >= 10 and len(since) >= 3
    assert mean(since) > mean(before) + 1


def test_a_new_demo_workspace_has_history_and_offline_api_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tui.core.storage.workspace import demo_workspace

    workspace = demo_workspace(settings=Settings(), today=ANCHOR_DATE)
    assert workspace.settings.apis == DEMO_APIS
    sources = load_portfolio(workspace.portfolio_path).sources
    assert sum(1 for s in sources if s.api) == len(api_sources())
    with workspace.open_store() as store:
        assert len(store.account_history(OWN_BLUESKY)) == SEED_WEEKS


async def test_the_apis_never_touch_the_network(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the demo opened a socket")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    store = Store(tmp_path / "folio.db")
    results = await refresh(store, NOW, api_sources())
    assert all(r.outcome == OK for r in results)
