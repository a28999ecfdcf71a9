"""The Mastodon adapter against a loopback instance that answers as the documentation says.

Shapes and behaviour from the Mastodon documentation:
- https://docs.joinmastodon.org/methods/accounts/#lookup (``GET /api/v1/accounts/lookup``)
- https://docs.joinmastodon.org/methods/accounts/#statuses (``limit`` max 40,
  ``exclude_reblogs``, ``since_id``; 401 "This API requires an authenticated user" in
  whitelist mode; 404 "Record not found")
- https://docs.joinmastodon.org/api/guidelines/#pagination (the ``Link`` header)
- https://docs.joinmastodon.org/api/rate-limits/ (``X-RateLimit-*``, reset as ISO 8601)
- https://docs.joinmastodon.org/entities/Status/ and /entities/Account/
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

import pytest

from tui.core.config import Settings
from tui.core.models import Source, utcnow
from tui.core.refresh.refresher import ERROR, NOT_MODIFIED, OK, Refresher
from tui.core.sources.base import recognise
from tui.core.storage.store import Store

if TYPE_CHECKING:
    from pathlib import Path

    from tests.httpserver import Answer, Seen, TestServer

pytest_plugins = ["httpserver"]

HOSTILE = "[@click=app.quit]x[/] \x1b]52;c;cHduZWQ=\x07 \u202eevil\u202c"


def status(number: int, *, age_hours: float, content: str = "", **counts: int) -> dict[str, Any]:
    created = utcnow() - dt.timedelta(hours=age_hours)
    return {
        "id": str(1000 + number),
        "uri": f"https://social.example/users/ana/statuses/{1000 + number}",
        "url": f"https://social.example/@ana/{1000 + number}",
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "content": content
        or f'<p>Post {number} about <a href="https://social.example/tags/hr"'
        ' class="mention hashtag" rel="tag">#<span>HR</span></a></p>',
        "spoiler_text": "",
        "reblog": None,
        "media_attachments": [],
        "replies_count": counts.get("replies", number),
        "reblogs_count": counts.get("reposts", 2 * number),
        "favourites_count": counts.get("likes", 3 * number),
        "quotes_count": counts.get("quotes", 0),
        "account": ACCOUNT,
    }


ACCOUNT = {
    "id": "42",
    "username": "ana",
    "acct": "ana",
    "display_name": "Ana",
    "followers_count": 120,
    "following_count": 80,
    "statuses_count": 61,
}


class Instance:
    """A Mastodon instance on the loopback server: one account and its statuses."""

    def __init__(self, server: TestServer, statuses: list[dict[str, Any]]) -> None:
        self.server = server
        self.statuses = statuses
        self.account = dict(ACCOUNT)
        self.locked = False
        self.token = ""
        server.handle("/api/v1/accounts/lookup", self.lookup)
        server.handle("/api/v1/accounts/42/statuses", self.list_statuses)
        server.handle("/api/v1/accounts/42", self.get_account)

    def _refused(self, seen: Seen) -> Answer | None:
        from tests.httpserver import Answer

        if self.locked and seen.headers.get("authorization") != f"Bearer {self.token}":
            return Answer.json({"error": "This API requires an authenticated user"}, 401)
        return None

    def lookup(self, seen: Seen) -> Answer:
        from tests.httpserver import Answer

        if refused := self._refused(seen):
            return refused
        if seen.query.get("acct") != ["ana"]:
            return Answer.json({"error": "Record not found"}, 404)
        return Answer.json(self.account)

    def get_account(self, seen: Seen) -> Answer:
        from tests.httpserver import Answer

        return self._refused(seen) or Answer.json(self.account)

    def list_statuses(self, seen: Seen) -> Answer:
        from tests.httpserver import Answer

        if refused := self._refused(seen):
            return refused
        query = seen.query
        assert query["exclude_reblogs"] == ["true"]
        limit = min(int(query.get("limit", ["20"])[0]), 40)
        found = self.statuses
        if "max_id" in query:
            found = [s for s in found if int(s["id"]) < int(query["max_id"][0])]
        if "since_id" in query:
            found = [s for s in found if int(s["id"]) > int(query["since_id"][0])]
        # Each status carries its account as it is now (hostile tests bring their own).
        page = [{**s, "account": self.account} if s["account"] is ACCOUNT else s for s in found]
        page = page[:limit]
        headers = {}
        if len(found) > limit:
            base = self.server.url("/api/v1/accounts/42/statuses")
            headers["Link"] = (
                f'<{base}?exclude_reblogs=true&limit={limit}&max_id={page[-1]["id"]}>; rel="next",'
                f' <{base}?min_id={page[0]["id"]}>; rel="prev"'
            )
        return Answer.json(page, 200, **headers)


def own(server: TestServer, mine: bool = True) -> Source:
    return Source(server.url("/@ana"), "Ana", "social", mine=mine, api="mastodon")


async def refresh(
    store: Store, *sources: Source, settings: Settings | None = None, times: int = 1
) -> list[Any]:
    refresher = Refresher(store, settings or Settings(), parse_workers=0)
    results = []
    try:
        for _ in range(times):
            summary = await refresher.refresh(list(sources))
            results.extend(summary.results)
    finally:
        await refresher.close()
    return results


# -- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "url", "tentative"),
    [
        ("@ana@social.example", "https://social.example/@ana", False),
        ("https://social.example/@ana", "https://social.example/@ana", True),
        ("https://Social.Example/@ana/", "https://social.example/@ana", True),
        ("https://hub.example/@ana@social.example", "https://social.example/@ana", True),
        ("http://127.0.0.1:8123/@ana", "http://127.0.0.1:8123/@ana", True),
    ],
)
def test_account_addresses_are_recognised(address: str, url: str, tentative: bool) -> None:
    found = recognise(address)
    assert found is not None and found.api == "mastodon"
    assert found.url == url and found.tentative is tentative
    assert found.label.startswith("Mastodon API (@ana@")


@pytest.mark.parametrize(
    "address",
    [
        "http://social.example/@ana",  # plain http only on loopback
        "https://social.example/@ana/1234",  # one post
        "https://social.example/@ana.rss",  # the feed itself
        "https://social.example/users/ana",
        "ana@social.example",  # an e-mail address
    ],
)
def test_other_addresses_are_not(address: str) -> None:
    assert recognise(address) is None


# -- reading --------------------------------------------------------------------------------


async def test_own_account_pages_back_and_keeps_counts_every_refresh(
    http_server: TestServer, tmp_path: Path
) -> None:
    instance = Instance(http_server, [status(n, age_hours=(61 - n) * 20) for n in range(60, 0, -1)])
    store = Store(tmp_path / "folio.db")
    source = own(http_server)
    first = await refresh(store, source)
    assert [r.outcome for r in first] == [OK], first
    assert len(store.items()) == 60  # two pages of 40 and 20, followed by the Link header
    assert len(http_server.hits("/api/v1/accounts/42/statuses")) == 2
    item = store.items()[0]
    assert item.title == "Post 60 about #HR"
    assert item.link == "https://social.example/@ana/1060"
    assert "<a href" in item.content  # HTML for the reader
    history = store.engagement_history(source.url, item.guid)
    assert [(h["replies"], h["reposts"], h["likes"]) for h in history] == [(60, 120, 180)]
    assert store.account_history(source.url)[0]["followers"] == 120

    # No new post, but the counts moved: a second snapshot, and no second lookup.
    instance.statuses[0]["favourites_count"] = 200
    instance.account["followers_count"] = 125
    second = await refresh(store, source)
    assert second[0].outcome == NOT_MODIFIED  # no post is new: none is stored again
    likes = [h["likes"] for h in store.engagement_history(source.url, item.guid)]
    assert likes == [180, 200]
    assert [a["followers"] for a in store.account_history(source.url)] == [120, 125]
    assert len(http_server.hits("/api/v1/accounts/lookup")) == 1

    # An edited post is read again.
    instance.statuses[1]["content"] = "<p>Post 59, edited</p>"
    instance.statuses[1]["edited_at"] = utcnow().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    third = await refresh(store, source)
    assert third[0].outcome == OK and third[0].new_items == 0
    assert store.items()[1].title == "Post 59, edited"


async def test_only_recent_posts_are_read_again(http_server: TestServer, tmp_path: Path) -> None:
    # One post a day for 200 days: 90 days (the setting) fit in three pages of 40.
    statuses = [status(n, age_hours=(200 - n) * 24 + 1) for n in range(200, 0, -1)]
    Instance(http_server, statuses)
    store = Store(tmp_path / "folio.db")
    await refresh(store, own(http_server))
    assert len(http_server.hits("/api/v1/accounts/42/statuses")) == 3
    guids_with_counts = {h["guid"] for h in store.engagement_history(own(http_server).url)}
    assert len(guids_with_counts) == 90


async def test_a_followed_account_asks_only_for_newer_posts(
    http_server: TestServer, tmp_path: Path
) -> None:
    instance = Instance(http_server, [status(n, age_hours=10 - n) for n in (3, 2, 1)])
    store = Store(tmp_path / "folio.db")
    source = own(http_server, mine=False)
    await refresh(store, source)
    second = await refresh(store, source)
    assert second[0].outcome == NOT_MODIFIED
    instance.statuses.insert(0, status(4, age_hours=0.1))
    third = await refresh(store, source)
    assert third[0].new_items == 1
    calls = http_server.hits("/api/v1/accounts/42/statuses")
    assert "since_id" not in calls[0].query
    assert calls[1].query["since_id"] == ["1003"] and calls[2].query["since_id"] == ["1003"]
    assert store.engagement_history(source.url) == []  # not mine: no counts kept


async def test_a_page_of_10000_posts_is_one_call(http_server: TestServer, tmp_path: Path) -> None:
    from tests.httpserver import Answer

    Instance(http_server, [])
    many = [status(n, age_hours=1) for n in range(10_000, 0, -1)]
    http_server.handle("/api/v1/accounts/42/statuses", lambda seen: Answer.json(many))
    store = Store(tmp_path / "folio.db")
    started = time.perf_counter()
    [result] = await refresh(store, own(http_server))
    assert result.outcome == OK
    assert len(http_server.hits("/api/v1/accounts/42/statuses")) == 1
    assert len(store.items()) == 400  # a refresh's worth: 10 pages of 40
    assert time.perf_counter() - started < 60  # generous: it must not hang


# -- limits and refusals -----------------------------------------------------------------


async def test_429_parks_the_source_until_retry_after(
    http_server: TestServer, tmp_path: Path
) -> None:
    from tests.httpserver import Answer

    Instance(http_server, [])
    http_server.handle(
        "/api/v1/accounts/42/statuses",
        lambda seen: Answer.json({"error": "Too many requests"}, 429, **{"Retry-After": "900"}),
    )
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, own(http_server))
    assert result.outcome == ERROR
    assert "429 Too Many Requests" in result.error and "Too many requests" in result.error
    state = store.state(own(http_server).url)
    assert state.retry_after is not None
    assert state.retry_after > utcnow() + dt.timedelta(seconds=800)


async def test_rate_limit_headers_hold_back_every_source_of_the_host(
    http_server: TestServer, tmp_path: Path
) -> None:
    from tests.httpserver import Answer

    reset = (utcnow() + dt.timedelta(minutes=4)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    Instance(http_server, [status(1, age_hours=1)])
    http_server.handle(
        "/api/v1/accounts/42/statuses",
        lambda seen: Answer.json(
            [status(1, age_hours=1)],
            200,
            **{
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset,
            },
        ),
    )
    store = Store(tmp_path / "folio.db")
    refresher = Refresher(store, Settings(), parse_workers=0)
    try:
        first = await refresher.refresh([own(http_server)])
        other = Source(http_server.url("/@bob"), api="mastodon")
        second = await refresher.refresh([other])
    finally:
        await refresher.close()
    assert first.results[0].outcome == OK
    state = store.state(own(http_server).url)
    assert state.retry_after is not None
    assert dt.timedelta(minutes=3) < state.retry_after - utcnow() <= dt.timedelta(minutes=4)
    # The second account is on the same instance: it waits without asking.
    assert second.results[0].outcome == ERROR
    assert "rate limit" in second.results[0].error
    assert http_server.hits("/api/v1/accounts/lookup?acct=bob") == []


async def test_a_locked_instance_falls_back_to_rss_and_says_so(
    http_server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = Instance(http_server, [status(1, age_hours=1)])
    instance.locked = True
    http_server.route("/@ana.rss", body=http_server.rss("Ana", items=4))
    store = Store(tmp_path / "folio.db")
    source = own(http_server)
    [first] = await refresh(store, source)
    assert first.outcome == OK and first.new_items == 4
    state = store.state(source.url)
    assert "needs a token" in state.error and "RSS feed instead" in state.error
    assert len(http_server.hits("/api/v1/accounts/lookup")) == 1
    [second] = await refresh(store, source)
    assert second.outcome in (OK, NOT_MODIFIED)
    assert len(http_server.hits("/api/v1/accounts/lookup")) == 1  # no 401 asked for again

    # With a token for this instance, the API answers; the token shows nowhere.
    instance.token = "S3CRET-T0KEN"
    monkeypatch.setenv("FOLIO_MASTODON_TOKEN__127_0_0_1", instance.token)
    [third] = await refresh(store, source)
    assert third.outcome == OK
    state = store.state(source.url)
    assert state.error == ""
    assert "S3CRET" not in state.cursor
    assert store.engagement_history(source.url)
    lookups = http_server.hits("/api/v1/accounts/lookup")
    assert lookups[-1].headers["authorization"] == "Bearer S3CRET-T0KEN"


async def test_the_token_is_never_shown(http_server: TestServer, tmp_path: Path) -> None:
    from tests.httpserver import Answer

    http_server.handle(
        "/api/v1/accounts/lookup",
        lambda seen: Answer.json({"error": f"bad token {seen.headers.get('authorization')}"}, 403),
    )
    store = Store(tmp_path / "folio.db")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FOLIO_MASTODON_TOKEN__127_0_0_1", "S3CRET")
        [result] = await refresh(store, own(http_server))
    assert result.outcome == ERROR
    assert "S3CRET" not in result.error and "•••" in result.error
    assert "S3CRET" not in store.state(own(http_server).url).error


async def test_a_next_page_on_another_host_is_not_followed(
    http_server: TestServer, tmp_path: Path
) -> None:
    from tests.httpserver import Answer

    Instance(http_server, [])
    elsewhere = http_server.url("/api/v1/accounts/42/statuses?max_id=1", host="localhost")
    http_server.handle(
        "/api/v1/accounts/42/statuses",
        lambda seen: Answer.json([status(1, age_hours=1)], Link=f'<{elsewhere}>; rel="next"'),
    )
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, own(http_server))
    assert result.outcome == OK
    assert len(http_server.hits("/api/v1/accounts/42/statuses")) == 1


# -- what is wrong, in words ---------------------------------------------------------------


async def test_an_unknown_account_is_said_in_words(http_server: TestServer, tmp_path: Path) -> None:
    Instance(http_server, [])
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, Source(http_server.url("/@nobody"), api="mastodon"))
    assert result.outcome == ERROR
    assert result.error == (
        "looking up @nobody on 127.0.0.1: server said 404 Not Found (Record not found)"
    )


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html>maintenance</html>", "not valid JSON"),
        (b'{"statuses": []}', "not a list of posts"),
        (b"[" * 100_000, "not valid JSON"),
    ],
)
async def test_malformed_answers_are_errors_in_words(
    http_server: TestServer, tmp_path: Path, body: bytes, words: str
) -> None:
    from tests.httpserver import Answer

    Instance(http_server, [])
    http_server.handle(
        "/api/v1/accounts/42/statuses",
        lambda seen: Answer(200, body, {"Content-Type": "application/json"}),
    )
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, own(http_server))
    assert result.outcome == ERROR and words in result.error


async def test_hostile_text_in_every_field_is_made_harmless(
    http_server: TestServer, tmp_path: Path
) -> None:
    evil = status(1, age_hours=1, content=f"<p>{HOSTILE} <script>alert(1)</script></p>")
    evil["spoiler_text"] = ""
    evil["url"] = "javascript:alert(1)"
    evil["uri"] = f"https://social.example/{HOSTILE}"
    evil["account"] = {**ACCOUNT, "display_name": HOSTILE}
    evil["media_attachments"] = [{"type": "image", "url": HOSTILE, "description": HOSTILE}]
    evil["replies_count"] = "many"
    evil["favourites_count"] = -5
    Instance(http_server, [evil])
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, own(http_server))
    assert result.outcome == OK
    [item] = store.items()
    for text in (item.title, item.author, item.content, item.guid, item.link):
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert item.title.startswith("[@click=app.quit]x[/]")  # kept as text, never markup
    assert item.link == ""  # only http(s) links are kept
    [counts] = store.engagement_history(own(http_server).url)
    assert counts["replies"] is None and counts["likes"] is None and counts["reposts"] == 2


async def test_a_page_that_fails_keeps_what_came_before(
    http_server: TestServer, tmp_path: Path
) -> None:
    from tests.httpserver import Answer

    instance = Instance(http_server, [status(n, age_hours=(61 - n) * 20) for n in range(60, 0, -1)])
    answer_page = instance.list_statuses

    def flaky(seen: Seen) -> Answer:
        if "max_id" in seen.query:
            return Answer.json({"error": "Internal error"}, 500)
        return answer_page(seen)

    http_server.handle("/api/v1/accounts/42/statuses", flaky)
    store = Store(tmp_path / "folio.db")
    source = own(http_server)
    [first] = await refresh(store, source)
    assert first.outcome == OK and first.new_items == 40
    assert "500" in store.state(source.url).error
    # Nothing new the next time, and page 2 still fails: the counts of page 1 are kept.
    [second] = await refresh(store, source)
    assert second.outcome == NOT_MODIFIED
    assert len(store.engagement_history(source.url)) == 80
    assert "500" in store.state(source.url).error


async def test_an_unreadable_credentials_file_is_said_with_the_fallback(
    http_server: TestServer, tmp_path: Path
) -> None:
    from tui.core.storage import paths

    instance = Instance(http_server, [])
    instance.locked = True
    http_server.route("/@ana.rss", body=http_server.rss("Ana", items=1))
    credentials = paths.credentials_path()
    credentials.parent.mkdir(parents=True, exist_ok=True)
    credentials.write_text('[mastodon_token]\n"127.0.0.1" = "S3CRET"\n')
    credentials.chmod(0o644)  # others can read it: folio refuses it
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, own(http_server))
    assert result.outcome == OK
    error = store.state(own(http_server).url).error
    assert "credentials.toml was not read" in error and "chmod 600" in error
    assert "S3CRET" not in error
    assert "authorization" not in http_server.hits("/api/v1/accounts/lookup")[0].headers
