"""A real HTTP/1.1 server on 127.0.0.1 for the fetch and refresh tests.

It runs in a thread (independent of the event loop under test) and serves programmable
routes: status, headers, body, gzip, delay, redirects, ETag/Last-Modified with 304s,
Retry-After, a gzip bomb made on the fly, an endless slow body, and answers held until
released. It counts requests in flight per Host header, so a test can check limits.

Use it through the ``http_server`` fixture::

    pytest_plugins = ["httpserver"]

    def test_x(http_server: TestServer) -> None:
        http_server.route("/feed", body=b"...", etag='"v1"')
"""

from __future__ import annotations

import gzip
import socket
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


def gzip_bomb(total: int = 1 << 30, block: int = 1 << 20) -> Iterator[bytes]:
    """A gzip stream of ``total`` zero bytes, about 1/1000 of that on the wire.

    After a full flush deflate starts afresh, so compressing the same block again gives the
    same bytes: one block is compressed once and sent ``total // block`` times. The trailer's
    CRC is only computed as far as the reader actually reads.
    """
    zeros = bytes(block)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    yield GZIP_HEADER
    crc = 0
    for _ in range(total // block):
        yield piece
        crc = zlib.crc32(zeros, crc)
    yield compressor.flush(zlib.Z_FINISH)
    yield struct.pack("<II", crc, total & 0xFFFFFFFF)


def rss(title: str = "Feed", items: int = 3, prefix: str = "item") -> bytes:
    """A small valid RSS 2.0 document with ``items`` entries."""
    entries = "".join(
        f"<item><title>{prefix} {i}</title><link>https://example.com/{prefix}/{i}</link>"
        f"<guid>https://example.com/{prefix}/{i}</guid>"
        f"<pubDate>Mon, 0{1 + i % 9} Jan 2024 10:00:00 GMT</pubDate>"
        f"<description>Text of {prefix} {i}.</description></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.com/</link>"
        f"<description>d</description>{entries}</channel></rss>"
    ).encode()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/rss+xml"
    gzip: bool = False
    """Send the body gzip-compressed, with Content-Encoding: gzip."""
    etag: str = ""
    """Sent as ETag; a matching If-None-Match gets a 304."""
    last_modified: str = ""
    """Sent as Last-Modified; an equal If-Modified-Since gets a 304."""
    delay: float = 0.0
    """Seconds to wait before answering."""
    hold: threading.Event | None = None
    """Answer only once this is set (or after 5 s, so a failing test cannot hang)."""
    stream: Callable[[], Iterator[bytes]] | None = None
    """A body sent chunk by chunk without Content-Length, then the connection closes."""
    chunk_delay: float = 0.0
    """Seconds between chunks of ``stream``."""
    handler: Callable[[Seen], Answer] | None = None
    """Answers computed per request (an API's documented behaviour); the other fields are
    then unused. Called in the server's thread."""


@dataclass
class Answer:
    """What a ``Route.handler`` sends back."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: object, status: int = 200, **headers: str) -> Answer:
        import json

        body = json.dumps(value).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json", **headers})


@dataclass
class Seen:
    path: str
    """The request target as sent: the path with its query."""
    headers: dict[str, str]
    client_port: int
    """The client's port: two requests with the same one came over one connection."""
    method: str = "GET"
    body: bytes = b""

    @property
    def route_path(self) -> str:
        return self.path.split("?", 1)[0]

    @property
    def query(self) -> dict[str, list[str]]:
        from urllib.parse import parse_qs, urlsplit

        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    def json(self) -> object:
        import json

        return json.loads(self.body or b"null")


class TestServer:
    """The server; ``url(path)`` gives the address of a route."""

    __test__ = False  # not a test class, whatever its name

    # The helpers, reachable from the fixture, so test modules need not import this one
    # (a plain import before pytest registers it as a plugin defeats assertion rewriting).
    rss = staticmethod(rss)
    gzip_bomb = staticmethod(gzip_bomb)

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.max_total = 0
        self._total = 0
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, **kwargs: object) -> Route:
        route = Route(**kwargs)  # type: ignore[arg-type]
        self.routes[path] = route
        return route

    def redirect(self, path: str, to: str, status: int = 302) -> Route:
        return self.route(path, status=status, headers={"Location": to}, content_type="text/html")

    def handle(self, path: str, handler: Callable[[Seen], Answer]) -> Route:
        """Answer every method on ``path`` (with any query) by calling ``handler``."""
        return self.route(path, handler=handler)

    def hits(self, path: str) -> list[Seen]:
        """Requests for ``path``: exactly, or, for a path without a query, with any query."""
        with self._lock:
            return [
                seen
                for seen in self.requests
                if seen.path == path or ("?" not in path and seen.route_path == path)
            ]

    def close(self) -> None:
        self.stopping.set()
        for route in self.routes.values():
            if route.hold is not None:
                route.hold.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- called from handler threads -------------------------------------------------------

    def _enter(self, host: str, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)
            count = self.in_flight.get(host, 0) + 1
            self.in_flight[host] = count
            self.max_in_flight[host] = max(self.max_in_flight.get(host, 0), count)
            self._total += 1
            self.max_total = max(self.max_total, self._total)

    def _leave(self, host: str) -> None:
        with self._lock:
            self.in_flight[host] -= 1
            self._total -= 1


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up (the tests' timeouts and size caps do it on purpose) is normal.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is exercised
    server_state: TestServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every answer on a reused connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet

    def do_GET(self) -> None:
        state = self.server_state
        path = self.path
        host = self.headers.get("Host", "")
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(path, headers, self.client_address[1], self.command, body)
        state._enter(host, seen)
        route = state.routes.get(path) or state.routes.get(seen.route_path)
        try:
            if route is not None and route.handler is not None:
                answer = route.handler(seen)
                self._send(answer.status, answer.headers, answer.body)
            else:
                self._answer(state, route)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            state._leave(host)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _answer(self, state: TestServer, route: Route | None) -> None:
        if route is None:
            self._send(404, {"Content-Type": "text/plain"}, b"no such route")
            return
        if route.hold is not None:
            route.hold.wait(5)
        if route.delay:
            time.sleep(route.delay)
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
        ):
            self._send(304, {k: v for k, v in headers.items() if k != "Content-Type"}, b"")
            return
        if route.stream is not None:
            self._stream(state, route, headers)
            return
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(route.status, headers, body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, state: TestServer, route: Route, headers: dict[str, str]) -> None:
        assert route.stream is not None
        self.send_response(route.status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for chunk in route.stream():
            if state.stopping.is_set():
                return
            self.wfile.write(chunk)
            self.wfile.flush()
            if route.chunk_delay:
                time.sleep(route.chunk_delay)


@pytest.fixture
def http_server() -> Iterator[TestServer]:
    server = TestServer()
    try:
        yield server
    finally:
        server.close()
