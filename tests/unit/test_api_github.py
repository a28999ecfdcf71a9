"""The GitHub adapter against a loopback GitHub that answers as the documentation says.

- https://docs.github.com/en/rest/repos/repos#get-a-repository (``stargazers_count``,
  ``forks_count``, ``subscribers_count``)
- https://docs.github.com/en/rest/releases/releases#list-releases (``per_page``,
  ``html_url``, ``published_at``, ``assets[].download_count``)
- https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
  (the ``Link`` header)
- https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api
  (conditional requests: ``ETag``, ``If-None-Match``, 304)
- https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api (60 an
  hour without a token; ``X-RateLimit-Remaining``, ``X-RateLimit-Reset`` in Unix seconds;
  403 or 429 when it is used up)
- the releases feed's shape: GitHub's ``/OWNER/REPO/releases.atom`` (Atom 1.0).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest

from tui.core.config import ApiSettings, Settings
from tui.core.models import Source, utcnow
from tui.core.refresh.refresher import ERROR, OK, Refresher
from tui.core.sources.base import recognise
from tui.core.storage.store import Store

if TYPE_CHECKING:
    from pathlib import Path

    from tests.httpserver import Answer, Seen, TestServer

pytest_plugins = ["httpserver"]


def atom(versions: list[str]) -> bytes:
    entries = "".join(
        f"<entry><id>tag:github.com,2008:Repository/1/{v}</id>"
        f"<updated>2026-11-0{5 - i}T10:00:00Z</updated>"
        f'<link rel="alternate" type="text/html" href="https://github.com/o/r/releases/tag/{v}"/>'
        f'<title>{v}</title><content type="html">&lt;p&gt;Fixes&lt;/p&gt;</content>'
        f"<author><name>ana</name></author></entry>"
        for i, v in enumerate(versions)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<id>tag:github.com,2008:https://github.com/o/r/releases</id>"
        '<link type="text/html" rel="alternate" href="https://github.com/o/r/releases"/>'
        "<title>Release notes from r</title><updated>2026-11-05T10:00:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


def release(version: str, days_ago: float, downloads: list[int]) -> dict[str, Any]:
    published = (utcnow() - dt.timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "html_url": f"https://github.com/o/r/releases/tag/{version}",
        "tag_name": version,
        "name": version,
        "published_at": published,
        "assets": [{"name": f"a{i}.tar.gz", "download_count": n} for i, n in enumerate(downloads)],
    }


class GitHubServer:
    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.repo = {"id": 1, "full_name": "o/r", "stargazers_count": 10, "forks_count": 2,
                     "subscribers_count": 4}  # fmt: skip
        self.releases = [release("v2", 1, [5, 6]), release("v1", 10, [100])]
        self.version = 1
        self.remaining = 59
        server.route("/o/r/releases.atom", body=atom(["v2", "v1"]), etag='"atom1"',
                     content_type="application/atom+xml")  # fmt: skip
        server.handle("/api/repos/o/r", self.get_repo)
        server.handle("/api/repos/o/r/releases", self.list_releases)

    def _limits(self) -> dict[str, str]:
        reset = str(int((utcnow() + dt.timedelta(minutes=30)).timestamp()))
        return {
            "X-RateLimit-Limit": "60",
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": reset,
        }

    def _answer(self, seen: Seen, value: Any, **headers: str) -> Answer:
        from tests.httpserver import Answer

        assert seen.headers["accept"] == "application/vnd.github+json"
        etag = f'"{self.version}-{seen.route_path}"'
        if seen.headers.get("if-none-match") == etag:
            return Answer(304, b"", {"ETag": etag, **self._limits()})
        if self.remaining <= 0:
            return Answer.json(
                {"message": "API rate limit exceeded for 127.0.0.1."}, 403, **self._limits()
            )
        self.remaining -= 1
        return Answer.json(value, 200, ETag=etag, **self._limits(), **headers)

    def get_repo(self, seen: Seen) -> Answer:
        return self._answer(seen, self.repo)

    def list_releases(self, seen: Seen) -> Answer:
        assert seen.query["per_page"] == ["30"]
        return self._answer(seen, self.releases)


def settings(server: TestServer) -> Settings:
    return Settings(apis=ApiSettings(github=server.url("/api"), github_web=server.url("")))


def repo(mine: bool = True) -> Source:
    return Source("https://github.com/o/r", "r", mine=mine, api="github")


async def refresh(store: Store, server: TestServer, *sources: Source) -> list[Any]:
    refresher = Refresher(store, settings(server), parse_workers=0)
    try:
        return (await refresher.refresh(list(sources))).results
    finally:
        await refresher.close()


@pytest.mark.parametrize(
    ("address", "url", "words"),
    [
        ("https://github.com/o/r", "https://github.com/o/r", "o/r releases"),
        ("https://github.com/o/r.git", "https://github.com/o/r", "o/r releases"),
        ("https://github.com/o/r/releases", "https://github.com/o/r", "o/r releases"),
        ("https://github.com/ana", "https://github.com/ana", "ana's public activity"),
    ],
)
def test_addresses(address: str, url: str, words: str) -> None:
    found = recognise(address)
    assert found is not None and found.api == "github" and found.url == url
    assert words in found.label


@pytest.mark.parametrize(
    "address",
    [
        "https://github.com/o/r/releases.atom",
        "https://github.com/settings",
        "https://github.com/o/r/issues/1",
    ],
)
def test_other_addresses(address: str) -> None:
    assert recognise(address) is None


async def test_own_repository_figures_with_etags(http_server: TestServer, tmp_path: Path) -> None:
    github = GitHubServer(http_server)
    store = Store(tmp_path / "folio.db")
    [first] = await refresh(store, http_server, repo())
    assert first.outcome == OK and first.new_items == 2
    newest = store.items()[0]
    assert newest.guid == "tag:github.com,2008:Repository/1/v2"
    [counts] = store.engagement_history(repo().url, newest.guid)
    assert counts["downloads"] == 11
    [account] = store.account_history(repo().url)
    assert (account["stars"], account["forks"], account["followers"]) == (10, 2, 4)

    # Nothing changed: three 304s (feed, repository, releases), figures stored again.
    [second] = await refresh(store, http_server, repo())
    assert second.outcome == "not-modified"
    assert [a["stars"] for a in store.account_history(repo().url)] == [10, 10]
    assert github.remaining == 57  # the 304s were free
    assert all(s.headers.get("if-none-match") for s in http_server.hits("/api/repos/o/r")[1:])

    github.version = 2
    github.repo["stargazers_count"] = 12
    await refresh(store, http_server, repo())
    assert [a["stars"] for a in store.account_history(repo().url)] == [10, 10, 12]


async def test_a_followed_repository_spends_no_api_calls(
    http_server: TestServer, tmp_path: Path
) -> None:
    GitHubServer(http_server)
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, repo(mine=False))
    assert result.outcome == OK
    assert http_server.hits("/api/repos/o/r") == []


async def test_the_rate_limit_says_what_to_do(http_server: TestServer, tmp_path: Path) -> None:
    github = GitHubServer(http_server)
    github.remaining = 0
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, repo())
    assert result.outcome == OK  # the releases themselves came from the feed
    state = store.state(repo().url)
    assert "API rate limit exceeded" in state.error and "github_token" in state.error
    assert state.retry_after is not None
    assert dt.timedelta(minutes=25) < state.retry_after - utcnow() <= dt.timedelta(minutes=30)


async def test_the_token_goes_to_the_api_only(
    http_server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    GitHubServer(http_server)
    monkeypatch.setenv("FOLIO_GITHUB_TOKEN", "ghp_S3CRET")
    store = Store(tmp_path / "folio.db")
    await refresh(store, http_server, repo())
    assert http_server.hits("/api/repos/o/r")[0].headers["authorization"] == "Bearer ghp_S3CRET"
    assert "authorization" not in http_server.hits("/o/r/releases.atom")[0].headers
    assert "S3CRET" not in store.state(repo().url).cursor


async def test_release_pages_follow_the_link_header(
    http_server: TestServer, tmp_path: Path
) -> None:
    from tests.httpserver import Answer

    github = GitHubServer(http_server)
    second_page = http_server.url("/api/repositories/1/releases?per_page=30&page=2")
    github.releases = [release(f"v{n}", n * 0.5, [n]) for n in range(30, 0, -1)]
    http_server.handle(
        "/api/repos/o/r/releases",
        lambda seen: Answer.json(github.releases, Link=f'<{second_page}>; rel="next"'),
    )
    http_server.handle(
        "/api/repositories/1/releases", lambda seen: Answer.json([release("v0", 40, [9])])
    )
    store = Store(tmp_path / "folio.db")
    await refresh(store, http_server, repo())
    assert len(http_server.hits("/api/repositories/1/releases")) == 1
    guids = {c["guid"] for c in store.engagement_history(repo().url)}
    assert "https://github.com/o/r/releases/tag/v0" in guids


async def test_malformed_answers(http_server: TestServer, tmp_path: Path) -> None:
    from tests.httpserver import Answer

    GitHubServer(http_server)
    http_server.handle(
        "/api/repos/o/r", lambda seen: Answer(200, b"{", {"Content-Type": "application/json"})
    )
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, repo())
    assert result.outcome == OK
    assert "not valid JSON" in store.state(repo().url).error


async def test_a_broken_feed_is_an_error(http_server: TestServer, tmp_path: Path) -> None:
    GitHubServer(http_server)
    http_server.route("/o/r/releases.atom", status=404, body=b"Not Found")
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, repo())
    assert result.outcome == ERROR
    assert result.error == "reading /o/r/releases.atom: server said 404 Not Found"


async def test_many_releases_and_hostile_fields(http_server: TestServer, tmp_path: Path) -> None:
    from tests.httpserver import Answer

    GitHubServer(http_server)
    evil = "[@click=app.quit]x[/] \x1b[2J \u202eevil\u202c"
    releases = [release(f"v{n}", 1, [1]) for n in range(10_000)]
    releases[0]["html_url"] = f"https://github.com/o/r/releases/tag/{evil}"
    releases[1]["assets"] = [{"download_count": "lots"}, {"download_count": -4}, "x"]
    http_server.handle("/api/repos/o/r/releases", lambda seen: Answer.json(releases))
    http_server.handle("/api/repos/o/r", lambda seen: Answer.json({"stargazers_count": evil}))
    store = Store(tmp_path / "folio.db")
    [result] = await refresh(store, http_server, repo())
    assert result.outcome == OK
    assert len(http_server.hits("/api/repos/o/r/releases")) == 1
    history = store.engagement_history(repo().url)
    assert len(history) <= 100  # a page's worth, not 10,000
    assert all("\x1b" not in row["guid"] for row in history)
    [account] = store.account_history(repo().url)
    assert account["stars"] is None
