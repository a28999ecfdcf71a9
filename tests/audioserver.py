"""A real HTTP/1.1 server on 127.0.0.1 that serves podcast audio the ways servers do:
with and without Range support, cut off mid-body, an HTML error page with status 200,
a Content-Length that lies, a Content-Range that starts elsewhere, a compressed body,
and slowly (so a test can kill a download half way).

Use it through the ``audio_server`` fixture::

    pytest_plugins = ["audioserver"]

    def test_x(audio_server: AudioServer) -> None:
        url = audio_server.add("/ep.mp3", body=b"...", ranges=False)
"""

from __future__ import annotations

import random
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

_RANGE = re.compile(r"^bytes=(\d+)-$")


def audio_bytes(size: int, seed: int = 1) -> bytes:
    """``size`` bytes that look like an MP3 (an ID3 tag first), the rest random."""
    body = random.Random(seed).randbytes(size)
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + body[10:]


@dataclass
class Audio:
    body: bytes
    content_type: str = "audio/mpeg"
    ranges: bool = True
    """Honour ``Range: bytes=N-`` with 206 and Content-Range; else always send it all."""
    cut_after: int | None = None
    """Close the connection after sending this many body bytes (Content-Length stays true)."""
    cuts: int = 1
    """How many answers are cut (``cut_after``); later ones are whole."""
    claimed_length: int | None = None
    """A Content-Length to send instead of the real one (a lie)."""
    range_start: int | None = None
    """Answer a Range request with a Content-Range starting here instead (a wrong one)."""
    headers: dict[str, str] = field(default_factory=dict)
    rate: int | None = None
    """Bytes per second at most (sent in 8 KB pieces)."""
    status: int = 200


@dataclass
class Request:
    path: str
    range: str | None
    headers: dict[str, str]


class AudioServer:
    __test__ = False

    audio_bytes = staticmethod(audio_bytes)

    def __init__(self) -> None:
        self.routes: dict[str, Audio] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes, **options: object) -> str:
        self.routes[path] = Audio(body, **options)  # type: ignore[arg-type]
        return self.url(path)

    def page(self, path: str, body: bytes, content_type: str = "application/rss+xml") -> str:
        """A plain document (a feed) at ``path``."""
        return self.add(path, body, content_type=content_type, ranges=False)

    def seen(self, path: str) -> list[Request]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_state: AudioServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        state = self.server_state
        path = self.path.split("?", 1)[0]
        wanted = self.headers.get("Range")
        with state._lock:
            state.requests.append(Request(path, wanted, dict(self.headers.items())))
            earlier = sum(1 for r in state.requests if r.path == path) - 1
        audio = state.routes.get(path)
        self.close_connection = True
        try:
            if audio is None:
                self._whole(404, {"Content-Type": "text/plain"}, b"no such file")
                return
            self._serve(state, audio, wanted, earlier)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _serve(self, state: AudioServer, audio: Audio, wanted: str | None, earlier: int) -> None:
        body = audio.body
        status = audio.status
        headers = {"Content-Type": audio.content_type, **audio.headers}
        if audio.ranges:
            headers["Accept-Ranges"] = "bytes"
        match = _RANGE.match(wanted or "")
        start = 0
        if match and audio.ranges and status == 200:
            start = int(match.group(1))
            if start >= len(body):
                self._whole(416, {"Content-Range": f"bytes */{len(body)}"}, b"")
                return
            if audio.range_start is not None:
                start = audio.range_start
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
        part = body[start:]
        length = audio.claimed_length if audio.claimed_length is not None else len(part)
        headers["Content-Length"] = str(length)
        headers["Connection"] = "close"
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        cut = audio.cut_after if audio.cut_after is not None and earlier < audio.cuts else None
        if cut is not None:
            part = part[:cut]
        self._send_body(state, part, audio.rate)
        if cut is not None:
            # An abrupt close (RST), as a dropped connection looks to the client.
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )

    def _send_body(self, state: AudioServer, part: bytes, rate: int | None) -> None:
        piece = 8192
        for offset in range(0, len(part), piece):
            if state.stopping.is_set():
                return
            self.wfile.write(part[offset : offset + piece])
            if rate:
                self.wfile.flush()
                time.sleep(piece / rate)
        self.wfile.flush()

    def _whole(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def audio_server() -> Iterator[AudioServer]:
    server = AudioServer()
    try:
        yield server
    finally:
        server.close()
