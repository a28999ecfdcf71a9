"""Mastodon accounts through their instance's REST API.

Addresses: ``https://instance/@user`` on any host (tried as Mastodon: the lookup answers or
it does not; ``http://`` on loopback too, for tests), ``https://instance/@user@other`` (the
other instance's account) and ``@user@instance``.

Calls, from the documentation (https://docs.joinmastodon.org/methods/accounts/):

* ``GET /api/v1/accounts/lookup?acct=user`` (Mastodon 3.4+) once, for the account's id,
  kept in the cursor;
* ``GET /api/v1/accounts/:id/statuses?exclude_reblogs=true&limit=40`` ("Max 40 statuses"),
  paged by the ``Link`` header's ``rel="next"``
  (https://docs.joinmastodon.org/api/guidelines/#pagination). A followed account asks only
  for posts newer than the newest seen (``since_id``); your own account (``mine``) reads
  back to ``[apis] recent_days`` at every refresh, so each post's counts are kept over
  time, within ``[apis] max_pages`` pages.
* Counts per post (https://docs.joinmastodon.org/entities/Status/): ``replies_count``,
  ``reblogs_count``, ``favourites_count``, and ``quotes_count`` (4.5+). The account's
  ``followers_count``, ``following_count`` and ``statuses_count`` come with each status
  (https://docs.joinmastodon.org/entities/Account/).

Limits: 300 calls per 5 minutes per account or IP, reported in ``X-RateLimit-Remaining``
and ``X-RateLimit-Reset`` (an ISO 8601 time; https://docs.joinmastodon.org/api/rate-limits/).

An instance in whitelist mode answers 401 ("This API requires an authenticated user"); then
the account's RSS feed (``https://instance/@user.rss``) is read instead, and the sources
screen says so. A token for one instance (``mastodon_token`` for that host in
credentials.toml, or ``FOLIO_MASTODON_TOKEN__HOST``) is sent to that instance only.

A status's ``content`` is HTML: it is kept as the item's content (cleaned, rendered by the
reader as text), and the title is its first line as read (``common.plain_from_html``),
with ``#tags``, ``@names`` and links whole.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlsplit

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
    next_link,
    parse_feed_body,
    parse_time,
    plain_from_html,
    recent_cutoff,
    text_of,
    title_from_text,
)

if TYPE_CHECKING:
    from tui.core.models import Source, SourceState

PAGE = 40
"""Statuses per page: the documented maximum."""

_USER = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}"
_DOMAIN = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d{1,5})?"
_HANDLE = re.compile(rf"^@({_USER})@({_DOMAIN})$")
_PATH = re.compile(rf"^/@({_USER})(?:@({_DOMAIN}))?/?$")
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _canonical(scheme: str, netloc: str, user: str) -> str:
    return f"{scheme}://{netloc}/@{user}"


def account_of(url: str) -> tuple[str, str, str] | None:
    """(API base, host, user) of an account address as stored, or None."""
    parts = urlsplit(url)
    match = _PATH.match(parts.path)
    if not match or parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc}", parts.hostname, match[1]


class Mastodon:
    """Mastodon's REST API: an account's public posts, with counts for your own."""

    api: ClassVar[str] = "mastodon"
    label: ClassVar[str] = "Mastodon API"

    def recognise(self, address: str) -> Recognised | None:
        address = address.strip()
        handle = _HANDLE.match(address)
        if handle:
            user, host = handle[1], handle[2].lower()
            return Recognised(self.api, _canonical("https", host, user), self._label(user, host))
        try:
            parts = urlsplit(address)
            hostname = parts.hostname or ""
        except ValueError:
            return None
        match = _PATH.match(parts.path)
        if not match or parts.query or parts.fragment or not hostname:
            return None
        if match[1].lower().endswith((".rss", ".atom", ".json")):
            return None  # the account's feed itself: followed as the feed it is
        if parts.scheme != "https" and not (parts.scheme == "http" and hostname in _LOOPBACK):
            return None
        user, other = match[1], match[2]
        if other:  # an account of another instance, as this one shows it
            other = other.lower()
            return Recognised(
                self.api, _canonical("https", other, user), self._label(user, other), True
            )
        netloc = parts.netloc.lower()
        return Recognised(
            self.api,
            _canonical(parts.scheme, netloc, user),
            self._label(user, hostname.lower()),
            tentative=True,
        )

    def _label(self, user: str, host: str) -> str:
        return f"{self.label} (@{user}@{host})"

    async def refresh(
        self, source: Source, state: SourceState, context: AdapterContext
    ) -> AdapterResult:
        found = account_of(source.url)
        if found is None:
            return AdapterResult(error="not a Mastodon account address (https://instance/@user)")
        base, host, user = found
        cursor = load_cursor(state.cursor)
        token = context.credentials.get("mastodon_token", host) or ""
        calls = Calls(context, token=token, token_origin=base)
        if cursor.get("rss") and not token:
            return await self._from_rss(base, host, user, cursor, calls, "401 last time")

        account: Any = None
        account_id = cursor.get("id") if isinstance(cursor.get("id"), str) else ""
        if not account_id:
            reply = await calls.get(f"{base}/api/v1/accounts/lookup", {"acct": user})
            if reply.status == 401:
                return await self._from_rss(base, host, user, cursor, calls, "401")
            if not reply.ok:
                return reply.failed(f"looking up @{user} on {host}")
            account = reply.data
            account_id = text_of(account, "id")
            if not account_id or len(account_id) > 64:
                return AdapterResult(
                    error=f"{host} answered the lookup of @{user} without an account id",
                    http_status=reply.status,
                )

        statuses, problem, status, retry_after = await self._statuses(
            base, account_id, source.mine, cursor, calls, context
        )
        if problem == "401":
            return await self._from_rss(base, host, user, cursor, calls, "401")
        if problem and not statuses:
            if status == 404:
                cursor.pop("id", None)  # the id is stale (the account moved): look it up again
            return AdapterResult(
                error=problem,
                http_status=status,
                retry_after=retry_after or calls.parked_until,
                cursor=dump_cursor(cursor),
            )

        # Posts already stored are not made into items again (only their counts are
        # read): an own account's 90 days are read at every refresh, and turning each
        # post's HTML into a title costs about 0.2 ms. New and edited posts are, in a
        # thread, as the refresher parses feeds.
        known = _Known(text_of(cursor, "newest"), parse_time(text_of(cursor, "checked")))
        items, counts = await asyncio.to_thread(_build, statuses, known, recent_cutoff(context))
        if statuses:
            account = dict_of(statuses[0], "account") or account
        if account is None and source.mine:
            reply = await calls.get(f"{base}/api/v1/accounts/{quote(account_id, safe='')}")
            account = reply.data if reply.ok else None

        cursor.pop("rss", None)
        cursor["id"] = account_id
        if statuses and text_of(statuses[0], "id"):
            cursor["newest"] = text_of(statuses[0], "id")
        cursor["checked"] = context.now.isoformat()
        name = text_of(account, "display_name") or user
        feed = ParsedFeed(title=f"{name} (@{user}@{host})", link=f"{base}/@{user}", items=items)
        return AdapterResult(
            feed if items or not known.newest else None,
            counts=counts,
            account=_figures(account),
            cursor=dump_cursor(cursor),
            error=problem,
            http_status=status,
            retry_after=calls.parked_until,
        )

    async def _statuses(
        self,
        base: str,
        account_id: str,
        mine: bool,
        cursor: dict[str, Any],
        calls: Calls,
        context: AdapterContext,
    ) -> tuple[list[Any], str, int | None, dt.datetime | None]:
        """The account's statuses, newest first; what went wrong, the last HTTP status, and
        when to come back if the instance said so."""
        url = f"{base}/api/v1/accounts/{quote(account_id, safe='')}/statuses"
        params: dict[str, str | int] | None = {"exclude_reblogs": "true", "limit": PAGE}
        newest = cursor.get("newest")
        if not mine and isinstance(newest, str) and newest and params is not None:
            params["since_id"] = newest
        cutoff = recent_cutoff(context)
        most = PAGE * context.settings.apis.max_pages
        statuses: list[Any] = []
        status: int | None = None
        for _ in range(context.settings.apis.max_pages):
            reply = await calls.get(url, params)
            status = reply.status
            if status == 401:
                return statuses, "401", status, None
            if not reply.ok:
                problem = f"reading the account's posts: {reply.error}"
                return statuses, problem, status, reply.retry_after
            if not isinstance(reply.data, list):
                return statuses, "the instance's answer is not a list of posts", status, None
            page = [entry for entry in reply.data if isinstance(entry, dict)]
            # A page is 40 at most by the documentation; a server that sends 10,000 costs
            # no more calls, and no more than a refresh's worth of them is kept.
            statuses.extend(page[: most - len(statuses)])
            if not page or len(statuses) >= most:
                break
            oldest = parse_time(text_of(page[-1], "created_at"))
            if oldest is not None and oldest < cutoff:
                break
            url, params = next_link(reply.headers, url), None
            if not url:
                break
        return statuses, "", status, None

    async def _from_rss(
        self,
        base: str,
        host: str,
        user: str,
        cursor: dict[str, Any],
        calls: Calls,
        why: str,
    ) -> AdapterResult:
        """The account's RSS feed, when the instance's API refuses to answer without a token."""
        if calls.token:
            note = (
                f"{host}'s API refused the mastodon_token folio has for it ({why}): reading"
                f" @{user}'s RSS feed instead, without counts"
            )
        else:
            note = (
                f"{host}'s API needs a token ({why}): reading @{user}'s RSS feed instead,"
                f" without counts; a mastodon_token for {host} in credentials.toml lets folio"
                " use the API"
            )
            problem = calls.context.credentials.problem
            if problem:
                note += f" (credentials.toml was not read: {problem})"
        url = f"{base}/@{user}.rss"
        reply = await calls.feed(
            url, str(cursor.get("rss_etag", "")), str(cursor.get("rss_modified", ""))
        )
        kept: dict[str, Any] = {"rss": True}
        if reply.not_modified:
            kept.update({k: v for k, v in cursor.items() if k.startswith("rss_")})
            return AdapterResult(None, cursor=dump_cursor(kept), http_status=304, note=note)
        if not reply.ok or reply.fetched is None:
            error = f"the API needs a token, and the RSS feed failed too: {reply.error}"
            return AdapterResult(
                error=error, http_status=reply.status, retry_after=reply.retry_after
            )
        feed = await parse_feed_body(reply.fetched.body, url, reply.fetched.content_type)
        if feed.error and not feed.items:
            return AdapterResult(
                error=f"the API needs a token, and the RSS feed failed too: {feed.error}",
                http_status=reply.status,
            )
        kept["rss_etag"] = reply.fetched.etag
        kept["rss_modified"] = reply.fetched.last_modified
        return AdapterResult(
            feed, cursor=dump_cursor(kept), http_status=reply.status, note=note, error=""
        )


@dataclass(frozen=True)
class _Known:
    """What the last refresh saw: the newest post's id, and when it looked."""

    newest: str
    checked: dt.datetime | None

    def is_new(self, status: dict[str, Any]) -> bool:
        """True for a post not stored yet, or edited since the last look."""
        number = text_of(status, "id")
        if not (self.newest.isdigit() and number.isdigit()):
            return True  # ids are numbers on Mastodon; anything else is read afresh
        if int(number) > int(self.newest):
            return True
        edited = parse_time(text_of(status, "edited_at"))
        # A few minutes' overlap: clocks differ, and reading a post twice does no harm.
        return edited is not None and (
            self.checked is None or edited >= self.checked - dt.timedelta(minutes=5)
        )


def _guid(status: dict[str, Any]) -> str:
    return clean_line(text_of(status, "url") or text_of(status, "uri") or text_of(status, "id"))


def _build(
    statuses: list[Any], known: _Known, cutoff: dt.datetime
) -> tuple[list[ParsedItem], dict[str, Counts]]:
    """Items of the new or edited posts, and the counts of every post since ``cutoff``."""
    items: list[ParsedItem] = []
    counts: dict[str, Counts] = {}
    for entry in statuses:
        if entry.get("reblog"):
            continue
        guid = _guid(entry)
        if not guid:
            continue
        if known.is_new(entry):
            item = _item(entry)
            if item is None:
                continue
            items.append(item)
            guid = item.guid
        published = parse_time(text_of(entry, "created_at"))
        if published is None or published >= cutoff:
            counts[guid[:2000]] = Counts(
                replies=count_of(entry, "replies_count"),
                reposts=count_of(entry, "reblogs_count"),
                likes=count_of(entry, "favourites_count"),
                quotes=count_of(entry, "quotes_count"),
            )
    return items, counts


def _figures(account: Any) -> AccountFigures | None:
    if not isinstance(account, dict):
        return None
    figures = AccountFigures(
        followers=count_of(account, "followers_count"),
        following=count_of(account, "following_count"),
        posts=count_of(account, "statuses_count"),
    )
    return figures if figures != AccountFigures() else None


def _item(status: dict[str, Any]) -> ParsedItem | None:
    if status.get("reblog"):
        return None  # a boost is someone else's post (exclude_reblogs asks for none)
    link = text_of(status, "url") or text_of(status, "uri")
    guid = link or text_of(status, "id")
    if not guid:
        return None
    content = text_of(status, "content")
    spoiler = text_of(status, "spoiler_text")
    parts = [f"<p>CW: {html.escape(spoiler)}</p>"] if spoiler else []
    parts.append(content)
    alts = []
    for media in list_of(status, "media_attachments")[:20]:
        alt = text_of(media, "description") or text_of(media, "type") or "attachment"
        alts.append(alt)
        target = html.escape(text_of(media, "url"), quote=True)
        parts.append(f'<p><a href="{target}"><img alt="{html.escape(alt, quote=True)}"></a></p>')
    body = "".join(parts)
    text = plain_from_html(content)
    if spoiler:
        title = title_from_text(f"CW: {spoiler}")
    else:
        title = title_from_text(text) or (f"[image: {alts[0]}]" if alts else "")
    account = dict_of(status, "account")
    author = text_of(account, "display_name") or text_of(account, "acct")
    return make_item(
        guid=guid,
        title=title,
        link=link,
        author=author,
        content=body,
        published=parse_time(text_of(status, "created_at")),
    )


register(Mastodon())
