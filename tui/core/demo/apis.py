"""The offline demo's web APIs: Mastodon instances, Bluesky's AppView and Hacker News,
answered from ``config/demo/apis/*.json`` in each API's documented shapes.

The files (written by ``tools/demo/api_accounts.py``) give each post's age in minutes and
the ``final`` counts it grows towards. At a moment ``now`` a post was created at ``now - age``
and each count is ``final × (1 - e^(-age/τ))`` (τ: 18 hours for Mastodon and Bluesky, 6 for
Hacker News); an account's followers grow by a number a week from a fixed date. Everything
is a function of the date, so a refresh later in the day, or the next, sees counts that
moved, and the same moment always gives the same answer.

Shapes (see the adapters, tui/core/sources/, for the pages cited):
Mastodon ``/api/v1/accounts/lookup``, ``/api/v1/accounts/:id``,
``/api/v1/accounts/:id/statuses`` (``limit`` ≤ 40, ``max_id``, ``since_id``, ``Link``);
Bluesky ``app.bsky.actor.getProfile`` and ``app.bsky.feed.getAuthorFeed`` (``cursor``);
Algolia ``search_by_date`` (``tags``, ``numericFilters``, ``page``, ``hitsPerPage``) and the
official ``/v0/{list}.json`` and ``/v0/item/ID.json``.

``seed_history`` writes the weeks of snapshots a practitioner who had refreshed weekly would
have, so "My output" shows a history at the first start; the refreshes then add to it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import httpx

from tui.core.config import ApiSettings

if TYPE_CHECKING:
    from tui.core.storage.store import Store

DEMO_APIS = ApiSettings(
    bluesky="https://public.api.bsky.example",
    hackernews_algolia="https://hn.algolia.example/api/v1",
    hackernews="https://hacker-news.firebaseio.example/v0",
    github="https://api.github.example",
    github_web="https://github.example",
    youtube="https://www.youtube.example",
    lobsters="https://lobste.rs.example",
)
"""Where the demo's APIs are: reserved .example hosts, answered by DemoTransport only."""

GROWTH_FROM = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""Followers grow by so many a week from this date."""
TAU_HOURS = {"mastodon": 18.0, "bluesky": 18.0, "hn": 6.0}
SEED_WEEKS = 12
"""Weeks of snapshots ``seed_history`` writes."""
BSKY_WEB = "https://bsky.example"
HN_WEB = "https://news.ycombinator.example"


def grown(final: int, age_minutes: float, tau_hours: float) -> int:
    """A count ``age_minutes`` after posting: most of it comes in the first day or two."""
    if age_minutes <= 0:
        return 0
    return round(final * (1.0 - math.exp(-age_minutes / 60.0 / tau_hours)))


def followers_at(account: dict[str, Any], now: dt.datetime) -> int:
    base, per_week = account["followers"]
    weeks = (now - GROWTH_FROM).total_seconds() / (7 * 86400)
    return max(0, round(float(base) + float(per_week) * weeks))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def live_minute() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def day_of(moment: dt.datetime) -> dt.datetime:
    """Midnight (UTC) of ``moment``'s day: the demo's posts are placed before it."""
    return moment.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class DemoApis:
    """Every demo API account, and the answers at the moment ``clock`` gives.

    A post of age ``age`` (minutes, in the files) was created at ``day - age``; its counts
    are those of its real age at the moment asked, so they grow through the day (the demo's
    store is made afresh each day, with a new ``day``).
    """

    day: dt.datetime
    folder: Path
    clock: Callable[[], dt.datetime] = live_minute
    mastodon: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    bluesky: dict[str, dict[str, Any]] = field(default_factory=dict)
    hn_users: dict[str, dict[str, Any]] = field(default_factory=dict)
    hn_lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    now: dt.datetime = field(init=False)
    """The moment being answered for (``clock()`` at each request)."""

    def __post_init__(self) -> None:
        self.now = self.clock()
        for data in _load(self.folder):
            kind = data["kind"]
            if kind == "mastodon":
                self.mastodon[(data["host"], data["user"])] = data
            elif kind == "bluesky":
                self.bluesky[data["handle"]] = data
                self.bluesky[data["did"]] = data
            elif kind == "hn-user":
                self.hn_users[data["user"]] = data
            elif kind == "hn-list":
                self.hn_lists[data["list"]] = data

    def _created(self, age: int) -> dt.datetime:
        return self.day - dt.timedelta(minutes=age)

    def _age(self, age: int) -> float:
        """A post's real age in minutes at the moment answered for."""
        return (self.now - self._created(age)).total_seconds() / 60

    # -- routing ------------------------------------------------------------------------

    def answer(self, request: httpx.Request) -> httpx.Response | None:
        """The answer to ``request``, or None when no demo API is at that address."""
        self.now = self.clock()
        url = request.url
        host, path = url.host, url.path
        query = {k: v[-1] for k, v in parse_qs(url.query.decode("ascii")).items()}
        if path.startswith("/api/v1/accounts/") and any(h == host for h, _ in self.mastodon):
            return self._mastodon(request, host, path, query)
        if f"https://{host}" == DEMO_APIS.bluesky and path.startswith("/xrpc/"):
            return self._bluesky(request, path, query)
        if DEMO_APIS.hackernews_algolia.startswith(f"https://{host}/"):
            return self._algolia(request, path, query)
        if DEMO_APIS.hackernews.startswith(f"https://{host}/"):
            return self._firebase(request, path)
        return None

    # -- Mastodon -------------------------------------------------------------------------

    def _account(self, data: dict[str, Any]) -> dict[str, Any]:
        host = data["host"]
        statuses = data["statuses"]
        newest = min((s["age"] for s in statuses), default=None)
        return {
            "id": data["id"],
            "username": data["user"],
            "acct": data["user"],
            "display_name": data["display_name"],
            "locked": False,
            "bot": False,
            "created_at": "2022-11-03T00:00:00.000Z",
            "note": data["note"],
            "url": f"https://{host}/@{data['user']}",
            "avatar": f"https://files.{host}/accounts/avatars/{data['user']}.png",
            "followers_count": followers_at(data, self.now),
            "following_count": data["following"],
            "statuses_count": data["statuses_base"] + len(statuses),
            "last_status_at": self._created(newest).date().isoformat()
            if newest is not None
            else None,
            "emojis": [],
            "fields": [],
        }

    def _status(self, data: dict[str, Any], status: dict[str, Any]) -> dict[str, Any]:
        host, user = data["host"], data["user"]
        tau = TAU_HOURS["mastodon"]
        final = status["final"]
        age = self._age(status["age"])
        return {
            "id": status["id"],
            "created_at": _iso(self._created(status["age"])),
            "in_reply_to_id": status["reply_to"],
            "in_reply_to_account_id": "1" if status["reply_to"] else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": "en",
            "uri": f"https://{host}/users/{user}/statuses/{status['id']}",
            "url": f"https://{host}/@{user}/{status['id']}",
            "replies_count": grown(final["replies"], age, tau),
            "reblogs_count": grown(final["reblogs"], age, tau),
            "favourites_count": grown(final["favourites"], age, tau),
            "quotes_count": grown(final["quotes"], age, tau),
            "edited_at": None,
            "content": status["html"],
            "reblog": None,
            "account": self._account(data),
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }

    def _mastodon(
        self, request: httpx.Request, host: str, path: str, query: dict[str, str]
    ) -> httpx.Response:
        by_id = {d["id"]: d for (h, _), d in self.mastodon.items() if h == host}
        parts = path.split("/")  # ["", "api", "v1", "accounts", ID, "statuses"]
        if path == "/api/v1/accounts/lookup":
            data = self.mastodon.get((host, query.get("acct", "").split("@")[0]))
            if data is None:
                return _json(request, {"error": "Record not found"}, 404)
            return _json(request, self._account(data))
        data = by_id.get(parts[4]) if len(parts) > 4 else None
        if data is None:
            return _json(request, {"error": "Record not found"}, 404)
        if len(parts) == 5:
            return _json(request, self._account(data))
        if len(parts) != 6 or parts[5] != "statuses":
            return _json(request, {"error": "Record not found"}, 404)
        limit = max(1, min(int(query.get("limit", "20") or 20), 40))
        found = list(data["statuses"])
        if "max_id" in query:
            found = [s for s in found if int(s["id"]) < int(query["max_id"])]
        if "since_id" in query:
            found = [s for s in found if int(s["id"]) > int(query["since_id"])]
        page = found[:limit]
        headers = {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "299",
            "X-RateLimit-Reset": _iso(self.now + dt.timedelta(minutes=5)),
        }
        base = f"https://{host}{path}"
        links = []
        if len(found) > limit:
            links.append(
                f'<{base}?exclude_reblogs=true&limit={limit}&max_id={page[-1]["id"]}>; rel="next"'
            )
        if page:
            links.append(f'<{base}?min_id={page[0]["id"]}>; rel="prev"')
        if links:
            headers["Link"] = ", ".join(links)
        return _json(request, [self._status(data, s) for s in page], headers=headers)

    # -- Bluesky --------------------------------------------------------------------------

    def _author(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"did": data["did"], "handle": data["handle"], "displayName": data["display_name"]}

    def _bluesky(self, request: httpx.Request, path: str, query: dict[str, str]) -> httpx.Response:
        data = self.bluesky.get(query.get("actor", ""))
        if data is None:
            return _json(request, {"error": "InvalidRequest", "message": "Profile not found"}, 400)
        posts = data["posts"]
        if path == "/xrpc/app.bsky.actor.getProfile":
            return _json(
                request,
                {
                    **self._author(data),
                    "description": data["description"],
                    "followersCount": followers_at(data, self.now),
                    "followsCount": data["follows"],
                    "postsCount": data["posts_base"] + len(posts),
                },
            )
        if path != "/xrpc/app.bsky.feed.getAuthorFeed":
            return _json(
                request, {"error": "MethodNotImplemented", "message": "no such method"}, 501
            )
        limit = max(1, min(int(query.get("limit", "50") or 50), 100))
        start = int(query.get("cursor", "0") or 0)
        tau = TAU_HOURS["bluesky"]
        feed = []
        for post in posts[start : start + limit]:
            created = _iso(self._created(post["age"]))
            age = self._age(post["age"])
            final = post["final"]
            feed.append(
                {
                    "post": {
                        "uri": f"at://{data['did']}/app.bsky.feed.post/{post['rkey']}",
                        "cid": "bafyrei" + post["rkey"].lower().ljust(52, "a")[:52],
                        "author": self._author(data),
                        "record": {
                            "$type": "app.bsky.feed.post",
                            "text": post["text"],
                            "createdAt": created,
                            "langs": ["en"],
                        },
                        "replyCount": grown(final["replies"], age, tau),
                        "repostCount": grown(final["reposts"], age, tau),
                        "likeCount": grown(final["likes"], age, tau),
                        "quoteCount": grown(final["quotes"], age, tau),
                        "indexedAt": created,
                        "labels": [],
                    }
                }
            )
        body: dict[str, Any] = {"feed": feed}
        if start + limit < len(posts):
            body["cursor"] = str(start + limit)
        return _json(request, body)

    # -- Hacker News ----------------------------------------------------------------------

    def _algolia(self, request: httpx.Request, path: str, query: dict[str, str]) -> httpx.Response:
        if not path.endswith("/search_by_date"):
            return _json(request, {"message": "Not Found", "status": 404}, 404)
        tags = query.get("tags", "").split(",")
        author = next((t.removeprefix("author_") for t in tags if t.startswith("author_")), "")
        data = self.hn_users.get(author)
        stories = (data or {}).get("stories", [])
        since = 0
        for condition in query.get("numericFilters", "").split(","):
            if condition.startswith("created_at_i>"):
                since = int(condition.removeprefix("created_at_i>") or 0)
        tau = TAU_HOURS["hn"]
        hits = []
        for story in stories:
            created = self._created(story["age"])
            age = self._age(story["age"])
            if int(created.timestamp()) <= since:
                continue
            hits.append(
                {
                    "created_at": _iso(created),
                    "created_at_i": int(created.timestamp()),
                    "title": story["title"],
                    "url": story["url"],
                    "author": author,
                    "points": grown(story["final"]["points"], age, tau),
                    "story_text": None,
                    "num_comments": grown(story["final"]["comments"], age, tau),
                    "story_id": story["id"],
                    "objectID": str(story["id"]),
                    "_tags": ["story", f"author_{author}", f"story_{story['id']}"],
                }
            )
        per_page = max(1, min(int(query.get("hitsPerPage", "20") or 20), 1000))
        page = int(query.get("page", "0") or 0)
        pages = (len(hits) + per_page - 1) // per_page
        return _json(
            request,
            {
                "hits": hits[page * per_page : (page + 1) * per_page],
                "nbHits": len(hits),
                "page": page,
                "nbPages": pages,
                "hitsPerPage": per_page,
                "exhaustiveNbHits": True,
                "query": "",
            },
        )

    def _firebase(self, request: httpx.Request, path: str) -> httpx.Response:
        name = path.rsplit("/", 1)[-1].removesuffix(".json")
        if name in self.hn_lists:
            return _json(request, [item["id"] for item in self.hn_lists[name]["items"]])
        if path.rsplit("/", 2)[-2] == "item" and name.isdigit():
            for data in (*self.hn_lists.values(), *self.hn_users.values()):
                for item in data.get("items", data.get("stories", [])):
                    if item["id"] == int(name):
                        return _json(request, self._hn_item(item, data.get("user", item.get("by"))))
        return _json(request, None)  # the official API answers null for what it lacks

    def _hn_item(self, item: dict[str, Any], by: str) -> dict[str, Any]:
        tau = TAU_HOURS["hn"]
        created = self._created(item["age"])
        age = self._age(item["age"])
        return {
            "by": by,
            "descendants": grown(item["final"]["comments"], age, tau),
            "id": item["id"],
            "kids": [],
            "score": grown(item["final"]["points"], age, tau),
            "time": int(created.timestamp()),
            "title": item["title"],
            "type": "story",
            "url": item["url"],
        }


@functools.cache
def _load_cached(folder: str) -> tuple[dict[str, Any], ...]:
    found = []
    for path in sorted(Path(folder).glob("*.json")):
        found.append(json.loads(path.read_text(encoding="utf-8")))
    return tuple(found)


def _load(folder: Path) -> tuple[dict[str, Any], ...]:
    return _load_cached(str(folder)) if folder.is_dir() else ()


def _json(
    request: httpx.Request, value: Any, status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return httpx.Response(status, headers=all_headers, content=body, request=request)


# -- the history a newcomer finds ------------------------------------------------------------


def seed_history(
    store: Store, day: dt.datetime, now: dt.datetime, folder: Path, sources: dict[str, str]
) -> int:
    """Write ``SEED_WEEKS`` weekly snapshots of the own accounts' counts and followers before
    ``now``, as refreshes then would have stored them (the same guids the adapters use).
    ``day`` places the posts as DemoApis does; ``sources`` maps each own API source's
    address to its api. Returns the snapshots written."""
    from tui.core.sources.base import AccountFigures, Counts
    from tui.core.storage.store import Engagement

    apis = DemoApis(day, folder, lambda: now)
    written = 0
    for url, api in sources.items():
        for week in range(SEED_WEEKS, 0, -1):
            when = now - dt.timedelta(weeks=week)
            # A post's age then, in minutes: its age in the file, plus the day so far, less
            # the weeks gone back.
            shift = week * 7 * 24 * 60 - (now - day).total_seconds() / 60
            posts: dict[str, Counts] = {}
            account: AccountFigures | None = None
            if api == "mastodon":
                found = next(
                    (d for (h, u), d in apis.mastodon.items() if url == f"https://{h}/@{u}"), None
                )
                if found is None:
                    continue
                tau = TAU_HOURS["mastodon"]
                for status in found["statuses"]:
                    age = status["age"] - shift
                    if 0 < age <= 90 * 24 * 60:
                        final = status["final"]
                        guid = f"https://{found['host']}/@{found['user']}/{status['id']}"
                        posts[guid] = Counts(
                            replies=grown(final["replies"], age, tau),
                            reposts=grown(final["reblogs"], age, tau),
                            likes=grown(final["favourites"], age, tau),
                            quotes=grown(final["quotes"], age, tau),
                        )
                older = sum(1 for s in found["statuses"] if s["age"] - shift > 0)
                account = AccountFigures(
                    followers=followers_at(found, when),
                    following=found["following"],
                    posts=found["statuses_base"] + older,
                )
            elif api == "bluesky":
                handle = url.rsplit("/", 1)[-1]
                found = apis.bluesky.get(handle)
                if found is None:
                    continue
                tau = TAU_HOURS["bluesky"]
                for post in found["posts"]:
                    age = post["age"] - shift
                    if 0 < age <= 90 * 24 * 60:
                        final = post["final"]
                        guid = f"at://{found['did']}/app.bsky.feed.post/{post['rkey']}"
                        posts[guid] = Counts(
                            replies=grown(final["replies"], age, tau),
                            reposts=grown(final["reposts"], age, tau),
                            likes=grown(final["likes"], age, tau),
                            quotes=grown(final["quotes"], age, tau),
                        )
                older = sum(1 for p in found["posts"] if p["age"] - shift > 0)
                account = AccountFigures(
                    followers=followers_at(found, when),
                    following=found["follows"],
                    posts=found["posts_base"] + older,
                )
            elif api == "hackernews":
                user = parse_qs(url.split("?", 1)[-1]).get("id", [""])[0]
                found = apis.hn_users.get(user)
                if found is None:
                    continue
                tau = TAU_HOURS["hn"]
                web = url.split("/user?", 1)[0]
                for story in found["stories"]:
                    age = story["age"] - shift
                    if 0 < age <= 90 * 24 * 60:
                        final = story["final"]
                        posts[f"{web}/item?id={story['id']}"] = Counts(
                            points=grown(final["points"], age, tau),
                            comments=grown(final["comments"], age, tau),
                        )
            if posts or account is not None:
                store.add_engagement(url, Engagement(posts, account), when)
                written += 1
    return written
