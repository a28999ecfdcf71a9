"""Miniflux, from its API reference (https://miniflux.app/docs/api.html; the page's source is
content/docs/api.md in github.com/miniflux/website): ``X-Auth-Token`` or HTTP Basic; every
error ``{"error_message": "…"}`` (401 "access unauthorized", 404 "resource not found",
400 for a bad request, as internal/http/response/json.go in github.com/miniflux/v2 writes
them); ``GET /v1/feeds``; ``POST /v1/feeds`` → 201 ``{"feed_id": n}`` (400 "This feed
already exists." the second time); ``DELETE /v1/feeds/{id}``; ``GET /v1/entries`` and
``GET /v1/feeds/{id}/entries`` with ``status`` (repeatable), ``starred``, ``order``,
``direction``, ``limit`` (at most 1,000: model.MaxEntryLimit), ``offset``,
``after_entry_id``, ``before_entry_id``, ``changed_after``, ``published_after`` →
``{"total": n, "entries": […]}``; ``GET /v1/entries/{id}``; ``GET /v1/entries/ids`` with
``status``, ``starred``, ``limit`` (at most 10,000), ``offset`` → ``{"total",
"entry_ids"}``; ``PUT /v1/entries {"entry_ids", "status", "starred"}`` → 204 (each change
sets ``changed_at``, as internal/storage/entry.go does); ``PUT /v1/feeds/{id}/mark-all-as-read``
→ 204; ``PUT /v1/entries/{id}/bookmark`` (a toggle); ``PUT /v1/enclosures/{id}``
``{"media_progression"}`` → 204. An entry has the documented fields plus ``changed_at``
(the Entry model's JSON, internal/model/entry.go).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import time
from collections.abc import Callable
from typing import Any

from tests.fakeserver import (
    Call,
    Entry,
    Feed,
    LoopbackServer,
    Reply,
    json_reply,
    rfc3339,
    text_reply,
)


class MinifluxServer(LoopbackServer):
    """Miniflux's API v1, for one user."""

    def __init__(self, token: str = "mf-token", user: str = "ana", password: str = "pw") -> None:
        self.token = token
        self.user = user
        self.password = password
        self._entry_ids = itertools.count(1)
        self._category_ids: dict[str, int] = {}
        self.has_ids_endpoint = True
        super().__init__()

    def next_entry_id(self, at: float) -> int:
        return next(self._entry_ids)

    def _error(self, message: str, status: int = 400) -> Reply:
        return json_reply({"error_message": message}, status)

    def _authorised(self, call: Call) -> bool:
        if call.headers.get("x-auth-token") == self.token:
            return True
        header = call.headers.get("authorization", "")
        if header.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return False
            return user == self.user and password == self.password
        return False

    def feed_json(self, feed: Feed) -> dict[str, Any]:
        category_id = self._category_ids.setdefault(feed.category, len(self._category_ids) + 1)
        return {
            "id": feed.id,
            "user_id": 1,
            "title": feed.title,
            "site_url": feed.site_url,
            "feed_url": feed.url,
            "checked_at": rfc3339(time.time()),
            "parsing_error_message": "",
            "parsing_error_count": 0,
            "disabled": False,
            "category": {"id": category_id, "user_id": 1, "title": feed.category},
            "icon": None,
        }

    def entry_json(self, entry: Entry) -> dict[str, Any]:
        feed = self.feeds.get(entry.feed_id)
        return {
            "id": entry.id,
            "user_id": 1,
            "feed_id": entry.feed_id,
            "title": entry.title,
            "url": entry.url,
            "comments_url": "",
            "author": entry.author,
            "content": entry.content,
            "hash": hashlib.sha256(entry.url.encode()).hexdigest(),
            "published_at": rfc3339(entry.published),
            "created_at": rfc3339(entry.created),
            "changed_at": rfc3339(entry.changed),
            "status": "read" if entry.read else "unread",
            "share_code": "",
            "starred": entry.starred,
            "reading_time": 1,
            "enclosures": [
                {
                    "id": enc["id"],
                    "user_id": 1,
                    "entry_id": entry.id,
                    "url": enc["url"],
                    "mime_type": enc["mime_type"],
                    "size": 0,
                    "media_progression": entry.progression,
                }
                for enc in entry.enclosures
            ]
            or None,
            "feed": self.feed_json(feed) if feed else None,
            "tags": [],
        }

    def answer(self, call: Call) -> Reply:
        if not self._authorised(call):
            return self._error("access unauthorized", 401)
        path, method = call.path, call.method
        if path == "/v1/feeds" and method == "GET":
            return json_reply([self.feed_json(f) for f in self.feeds.values()])
        if path == "/v1/feeds" and method == "POST":
            return self._create_feed(call)
        if match := re.fullmatch(r"/v1/feeds/(\d+)", path):
            feed_id = int(match.group(1))
            if method == "DELETE":
                if feed_id not in self.feeds:
                    return self._error("resource not found", 404)
                del self.feeds[feed_id]
                self.entries = {k: e for k, e in self.entries.items() if e.feed_id != feed_id}
                return 204, {}, b""
        if match := re.fullmatch(r"/v1/feeds/(\d+)/entries", path):
            feed_id = int(match.group(1))
            if feed_id not in self.feeds:
                return self._error("invalid feed ID")
            return self._find(call, feed_id)
        if match := re.fullmatch(r"/v1/feeds/(\d+)/mark-all-as-read", path):
            feed_id = int(match.group(1))
            if feed_id not in self.feeds:
                return self._error("resource not found", 404)
            now = time.time()
            for entry in self.entries.values():
                if entry.feed_id == feed_id and not entry.read:
                    entry.read, entry.changed = True, now
            return 204, {}, b""
        if path == "/v1/entries" and method == "GET":
            return self._find(call, 0)
        if path == "/v1/entries" and method == "PUT":
            return self._update_entries(call)
        if path == "/v1/entries/ids" and method == "GET" and self.has_ids_endpoint:
            return self._ids(call)
        if match := re.fullmatch(r"/v1/entries/(\d+)", path):
            found = self.entries.get(int(match.group(1)))
            if found is None:
                return self._error("resource not found", 404)
            return json_reply(self.entry_json(found))
        if match := re.fullmatch(r"/v1/entries/(\d+)/bookmark", path):
            toggled = self.entries.get(int(match.group(1)))
            if toggled is None:
                return self._error("resource not found", 404)
            toggled.starred, toggled.changed = not toggled.starred, time.time()
            return 204, {}, b""
        if match := re.fullmatch(r"/v1/enclosures/(\d+)", path):
            wanted = int(match.group(1))
            for entry in self.entries.values():
                if any(enc["id"] == wanted for enc in entry.enclosures):
                    entry.progression = int(call.json().get("media_progression", 0))
                    return 204, {}, b""
            return self._error("resource not found", 404)
        return text_reply("404 page not found", 404)

    def _create_feed(self, call: Call) -> Reply:
        try:
            body = call.json()
        except ValueError as exc:
            return self._error(str(exc))
        url = body.get("feed_url") if isinstance(body, dict) else None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return self._error("The feed URL is not valid")
        if any(f.url == url for f in self.feeds.values()):
            return self._error("This feed already exists.")
        feed = self.add_feed(url, url.rsplit("/", 1)[-1] or url)
        return json_reply({"feed_id": feed.id}, 201)

    def _matching(self, call: Call, feed_id: int) -> tuple[list[Entry], Reply | None]:
        q = call.query

        def one(name: str) -> str | None:
            return q[name][0] if name in q else None

        statuses = q.get("status", [])
        if any(s not in ("read", "unread", "removed") for s in statuses):
            return [], self._error("Invalid entry status")
        found = [e for e in self.entries.values() if not feed_id or e.feed_id == feed_id]
        if statuses:
            found = [e for e in found if ("read" if e.read else "unread") in statuses]
        starred = one("starred")
        if starred is not None:
            found = [e for e in found if e.starred == (starred in ("1", "true"))]
        tests: tuple[tuple[str, Callable[[Entry, int], bool]], ...] = (
            ("after_entry_id", lambda e, v: e.id > v),
            ("before_entry_id", lambda e, v: e.id < v),
            ("changed_after", lambda e, v: e.changed > v),
            ("changed_before", lambda e, v: e.changed < v),
            ("published_after", lambda e, v: e.published > v),
            ("published_before", lambda e, v: e.published < v),
            ("after", lambda e, v: e.published > v),
            ("before", lambda e, v: e.published < v),
        )
        for name, test in tests:
            value = one(name)
            if value is not None:
                found = [e for e in found if test(e, int(value))]
        return found, None

    def _find(self, call: Call, feed_id: int) -> Reply:
        found, error = self._matching(call, feed_id)
        if error:
            return error
        q = call.query
        order = q.get("order", ["published_at"])[0]
        direction = q.get("direction", ["asc"])[0]
        if order not in ("id", "status", "published_at", "category_title", "category_id"):
            return self._error(f'Invalid entry order: "{order}"')
        if direction not in ("asc", "desc"):
            return self._error(f'Invalid entry direction: "{direction}"')
        limit = int(q.get("limit", ["100"])[0])
        offset = int(q.get("offset", ["0"])[0])
        if limit < 0 or offset < 0 or limit > 1000:
            return self._error("Offset and limit must be between 0 and 1000")
        key = (lambda e: e.id) if order == "id" else (lambda e: (e.published, e.id))
        found.sort(key=key, reverse=direction == "desc")
        page = found[offset : offset + limit]
        return json_reply({"total": len(found), "entries": [self.entry_json(e) for e in page]})

    def _ids(self, call: Call) -> Reply:
        found, error = self._matching(call, 0)
        if error:
            return error
        limit = int(call.query.get("limit", ["10000"])[0])
        offset = int(call.query.get("offset", ["0"])[0])
        if limit > 10_000 or limit < 0:
            return self._error("The limit must be between 0 and 10000")
        ids = sorted((e.id for e in found), reverse=True)
        return json_reply({"total": len(ids), "entry_ids": ids[offset : offset + limit]})

    def _update_entries(self, call: Call) -> Reply:
        try:
            body = call.json()
        except ValueError as exc:
            return self._error(str(exc))
        ids = body.get("entry_ids") if isinstance(body, dict) else None
        if not ids:
            return self._error("The list of entries cannot be empty")
        status, starred = body.get("status"), body.get("starred")
        if status is None and starred is None:
            return self._error("Either the status or the starred field is required")
        if status is not None and status not in ("read", "unread", "removed"):
            return self._error("Invalid entry status")
        now = time.time()
        for entry_id in ids:
            entry = self.entries.get(entry_id)
            if entry is None:
                continue
            if status is not None:
                entry.read = status != "unread"
            if starred is not None:
                entry.starred = bool(starred)
            entry.changed = now
        return 204, {}, b""
