"""Lobsters: a user's stories, the front page and newest, as the site's own JSON.

Addresses: ``https://lobste.rs/~user`` (also ``/~user/stories``, and ``/u/user``, which
redirects there), ``https://lobste.rs/`` (the front page, "hottest") and ``/newest``.
Tag pages (``/t/tag``) advertise their RSS feed and are followed as feeds.

Calls (routes and fields from the site's source, https://github.com/lobsters/lobsters:
``config/routes.rb``, ``HomeController#newest_by_user``, ``Story#as_json``), against
``[apis] lobsters``: ``/~user/stories.json``, then ``/~user/stories/page/N.json`` (25 a page)
back to ``[apis] recent_days`` for your own account; ``/hottest.json`` and ``/newest.json``
for the lists. A story has ``short_id_url``, ``title``, ``url``, ``created_at``,
``description`` (HTML), ``submitter_user``, ``score`` and ``comment_count``: the counts kept
are its points (score) and comments.

Limits (``config/initializers/rack_attack.rb``): 4 requests a second, 30 a minute, and 30 per
5 minutes to ``/~`` pages per IP; a throttled request gets 429 with ``RateLimit-Remaining``
and ``RateLimit-Reset``, which are honoured. So a user's stories are read 3 pages at most per
refresh, whatever ``[apis] max_pages`` allows.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

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

HOST = "lobste.rs"
USER_PAGES = 3
"""Pages of a user's stories per refresh: the site throttles ``/~`` pages at 30 per 5 min."""
_USER = re.compile(r"^/(?:~|u/|@)([A-Za-z0-9_-]{1,50})(?:/stories)?/?$")
LISTS = {"/": ("hottest", "front page"), "/hottest": ("hottest", "front page"),
         "/newest": ("newest", "newest")}  # fmt: skip


def what_of(url: str) -> tuple[str, str] | None:
    """("user", name) or (list, label) of a stored address, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    path = parts.path or "/"
    match = _USER.match(path)
    if match:
        return "user", match[1]
    return LISTS.get(path.rstrip("/") or "/")


class Lobsters:
    """Lobsters' JSON: a user's stories, the front page, newest."""

    api: ClassVar[str] = "lobsters"
    label: ClassVar[str] = "Lobsters API"

    def recognise(self, address: str) -> Recognised | None:
        parts = web_address_on(address, (HOST,))
        if parts is None or parts.query:
            return None
        found = what_of(f"https://{HOST}{parts.path}")
        if found is None:
            return None
        kind, name = found
        if kind == "user":
            return Recognised(
                self.api, f"https://{HOST}/~{name}", f"{self.label} (~{name}'s stories)"
            )
        path = "/" if kind == "hottest" else f"/{kind}"
        return Recognised(self.api, f"https://{HOST}{path}", f"{self.label} ({name})")

    async def refresh(
        self, source: Source, state: SourceState, context: AdapterContext
    ) -> AdapterResult:
        found = what_of(source.url)
        if found is None:
            return AdapterResult(error="not a Lobsters address (https://lobste.rs/~user)")
        kind, name = found
        base = context.settings.apis.lobsters
        cursor = load_cursor(state.cursor)
        calls = Calls(context)
        newest = text_of(cursor, "newest")
        cutoff = recent_cutoff(context)
        if kind == "user":
            pages = [f"{base}/~{name}/stories.json"] + [
                f"{base}/~{name}/stories/page/{n}.json" for n in range(2, USER_PAGES + 1)
            ]
            title, link = f"~{name} on Lobsters", f"{source.url.rstrip('/')}"
        else:
            pages = [f"{base}/{kind}.json"]
            title, link = f"Lobsters: {name}", source.url
        stories: list[Any] = []
        problem, status, retry_after = "", None, None
        for url in pages[: context.settings.apis.max_pages]:
            reply = await calls.get(url)
            status = reply.status
            if not reply.ok:
                problem, retry_after = (
                    f"reading {url.removeprefix(base)}: {reply.error}",
                    reply.retry_after,
                )
                break
            if not isinstance(reply.data, list):
                problem = "the answer is not a list of stories"
                break
            page = [story for story in reply.data[:100] if isinstance(story, dict)]
            fresh = []
            for story in page:
                if kind == "user" and not source.mine and text_of(story, "short_id_url") == newest:
                    break
                fresh.append(story)
            stories.extend(fresh)
            if len(fresh) < len(page) or not page or kind != "user":
                break
            oldest = parse_time(text_of(page[-1], "created_at"))
            if oldest is not None and oldest < cutoff:
                break
        if problem and not stories:
            return AdapterResult(
                error=problem, http_status=status, retry_after=retry_after or calls.parked_until
            )
        items: list[ParsedItem] = []
        counts: dict[str, Counts] = {}
        for story in stories:
            item = _item(story)
            if item is None:
                continue
            items.append(item)
            if item.published is not None and item.published < cutoff:
                continue  # older posts' counts are not followed any more
            counts[item.guid] = Counts(
                points=_score(story), comments=count_of(story, "comment_count")
            )
        if kind == "user" and stories and text_of(stories[0], "short_id_url"):
            cursor["newest"] = text_of(stories[0], "short_id_url")
        unchanged = kind == "user" and not items and bool(newest)
        return AdapterResult(
            None if unchanged else ParsedFeed(title=title, link=link, items=items),
            counts=counts,
            cursor=dump_cursor(cursor),
            error=problem,
            http_status=status,
            retry_after=calls.parked_until,
        )


def _score(story: Any) -> int | None:
    # A story's score may fall below zero (flags); only counts of zero or more are kept.
    return count_of(story, "score")


def _item(story: Any) -> ParsedItem | None:
    guid = web_link(text_of(story, "short_id_url"))
    if not guid:
        return None
    comments = web_link(text_of(story, "comments_url")) or guid
    url = web_link(text_of(story, "url"))
    parts = [text_of(story, "description")]
    if url:
        parts.append(
            f'<p>Article: <a href="{html.escape(url, quote=True)}">{html.escape(url)}</a></p>'
        )
    target = html.escape(comments, quote=True)
    parts.append(f'<p>Comments: <a href="{target}">{html.escape(comments)}</a></p>')
    submitter = story.get("submitter_user")
    author = submitter if isinstance(submitter, str) else text_of(submitter, "username")
    return make_item(
        guid=guid,
        title=text_of(story, "title") or guid,
        link=url or comments,
        author=author,
        content="".join(parts),
        published=parse_time(text_of(story, "created_at")),
    )


register(Lobsters())
