"""The refresh of 50 API sources of about two pages each runs concurrently, within the
per-host limit (``[refresh] max_per_host``): the loopback server counts the requests in
flight for each Host it is asked as. Timing is not asserted here (bench/api_bench.py
measures it); concurrency is, by what the server saw at once.

The server answers as a Mastodon instance does (https://docs.joinmastodon.org/methods/accounts/,
``Link`` paging per https://docs.joinmastodon.org/api/guidelines/#pagination) and as
Bluesky's AppView does (https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed,
``cursor`` paging).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

from tui.core.config import ApiSettings, RefreshSettings, Settings
from tui.core.models import Source, utcnow
from tui.core.refresh.refresher import OK, Refresher
from tui.core.storage.store import Store

if TYPE_CHECKING:
    from pathlib import Path

    from tests.httpserver import Answer, Seen, TestServer

pytest_plugins = ["httpserver"]

DELAY = 0.03
"""Each answer waits this long, so that requests overlap as they would over a network."""


def statuses(account: int) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "id": str(1000 - n),
            "url": f"https://h.example/@u{account}/{1000 - n}",
            "created_at": (now - dt.timedelta(hours=n + 1)).isoformat(),
            "content": f"<p>Post {n}</p>",
            "replies_count": n,
            "reblogs_count": 0,
            "favourites_count": 1,
            "account": {"id": str(account), "followers_count": 3},
        }
        for n in range(60)
    ]


def serve(server: TestServer) -> None:
    from tests.httpserver import Answer

    def lookup(seen: Seen) -> Answer:
        time.sleep(DELAY)
        return Answer.json({"id": seen.query["acct"][0].removeprefix("u")})

    def page(seen: Seen) -> Answer:
        time.sleep(DELAY)
        account = int(seen.route_path.split("/")[4])
        found = statuses(account)
        if "max_id" in seen.query:
            found = [s for s in found if int(s["id"]) < int(seen.query["max_id"][0])]
        headers = {}
        if len(found) > 40:
            base = f"http://{seen.headers['host']}{seen.route_path}"
            headers["Link"] = f'<{base}?max_id={found[39]["id"]}>; rel="next"'
        return Answer.json(found[:40], 200, **headers)

    def author_feed(seen: Seen) -> Answer:
        time.sleep(DELAY)
        actor = seen.query["actor"][0]
        start = int(seen.query.get("cursor", ["0"])[0])
        now = utcnow()
        feed = [
            {
                "post": {
                    "uri": f"at://did:plc:{actor}/app.bsky.feed.post/{n}",
                    "author": {"handle": actor},
                    "record": {
                        "text": f"Post {n}",
                        "createdAt": (now - dt.timedelta(hours=n + 1)).isoformat(),
                    },
                    "indexedAt": (now - dt.timedelta(hours=n + 1)).isoformat(),
                    "likeCount": n,
                }
            }
            for n in range(start, min(start + 100, 150))
        ]
        body: dict[str, Any] = {"feed": feed}
        if start + 100 < 150:
            body["cursor"] = str(start + 100)
        return Answer.json(body)

    server.handle("/api/v1/accounts/lookup", lookup)
    for account in range(40):
        server.handle(f"/api/v1/accounts/{account}/statuses", page)
    server.handle("/xrpc/app.bsky.feed.getAuthorFeed", author_feed)
    server.handle(
        "/xrpc/app.bsky.actor.getProfile", lambda seen: Answer.json({"followersCount": 7})
    )


async def test_fifty_api_sources_refresh_concurrently_within_the_host_limit(
    http_server: TestServer, tmp_path: Path
) -> None:
    serve(http_server)
    # 40 Mastodon accounts on two "instances" (two Host names, one server), 10 Bluesky
    # accounts on the AppView: three hosts, each with more sources than its limit.
    sources = [
        Source(http_server.url(f"/@u{n}", host="127.0.0.1" if n % 2 else "localhost"),
               mine=True, api="mastodon")
        for n in range(40)
    ] + [
        Source(f"https://bsky.app/profile/user{n}.example", mine=True, api="bluesky")
        for n in range(10)
    ]  # fmt: skip
    settings = Settings(
        refresh=RefreshSettings(max_per_host=4, max_connections=32),
        apis=ApiSettings(bluesky=http_server.url("", host="127.0.0.1")),
    )
    store = Store(tmp_path / "folio.db")
    refresher = Refresher(store, settings, parse_workers=0)
    try:
        summary = await refresher.refresh(sources)
    finally:
        await refresher.close()
    assert [r.outcome for r in summary.results] == [OK] * 50, [r.error for r in summary.results]
    # A lookup and two pages per Mastodon account; the profile and two pages per Bluesky one.
    assert len(http_server.requests) == 40 * 3 + 10 * 3
    peaks = http_server.max_in_flight
    assert set(peaks) == {f"127.0.0.1:{http_server.port}", f"localhost:{http_server.port}"}
    assert all(peak <= 4 for peak in peaks.values()), peaks
    assert all(peak >= 2 for peak in peaks.values()), peaks  # they did run side by side
    assert http_server.max_total > 4  # and the two hosts at once
    assert len(store.items()) == 40 * 60 + 10 * 150
