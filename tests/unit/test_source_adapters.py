"""The refresher with an API source: an adapter defined here reads a small JSON API on a
loopback server, so what is tested is the shared mechanism (items stored like a feed's,
engagement history for own sources, the cursor kept, failures in words, 429 parking)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, ClassVar

import pytest

from tui.core.config import Settings
from tui.core.models import ParsedFeed, ParsedItem, Source, SourceState
from tui.core.refresh.refresher import ERROR, NOT_MODIFIED, OK, Refresher
from tui.core.sources import base
from tui.core.sources.base import (
    AccountFigures,
    AdapterContext,
    AdapterResult,
    Counts,
    Recognised,
)
from tui.core.storage.store import Store

if TYPE_CHECKING:
    from pathlib import Path

    from tests.httpserver import Seen, TestServer

pytest_plugins = ["httpserver"]


class JsonList:
    """Reads ``{"posts": [{"id", "text", "likes"}], "followers": n}`` with an ETag."""

    api: ClassVar[str] = "jsonlist"
    label: ClassVar[str] = "JSON list API"

    def recognise(self, address: str) -> Recognised | None:
        if address.startswith("jsonlist:"):
            return Recognised(self.api, "http://" + address.removeprefix("jsonlist:"), self.label)
        return None

    async def refresh(
        self, source: Source, state: SourceState, context: AdapterContext
    ) -> AdapterResult:
        cursor = json.loads(state.cursor or "{}")
        answer = await context.fetcher.request("GET", source.url, etag=cursor.get("etag", ""))
        if answer.not_modified:
            return AdapterResult(None, cursor=state.cursor, http_status=304)
        if not answer.ok:
            return AdapterResult(
                error=answer.error, http_status=answer.status, retry_after=answer.retry_after
            )
        data = json.loads(answer.body)
        items = [
            ParsedItem(guid=str(post["id"]), title=post["text"], link=f"https://x/{post['id']}")
            for post in data["posts"]
        ]
        return AdapterResult(
            ParsedFeed(title="List", items=items),
            counts={str(p["id"]): Counts(likes=p["likes"]) for p in data["posts"]},
            account=AccountFigures(followers=data["followers"]),
            cursor=json.dumps({"etag": answer.etag}),
            http_status=answer.status,
        )


@pytest.fixture(autouse=True)
def registered() -> None:
    base.register(JsonList())


def posts(likes: int, etag: str) -> dict[str, object]:
    return {"posts": [{"id": 1, "text": "hello #tag", "likes": likes}], "followers": 10 + likes}


async def test_an_api_source_is_stored_like_a_feed_with_its_history(
    http_server: TestServer, tmp_path: Path
) -> None:
    from tests.httpserver import Answer

    version = {"likes": 3}

    def answer(seen: Seen) -> Answer:
        etag = f'"{version["likes"]}"'
        if seen.headers.get("if-none-match") == etag:
            return Answer(304, b"", {"ETag": etag})
        return Answer.json(posts(version["likes"], etag), ETag=etag)

    http_server.handle("/list", answer)
    source = Source(http_server.url("/list"), "Mine", "social", mine=True, api="jsonlist")
    store = Store(tmp_path / "folio.db")
    refresher = Refresher(store, Settings(), parse_workers=0)
    try:
        first = await refresher.refresh([source])
        same = await refresher.refresh([source])
        version["likes"] = 5
        later = await refresher.refresh([source])
    finally:
        await refresher.close()
    assert [r.outcome for r in first.results] == [OK]
    assert [r.outcome for r in same.results] == [NOT_MODIFIED]
    assert [r.outcome for r in later.results] == [OK]
    [item] = store.items()
    assert item.title == "hello #tag" and item.source == source.url
    history = store.engagement_history(source.url)
    # A snapshot per refresh that brought counts (the 304 brought none): history is data.
    assert [row["likes"] for row in history] == [3, 5]
    assert [row["followers"] for row in store.account_history(source.url)] == [13, 15]
    assert json.loads(store.state(source.url).cursor) == {"etag": '"5"'}


async def test_not_mine_keeps_no_engagement(http_server: TestServer, tmp_path: Path) -> None:
    from tests.httpserver import Answer

    http_server.handle("/list", lambda seen: Answer.json(posts(1, "")))
    source = Source(http_server.url("/list"), "Theirs", "social", api="jsonlist")
    store = Store(tmp_path / "folio.db")
    refresher = Refresher(store, Settings(), parse_workers=0)
    try:
        await refresher.refresh([source])
    finally:
        await refresher.close()
    assert len(store.items()) == 1
    assert store.engagement_history(source.url) == []


async def test_a_429_parks_the_source_and_says_why(http_server: TestServer, tmp_path: Path) -> None:
    from tests.httpserver import Answer

    http_server.handle("/list", lambda seen: Answer.json({}, 429, **{"Retry-After": "600"}))
    source = Source(http_server.url("/list"), api="jsonlist")
    store = Store(tmp_path / "folio.db")
    refresher = Refresher(store, Settings(), parse_workers=0)
    try:
        summary = await refresher.refresh([source])
    finally:
        await refresher.close()
    [result] = summary.results
    assert result.outcome == ERROR and result.error == "server said 429 Too Many Requests"
    state = store.state(source.url)
    assert state.retry_after is not None
    assert state.retry_after > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=500)
    assert state.next_due is not None and state.next_due >= state.retry_after


async def test_an_unknown_api_is_an_error_in_words(tmp_path: Path) -> None:
    store = Store(tmp_path / "folio.db")
    refresher = Refresher(store, Settings(), parse_workers=0)
    try:
        summary = await refresher.refresh([Source("https://x.example/", api="nosuch")])
    finally:
        await refresher.close()
    assert summary.results[0].error == "folio has no 'nosuch' API"


def test_recognise_asks_every_adapter() -> None:
    found = base.recognise("jsonlist:host/list")
    assert found == Recognised("jsonlist", "http://host/list", "JSON list API")
    assert base.recognise("gopher://nothing") is None
