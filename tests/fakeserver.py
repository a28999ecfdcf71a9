"""A loopback HTTP server for the sync tests (tests/fake_miniflux.py, tests/fake_freshrss.py
build on it): on 127.0.0.1 only, restartable on the same port, holding one account's feeds
and entries.

Faults for the tests: ``down()`` / ``up()`` (the port closed, then open again), ``fail()``
(a status for the next matching requests, optionally after letting some through), and
``lose_answer()`` (the change is made, then the connection closes before any answer: the
client cannot know, and sends it again).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Call:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Fault:
    method: str
    prefix: str
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    after: int = 0
    """Let this many matching requests through first."""
    lose_answer: bool = False
    """Do the request, then close the connection without answering."""
    hold: threading.Event | None = None
    """Wait (up to 20 s) until this is set before doing the request at all."""
    hits: int = 0

    def matches(self, call: Call) -> bool:
        return (self.method in ("*", call.method)) and call.path.startswith(self.prefix)


@dataclass
class Entry:
    id: int
    feed_id: int
    url: str
    title: str
    content: str = ""
    author: str = ""
    published: float = 0.0
    created: float = 0.0
    changed: float = 0.0
    read: bool = False
    starred: bool = False
    labels: set[str] = field(default_factory=set)
    enclosures: list[dict[str, Any]] = field(default_factory=list)
    progression: int = 0


@dataclass
class Feed:
    id: int
    url: str
    title: str
    site_url: str = "https://site.example/"
    category: str = "All"


class LoopbackServer:
    """An HTTP/1.1 server on 127.0.0.1 that can go down and come back on the same port."""

    __test__ = False

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.feeds: dict[int, Feed] = {}
        self.entries: dict[int, Entry] = {}
        self._feed_ids = itertools.count(1)
        self.port = 0
        self._httpd: ThreadingHTTPServer | None = None
        self.connections: set[socket.socket] = set()
        self.up()

    # -- running ------------------------------------------------------------------------

    def up(self) -> None:
        handler = type("Handler", (_Handler,), {"server_state": self})
        httpd = _Server(("127.0.0.1", self.port), handler)
        httpd.daemon_threads = True
        self.port = httpd.server_address[1]
        self._httpd = httpd
        threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True).start()

    def down(self) -> None:
        """Stop answering: the port is closed, so a connection is refused, and the
        connections clients keep alive are cut, as a server that goes away cuts them."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        with self.lock:
            open_ones, self.connections = list(self.connections), set()
        for connection in open_ones:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.down()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def fail(
        self,
        method: str,
        prefix: str,
        status: int = 500,
        *,
        times: int = 1,
        after: int = 0,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Fault:
        fault = Fault(method, prefix, status, body, headers or {}, times, after)
        with self.lock:
            self.faults.append(fault)
        return fault

    def lose_answer(self, method: str, prefix: str, *, times: int = 1) -> Fault:
        fault = Fault(method, prefix, times=times, lose_answer=True)
        with self.lock:
            self.faults.append(fault)
        return fault

    def seen(self, method: str, prefix: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method and c.path.startswith(prefix)]

    # -- the data -----------------------------------------------------------------------

    def add_feed(self, url: str, title: str = "", category: str = "All") -> Feed:
        with self.lock:
            feed = Feed(next(self._feed_ids), url, title or url, category=category)
            self.feeds[feed.id] = feed
            return feed

    def next_entry_id(self, at: float) -> int:
        """The id of an entry stored at ``at`` (seconds since the epoch)."""
        raise NotImplementedError

    def add_entries(
        self,
        feed: Feed,
        count: int,
        *,
        prefix: str = "post",
        read: bool = False,
        starred: bool = False,
        audio: bool = False,
        age: float = 0.0,
    ) -> list[Entry]:
        """``count`` articles in ``feed``, oldest first, each with a link of its own, stored
        ``age`` seconds ago."""
        made = []
        with self.lock:
            for n in range(count):
                now = time.time() - age
                entry = Entry(
                    self.next_entry_id(now),
                    feed.id,
                    f"{feed.url.rstrip('/')}/{prefix}/{n}",
                    f"{prefix} {n} of {feed.title}",
                    f"<p>Text of {prefix} {n}.</p>",
                    "Ana",
                    published=now - (count - n) * 60,
                    created=now,
                    changed=now,
                    read=read,
                    starred=starred,
                )
                if audio:
                    entry.enclosures = [
                        {"id": entry.id * 10, "url": f"{entry.url}.mp3", "mime_type": "audio/mpeg"}
                    ]
                self.entries[entry.id] = entry
                made.append(entry)
        return made

    def set_state(self, entry_id: int, *, touch: bool = True, **states: bool) -> None:
        """Change an entry as another client would; ``touch=False`` leaves its change time
        alone, as a change a delta cannot see (a clock that went back, a restored backup)."""
        with self.lock:
            entry = self.entries[entry_id]
            for name, value in states.items():
                setattr(entry, name, value)
            if touch:
                entry.changed = time.time()

    def unread_ids(self) -> set[int]:
        with self.lock:
            return {e.id for e in self.entries.values() if not e.read}

    def starred_ids(self) -> set[int]:
        with self.lock:
            return {e.id for e in self.entries.values() if e.starred}

    # -- answering ----------------------------------------------------------------------

    def answer(self, call: Call) -> Reply:
        raise NotImplementedError

    def hold(self, method: str, prefix: str) -> threading.Event:
        """Requests that match wait until the event returned is set: a client can be killed
        while its request is in flight."""
        event = threading.Event()
        with self.lock:
            self.faults.append(Fault(method, prefix, times=1 << 30, hold=event))
        return event

    def _serve(self, call: Call) -> Reply | None:
        """The reply, or None to drop the connection without one."""
        with self.lock:
            self.calls.append(call)
            chosen = None
            for fault in self.faults:
                if fault.times <= 0 or not fault.matches(call):
                    continue
                fault.hits += 1
                if fault.hits <= fault.after:
                    continue
                fault.times -= 1
                chosen = fault
                break
        if chosen is not None and chosen.hold is not None:
            chosen.hold.wait(20)
            chosen = None
        with self.lock:
            if chosen is None:
                return self.answer(call)
            if chosen.lose_answer:
                self.answer(call)
                return None
            return chosen.status, {"Content-Type": "text/plain", **chosen.headers}, chosen.body


def json_reply(value: Any, status: int = 200) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(value).encode()


def text_reply(text: str, status: int = 200, **headers: str) -> Reply:
    return status, {"Content-Type": "text/plain; charset=UTF-8", **headers}, text.encode()


def rfc3339(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat().replace("+00:00", "Z")


# -- the HTTP plumbing -----------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up, or down() cutting a kept-alive connection, is normal here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_state: LoopbackServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server_state.lock:
            self.server_state.connections.add(self.connection)

    def finish(self) -> None:
        with self.server_state.lock:
            self.server_state.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        call = Call(
            self.command,
            parts.path,
            parse_qs(parts.query, keep_blank_values=True),
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        try:
            reply = self.server_state._serve(call)
        except Exception as exc:  # a bug in the fake: say so, as a 500
            reply = 500, {"Content-Type": "text/plain"}, f"fake server: {exc!r}".encode()
        if reply is None:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, headers, payload = reply
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Date", formatdate(usegmt=True))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_PUT = do_DELETE = do_GET

    def send_response(self, code: int, message: str | None = None) -> None:
        # BaseHTTPRequestHandler adds its own Date header; ours is the one sent.
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", "loopback")
