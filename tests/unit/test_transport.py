"""PooledTransport against real servers on 127.0.0.1.

Well-behaved answers come from tests/httpserver.py (a threaded http.server); misbehaving
ones from small asyncio servers started here, on the test's own event loop.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import re
import shutil
import socket
import ssl
import subprocess
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tui.core.net.fetch import Fetcher
from tui.core.net.transport import PooledTransport

if TYPE_CHECKING:
    from httpserver import TestServer

pytest_plugins = ["httpserver"]

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
Answer = Callable[[str, str], Awaitable[bytes]]


# -- helpers ------------------------------------------------------------------------------


def client(
    max_connections: int = 10,
    max_per_host: int = 4,
    connect_timeout: float | None = 5.0,
    **kwargs: Any,
) -> httpx.AsyncClient:
    transport = PooledTransport(
        max_connections=max_connections,
        max_per_host=max_per_host,
        connect_timeout=connect_timeout,
        ssl_context=kwargs.pop("ssl_context", None),
    )
    return httpx.AsyncClient(transport=transport, **kwargs)


def chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes, as fetch.describe_error walks them."""
    found: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in found:
        found.append(seen)
        seen = seen.__cause__ or seen.__context__
    return found


def ok(body: bytes, *headers: str, status: str = "200 OK", version: str = "HTTP/1.1") -> bytes:
    head = [f"{version} {status}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def read_request(reader: asyncio.StreamReader) -> tuple[str, str] | None:
    """(method, path) of the next request on a connection, None when the client hung up."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            await reader.readexactly(int(value))
    return method, path


class Counts:
    """Requests being answered at once, now and at most."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.max_in_flight = 0


class RawServer:
    """An asyncio server on 127.0.0.1 that counts connections (and, with KeepAlive, requests)."""

    def __init__(self, handler: Handler, shared: Counts | None = None) -> None:
        self.handler = handler
        if isinstance(handler, KeepAlive):
            handler.server = self
        self.connections = 0
        self.open = 0
        self.counts = Counts()
        self.shared = shared  # counts over several servers
        self.requests: list[str] = []
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def max_in_flight(self) -> int:
        return self.counts.max_in_flight

    async def start(self, tls: ssl.SSLContext | None = None) -> RawServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=tls)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def url(self, path: str = "/", scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def enter(self, path: str) -> None:
        self.requests.append(path)
        for counts in (self.counts, self.shared):
            if counts is not None:
                counts.in_flight += 1
                counts.max_in_flight = max(counts.max_in_flight, counts.in_flight)

    def leave(self) -> None:
        for counts in (self.counts, self.shared):
            if counts is not None:
                counts.in_flight -= 1

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        self.open += 1
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # Stopped by close(): end normally, as Python 3.11's stream server reports a
            # cancelled handler task as an error.
            pass
        finally:
            self.open -= 1
            self._tasks.discard(task)
            writer.close()

    async def close(self) -> None:
        self.server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.server.wait_closed()


class KeepAlive:
    """A handler answering every request on a connection, ``delay`` seconds after it came."""

    server: RawServer

    def __init__(self, answer: Answer, delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (request := await read_request(reader)) is not None:
            self.server.enter(request[1])
            try:
                if self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(await self.answer(*request))
                await writer.drain()
            finally:
                self.server.leave()


async def hello(method: str, path: str) -> bytes:
    return ok(f"{method} {path}".encode())


Starter = Callable[..., Awaitable[RawServer]]


@pytest.fixture
async def raw_server() -> AsyncIterator[Starter]:
    """``await raw_server(handler)``, or ``await raw_server(KeepAlive(answer))``."""
    servers: list[RawServer] = []

    async def start(
        handler: Handler, shared: Counts | None = None, tls: ssl.SSLContext | None = None
    ) -> RawServer:
        server = RawServer(handler, shared)
        servers.append(server)
        return await server.start(tls)

    yield start
    for server in servers:
        await server.close()


@pytest.fixture(autouse=True)
async def _no_leaks() -> AsyncIterator[None]:
    """Fail a test that leaves an unclosed transport, a pending task or a loop error."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield
        await asyncio.sleep(0.01)
        gc.collect()
    loop.set_exception_handler(None)
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert [context.get("message") for context in errors] == []


async def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- answers ------------------------------------------------------------------------------


async def test_plain_200_with_content_length(http_server: TestServer) -> None:
    http_server.route("/feed", body=b"<rss/>" * 1000, headers={"X-Thing": "yes"})
    async with client() as http:
        response = await http.get(http_server.url("/feed"))
    assert response.status_code == 200
    assert response.content == b"<rss/>" * 1000
    assert response.headers["x-thing"] == "yes"
    assert response.headers["content-length"] == "6000"
    assert response.http_version == "HTTP/1.1"
    assert response.reason_phrase == "OK"
    (seen,) = http_server.hits("/feed")
    assert seen.headers["host"] == f"127.0.0.1:{http_server.port}"


@pytest.mark.parametrize("built_with_stream", [False, True])
async def test_exactly_one_host_field_however_the_request_was_built(
    built_with_stream: bool,
) -> None:
    # httpx adds Host to a request built without a stream; one built with a stream (as the
    # Fetcher builds its own) has only the headers it was given, or none.
    heads: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(ok(b"fine"))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = PooledTransport(max_connections=2, max_per_host=2, connect_timeout=5)
    try:
        url = f"http://127.0.0.1:{port}/feed"
        if built_with_stream:
            request = httpx.Request("GET", url, stream=httpx.ByteStream(b""))
        else:
            request = httpx.Request("GET", url)
        response = await transport.handle_async_request(request)
        assert await response.aread() == b"fine"
    finally:
        await transport.aclose()
        server.close()
        await server.wait_closed()
    fields = [line.split(b":", 1) for line in heads[0].split(b"\r\n")[1:] if line]
    hosts = [value.strip() for name, value in fields if name.lower() == b"host"]
    assert hosts == [f"127.0.0.1:{port}".encode()]


async def test_chunked_body(raw_server: Starter) -> None:
    async def answer(method: str, path: str) -> bytes:
        chunks = [b"first ", b"second ", b"x" * 70000, b" last"]
        body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
        return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body

    server = await raw_server(KeepAlive(answer))
    async with client() as http:
        first = await http.get(server.url("/a"))
        second = await http.get(server.url("/b"))
    assert first.content == b"first second " + b"x" * 70000 + b" last"
    assert second.content == first.content
    assert server.connections == 1  # the end of a chunked body is known: kept alive


async def test_http10_body_until_close(raw_server: Starter) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        for part in (b"no ", b"length ", b"given"):
            writer.write(part)
            await writer.drain()
            await asyncio.sleep(0.01)

    server = await raw_server(handler)
    async with client() as http:
        response = await http.get(server.url())
        again = await http.get(server.url())
    assert response.content == b"no length given"
    assert response.http_version == "HTTP/1.0"
    assert again.content == b"no length given"
    assert server.connections == 2


async def test_streamed_body_until_close(http_server: TestServer) -> None:
    http_server.route("/stream", stream=lambda: iter([b"a" * 5000, b"b" * 5000]))
    async with client() as http:
        response = await http.get(http_server.url("/stream"))
    assert response.content == b"a" * 5000 + b"b" * 5000


async def test_304_without_body_keeps_the_connection(http_server: TestServer) -> None:
    http_server.route("/feed", body=b"<rss/>", etag='"v1"')
    async with client() as http:
        first = await http.get(http_server.url("/feed"))
        second = await http.get(http_server.url("/feed"), headers={"If-None-Match": '"v1"'})
        third = await http.get(http_server.url("/feed"))
    assert first.status_code == 200
    assert second.status_code == 304 and second.content == b""
    assert second.headers["etag"] == '"v1"'
    assert third.content == b"<rss/>"
    assert len({seen.client_port for seen in http_server.hits("/feed")}) == 1


async def test_interim_100_answer_is_skipped(raw_server: Starter) -> None:
    async def answer(method: str, path: str) -> bytes:
        return b"HTTP/1.1 100 Continue\r\n\r\n" + ok(b"final")

    server = await raw_server(KeepAlive(answer))
    async with client() as http:
        response = await http.get(server.url())
    assert response.status_code == 200 and response.content == b"final"


async def test_gzip_bytes_come_through_raw(http_server: TestServer) -> None:
    body = b"<rss>" + b"compressible " * 5000 + b"</rss>"
    http_server.route("/feed", body=body, gzip=True)
    async with client() as http:
        request = http.build_request("GET", http_server.url("/feed"))
        response = await http.send(request, stream=True)
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
    assert response.headers["content-encoding"] == "gzip"
    assert raw.startswith(b"\x1f\x8b") and len(raw) < len(body) // 10
    assert int(response.headers["content-length"]) == len(raw)
    assert gzip.decompress(raw) == body


async def test_post_body_is_sent(raw_server: Starter) -> None:
    got: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        assert b"\r\nContent-Length: 5\r\n" in head
        got.append(await reader.readexactly(5))
        writer.write(ok(b"thanks"))
        await writer.drain()

    server = await raw_server(handler)
    async with client() as http:
        response = await http.post(server.url(), content=b"hello")
    assert response.content == b"thanks" and got == [b"hello"]


async def test_works_under_the_fetcher(http_server: TestServer) -> None:
    http_server.route("/feed", body=http_server.rss(), gzip=True, etag='"v1"')
    transport = PooledTransport(max_connections=4, max_per_host=2, connect_timeout=5)
    async with Fetcher(transport=transport) as fetcher:
        first = await fetcher.fetch(http_server.url("/feed"))
        second = await fetcher.fetch(http_server.url("/feed"), etag=first.etag)
    assert first.ok and first.body == http_server.rss() and first.etag == '"v1"'
    assert second.not_modified


# -- the pool -----------------------------------------------------------------------------


async def test_keep_alive_reuses_one_connection(http_server: TestServer) -> None:
    http_server.route("/feed", body=b"x" * 100)
    async with client() as http:
        for _ in range(20):
            response = await http.get(http_server.url("/feed"))
            assert response.status_code == 200
    hits = http_server.hits("/feed")
    assert len(hits) == 20
    assert len({seen.client_port for seen in hits}) == 1


async def test_newest_idle_connection_is_reused_first(raw_server: Starter) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        number = server.connections  # which connection this is, from 1
        while (request := await read_request(reader)) is not None:
            if request[1] == "/slow":
                await asyncio.sleep(0.2)
            writer.write(ok(f"{number}".encode()))
            await writer.drain()

    server = await raw_server(handler)
    async with client(max_per_host=2) as http:
        fast, slow = await asyncio.gather(
            http.get(server.url("/fast")), http.get(server.url("/slow"))
        )
        # Both are idle now; the one released last (slow's) is the likeliest still open.
        after = [(await http.get(server.url("/next"))).content for _ in range(3)]
    assert {fast.content, slow.content} == {b"1", b"2"}
    assert after == [slow.content] * 3


async def test_connection_close_is_not_reused(raw_server: Starter) -> None:
    async def answer(method: str, path: str) -> bytes:
        return ok(b"bye", "Connection: close")

    server = await raw_server(KeepAlive(answer))
    async with client() as http:
        for _ in range(3):
            assert (await http.get(server.url())).content == b"bye"
    assert server.connections == 3


async def test_per_host_and_total_limits_hold(raw_server: Starter) -> None:
    everyone = Counts()
    servers = [await raw_server(KeepAlive(hello, delay=0.1), everyone) for _ in range(3)]
    async with client(max_connections=4, max_per_host=2) as http:
        urls = [server.url(f"/{i}") for server in servers for i in range(4)]
        async with asyncio.timeout(5):  # a pool that starves a host would hang here
            responses = await asyncio.gather(*(http.get(url) for url in urls))
    assert all(response.status_code == 200 for response in responses)
    assert [server.max_in_flight for server in servers] <= [2, 2, 2]
    assert max(server.max_in_flight for server in servers) == 2  # the limit, not less
    assert everyone.max_in_flight == 4
    assert sum(len(server.requests) for server in servers) == 12


async def test_total_limit_evicts_idle_connections_of_other_hosts(raw_server: Starter) -> None:
    first = await raw_server(KeepAlive(hello))
    second = await raw_server(KeepAlive(hello))
    async with client(max_connections=1, max_per_host=1) as http:
        assert (await http.get(first.url())).status_code == 200
        # The only slot is held by an idle connection to ``first``: it must make way.
        async with asyncio.timeout(2):
            assert (await http.get(second.url())).status_code == 200
            assert (await http.get(first.url())).status_code == 200
    assert (first.connections, second.connections) == (2, 1)


async def test_waiters_are_served_in_arrival_order(raw_server: Starter) -> None:
    server = await raw_server(KeepAlive(hello, delay=0.05))
    async with client(max_connections=1, max_per_host=1) as http:
        tasks = []
        for i in range(5):
            tasks.append(asyncio.create_task(http.get(server.url(f"/{i}"))))
            await asyncio.sleep(0.001)
        await asyncio.gather(*tasks)
    assert server.requests == ["/0", "/1", "/2", "/3", "/4"]
    assert server.connections == 1


async def test_idle_connection_closed_by_server_is_dropped(raw_server: Starter) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await read_request(reader)
        assert request is not None
        writer.write(ok(b"once"))  # keep-alive by default, yet closed just after
        await writer.drain()

    server = await raw_server(handler)
    async with client() as http:
        assert (await http.get(server.url())).content == b"once"
        await asyncio.sleep(0.1)
        # A POST is never retried: it works only if the dead connection was not used.
        assert (await http.post(server.url(), content=b"x")).content == b"once"
    assert server.connections == 2


async def test_stale_connection_is_retried_once_for_get_only(raw_server: Starter) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Answers one request, then hangs up on the next without a word: what a server
        # closing an idle keep-alive connection looks like from here.
        request = await read_request(reader)
        assert request is not None
        server.requests.append(request[1])
        writer.write(ok(request[1].encode()))
        await writer.drain()
        if (request := await read_request(reader)) is not None:
            server.requests.append(request[1] + " dropped")

    server = await raw_server(handler)
    async with client() as http:
        assert (await http.get(server.url("/1"))).content == b"/1"
        assert (await http.get(server.url("/2"))).content == b"/2"
        assert server.requests == ["/1", "/2 dropped", "/2"]
        with pytest.raises(httpx.RemoteProtocolError, match="without answering"):
            await http.post(server.url("/3"), content=b"x")
    assert server.connections == 2


async def test_no_retry_on_a_new_connection(raw_server: Starter) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)  # and hang up

    server = await raw_server(handler)
    async with client() as http:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await http.get(server.url())
    assert str(caught.value) == "the server closed the connection without answering"
    assert server.connections == 1


# -- errors -------------------------------------------------------------------------------


async def test_connection_refused() -> None:
    port = await free_port()
    async with client() as http:
        with pytest.raises(httpx.ConnectError) as caught:
            await http.get(f"http://127.0.0.1:{port}/")
    assert any(isinstance(err, ConnectionRefusedError) for err in chain(caught.value))


async def test_dns_failure_keeps_the_gaierror(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()

    async def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(loop, "create_connection", no_such_host)
    async with client() as http:
        with pytest.raises(httpx.ConnectError) as caught:
            await http.get("http://feeds.example.invalid/")
    assert isinstance(caught.value.__cause__, socket.gaierror)


@pytest.mark.parametrize("where", ["constructor", "request"])
async def test_connect_timeout(
    where: str, http_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    http_server.route("/feed", body=b"ok")
    loop = asyncio.get_running_loop()
    real = loop.create_connection

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(10)
        return await real(*args, **kwargs)

    monkeypatch.setattr(loop, "create_connection", slow)
    if where == "constructor":  # a timeout of None in the request leaves the transport's
        http = client(max_connections=1, connect_timeout=0.1, timeout=httpx.Timeout(None))
    else:
        http = client(
            max_connections=1, connect_timeout=None, timeout=httpx.Timeout(None, connect=0.1)
        )
    async with http:
        started = loop.time()
        with pytest.raises(httpx.ConnectTimeout) as caught:
            await http.get(http_server.url("/feed"))
        assert loop.time() - started < 2
        assert isinstance(caught.value.__cause__, TimeoutError)
        monkeypatch.setattr(loop, "create_connection", real)
        # The only slot was given back.
        assert (await http.get(http_server.url("/feed"))).content == b"ok"


async def test_server_closes_mid_body(raw_server: Starter) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100)
        await writer.drain()

    server = await raw_server(handler)
    async with client() as http:
        response = await http.send(http.build_request("GET", server.url()), stream=True)
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError, match="before the end of the body"):
            await response.aread()
        await response.aclose()
        # and a request after it is fine
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(server.url())


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"hello there\r\n\r\n", "not an HTTP answer"),
        (b"SSH-2.0-OpenSSH_9.6\r\n", "not an HTTP answer"),  # then waits: must not hang
        (b"HTTP/1.1 2OO OK\r\n\r\n", "status line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "Content-Length"),
        (b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 101 + b"\r\n", "more than 100 header"),
        (b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 5000, "too long"),  # then waits
    ],
)
async def test_invalid_http_is_an_error_not_a_hang(
    answer: bytes, message: str, raw_server: Starter
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer)
        await writer.drain()
        await asyncio.sleep(10)  # keep the connection open

    server = await raw_server(handler)
    async with client() as http, asyncio.timeout(3):
        with pytest.raises(httpx.RemoteProtocolError, match=message):
            await http.get(server.url())


# -- flow control, cancellation, closing ----------------------------------------------------


async def test_reading_pauses_while_the_body_is_not_consumed(raw_server: Starter) -> None:
    total = 64 * 1024 * 1024
    piece = b"z" * 65536
    sent = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % total)
        while sent < total:
            writer.write(piece)
            await writer.drain()
            sent += len(piece)

    server = await raw_server(handler)
    async with client() as http:
        response = await http.send(http.build_request("GET", server.url()), stream=True)
        await asyncio.sleep(0.5)  # not reading: the server must be held back
        held_at = sent
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
        await response.aclose()
    assert held_at < 16 * 1024 * 1024, held_at
    assert received == total


async def test_cancelled_mid_body_releases_the_slot(raw_server: Starter) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (request := await read_request(reader)) is not None:
            if request[1] == "/endless":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n")
                while True:
                    writer.write(b"y" * 1000)
                    await writer.drain()
                    await asyncio.sleep(0.01)
            writer.write(ok(b"fine"))
            await writer.drain()

    server = await raw_server(handler)

    async def read_forever(http: httpx.AsyncClient) -> None:
        request = http.build_request("GET", server.url("/endless"))
        response = await http.send(request, stream=True)
        try:
            async for _ in response.aiter_raw():
                pass
        finally:
            await response.aclose()

    async with client(max_connections=2, max_per_host=2) as http:
        for reader in [read_forever(http) for _ in range(2)]:
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.1):
                    await reader
        async with asyncio.timeout(2):
            results = await asyncio.gather(*(http.get(server.url("/ok")) for _ in range(2)))
        assert [r.content for r in results] == [b"fine", b"fine"]
        await asyncio.sleep(0.05)
        assert server.connections == 4 and server.open == 2  # the cut ones were closed


async def test_cancelled_before_the_answer_releases_the_slot(raw_server: Starter) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await read_request(reader)
        if request is not None and request[1] == "/slow":
            await asyncio.sleep(10)
        writer.write(ok(b"fine", "Connection: close"))
        await writer.drain()

    server = await raw_server(handler)
    async with client(max_connections=1, max_per_host=1) as http:
        slow = asyncio.create_task(http.get(server.url("/slow")))
        await asyncio.sleep(0.05)
        queued = asyncio.create_task(http.get(server.url("/queued")))  # waits for the slot
        await asyncio.sleep(0.05)
        queued.cancel()
        slow.cancel()
        for task in (slow, queued):
            with pytest.raises(asyncio.CancelledError):
                await task
        async with asyncio.timeout(2):
            assert (await http.get(server.url("/after"))).content == b"fine"


async def test_grant_given_back_when_cancelled_before_it_runs(raw_server: Starter) -> None:
    server = await raw_server(KeepAlive(hello))
    async with client(max_connections=1, max_per_host=1) as http:
        first = await http.send(http.build_request("GET", server.url("/1")), stream=True)
        waiting = asyncio.create_task(http.get(server.url("/2")))
        await asyncio.sleep(0.05)
        await first.aread()  # hands the connection to ``waiting``...
        await first.aclose()
        waiting.cancel()  # ...which is cancelled before it could use it
        with pytest.raises(asyncio.CancelledError):
            await waiting
        async with asyncio.timeout(2):
            assert (await http.get(server.url("/3"))).content == b"GET /3"
    assert server.requests == ["/1", "/3"]
    assert server.connections == 1


async def test_aclose_closes_connections_and_fails_waiters(raw_server: Starter) -> None:
    server = await raw_server(KeepAlive(hello, delay=0.2))
    transport = PooledTransport(max_connections=2, max_per_host=2, connect_timeout=5)
    http = httpx.AsyncClient(transport=transport)
    await asyncio.gather(*(http.get(server.url(f"/{i}")) for i in range(2)))  # two idle now
    busy = [asyncio.create_task(http.get(server.url(f"/busy{i}"))) for i in range(2)]
    await asyncio.sleep(0.01)
    queued = [asyncio.create_task(http.get(server.url(f"/q{i}"))) for i in range(2)]
    await asyncio.sleep(0.05)
    await http.aclose()
    for task in busy:
        with pytest.raises(httpx.ReadError, match="closed before the answer"):
            await task
    for task in queued:
        with pytest.raises(httpx.ConnectError, match="closed"):
            await task
    await asyncio.sleep(0.4)  # the server notices only after its 0.2 s delay
    assert server.open == 0
    with pytest.raises(httpx.ConnectError, match="closed"):
        await transport.handle_async_request(httpx.Request("GET", server.url()))


# -- TLS and imports ------------------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    yield cert, key


async def test_https(certificate: tuple[Path, Path], raw_server: Starter) -> None:
    cert, key = certificate
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    server = await raw_server(KeepAlive(hello), tls=server_side)
    url = server.url("/secure", scheme="https")
    async with client() as http:  # the default context does not trust a self-signed one
        with pytest.raises(httpx.ConnectError) as caught:
            await http.get(url)
    verify = [e for e in chain(caught.value) if isinstance(e, ssl.SSLCertVerificationError)]
    assert verify and re.search("self.signed", verify[0].verify_message)
    trusting = ssl.create_default_context(cafile=str(cert))
    async with client(ssl_context=trusting) as http:
        for _ in range(3):
            assert (await http.get(url)).content == b"GET /secure"
    # The refused handshake never reached the handler; one connection served all three.
    assert server.connections == 1
