"""FreshRSS, from docs/en/developers/06_GoogleReader_API.md and p/api/greader.php in
github.com/FreshRSS/FreshRSS (the recommended "seven requests" are in FreshRSS issue 2566):
``accounts/ClientLogin`` (``Email``, ``Passwd``) → ``SID=…/LSID=null/Auth=…`` as text,
401 ``Unauthorized!`` with ``Google-Bad-Token: true`` for a wrong password (or, with
``google_errors``, 403 ``Error=BadAuthentication`` as Google's ClientLogin documented it:
https://web.archive.org/web/20130604091042/http://undoc.in/clientLogin.html, which
greader.php cites); ``Authorization: GoogleLogin auth=user/hash``; ``reader/api/0/token``
(57 characters); ``tag/list``, ``subscription/list`` and ``unread-count`` need
``output=json`` (else 501 ``Not Implemented!``); ``stream/contents/<stream>`` with ``n``
(default 20), ``r=o``, ``ot`` (items stored since: FreshRSS compares the entry id, its
crawl time in µs), ``xt``, ``it``, ``c`` (the continuation is the last item's id; the next
page starts after it); ``stream/items/ids`` needs ``s``; ``stream/items/contents`` takes
``i=`` by POST; ``edit-tag``, ``mark-all-as-read`` (``ts`` must be digits) need ``T``;
``subscription/quickadd``, ``subscription/edit`` (``ac=unsubscribe``). Item ids are
``tag:google.com,2005:reader/item/<16 hex>`` in contents and decimal in id lists; every
answer greader.php cannot place is 400 ``Bad Request!``: a stream FreshRSS does not serve
(``stream/contents/user/-/state/com.google/read``), ``stream/items/ids`` without ``s``,
``stream`` alone. (A ``stream/contents`` naming no stream at all is read as the reading
list there, for EasyRSS and FeedMe: greader.php's comment says so, and so does this.)
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from tests.fakeserver import Call, Entry, LoopbackServer, Reply, json_reply, text_reply

READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
UNREAD = "user/-/state/com.google/unread"
LABEL = "user/-/label/"


class FreshRSSServer(LoopbackServer):
    """FreshRSS's Google Reader API (greader.php), for one user."""

    BASE = "/api/greader.php"

    def __init__(self, user: str = "alice", password: str = "api-pass", **options: Any) -> None:
        self.user = user
        self.password = password
        self.salt = "salt-1"
        self.google_errors = bool(options.get("google_errors"))
        self._unique = itertools.count()
        super().__init__()

    def next_entry_id(self, at: float) -> int:
        # FreshRSS's entry ids are the time each was stored, in microseconds (kept unique).
        return int(at * 1_000_000) + next(self._unique)

    def api_url(self) -> str:
        return self.url(self.BASE)

    def revoke(self) -> None:
        """Every Auth and write token given so far stops working (a new API password hash
        on the server); logging in again with the same password gives new ones."""
        with self.lock:
            self.salt += "+"

    def _auth(self) -> str:
        return f"{self.user}/" + hashlib.sha1(f"{self.salt}{self.user}".encode()).hexdigest()

    def _token(self) -> str:
        return hashlib.sha1(f"{self.salt}{self.user}t".encode()).hexdigest().ljust(57, "Z")

    def answer(self, call: Call) -> Reply:
        path = unquote(call.path)
        if not path.startswith(self.BASE):
            return text_reply("Not Found", 404)
        path = path[len(self.BASE) :]
        if path == "" and not call.query:
            return text_reply("OK")
        parts = path.split("/")
        if len(parts) < 3:
            return _bad()
        if parts[1] == "accounts":
            return self._login(call, parts)
        header = call.headers.get("authorization", "")
        if not header.startswith("GoogleLogin auth="):
            return _unauthorised()
        if header[len("GoogleLogin auth=") :] != self._auth():
            return _unauthorised()
        if len(parts) < 5 or parts[1:4] != ["reader", "api", "0"]:
            return _bad()
        form = call.form() if call.method == "POST" else {}
        what = parts[4]
        if what == "stream":
            return self._stream(call, parts)
        listing = what in ("tag", "unread-count") or parts[4:6] == ["subscription", "list"]
        if listing and call.query.get("output", [""])[0] != "json":
            return text_reply("Not Implemented!", 501)
        if what == "tag" and parts[5:6] == ["list"]:
            return self._tag_list()
        if what == "subscription" and parts[5:6] == ["list"]:
            return self._subscriptions()
        if what == "subscription" and parts[5:6] == ["quickadd"]:
            return self._quickadd(form)
        if what == "subscription" and parts[5:6] == ["edit"]:
            return self._edit_subscription(form)
        if what == "unread-count":
            return self._unread_count()
        if what == "token":
            return text_reply(self._token() + "\n")
        if what in ("edit-tag", "mark-all-as-read"):
            if form.get("T", [""])[0].strip() != self._token():
                return _unauthorised()
            if what == "edit-tag":
                return self._edit_tag(form)
            return self._mark_all(form)
        return _bad()

    def _login(self, call: Call, parts: list[str]) -> Reply:
        values = {**call.query, **(call.form() if call.method == "POST" else {})}
        if parts[2] != "ClientLogin" or "Email" not in values or "Passwd" not in values:
            return _bad()
        if values["Email"][0] != self.user:
            return _bad()
        if values["Passwd"][0] != self.password:
            if self.google_errors:
                return text_reply("Error=BadAuthentication\n", 403)
            return _unauthorised()
        auth = self._auth()
        return text_reply(f"SID={auth}\nLSID=null\nAuth={auth}\n")

    # -- reading --

    def _tag_list(self) -> Reply:
        tags: list[dict[str, Any]] = [{"id": STARRED}]
        for category in sorted({f.category for f in self.feeds.values()}):
            tags.append({"id": LABEL + category, "type": "folder"})
        for label in sorted({label for e in self.entries.values() for label in e.labels}):
            unread = sum(1 for e in self.entries.values() if label in e.labels and not e.read)
            tags.append({"id": LABEL + label, "type": "tag", "unread_count": unread})
        return json_reply({"tags": tags})

    def _subscriptions(self) -> Reply:
        return json_reply(
            {
                "subscriptions": [
                    {
                        "id": f"feed/{f.id}",
                        "title": f.title,
                        "categories": [{"id": LABEL + f.category, "label": f.category}],
                        "url": f.url,
                        "htmlUrl": f.site_url,
                        "iconUrl": self.url(f"/f.php?{f.id}"),
                    }
                    for f in self.feeds.values()
                ]
            }
        )

    def _unread_count(self) -> Reply:
        counts: list[dict[str, Any]] = []
        newest_all = 0
        for feed in self.feeds.values():
            mine = [e for e in self.entries.values() if e.feed_id == feed.id]
            newest = max((e.id for e in mine), default=0)
            newest_all = max(newest_all, newest)
            counts.append(
                {
                    "id": f"feed/{feed.id}",
                    "count": sum(not e.read for e in mine),
                    "newestItemTimestampUsec": str(newest),
                }
            )
        total = sum(not e.read for e in self.entries.values())
        counts.append(
            {"id": READING_LIST, "count": total, "newestItemTimestampUsec": str(newest_all)}
        )
        return json_reply({"max": total, "unreadcounts": counts})

    def item_json(self, entry: Entry) -> dict[str, Any]:
        feed = self.feeds.get(entry.feed_id)
        categories = [READING_LIST]
        if feed is not None:
            categories.append(LABEL + feed.category)
        if entry.read:
            categories.append(READ)
        if entry.starred:
            categories.append(STARRED)
        categories += [LABEL + label for label in sorted(entry.labels)]
        item: dict[str, Any] = {
            "id": f"tag:google.com,2005:reader/item/{entry.id:016x}",
            "crawlTimeMsec": str(entry.id)[:-3],
            "timestampUsec": str(entry.id),
            "published": int(entry.published),
            "title": entry.title,
            "canonical": [{"href": entry.url}],
            "alternate": [{"href": entry.url}],
            "categories": categories,
            "origin": {
                "streamId": f"feed/{entry.feed_id}",
                "htmlUrl": feed.site_url if feed else "",
                "title": feed.title if feed else "",
            },
            "summary": {"content": entry.content},
        }
        if entry.author:
            item["author"] = entry.author
        if entry.enclosures:
            item["enclosure"] = [
                {"href": enc["url"], "type": enc["mime_type"]} for enc in entry.enclosures
            ]
        return item

    def _filtered(
        self, kind: str, target: str, call: Call
    ) -> list[Entry]:  # streamContentsFilters + listWhere
        q = call.query
        found = list(self.entries.values())
        if kind == "s":
            found = [e for e in found if e.starred]
        elif kind == "f":
            found = [e for e in found if str(e.feed_id) == target]
        elif kind == "c":
            found = [
                e
                for e in found
                if target in e.labels
                or (self.feeds.get(e.feed_id) and self.feeds[e.feed_id].category == target)
            ]
        include = q.get("it", [""])[0]
        exclude = q.get("xt", [""])[0]
        tests: dict[str, Callable[[Entry], bool]] = {
            READ: lambda e: e.read,
            UNREAD: lambda e: not e.read,
            STARRED: lambda e: e.starred,
        }
        if include in tests:
            found = [e for e in found if tests[include](e)]
        if exclude in tests:
            found = [e for e in found if not tests[exclude](e)]
        since = q.get("ot", [""])[0]
        if since.isdigit() and int(since):
            found = [e for e in found if e.id >= int(since) * 1_000_000]
        until = q.get("nt", [""])[0]
        if until.isdigit() and int(until):
            found = [e for e in found if e.id <= int(until) * 1_000_000]
        ascending = q.get("r", ["d"])[0] == "o"
        found.sort(key=lambda e: e.id, reverse=not ascending)
        return found

    def _page(self, found: list[Entry], call: Call) -> tuple[list[Entry], str]:
        count = int(q[0]) if (q := call.query.get("n")) and q[0].isdigit() else 20
        continuation = call.query.get("c", [""])[0].strip()
        ascending = call.query.get("r", ["d"])[0] == "o"
        if continuation.isdigit():
            # FreshRSS asks for one more from the continuation id on, then drops it.
            first = int(continuation)
            found = [e for e in found if (e.id >= first if ascending else e.id <= first)]
            page = found[: count + 1][1:]
        else:
            page = found[:count]
        more = str(page[-1].id) if len(page) >= count and page else ""
        return page, more

    def _stream(self, call: Call, parts: list[str]) -> Reply:
        if parts[5:6] == ["contents"]:
            rest = parts[6:]
            if not rest and "s" in call.query:
                rest = call.query["s"][0].split("/")
            if len(rest) >= 2 and rest[0] == "feed":
                kind, target = "f", rest[1]
            elif len(rest) >= 5 and rest[0] == "user" and rest[2] == "state":
                if rest[3] != "com.google" or rest[4] not in ("reading-list", "starred"):
                    return _bad()
                kind, target = ("s" if rest[4] == "starred" else "A"), ""
            elif len(rest) >= 4 and rest[0] == "user" and rest[2] == "label":
                kind, target = "c", rest[3]
            elif len(rest) >= 2 and rest[0] == "user":
                return _bad()
            else:  # EasyRSS, FeedMe: the reading list
                kind, target = "A", ""
            page, more = self._page(self._filtered(kind, target, call), call)
            answer: dict[str, Any] = {
                "id": READING_LIST,
                "updated": int(time.time()),
                "items": [self.item_json(e) for e in page],
            }
            if more:
                answer["continuation"] = more
            return json_reply(answer)
        if parts[5:7] == ["items", "ids"] and "s" in call.query:
            stream = call.query["s"][0]
            if stream == READING_LIST:
                kind, target = "A", ""
            elif stream == STARRED:
                kind, target = "s", ""
            elif stream.startswith("feed/"):
                kind, target = "f", stream[5:]
            elif stream.startswith(LABEL):
                kind, target = "c", stream[len(LABEL) :]
            else:
                kind, target = "A", ""
            page, more = self._page(self._filtered(kind, target, call), call)
            ids: dict[str, Any] = {"itemRefs": [{"id": str(e.id)} for e in page]}
            if more:
                ids["continuation"] = more
            return json_reply(ids)
        if parts[5:7] == ["items", "contents"] and call.method == "POST":
            wanted = [_decimal(i) for i in call.form().get("i", [])]
            found = [self.entries[i] for i in wanted if i in self.entries]
            found.sort(key=lambda e: e.id, reverse=True)
            return json_reply(
                {
                    "id": READING_LIST,
                    "updated": int(time.time()),
                    "items": [self.item_json(e) for e in found],
                }
            )
        return _bad()

    # -- writing --

    def _edit_tag(self, form: dict[str, list[str]]) -> Reply:
        ids = [_decimal(i) for i in form.get("i", [])]
        add, remove = form.get("a", [""])[0], form.get("r", [""])[0]
        now = time.time()
        for entry_id in ids:
            entry = self.entries.get(entry_id)
            if entry is None:
                continue
            for tag, value in ((add, True), (remove, False)):
                if tag == READ:
                    entry.read = value
                elif tag == STARRED:
                    entry.starred = value
                elif tag.startswith(LABEL):
                    name = tag[len(LABEL) :]
                    if value:
                        entry.labels.add(name)
                    else:
                        entry.labels.discard(name)
            entry.changed = now
        return text_reply("OK")

    def _mark_all(self, form: dict[str, list[str]]) -> Reply:
        stream = form.get("s", [""])[0].strip()
        stamp = form.get("ts", ["0"])[0].strip()
        if not stamp.isdigit():
            return _bad()
        upto = int(stamp) if int(stamp) else int(time.time() * 1_000_000)
        if stream.startswith("feed/"):
            feed = stream[5:]
            if not feed.isdigit():
                return _bad()
            chosen = [e for e in self.entries.values() if str(e.feed_id) == feed]
        elif stream == READING_LIST:
            chosen = list(self.entries.values())
        else:
            return _bad()
        for entry in chosen:
            if entry.id <= upto:
                entry.read = True
        return text_reply("OK")

    def _quickadd(self, form: dict[str, list[str]]) -> Reply:
        url = form.get("quickadd", [""])[0]
        if url.startswith("feed/"):
            url = url[5:]
        if any(f.url == url for f in self.feeds.values()):
            return json_reply({"numResults": 0, "error": "Feed already subscribed!"})
        if not url.startswith(("http://", "https://")):
            return json_reply({"numResults": 0, "error": "Invalid URL"})
        feed = self.add_feed(url, url.rsplit("/", 1)[-1] or url, category="Uncategorized")
        return json_reply(
            {"numResults": 1, "query": url, "streamId": f"feed/{feed.id}", "streamName": feed.title}
        )

    def _edit_subscription(self, form: dict[str, list[str]]) -> Reply:
        action = form.get("ac", [""])[0]
        if action not in ("subscribe", "unsubscribe", "edit"):
            return _bad()
        for stream in form.get("s", []):
            if not stream.startswith("feed/"):
                continue
            target = stream[5:]
            if action == "unsubscribe":
                if not target.isdigit() or int(target) not in self.feeds:
                    return _bad()
                del self.feeds[int(target)]
                self.entries = {k: e for k, e in self.entries.items() if str(e.feed_id) != target}
        return text_reply("OK")


def _decimal(value: str) -> int:
    if value.isdigit() and not value.startswith("0"):
        return int(value)
    return int(value.rsplit("/", 1)[-1], 16)


def _bad() -> Reply:
    return text_reply("Bad Request!", 400)


def _unauthorised() -> Reply:
    return text_reply("Unauthorized!", 401, **{"Google-Bad-Token": "true"})
