"""``Fetcher.request``: web API calls within the limits feeds have, on a loopback server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.config import RefreshSettings
from tui.core.net.fetch import Fetcher

if TYPE_CHECKING:
    from tests.httpserver import Answer, Seen, TestServer

pytest_plugins = ["httpserver"]


async def test_post_json_and_read_the_answer_headers(http_server: TestServer) -> None:
    from tests.httpserver import Answer

    def create(seen: Seen) -> Answer:
        assert seen.method == "POST"
        return Answer.json(
            {"id": 7, "got": seen.json()}, 201, Link='<https://x/?page=2>; rel="next"'
        )

    http_server.handle("/api/bookmarks/", create)
    async with Fetcher() as fetcher:
        result = await fetcher.request(
            "post",
            http_server.url("/api/bookmarks/"),
            json={"url": "https://example.org/é", "tag_names": ["a"]},
            headers={"Authorization": "Token abc"},
        )
    assert result.ok, result.error
    assert result.status == 201
    assert result.headers["link"] == '<https://x/?page=2>; rel="next"'
    assert b'"id": 7' in result.body
    (seen,) = http_server.hits("/api/bookmarks/")
    assert seen.headers["authorization"] == "Token abc"
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["accept"] == "application/json"
    assert seen.json() == {"url": "https://example.org/é", "tag_names": ["a"]}


async def test_query_params_and_repeated_form_fields(http_server: TestServer) -> None:
    from tests.httpserver import Answer

    http_server.handle("/reader/api/0/edit-tag", lambda seen: Answer(200, b"OK"))
    async with Fetcher() as fetcher:
        result = await fetcher.request(
            "POST",
            http_server.url("/reader/api/0/edit-tag"),
            params={"output": "json"},
            form=[("i", "1"), ("i", "2"), ("a", "user/-/state/com.google/read")],
        )
    assert result.ok and result.body == b"OK"
    (seen,) = http_server.hits("/reader/api/0/edit-tag")
    assert seen.query == {"output": ["json"]}
    assert seen.body == b"i=1&i=2&a=user%2F-%2Fstate%2Fcom.google%2Fread"


async def test_an_error_answer_keeps_its_body_and_retry_after(http_server: TestServer) -> None:
    from tests.httpserver import Answer

    http_server.handle(
        "/limited",
        lambda seen: Answer.json({"error": "Too many requests"}, 429, **{"Retry-After": "30"}),
    )
    async with Fetcher() as fetcher:
        result = await fetcher.request("GET", http_server.url("/limited"))
    assert not result.ok
    assert result.status == 429
    assert result.error == "server said 429 Too Many Requests"
    assert result.retry_after is not None
    assert b"Too many requests" in result.body


async def test_secrets_never_appear_in_what_is_shown(http_server: TestServer) -> None:
    async with Fetcher(RefreshSettings(timeout=5)) as fetcher:
        result = await fetcher.request(
            "GET",
            "http://127.0.0.1:9/v1/posts/all",
            params={"auth_token": "ana:S3CR3T/x"},
            secrets=["ana:S3CR3T/x"],
        )
    assert result.error
    shown = result.error + result.url + result.final_url
    assert "S3CR3T" not in shown
    assert "•••" in result.final_url


async def test_a_write_is_not_repeated_at_a_redirected_address(http_server: TestServer) -> None:
    http_server.redirect("/old", http_server.url("/new"), status=308)
    http_server.route("/new", body=b"{}", content_type="application/json")
    async with Fetcher() as fetcher:
        result = await fetcher.request("DELETE", http_server.url("/old"))
        fetched = await fetcher.request("GET", http_server.url("/old"))
    assert not result.ok and "moved" in result.error
    assert [seen.method for seen in http_server.hits("/new")] == ["GET"]
    assert fetched.ok and fetched.final_url == http_server.url("/new")


async def test_conditional_api_get_gives_304(http_server: TestServer) -> None:
    http_server.route("/repos/o/r", body=b'{"stargazers_count": 3}', etag='"abc"')
    async with Fetcher() as fetcher:
        first = await fetcher.request("GET", http_server.url("/repos/o/r"))
        second = await fetcher.request("GET", http_server.url("/repos/o/r"), etag=first.etag)
    assert first.ok and first.etag == '"abc"'
    assert second.not_modified and second.body == b""


async def test_a_token_does_not_follow_a_redirect_to_another_host(http_server: TestServer) -> None:
    # 127.0.0.1 and localhost are two hosts to the client, one server to the test.
    http_server.redirect("/here", http_server.url("/same"), status=302)
    http_server.redirect("/away", http_server.url("/elsewhere", host="localhost"), status=302)
    for path in ("/same", "/elsewhere"):
        http_server.route(path, body=b"{}", content_type="application/json")
    async with Fetcher() as fetcher:
        same = await fetcher.request(
            "GET", http_server.url("/here"), headers={"Authorization": "Bearer T0KEN"}
        )
        away = await fetcher.request(
            "GET", http_server.url("/away"), headers={"Authorization": "Bearer T0KEN"}
        )
    assert same.ok and away.ok
    assert http_server.hits("/same")[0].headers.get("authorization") == "Bearer T0KEN"
    assert "authorization" not in http_server.hits("/elsewhere")[0].headers
