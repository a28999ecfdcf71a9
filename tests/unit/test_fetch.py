"""The HTTP layer, against a real server on 127.0.0.1 (tests/httpserver.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import errno
import gzip
import socket
import ssl
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from tui import __version__
from tui.core.config import RefreshSettings
from tui.core.net.fetch import (
    CUT_OFF,
    NO_ANSWER,
    USER_AGENT,
    Fetcher,
    FetchError,
    FetchResult,
    describe_error,
    discover_feed,
    fetch_url,
)

if TYPE_CHECKING:
    from tests.httpserver import TestServer

pytest_plugins = ["httpserver"]


def settings(**kwargs: object) -> RefreshSettings:
    return RefreshSettings(**kwargs)  # type: ignore[arg-type]


async def fetch(url: str, **kwargs: object) -> FetchResult:
    async with Fetcher(settings(**kwargs)) as fetcher:
        return await fetcher.fetch(url)


# -- plain answers and validators ---------------------------------------------------------


async def test_ok_body_validators_and_user_agent(http_server: TestServer) -> None:
    http_server.route(
        "/feed", body=http_server.rss(), etag='"v1"', last_modified="Mon, 01 Jan 2024 10:00:00 GMT"
    )
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(http_server.url("/feed"))
    assert result.ok and not result.error
    assert result.status == 200
    assert result.body == http_server.rss()
    assert result.etag == '"v1"'
    assert result.last_modified == "Mon, 01 Jan 2024 10:00:00 GMT"
    assert result.content_type == "application/rss+xml"
    (seen,) = http_server.hits("/feed")
    assert seen.headers["user-agent"] == USER_AGENT
    assert f"folio/{__version__} (+https://github.com/folio-dashboard/folio)" == USER_AGENT
    assert "if-none-match" not in seen.headers
    assert seen.headers["accept-encoding"] == "gzip, deflate"


async def test_etag_gives_304(http_server: TestServer) -> None:
    http_server.route("/feed", body=http_server.rss(), etag='"v1"')
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(http_server.url("/feed"), etag='"v1"')
        changed = await fetcher.fetch(http_server.url("/feed"), etag='"v0"')
    assert result.not_modified and result.status == 304 and result.body == b""
    assert result.etag == '"v1"'
    assert changed.ok and changed.body == http_server.rss()
    assert [seen.headers["if-none-match"] for seen in http_server.hits("/feed")] == ['"v1"', '"v0"']


async def test_last_modified_gives_304(http_server: TestServer) -> None:
    stamp = "Tue, 02 Jan 2024 10:00:00 GMT"
    http_server.route("/feed", body=http_server.rss(), last_modified=stamp)
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(http_server.url("/feed"), last_modified=stamp)
    assert result.not_modified
    assert http_server.hits("/feed")[0].headers["if-modified-since"] == stamp


async def test_odd_validators_are_not_sent(http_server: TestServer) -> None:
    http_server.route("/feed", body=http_server.rss())
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(
            http_server.url("/feed"), etag='"caf\u00e9"', last_modified="x\ty"
        )
    assert result.ok
    headers = http_server.hits("/feed")[0].headers
    assert "if-none-match" not in headers and "if-modified-since" not in headers


async def test_connection_is_reused(http_server: TestServer) -> None:
    http_server.route("/a", body=http_server.rss())
    http_server.route("/b", body=http_server.rss())
    async with Fetcher() as fetcher:
        assert (await fetcher.fetch(http_server.url("/a"))).ok
        assert (await fetcher.fetch(http_server.url("/b"))).ok
    assert http_server.hits("/a")[0].client_port == http_server.hits("/b")[0].client_port


# -- errors in words ----------------------------------------------------------------------


async def test_500_in_words(http_server: TestServer) -> None:
    http_server.route("/feed", status=500, body=b"oops")
    result = await fetch(http_server.url("/feed"))
    assert result.error == "server said 500 Internal Server Error"
    assert result.status == 500 and not result.ok


async def test_404_in_words(http_server: TestServer) -> None:
    result = await fetch(http_server.url("/missing"))
    assert result.error == "server said 404 Not Found"


async def test_429_retry_after_seconds(http_server: TestServer) -> None:
    http_server.route("/feed", status=429, headers={"Retry-After": "120"})
    before = dt.datetime.now(dt.UTC)
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(http_server.url("/feed"))
    assert result.error == "server said 429 Too Many Requests"
    assert result.retry_after is not None
    assert dt.timedelta(seconds=119) <= result.retry_after - before <= dt.timedelta(seconds=125)


async def test_503_retry_after_http_date(http_server: TestServer) -> None:
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=2)
    http_server.route(
        "/feed", status=503, headers={"Retry-After": email.utils.format_datetime(when, usegmt=True)}
    )
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(http_server.url("/feed"))
    assert result.error == "server said 503 Service Unavailable"
    assert result.retry_after == when


async def test_503_without_retry_after(http_server: TestServer) -> None:
    http_server.route("/feed", status=503)
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(http_server.url("/feed"))
    assert result.error == "server said 503 Service Unavailable"
    assert result.retry_after is None


async def test_timeout_on_endless_slow_body(http_server: TestServer) -> None:
    def drip() -> Iterator[bytes]:
        while True:
            yield b"<"

    http_server.route("/slow", stream=drip, chunk_delay=0.02)
    started = time.monotonic()
    result = await fetch(http_server.url("/slow"), timeout=0.3)
    assert result.error == "timed out after 0.3 s"
    assert time.monotonic() - started < 2


async def test_timeout_waiting_for_headers(http_server: TestServer) -> None:
    import threading

    http_server.route("/stuck", hold=threading.Event())
    result = await fetch(http_server.url("/stuck"), timeout=0.2)
    assert result.error == "timed out after 0.2 s"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_connection_refused() -> None:
    result = await fetch(f"http://127.0.0.1:{_free_port()}/feed")
    assert result.error == "cannot connect: connection refused"
    assert result.status is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/feed",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "feed.xml",
        "http:///x",
    ],
)
async def test_only_http_urls(url: str) -> None:
    result = await fetch(url)
    assert result.error
    assert "http" in result.error or "address" in result.error


def caused(error: httpx.HTTPError, cause: BaseException) -> httpx.HTTPError:
    error.__cause__ = cause  # as the transport raises them: ``raise ... from cause``
    return error


def test_describe_error_words() -> None:
    dns = caused(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known"))
    assert describe_error(dns, "feeds.example") == "DNS lookup failed for host feeds.example"
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "no")
    assert describe_error(caused(httpx.ConnectError("x"), refused)) == (
        "cannot connect: connection refused"
    )
    reset = caused(httpx.ConnectError("x"), ConnectionResetError(errno.ECONNRESET, "reset"))
    assert describe_error(reset) == "cannot connect: connection reset"
    # httpx_aiohttp maps a server that hangs up to ConnectTimeout; aiohttp's error, kept as
    # the cause, says what happened.
    import aiohttp

    hung_up = caused(httpx.ConnectTimeout("x"), aiohttp.ServerDisconnectedError())
    assert describe_error(hung_up) == NO_ANSWER
    cut = caused(
        httpx.ReadError("x"), aiohttp.ClientPayloadError("Response payload is not completed")
    )
    assert describe_error(cut) == CUT_OFF
    assert describe_error(httpx.RemoteProtocolError("illegal status line")) == (
        "the server's answer is not valid HTTP: illegal status line"
    )
    untrusted = ssl.SSLCertVerificationError(1, "certificate verify failed")
    untrusted.verify_message = "self-signed certificate"
    assert describe_error(caused(httpx.ConnectError("x"), untrusted), "a.example") == (
        "certificate not trusted for host a.example: self-signed certificate"
    )
    assert describe_error(httpx.ConnectTimeout("t"), connect_timeout=10) == (
        "cannot connect: timed out after 10 s"
    )
    assert describe_error(ValueError("bad\x1b[31m")) == "request failed: ValueError: bad[31m"


def test_every_address_refusing_is_said_once_in_words() -> None:
    # Python 3.11's asyncio joins the failure of each of a host's addresses into one OSError.
    joined = OSError(
        "Multiple exceptions: [Errno 111] Connect call failed ('::1', 9, 0, 0), "
        "[Errno 111] Connect call failed ('127.0.0.1', 9)"
    )
    refused = caused(httpx.ConnectError(str(joined)), joined)
    assert describe_error(refused) == "cannot connect: connection refused"
    mixed = OSError(
        "Multiple exceptions: [Errno 101] Connect call failed ('2001:db8::1', 80, 0, 0), "
        "[Errno 111] Connect call failed ('192.0.2.1', 80)"
    )
    assert describe_error(caused(httpx.ConnectError("x"), mixed)) == (
        "cannot connect: network unreachable; connection refused"
    )


# -- redirects ----------------------------------------------------------------------------


def chain(server: TestServer, hops: int, status: int = 302) -> str:
    for i in range(hops):
        server.redirect(f"/r{i}", f"/r{i + 1}" if i + 1 < hops else "/feed", status)
    server.route("/feed", body=server.rss())
    return server.url("/r0")


async def test_ten_redirects_are_followed(http_server: TestServer) -> None:
    result = await fetch(chain(http_server, 10))
    assert result.ok, result.error
    assert result.final_url == http_server.url("/feed")
    assert result.moved_to == ""


async def test_eleven_redirects_are_too_many(http_server: TestServer) -> None:
    result = await fetch(chain(http_server, 11))
    assert result.error == "too many redirects (more than 10)"
    assert http_server.hits("/feed") == []


async def test_redirect_loop(http_server: TestServer) -> None:
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", http_server.url("/a"))
    result = await fetch(http_server.url("/a"))
    assert result.error == f"redirect loop at {http_server.url('/a')}"
    assert len(http_server.hits("/a")) == 1


async def test_permanent_redirects_report_the_new_address(http_server: TestServer) -> None:
    result = await fetch(chain(http_server, 2, status=301))
    assert result.ok
    assert result.moved_to == http_server.url("/feed")


async def test_redirect_to_a_file_url_is_refused(http_server: TestServer) -> None:
    http_server.redirect("/a", "file:///etc/passwd")
    result = await fetch(http_server.url("/a"))
    assert result.error.startswith("redirected to a non-web address")


async def test_redirect_without_location(http_server: TestServer) -> None:
    http_server.route("/a", status=302)
    result = await fetch(http_server.url("/a"))
    assert result.error == "server said 302 Found but gave no new address"


# -- encodings and size -------------------------------------------------------------------


async def test_gzip_body(http_server: TestServer) -> None:
    http_server.route("/feed", body=http_server.rss(items=50), gzip=True)
    result = await fetch(http_server.url("/feed"))
    assert result.ok and result.body == http_server.rss(items=50)


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
async def test_deflate_body(http_server: TestServer, wbits: int) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = packer.compress(http_server.rss()) + packer.flush()
    http_server.route("/feed", body=body, headers={"Content-Encoding": "deflate"})
    result = await fetch(http_server.url("/feed"))
    assert result.ok and result.body == http_server.rss()


async def test_concatenated_gzip_members(http_server: TestServer) -> None:
    body = gzip.compress(b"<rss>") + gzip.compress(b"</rss>")
    http_server.route("/feed", body=body, headers={"Content-Encoding": "gzip"})
    result = await fetch(http_server.url("/feed"))
    assert result.body == b"<rss></rss>"


async def test_plain_body_labelled_gzip_is_read_as_is(http_server: TestServer) -> None:
    http_server.route("/feed", body=http_server.rss(), headers={"Content-Encoding": "gzip"})
    result = await fetch(http_server.url("/feed"))
    assert result.ok and result.body == http_server.rss()


async def test_corrupt_gzip_is_an_error(http_server: TestServer) -> None:
    body = gzip.compress(http_server.rss())
    http_server.route(
        "/feed", body=body[:20] + b"\x00" * 40 + body[60:], headers={"Content-Encoding": "gzip"}
    )
    result = await fetch(http_server.url("/feed"))
    assert result.error.startswith("cannot decompress the body")


async def test_unknown_encoding_is_an_error(http_server: TestServer) -> None:
    http_server.route("/feed", body=b"xx", headers={"Content-Encoding": "br"})
    result = await fetch(http_server.url("/feed"))
    assert "unsupported content encoding 'br'" in result.error


async def test_oversize_plain_body_with_length(http_server: TestServer) -> None:
    http_server.route("/big", body=b"x" * (2 * 1024 * 1024 + 1))
    result = await fetch(http_server.url("/big"), max_body_mb=2)
    assert result.error == "feed is larger than 2 MB"
    assert result.body == b""


async def test_body_at_the_limit_is_fine(http_server: TestServer) -> None:
    http_server.route("/big", body=b"x" * (1024 * 1024))
    result = await fetch(http_server.url("/big"), max_body_mb=1)
    assert result.ok and len(result.body) == 1024 * 1024


async def test_oversize_streamed_body_without_length(http_server: TestServer) -> None:
    def endless() -> Iterator[bytes]:
        while True:
            yield b"y" * 65536

    http_server.route("/big", stream=endless)
    result = await fetch(http_server.url("/big"), max_body_mb=1)
    assert result.error == "feed is larger than 1 MB"


async def test_gzip_bomb_stops_at_the_cap(http_server: TestServer) -> None:
    # 1 GiB of zeros in about 1 MB of gzip; reading must stop at 16 MB, quickly.
    http_server.route("/bomb", stream=http_server.gzip_bomb, headers={"Content-Encoding": "gzip"})
    started = time.monotonic()
    tracemalloc.start()
    try:
        result = await fetch(http_server.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.error == "feed is larger than 16 MB"
    assert time.monotonic() - started < 2
    # The 16 MB kept plus small change: never a second copy, never the 1 GiB.
    assert peak < 24 * 1024 * 1024


# -- limits, transports, helpers ----------------------------------------------------------


async def test_per_host_limit(http_server: TestServer) -> None:
    for i in range(8):
        http_server.route(f"/f{i}", body=http_server.rss(), delay=0.03)
    async with Fetcher(settings(max_per_host=2)) as fetcher:
        results = await asyncio.gather(
            *(fetcher.fetch(http_server.url(f"/f{i}")) for i in range(8))
        )
    assert all(r.ok for r in results)
    assert max(http_server.max_in_flight.values()) == 2


async def test_any_transport_can_stand_in(http_server: TestServer) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["user-agent"] == USER_AGENT
        return httpx.Response(200, content=http_server.rss(), headers={"ETag": '"m"'})

    async with Fetcher(transport=httpx.MockTransport(answer)) as fetcher:
        result = await fetcher.fetch("https://demo.invalid/feed.xml")
    assert result.ok and result.body == http_server.rss() and result.etag == '"m"'


async def test_fetch_url_on_any_httpx_transport(http_server: TestServer) -> None:
    http_server.route("/feed", body=http_server.rss())
    http_server.redirect("/loop", "/loop")
    # httpx's own transport instead of folio's: redirects, encodings and limits stay ours.
    async with Fetcher(transport=httpx.AsyncHTTPTransport()) as fetcher:
        assert (await fetch_url(http_server.url("/feed"), fetcher)).body == http_server.rss()
        looped = await fetch_url(http_server.url("/loop"), fetcher)
        assert looped.error == f"redirect loop at {http_server.url('/loop')}"
    assert http_server.hits("/feed")[0].headers["accept-encoding"] == "gzip, deflate"
    assert (await fetch_url(http_server.url("/feed"))).body == http_server.rss()


PAGE = b"""<!doctype html><html><head><title>Blog</title>
<link rel="alternate" type="application/rss+xml" href="/missing.xml">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
</head><body>hello</body></html>"""


async def test_discover_feed_from_a_page(http_server: TestServer) -> None:
    http_server.route("/", body=PAGE, content_type="text/html; charset=utf-8")
    http_server.route("/feed.xml", body=http_server.rss(title="Found"), etag='"f1"')
    url, feed, body, etag, last_modified = await discover_feed(http_server.url("/"))
    assert url == http_server.url("/feed.xml")
    assert feed.title == "Found" and len(feed.items) == 3
    assert body == http_server.rss(title="Found")
    assert (etag, last_modified) == ('"f1"', "")


async def test_discover_feed_direct(http_server: TestServer) -> None:
    modified = "Mon, 01 Jan 2024 10:00:00 GMT"
    http_server.route("/feed.xml", body=http_server.rss(), last_modified=modified)
    found = await discover_feed(http_server.url("/feed.xml"))
    assert found.url == http_server.url("/feed.xml") and found.feed.items
    assert (found.etag, found.last_modified) == ("", modified)


async def test_discover_feed_nothing_found(http_server: TestServer) -> None:
    http_server.route(
        "/", body=b"<!doctype html><html><body>no feeds</body></html>", content_type="text/html"
    )
    with pytest.raises(FetchError, match="advertises no feed"):
        await discover_feed(http_server.url("/"))


async def test_discover_feed_fetch_error(http_server: TestServer) -> None:
    with pytest.raises(FetchError, match="server said 404 Not Found"):
        await discover_feed(http_server.url("/nothing"))


async def test_cookies_are_neither_kept_nor_sent(http_server: TestServer) -> None:
    # A feed reader fetching on a schedule must not be tracked from one fetch to the next.
    http_server.route("/feed", body=http_server.rss(), headers={"Set-Cookie": "id=tracker"})
    async with Fetcher() as fetcher:
        await fetcher.fetch(http_server.url("/feed"))
        await fetcher.fetch(http_server.url("/feed"))
    assert [hit.headers.get("cookie") for hit in http_server.hits("/feed")] == [None, None]
