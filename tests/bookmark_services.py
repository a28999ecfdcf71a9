"""linkding and Pinboard on loopback, answering as their documentation says.

Neither can be installed from Debian, so these servers keep a small collection and answer
with the documented shapes:

* linkding: docs/API.md in github.com/sissbruecker/linkding ("Bookmarks": List, List
  Archived, Check, Create, Delete): ``Authorization: Token <token>``; lists are
  ``{count, next, previous, results}`` pages of ``limit`` (default 100) from ``offset``,
  filtered by ``modified_since``; POST of an URL it has updates that bookmark.
* Pinboard: the v1 API page, https://pinboard.in/api/ ("posts/update", "posts/add",
  "posts/delete", "posts/all"; "Rate Limits"): ``auth_token=user:TOKEN``, ``format=json``;
  ``{"update_time": …}``, ``{"result_code": "done"}``, a list of posts with ``href``,
  ``description``, ``extended``, ``tags`` (space-separated), ``time``, ``shared``,
  ``toread``; ``replace=yes`` replaces the URL's bookmark; 401 for a wrong token, 429
  when called too often.

Each server can be made to fail on purpose: ``down`` answers (503 with Retry-After, a 429)
for the next requests, and ``slow`` holds the answer of a write after doing it, so the
client times out mid-push.

Use through the fixtures, with ``pytest_plugins = ["httpserver", "bookmark_services"]``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.httpserver import Answer, Seen, TestServer

TOKEN = "s3cret-token"


def _stamp(when: dt.datetime) -> str:
    return str(when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


@dataclass
class Faults:
    """Answers to give instead of the real one, in order, then behave."""

    down: list[Answer] = field(default_factory=list)
    slow: float = 0.0
    """Seconds to hold the answer of the next write, once it has been done."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_fault(self) -> Answer | None:
        with self.lock:
            return self.down.pop(0) if self.down else None

    def take_slow(self) -> float:
        with self.lock:
            slow, self.slow = self.slow, 0.0
            return slow


class FakeLinkding:
    """A linkding with a collection of bookmarks by id."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.bookmarks: dict[int, dict[str, Any]] = {}
        self.next_id = 1
        self.faults = Faults()
        self.clock = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        self.lock = threading.Lock()
        server.handle("/api/bookmarks/", self._collection)
        server.handle("/api/bookmarks/archived/", self._collection)
        server.handle("/api/bookmarks/check/", self._check)

    @property
    def url(self) -> str:
        return self.server.url("/")

    def _tick(self) -> dt.datetime:
        self.clock += dt.timedelta(seconds=1)
        return self.clock

    def add(self, url: str, title: str = "", archived: bool = False, **more: Any) -> int:
        """Add a bookmark on the server's side (as its web UI would)."""
        with self.lock:
            bookmark_id = self.next_id
            self.next_id += 1
            now = self._tick()
            self.bookmarks[bookmark_id] = {
                "id": bookmark_id,
                "url": url,
                "title": title,
                "description": "",
                "notes": "",
                "is_archived": archived,
                "unread": False,
                "shared": False,
                "tag_names": [],
                "date_added": _stamp(now),
                "date_modified": _stamp(now),
                **more,
            }
            self.server.handle(f"/api/bookmarks/{bookmark_id}/", self._one)
            return bookmark_id

    def urls(self) -> list[str]:
        with self.lock:
            return sorted(b["url"] for b in self.bookmarks.values())

    def by_url(self, url: str) -> dict[str, Any] | None:
        with self.lock:
            return next((b for b in self.bookmarks.values() if b["url"] == url), None)

    def _guard(self, seen: Seen) -> Answer | None:
        fault = self.faults.next_fault()
        if fault is not None:
            return fault
        if seen.headers.get("authorization") != f"Token {TOKEN}":
            return Answer.json({"detail": "Invalid token."}, 401)
        return None

    def _collection(self, seen: Seen) -> Answer:
        refused = self._guard(seen)
        if refused is not None:
            return refused
        if seen.method == "POST":
            return self._create(seen)
        query = seen.query
        archived = seen.route_path.endswith("/archived/")
        limit = int(query.get("limit", ["100"])[0])
        offset = int(query.get("offset", ["0"])[0])
        since = query.get("modified_since", [""])[0]
        with self.lock:
            rows = [b for b in self.bookmarks.values() if b["is_archived"] == archived]
        if since:
            when = dt.datetime.fromisoformat(since.replace("Z", "+00:00"))
            rows = [
                b
                for b in rows
                if dt.datetime.fromisoformat(b["date_modified"].replace("Z", "+00:00")) > when
            ]
        rows.sort(key=lambda b: b["date_added"], reverse=True)
        page = rows[offset : offset + limit]
        more = offset + limit < len(rows)
        base = seen.route_path
        return Answer.json(
            {
                "count": len(rows),
                "next": f"http://127.0.0.1:{self.server.port}{base}?limit={limit}"
                f"&offset={offset + limit}"
                if more
                else None,
                "previous": None,
                "results": page,
            }
        )

    def _create(self, seen: Seen) -> Answer:
        data = seen.json()
        assert isinstance(data, dict)
        url = data["url"]
        existing = self.by_url(url)
        bookmark_id = self.add(url) if existing is None else existing["id"]
        with self.lock:
            bookmark = self.bookmarks[bookmark_id]
            for key in ("title", "description", "notes", "unread", "shared", "is_archived"):
                if key in data:
                    bookmark[key] = data[key]
            if "tag_names" in data:
                bookmark["tag_names"] = list(data["tag_names"])
            bookmark["date_modified"] = _stamp(self._tick())
            answer = dict(bookmark)
        slow = self.faults.take_slow()
        if slow:
            time.sleep(slow)  # done, but the answer comes too late for the client
        return Answer.json(answer, 201)

    def _check(self, seen: Seen) -> Answer:
        refused = self._guard(seen)
        if refused is not None:
            return refused
        url = seen.query.get("url", [""])[0]
        return Answer.json({"bookmark": self.by_url(url), "metadata": {}, "auto_tags": []})

    def _one(self, seen: Seen) -> Answer:
        refused = self._guard(seen)
        if refused is not None:
            return refused
        bookmark_id = int(seen.route_path.strip("/").split("/")[-1])
        with self.lock:
            if bookmark_id not in self.bookmarks:
                return Answer.json({"detail": "Not found."}, 404)
            if seen.method == "DELETE":
                del self.bookmarks[bookmark_id]
                return Answer(204)
            return Answer.json(self.bookmarks[bookmark_id])


class FakePinboard:
    """Pinboard's v1 API for the user "ana"."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.posts: dict[str, dict[str, str]] = {}
        self.update_time = "2026-01-01T00:00:00Z"
        self.faults = Faults()
        self.calls: list[tuple[float, str]] = []
        self.all_calls = 0
        self.lock = threading.Lock()
        for method in ("posts/update", "posts/add", "posts/delete", "posts/all"):
            server.handle(f"/v1/{method}", self._answer)

    @property
    def url(self) -> str:
        return self.server.url("/v1/")

    def add(self, url: str, title: str, tags: str = "", shared: str = "yes") -> None:
        with self.lock:
            self.posts[url] = {
                "href": url,
                "description": title,
                "extended": "",
                "meta": "0",
                "hash": str(abs(hash(url))),
                "time": "2026-01-01T00:00:00Z",
                "shared": shared,
                "toread": "no",
                "tags": tags,
            }
            self.update_time = f"2026-01-01T00:{len(self.posts):02d}:00Z"

    def _answer(self, seen: Seen) -> Answer:
        method = seen.route_path.removeprefix("/v1/")
        with self.lock:
            self.calls.append((time.monotonic(), method))
        fault = self.faults.next_fault()
        if fault is not None:
            return fault
        query = {key: values[0] for key, values in parse_qs(seen.path.split("?", 1)[1]).items()}
        if query.get("auth_token") != f"ana:{TOKEN}":
            return Answer(401, b"401 Forbidden", {"Content-Type": "text/plain"})
        if query.get("format") != "json":
            return Answer(200, b"<?xml version='1.0'?><result code='done'/>")
        if method == "posts/update":
            return Answer.json({"update_time": self.update_time})
        if method == "posts/all":
            with self.lock:
                self.all_calls += 1
                return Answer.json(list(self.posts.values()))
        if method == "posts/delete":
            with self.lock:
                gone = self.posts.pop(query.get("url", ""), None)
            return Answer.json({"result_code": "done" if gone else "item not found"})
        url = query.get("url", "")
        if not url:
            return Answer.json({"result_code": "missing url"})
        if url in self.posts and query.get("replace") == "no":
            return Answer.json({"result_code": "item already exists"})
        self.add(url, query.get("description", ""), query.get("tags", ""))
        with self.lock:
            post = self.posts[url]
            post["extended"] = query.get("extended", "")
            post["toread"] = query.get("toread", "no")
            if "shared" in query:
                post["shared"] = query["shared"]
        slow = self.faults.take_slow()
        if slow:
            time.sleep(slow)
        return Answer.json({"result_code": "done"})


@pytest.fixture
def linkding(http_server: TestServer) -> Iterator[FakeLinkding]:
    yield FakeLinkding(http_server)


@pytest.fixture
def pinboard(http_server: TestServer) -> Iterator[FakePinboard]:
    yield FakePinboard(http_server)
