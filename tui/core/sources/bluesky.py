"""Bluesky accounts through the public AppView API (no account or key needed).

Addresses: ``https://bsky.app/profile/HANDLE`` (or a DID there), ``@handle.example``, a DID
(``did:plc:…``, ``did:web:…``), or a bare ``name.bsky.social``.

Calls (https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed and
https://docs.bsky.app/docs/api/app-bsky-actor-get-profile; lexicons in
bluesky-social/atproto, ``lexicons/app/bsky/feed/getAuthorFeed.json``), against
``[apis] bluesky`` (by default ``https://public.api.bsky.app``, the cached public AppView the
documentation asks "public web" clients to use):

* ``GET /xrpc/app.bsky.feed.getAuthorFeed?actor=&limit=100&cursor=`` (limit 1 to 100),
  paged by the answer's ``cursor``. Entries that carry a ``reason`` (a repost, or a pin)
  are someone else's post or a repeat, and are dropped. A followed account stops at the
  newest post seen last time; your own (``mine``) reads back to ``[apis] recent_days``.
* ``GET /xrpc/app.bsky.actor.getProfile?actor=`` for your own account's
  ``followersCount``, ``followsCount`` and ``postsCount``.
* Counts per post (``app.bsky.feed.defs#postView``): ``replyCount``, ``repostCount``,
  ``likeCount``, ``quoteCount``.

Limits: the AppView's are "generous" and undocumented; requests over a limit get 429, and
the ``RateLimit-*`` headers are honoured (https://docs.bsky.app/docs/advanced-guides/rate-limits).

A post's text is plain text: it is cleaned and escaped into HTML for the reader (so ``<b>``
in a post is text, not a tag); its title is its first line, cut at a space.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, unquote, urlsplit

from tui.core.ingest.text import clean_line
from tui.core.models import ParsedFeed, ParsedItem
from tui.core.sources.base import (
    AccountFigures,
    AdapterContext,
    AdapterResult,
    Counts,
    Recognised,
    register,
)
from tui.core.sources.common import (
    Calls,
    count_of,
    dict_of,
    dump_cursor,
    list_of,
    load_cursor,
    make_item,
    parse_time,
    plain_to_html,
    recent_cutoff,
    text_of,
    title_from_text,
)

if TYPE_CHECKING:
    from tui.core.models import Source, SourceState

PAGE = 100
"""Posts per page: the lexicon's maximum."""
WEB = "https://bsky.app"

_HANDLE = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}"
_DID = r"did:(?:plc:[a-z2-7]{24}|web:[A-Za-z0-9.%:-]{1,253})"
_ACTOR = re.compile(rf"^(?:{_DID}|{_HANDLE})$")
_PROFILE = re.compile(r"^/profile/([^/]+)/?$")
_RKEY = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")


def actor_of(url: str) -> tuple[str, str] | None:
    """(web site, actor) of a stored profile address, or None."""
    parts = urlsplit(url)
    match = _PROFILE.match(parts.path)
    if not match or parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    actor = unquote(match[1])
    return (f"{parts.scheme}://{parts.netloc}", actor) if _ACTOR.match(actor) else None


class Bluesky:
    """Bluesky's public AppView: an account's posts, with counts for your own."""

    api: ClassVar[str] = "bluesky"
    label: ClassVar[str] = "Bluesky API"

    def recognise(self, address: str) -> Recognised | None:
        address = address.strip()
        actor = ""
        if address.startswith("did:"):
            actor = address
        elif address.startswith("@") and address.count("@") == 1:
            actor = address[1:]
        elif "://" not in address and address.lower().endswith(".bsky.social"):
            actor = address
        else:
            try:
                parts = urlsplit(address)
            except ValueError:
                return None
            match = _PROFILE.match(parts.path)
            if parts.hostname not in ("bsky.app", "www.bsky.app") or not match:
                return None
            actor = unquote(match[1])
        if not _ACTOR.match(actor):
            return None
        if not actor.startswith("did:"):
            actor = actor.lower()
        return Recognised(self.api, f"{WEB}/profile/{actor}", f"{self.label} (@{actor})")

    async def refresh(
        self, source: Source, state: SourceState, context: AdapterContext
    ) -> AdapterResult:
        found = actor_of(source.url)
        if found is None:
            return AdapterResult(error="not a Bluesky profile address (https://bsky.app/profile/…)")
        web, actor = found
        base = context.settings.apis.bluesky
        cursor = load_cursor(state.cursor)
        calls = Calls(context)
        profile: Any = None
        if source.mine:
            reply = await calls.get(f"{base}/xrpc/app.bsky.actor.getProfile", {"actor": actor})
            if not reply.ok:
                return reply.failed(f"reading @{actor}'s profile")
            profile = reply.data

        newest = text_of(cursor, "newest")
        cutoff = recent_cutoff(context)
        most = PAGE * context.settings.apis.max_pages
        posts: list[Any] = []
        page_cursor = ""
        problem, status, retry_after = "", None, None
        done = False
        for _ in range(context.settings.apis.max_pages):
            params: dict[str, str | int] = {"actor": actor, "limit": PAGE}
            if page_cursor:
                params["cursor"] = page_cursor
            reply = await calls.get(f"{base}/xrpc/app.bsky.feed.getAuthorFeed", params)
            status = reply.status
            if not reply.ok:
                problem, retry_after = f"reading @{actor}'s posts: {reply.error}", reply.retry_after
                break
            entries = list_of(reply.data, "feed")
            if not isinstance(reply.data, dict) or "feed" not in reply.data:
                problem = "the answer has no feed of posts"
                break
            for entry in entries[: most - len(posts)]:
                if not isinstance(entry, dict) or entry.get("reason") is not None:
                    continue  # a repost of someone else's post, or a pinned repeat
                post = dict_of(entry, "post")
                if not source.mine and newest and text_of(post, "uri") == newest:
                    done = True
                    break
                posts.append(post)
            if done or not entries or len(posts) >= most:
                break
            oldest = _when(dict_of(entries[-1], "post"))
            if oldest is not None and oldest < cutoff:
                break
            page_cursor = text_of(reply.data, "cursor")
            if not page_cursor or len(page_cursor) > 1000:
                break
        if problem and not posts:
            return AdapterResult(
                error=problem, http_status=status, retry_after=retry_after or calls.parked_until
            )

        # Posts cannot be edited: one indexed before the last refresh's newest is stored
        # already, and only its counts are read again.
        seen_until = parse_time(text_of(cursor, "newest_at"))
        items: list[ParsedItem] = []
        counts: dict[str, Counts] = {}
        for post in posts:
            indexed = parse_time(text_of(post, "indexedAt"))
            if seen_until is None or indexed is None or indexed > seen_until:
                item = _item(post, web)
                if item is None:
                    continue
                items.append(item)
            published = _when(post)
            uri = text_of(post, "uri")
            if uri.startswith("at://") and (published is None or published >= cutoff):
                counts[clean_line(uri)[:2000]] = Counts(
                    replies=count_of(post, "replyCount"),
                    reposts=count_of(post, "repostCount"),
                    likes=count_of(post, "likeCount"),
                    quotes=count_of(post, "quoteCount"),
                )
        if posts and text_of(posts[0], "uri"):
            cursor["newest"] = text_of(posts[0], "uri")
        stamps = [t for t in (parse_time(text_of(p, "indexedAt")) for p in posts) if t]
        if stamps and (seen_until is None or max(stamps) > seen_until):
            cursor["newest_at"] = max(stamps).isoformat()
        author = dict_of(posts[0], "author") if posts else {}
        name = text_of(profile, "displayName") or text_of(author, "displayName") or actor
        handle = text_of(profile, "handle") or text_of(author, "handle") or actor
        feed = ParsedFeed(
            title=f"{name} (@{handle})", link=f"{web}/profile/{quote(actor)}", items=items
        )
        unchanged = not items and bool(cursor.get("newest"))
        return AdapterResult(
            None if unchanged else feed,
            counts=counts,
            account=_figures(profile),
            cursor=dump_cursor(cursor),
            error=problem,
            http_status=status,
            retry_after=calls.parked_until,
        )


def _when(post: Any) -> Any:
    record = dict_of(post, "record")
    return parse_time(text_of(record, "createdAt")) or parse_time(text_of(post, "indexedAt"))


def _figures(profile: Any) -> AccountFigures | None:
    if not isinstance(profile, dict):
        return None
    figures = AccountFigures(
        followers=count_of(profile, "followersCount"),
        following=count_of(profile, "followsCount"),
        posts=count_of(profile, "postsCount"),
    )
    return figures if figures != AccountFigures() else None


def _item(post: Any, web: str) -> ParsedItem | None:
    uri = text_of(post, "uri")
    if not uri.startswith("at://"):
        return None
    record = dict_of(post, "record")
    author = dict_of(post, "author")
    text = text_of(record, "text")
    rkey = uri.rsplit("/", 1)[-1]
    who = text_of(author, "handle") or uri.removeprefix("at://").split("/", 1)[0]
    link = ""
    if _RKEY.match(rkey) and _ACTOR.match(who):
        link = f"{web}/profile/{quote(who)}/post/{quote(rkey)}"
    parts = [plain_to_html(text)]
    embed = dict_of(post, "embed")
    external = dict_of(embed, "external")
    if text_of(external, "uri"):
        target = html.escape(text_of(external, "uri"), quote=True)
        label = html.escape(text_of(external, "title") or text_of(external, "uri"))
        parts.append(f'<p><a href="{target}">{label}</a></p>')
    alts = []
    for image in list_of(embed, "images")[:10]:
        alt = text_of(image, "alt") or "image"
        alts.append(alt)
        parts.append(f'<p><img alt="{html.escape(alt, quote=True)}"></p>')
    title = title_from_text(text) or (f"[image: {alts[0]}]" if alts else "")
    return make_item(
        guid=uri,
        title=title,
        link=link,
        author=text_of(author, "displayName") or text_of(author, "handle"),
        content="".join(parts),
        published=_when(post),
    )


register(Bluesky())
