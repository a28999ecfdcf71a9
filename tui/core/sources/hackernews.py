"""Hacker News: a user's stories, and the front page, best, newest, Ask and Show lists.

Addresses: ``https://news.ycombinator.com/user?id=NAME`` (or ``/submitted?id=NAME``), and
``https://news.ycombinator.com/`` (``/news``), ``/best``, ``/newest``, ``/ask``, ``/show``.

A user's stories come from the HN Search API by Algolia (https://hn.algolia.com/api,
``[apis] hackernews_algolia``): ``GET /search_by_date?tags=story,author_NAME
&numericFilters=created_at_i>T&hitsPerPage=100&page=P``, newest first, paged by ``page``
up to ``nbPages``; a query gives 1,000 hits at most. Each hit has ``objectID``, ``title``,
``url``, ``story_text``, ``created_at_i``, ``points`` and ``num_comments``. Your own account
(``mine``) reads back to ``[apis] recent_days`` at every refresh for the counts; a followed
one asks only for stories newer than the newest seen.

The lists come from the official API (https://github.com/HackerNews/API, ``[apis]
hackernews``, "There is currently no rate limit"): ``/topstories.json`` (and
``beststories``, ``newstories``, ``askstories``, ``showstories``) give up to 500 ids; the
first 30 (a front page) are read with ``/item/ID.json`` (``title``, ``url``, ``by``,
``time``, ``text``, ``score``, ``descendants``), only those not read before: a list of
10,000 ids still costs at most 31 calls.

Counts per story: ``points`` and ``comments`` (Algolia's ``points``/``num_comments``, the
official ``score``/``descendants``). Hacker News has no followers to count.
"""

from __future__ import annotations

import asyncio
import html
import re
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from tui.core.models import ParsedFeed, ParsedItem
from tui.core.sources.base import (
    AdapterContext,
    AdapterResult,
    Counts,
    Recognised,
    register,
)
from tui.core.sources.common import (
    Calls,
    count_of,
    dump_cursor,
    list_of,
    load_cursor,
    make_item,
    parse_time,
    recent_cutoff,
    text_of,
    web_address_on,
    web_link,
)

if TYPE_CHECKING:
    from tui.core.models import Source, SourceState

HOST = "news.ycombinator.com"
PAGE = 100
"""Algolia hits per page."""
FRONT_PAGE = 30
"""Items of a list read: what its page on the site shows."""
SEEN = 300
"""Ids of a list's items remembered, so each is read once."""

LISTS = {
    "/": ("topstories", "front page"),
    "/news": ("topstories", "front page"),
    "/best": ("beststories", "best"),
    "/newest": ("newstories", "newest"),
    "/ask": ("askstories", "Ask HN"),
    "/show": ("showstories", "Show HN"),
}
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def what_of(url: str) -> tuple[str, str, str] | None:
    """(web site, "user" or a list's name, user name or list label) of a stored address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    web = f"{parts.scheme}://{parts.netloc}"
    path = parts.path or "/"
    if path in ("/user", "/submitted"):
        name = (parse_qs(parts.query).get("id") or [""])[0]
        return (web, "user", name) if _NAME.match(name) else None
    if path in LISTS:
        endpoint, label = LISTS[path]
        return web, endpoint, label
    return None


class HackerNews:
    """Hacker News: a user's stories by Algolia's search, the lists by the official API."""

    api: ClassVar[str] = "hackernews"
    label: ClassVar[str] = "Hacker News API"

    def recognise(self, address: str) -> Recognised | None:
        parts = web_address_on(address, (HOST,))
        if parts is None:
            return None
        found = what_of(f"https://{HOST}{parts.path}?{parts.query}")
        if found is None:
            return None
        _, kind, name = found
        if kind == "user":
            return Recognised(
                self.api, f"https://{HOST}/user?id={name}", f"{self.label} ({name}'s stories)"
            )
        path = parts.path.rstrip("/") or "/"
        path = "/" if path == "/news" else path
        return Recognised(self.api, f"https://{HOST}{path}", f"{self.label} ({name})")

    async def refresh(
        self, source: Source, state: SourceState, context: AdapterContext
    ) -> AdapterResult:
        found = what_of(source.url)
        if found is None:
            return AdapterResult(
                error="not a Hacker News address (news.ycombinator.com/user?id=NAME, /best…)"
            )
        web, kind, name = found
        cursor = load_cursor(state.cursor)
        calls = Calls(context)
        if kind == "user":
            return await self._user(web, name, source.mine, cursor, calls, context)
        return await self._list(web, kind, name, cursor, calls, context)

    async def _user(
        self,
        web: str,
        name: str,
        mine: bool,
        cursor: dict[str, Any],
        calls: Calls,
        context: AdapterContext,
    ) -> AdapterResult:
        base = context.settings.apis.hackernews_algolia
        since = int(recent_cutoff(context).timestamp())
        newest = cursor.get("newest")
        if not mine and isinstance(newest, int) and newest > since:
            since = newest
        hits: list[Any] = []
        problem, status, retry_after = "", None, None
        most = PAGE * context.settings.apis.max_pages
        for page in range(context.settings.apis.max_pages):
            reply = await calls.get(
                f"{base}/search_by_date",
                {
                    "tags": f"story,author_{name}",
                    "numericFilters": f"created_at_i>{since}",
                    "hitsPerPage": PAGE,
                    "page": page,
                },
            )
            status = reply.status
            if not reply.ok:
                problem, retry_after = (
                    f"searching {name}'s stories: {reply.error}",
                    reply.retry_after,
                )
                break
            if not isinstance(reply.data, dict) or not isinstance(reply.data.get("hits"), list):
                problem = "the search's answer has no list of hits"
                break
            found = [hit for hit in list_of(reply.data, "hits") if isinstance(hit, dict)]
            hits.extend(found[: most - len(hits)])
            pages = count_of(reply.data, "nbPages") or 0
            if not found or page + 1 >= pages or len(hits) >= most:
                break
        if problem and not hits:
            return AdapterResult(
                error=problem, http_status=status, retry_after=retry_after or calls.parked_until
            )
        items: list[ParsedItem] = []
        counts: dict[str, Counts] = {}
        for hit in hits:
            item = _item(
                web,
                text_of(hit, "objectID"),
                text_of(hit, "title"),
                text_of(hit, "url"),
                text_of(hit, "author"),
                text_of(hit, "story_text"),
                hit.get("created_at_i"),
            )
            if item is None:
                continue
            items.append(item)
            counts[item.guid] = Counts(
                points=count_of(hit, "points"), comments=count_of(hit, "num_comments")
            )
        stamps = [hit.get("created_at_i") for hit in hits]
        stamps = [s for s in stamps if isinstance(s, int) and not isinstance(s, bool)]
        if stamps:
            cursor["newest"] = max(stamps)
        feed = ParsedFeed(
            title=f"{name} on Hacker News", link=f"{web}/submitted?id={name}", items=items
        )
        unchanged = not items and "newest" in cursor
        return AdapterResult(
            None if unchanged else feed,
            counts=counts,
            cursor=dump_cursor(cursor),
            error=problem,
            http_status=status,
            retry_after=calls.parked_until,
        )

    async def _list(
        self,
        web: str,
        endpoint: str,
        label: str,
        cursor: dict[str, Any],
        calls: Calls,
        context: AdapterContext,
    ) -> AdapterResult:
        base = context.settings.apis.hackernews
        reply = await calls.get(f"{base}/{endpoint}.json")
        if not reply.ok:
            return reply.failed(f"reading the {label} list")
        if not isinstance(reply.data, list):
            return AdapterResult(
                error=f"the {label} list is not a list of ids", http_status=reply.status
            )
        ids = [n for n in reply.data[:FRONT_PAGE] if isinstance(n, int) and n > 0]
        seen = {n for n in list_of(cursor, "seen") if isinstance(n, int)}
        wanted = [n for n in ids if n not in seen]
        answers = await asyncio.gather(*(calls.get(f"{base}/item/{n}.json") for n in wanted))
        items: list[ParsedItem] = []
        counts: dict[str, Counts] = {}
        failures = [answer for answer in answers if not answer.ok]
        for number, answer in zip(wanted, answers, strict=True):
            data = answer.data
            if (
                not answer.ok
                or not isinstance(data, dict)
                or data.get("deleted")
                or data.get("dead")
            ):
                continue
            item = _item(
                web,
                str(number),
                html.unescape(text_of(data, "title")),  # documented as HTML
                text_of(data, "url"),
                text_of(data, "by"),
                text_of(data, "text"),
                data.get("time"),
            )
            if item is None:
                continue
            items.append(item)
            seen.add(number)
            counts[item.guid] = Counts(
                points=count_of(data, "score"), comments=count_of(data, "descendants")
            )
        # Remember the newest ids (they are what the next refresh will meet again).
        cursor["seen"] = sorted(seen, reverse=True)[:SEEN]
        problem = ""
        if failures:
            problem = (
                f"{len(failures)} of {len(wanted)} items could not be read: {failures[0].error}"
            )
            if not items:
                return AdapterResult(
                    error=problem,
                    http_status=failures[0].status,
                    retry_after=failures[0].retry_after,
                )
        feed = ParsedFeed(title=f"Hacker News: {label}", link=web, items=items)
        return AdapterResult(
            feed if items or not seen else None,
            counts=counts,
            cursor=dump_cursor(cursor),
            error=problem,
            http_status=reply.status,
        )


def _item(
    web: str, number: str, title: str, url: str, author: str, text: str, when: Any
) -> ParsedItem | None:
    if not number.isdigit() or len(number) > 20:
        return None
    comments = f"{web}/item?id={number}"
    parts = []
    if text:
        parts.append(text)  # HTML, as the site shows it
    if url:
        shown = html.escape(url)
        parts.append(f'<p>Article: <a href="{html.escape(url, quote=True)}">{shown}</a></p>')
    parts.append(f'<p>Comments: <a href="{comments}">{comments}</a></p>')
    return make_item(
        guid=comments,
        title=title or f"Item {number}",
        link=web_link(url) or comments,
        author=author,
        content="".join(parts),
        published=parse_time(when),
    )


register(HackerNews())
