"""GitHub: a repository's releases, or a user's public activity.

Addresses: ``https://github.com/OWNER/REPO`` (also ``.git``, ``/releases``) and
``https://github.com/USER``.

Items come from GitHub's own feeds on ``[apis] github_web``, ``/OWNER/REPO/releases.atom``
and ``/USER.atom``, fetched conditionally like any feed: they cost none of the REST API's
calls. For your own repository or account (``mine``), the REST API (``[apis] github``,
https://docs.github.com/en/rest) gives the figures:

* ``GET /repos/OWNER/REPO`` (https://docs.github.com/en/rest/repos/repos#get-a-repository):
  ``stargazers_count``, ``forks_count``, ``subscribers_count`` (watchers);
* ``GET /repos/OWNER/REPO/releases?per_page=30``
  (https://docs.github.com/en/rest/releases/releases#list-releases): each release's
  assets' ``download_count``, summed per release; paged by the ``Link`` header
  (https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api)
  back to ``[apis] recent_days``;
* ``GET /users/USER`` (https://docs.github.com/en/rest/users/users#get-a-user):
  ``followers``, ``following``.

Each is asked with the ETag of its last answer: a ``304 Not Modified`` "does not count
against your primary rate limit" when the request is authorized
(https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate),
and the figures kept from last time are stored again. Without a token the limit is 60
requests an hour per IP address, 5,000 with one
(https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api);
``X-RateLimit-Remaining: 0`` parks the API host until ``X-RateLimit-Reset`` (Unix seconds)
for every GitHub source. ``github_token`` from credentials.toml (or ``FOLIO_GITHUB_TOKEN``)
is sent to the API host only.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

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
    Reply,
    count_of,
    dump_cursor,
    list_of,
    load_cursor,
    next_link,
    parse_feed_body,
    parse_time,
    recent_cutoff,
    text_of,
    web_address_on,
    web_link,
)

if TYPE_CHECKING:
    from tui.core.models import ParsedFeed, Source, SourceState

HOST = "github.com"
ACCEPT = "application/vnd.github+json"
"""The media type GitHub's REST documentation asks for."""
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_NOT_USERS = frozenset(
    {"about", "apps", "collections", "contact", "customer-stories", "enterprise", "events",
     "explore", "features", "issues", "login", "marketplace", "new", "notifications", "orgs",
     "organizations", "pricing", "pulls", "search", "security", "settings", "site", "sponsors",
     "topics", "trending"}
)  # fmt: skip


def what_of(url: str) -> tuple[str, str] | None:
    """(owner, repo) or (user, "") of a stored address, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[-1] == "releases" and len(segments) == 3:
        segments.pop()
    if len(segments) == 2:
        owner, repo = segments[0], segments[1].removesuffix(".git")
        if _NAME.match(owner) and _REPO.match(repo) and repo not in (".", ".."):
            return owner, repo
    if len(segments) == 1 and _NAME.match(segments[0]) and segments[0] not in _NOT_USERS:
        return segments[0], ""
    return None


class GitHub:
    """GitHub's feeds for items; the REST API for your own repository's figures."""

    api: ClassVar[str] = "github"
    label: ClassVar[str] = "GitHub API"

    def recognise(self, address: str) -> Recognised | None:
        parts = web_address_on(address, (HOST, "www." + HOST))
        if parts is None:
            return None
        if parts.query or parts.fragment:
            return None
        found = what_of(f"https://{HOST}{parts.path}")
        if found is None:
            return None
        owner, repo = found
        if repo:
            return Recognised(
                self.api,
                f"https://{HOST}/{owner}/{repo}",
                f"{self.label} ({owner}/{repo} releases)",
            )
        return Recognised(
            self.api, f"https://{HOST}/{owner}", f"{self.label} ({owner}'s public activity)"
        )

    async def refresh(
        self, source: Source, state: SourceState, context: AdapterContext
    ) -> AdapterResult:
        found = what_of(source.url)
        if found is None:
            return AdapterResult(error="not a GitHub repository or user address")
        owner, repo = found
        apis = context.settings.apis
        cursor = load_cursor(state.cursor)
        token = context.credentials.get("github_token") or ""
        calls = Calls(context, token=token, token_origin=apis.github)
        path = f"/{owner}/{repo}/releases.atom" if repo else f"/{owner}.atom"
        feed_url = apis.github_web + path
        reply = await calls.feed(
            feed_url, text_of(cursor, "feed_etag"), text_of(cursor, "feed_modified")
        )
        if not reply.ok or reply.fetched is None:
            return reply.failed(f"reading {path}")
        feed: ParsedFeed | None = None
        if not reply.not_modified:
            feed = await parse_feed_body(reply.fetched.body, feed_url, reply.fetched.content_type)
            if feed.error and not feed.items:
                return AdapterResult(error=f"{path}: {feed.error}", http_status=reply.status)
            cursor["feed_etag"] = reply.fetched.etag
            cursor["feed_modified"] = reply.fetched.last_modified
            # Release pages by address, so that the REST API's downloads find their items.
            cursor["guids"] = {item.link: item.guid for item in feed.items[:100] if item.link}
        result = AdapterResult(feed, http_status=reply.status)
        if source.mine:
            problem = await (
                self._repository(owner, repo, cursor, calls, context, result)
                if repo
                else self._user(owner, cursor, calls, result)
            )
            if problem:
                # The releases came (or were unchanged); only the figures wait: a note.
                result.note = problem
        result.cursor = dump_cursor(cursor)
        result.retry_after = calls.parked_until
        return result

    async def _conditional(
        self, calls: Calls, url: str, cursor: dict[str, Any], key: str, params: Any = None
    ) -> Reply:
        """A REST call with the ETag kept under ``key``; the answer, or a 304."""
        reply = await calls.get(url, params, etag=text_of(cursor, key), accept=ACCEPT)
        if reply.ok and not reply.not_modified:
            cursor[key] = reply.etag
        return reply

    async def _repository(
        self,
        owner: str,
        repo: str,
        cursor: dict[str, Any],
        calls: Calls,
        context: AdapterContext,
        result: AdapterResult,
    ) -> str:
        api = context.settings.apis.github
        reply = await self._conditional(calls, f"{api}/repos/{owner}/{repo}", cursor, "repo_etag")
        if reply.ok and not reply.not_modified and isinstance(reply.data, dict):
            cursor["figures"] = {
                "stars": count_of(reply.data, "stargazers_count"),
                "forks": count_of(reply.data, "forks_count"),
                "followers": count_of(reply.data, "subscribers_count"),
            }
        problem = "" if reply.ok else _limit_words(reply, bool(calls.token))
        figures = cursor.get("figures")
        if isinstance(figures, dict):
            result.account = AccountFigures(
                followers=_number(figures.get("followers")),
                stars=_number(figures.get("stars")),
                forks=_number(figures.get("forks")),
            )
        if problem:
            return problem

        url = f"{api}/repos/{owner}/{repo}/releases"
        reply = await self._conditional(calls, url, cursor, "releases_etag", {"per_page": 30})
        if reply.ok and not reply.not_modified:
            downloads: dict[str, int] = {}
            cutoff = recent_cutoff(context)
            for _ in range(context.settings.apis.max_pages):
                if not isinstance(reply.data, list):
                    return "the releases answer is not a list"
                for release in reply.data[:100]:
                    link = web_link(text_of(release, "html_url"))[:2000]
                    published = parse_time(text_of(release, "published_at"))
                    if not link or (published is not None and published < cutoff):
                        continue
                    assets = [a for a in list_of(release, "assets") if isinstance(a, dict)]
                    downloads[link] = sum(count_of(a, "download_count") or 0 for a in assets)
                last = reply.data[-1] if reply.data else None
                when = parse_time(text_of(last, "published_at"))
                following = next_link(reply.headers, url)
                if not following or when is None or when < cutoff:
                    break
                url = following
                reply = await calls.get(url, accept=ACCEPT)
                if not reply.ok:
                    break
            cursor["downloads"] = downloads
        elif not reply.ok:
            return _limit_words(reply, bool(calls.token))
        guids = cursor.get("guids") if isinstance(cursor.get("guids"), dict) else {}
        for link, count in dict(cursor.get("downloads") or {}).items():
            guid = guids.get(link, link) if isinstance(guids, dict) else link
            result.counts[str(guid)] = Counts(downloads=_number(count))
        return ""

    async def _user(
        self, user: str, cursor: dict[str, Any], calls: Calls, result: AdapterResult
    ) -> str:
        api = calls.context.settings.apis.github
        reply = await self._conditional(calls, f"{api}/users/{user}", cursor, "user_etag")
        if reply.ok and not reply.not_modified and isinstance(reply.data, dict):
            cursor["figures"] = {
                "followers": count_of(reply.data, "followers"),
                "following": count_of(reply.data, "following"),
            }
        figures = cursor.get("figures")
        if isinstance(figures, dict):
            result.account = AccountFigures(
                followers=_number(figures.get("followers")),
                following=_number(figures.get("following")),
            )
        return "" if reply.ok else _limit_words(reply, bool(calls.token))


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _limit_words(reply: Reply, has_token: bool) -> str:
    words = f"GitHub's API: {reply.error}"
    if reply.retry_after is not None and not has_token:
        words += "; a github_token in credentials.toml raises the limit from 60 to 5,000 an hour"
    return words


register(GitHub())
