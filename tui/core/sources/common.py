"""What the API adapters share: calls within limits, rate-limit headers, pages, JSON read
defensively, and items built from untrusted text.

Every answer of every API is untrusted, like a feed: a field may be missing, of another type,
huge, or hold markup, escape sequences and bidi overrides. The getters here (``text_of``,
``count_of``...) never raise on a wrong type, and ``make_item`` cleans every field on the
way in (``ingest.text.clean``/``clean_line``; HTML through ``ingest.htmltext``).

Rate limits are read from the headers the APIs document: ``X-RateLimit-Remaining`` and
``X-RateLimit-Reset`` (Mastodon: an ISO 8601 time, https://docs.joinmastodon.org/api/rate-limits/;
GitHub: Unix seconds, https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api),
and the IETF draft's ``RateLimit-Remaining``/``RateLimit-Reset`` (Bluesky,
https://docs.bsky.app/docs/advanced-guides/rate-limits; Lobsters' rack-attack answers). When
none are left, the host is parked until the reset for every source of the refresh
(``base.HostLimits``), and the source waits that long (``AdapterResult.retry_after``).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit

from tui.core.ingest.text import clean, clean_line
from tui.core.models import ParsedItem
from tui.core.refresh.schedule import MAX_RETRY_AFTER

if TYPE_CHECKING:
    from tui.core.net.fetch import FetchResult
    from tui.core.sources.base import AdapterContext, AdapterResult

__all__ = [
    "Calls",
    "Reply",
    "count_of",
    "dict_of",
    "host_of",
    "list_of",
    "make_item",
    "next_link",
    "parse_time",
    "plain_from_html",
    "rate_limit_reset",
    "same_origin",
    "text_of",
    "title_from_text",
]

TITLE_LIMIT = 80
"""Characters of a title made from a post's text (more are cut at a space, with "…")."""
MAX_CALLS = 64
"""No source makes more calls than this in one refresh, whatever its pages say."""
_MAX_EXPLANATION = 160


# -- reading untrusted JSON -------------------------------------------------------------


def text_of(obj: object, key: str) -> str:
    """``obj[key]`` when ``obj`` is an object and the value a string, else ''."""
    if isinstance(obj, Mapping):
        value = obj.get(key)
        if isinstance(value, str):
            return value
    return ""


def count_of(obj: object, key: str) -> int | None:
    """``obj[key]`` when it is a whole number of zero or more, else None."""
    if isinstance(obj, Mapping):
        value = obj.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None


def dict_of(obj: object, key: str) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        value = obj.get(key)
        if isinstance(value, Mapping):
            return value
    return {}


def list_of(obj: object, key: str) -> list[Any]:
    if isinstance(obj, Mapping):
        value = obj.get(key)
        if isinstance(value, list):
            return value
    return []


def parse_time(value: object) -> dt.datetime | None:
    """An ISO 8601 time (``2026-11-24T10:00:00.000Z``) or Unix seconds, in UTC; else None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


# -- text ---------------------------------------------------------------------------------

_MARKER = re.compile(r" \[(\d{1,4})\]")


def plain_from_html(content: str) -> str:
    """The text of a post's HTML as one reads it: ``htmltext`` renders it, then the numbered
    link markers and the list of links it adds for the reader are taken out again, so that
    links, ``#tags`` and ``@names`` stay as the post shows them."""
    from tui.core.ingest.htmltext import html_to_text

    rendered = html_to_text(content)
    text = rendered.text
    count = len(rendered.links)
    if not count:
        return text
    listing = text.rfind("\n\n[1] ")
    if listing >= 0:
        text = text[:listing]
    elif text.startswith("[1] "):
        return ""  # nothing but links without text
    return _MARKER.sub(lambda m: "" if 1 <= int(m[1]) <= count else m[0], text)


def title_from_text(text: str, limit: int = TITLE_LIMIT) -> str:
    """A short title from a post's plain text: its first line, cut at a space (never inside
    a word, a ``#tag``, an ``@name`` or a link) when longer than ``limit``."""
    line = ""
    for candidate in clean(text).splitlines():
        line = " ".join(candidate.split())
        if line:
            break
    if len(line) <= limit:
        return line
    words = line.split(" ")
    title = words[0]
    for word in words[1:]:
        if len(title) + 1 + len(word) > limit:
            break
        title += " " + word
    return title + " …"


def plain_to_html(text: str) -> str:
    """Plain text (a Bluesky post) as HTML, so the reader never takes ``<b>`` in it for a tag."""
    paragraphs = [part for part in clean(text).split("\n\n") if part.strip()]
    return "".join(
        "<p>" + html.escape(part.strip()).replace("\n", "<br>") + "</p>" for part in paragraphs
    )


def web_link(value: str) -> str:
    """``value`` when it is an http(s) address, else '' (a ``javascript:`` link is dropped)."""
    value = clean_line(value)
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    return value if parts.scheme in ("http", "https") and parts.hostname else ""


def make_item(
    *,
    guid: str,
    title: str,
    link: str,
    author: str = "",
    content: str = "",
    published: dt.datetime | None = None,
) -> ParsedItem:
    """An item from an API's fields, every one cleaned as a feed's would be; ``content`` is
    HTML (as the reader expects)."""
    return ParsedItem(
        guid=clean_line(guid)[:2000],
        title=clean_line(title)[:1000],
        link=web_link(link),
        author=clean_line(author)[:300],
        content=clean(content),
        published=published,
    )


# -- addresses ----------------------------------------------------------------------------


def web_address_on(address: str, hosts: Container[str]) -> SplitResult | None:
    """``address`` split, when it is an http(s) address on one of ``hosts``; else None
    (an adapter's ``recognise`` starts here)."""
    try:
        parts = urlsplit(address.strip())
    except ValueError:
        return None
    if parts.hostname not in hosts or parts.scheme not in ("http", "https"):
        return None
    return parts


def host_of(url: str) -> str:
    """``host:port`` of ``url`` (the port as the scheme implies when absent); '' if none."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return ""
    return f"{parts.hostname}:{port}" if parts.hostname else ""


def same_origin(first: str, second: str) -> bool:
    try:
        a, b = urlsplit(first), urlsplit(second)
    except ValueError:
        return False
    return a.scheme == b.scheme and host_of(first) == host_of(second) != ""


def next_link(headers: Mapping[str, str], base: str) -> str:
    """The ``rel="next"`` address of a ``Link`` header (RFC 8288, read by httpx), when it is
    on ``base``'s origin; a page never sends a token (or us) to another host."""
    import httpx

    value = headers.get("link", "")
    if not value:
        return ""
    try:
        links = httpx.Response(200, headers=[("link", value)]).links
        target = str(httpx.URL(base).join(links.get("next", {}).get("url", "")))
    except (httpx.InvalidURL, ValueError):
        return ""
    if not links.get("next") or not same_origin(target, base):
        return ""
    return target


# -- rate limits --------------------------------------------------------------------------


def _reset_time(value: str, now: dt.datetime) -> dt.datetime | None:
    value = value.strip().split(",")[0].strip()
    if not value:
        return None
    when: dt.datetime | None
    if value.isdigit():
        number = int(value[:12])
        # Unix seconds (GitHub, Lobsters) or, per the IETF draft, seconds from now.
        when = (
            dt.datetime.fromtimestamp(number, dt.UTC)
            if number > 1_000_000_000
            else now + dt.timedelta(seconds=number)
        )
    else:
        when = parse_time(value)  # Mastodon: an ISO 8601 time
        if when is None:
            return None
    return max(now, min(when, now + MAX_RETRY_AFTER))


def rate_limit_reset(headers: Mapping[str, str], now: dt.datetime) -> dt.datetime | None:
    """When the rate limit resets, if these answer headers say none is left; else None."""
    for prefix in ("x-ratelimit-", "ratelimit-"):
        remaining = headers.get(prefix + "remaining")
        if remaining is None:
            continue
        try:
            left = int(remaining.split(",")[0].strip())
        except ValueError:
            return None
        if left > 0:
            return None
        reset = _reset_time(headers.get(prefix + "reset", ""), now)
        return reset or now + dt.timedelta(minutes=1)
    return None


def _explanation(body: bytes) -> str:
    """What an API said in its error body (``{"error": "..."}`` and the like), cleaned."""
    if not body or body[:1] not in (b"{", b"["):
        return ""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    said = ""
    for key in ("error_description", "message", "error", "detail"):
        if text_of(data, key):
            said = text_of(data, key)
            break
    said = clean_line(said)
    return said if len(said) <= _MAX_EXPLANATION else said[: _MAX_EXPLANATION - 1] + "…"


# -- calls --------------------------------------------------------------------------------


@dataclass
class Reply:
    """One API call's outcome: the data, or why there is none, in words."""

    fetched: FetchResult | None
    data: Any = None
    error: str = ""
    retry_after: dt.datetime | None = None

    @property
    def status(self) -> int | None:
        return self.fetched.status if self.fetched is not None else None

    @property
    def headers(self) -> Mapping[str, str]:
        return self.fetched.headers if self.fetched is not None else {}

    @property
    def not_modified(self) -> bool:
        return self.fetched is not None and self.fetched.not_modified

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def etag(self) -> str:
        return self.fetched.etag if self.fetched is not None else ""

    def failed(self, what: str = "") -> AdapterResult:
        """This failure as a source's result: the words, the status and when to come back."""
        from tui.core.sources.base import AdapterResult

        error = f"{what}: {self.error}" if what else self.error
        return AdapterResult(error=error, http_status=self.status, retry_after=self.retry_after)


@dataclass
class Calls:
    """One API source's calls in one refresh: the refresher's Fetcher (its limits, time-outs
    and error words), a token sent only where it belongs and kept out of every message, rate
    limits honoured across sources, and a bound on the calls one refresh may make."""

    context: AdapterContext
    token: str = ""
    """Sent as ``Authorization: Bearer`` to ``token_origin`` only."""
    token_origin: str = ""
    budget: int = MAX_CALLS
    made: int = 0
    parked_until: dt.datetime | None = None
    """Set when an answer said the rate limit is used up: the source comes back then."""
    limited: list[str] = field(default_factory=list)

    async def get(
        self,
        url: str,
        params: Mapping[str, str | int] | Sequence[tuple[str, str | int]] | None = None,
        *,
        etag: str = "",
        as_json: bool = True,
        accept: str = "",
    ) -> Reply:
        """GET ``url``; the body decoded as JSON unless ``as_json`` is False (then ``data``
        is the bytes). Never raises."""
        now = self.context.now
        host = host_of(url)
        waiting = self.context.limits.until(host, now)
        if waiting is not None:
            return Reply(
                None,
                error=f"the rate limit of {host.split(':')[0]} is used up until "
                f"{waiting.astimezone().strftime('%H:%M')}",
                retry_after=waiting,
            )
        if self.made >= self.budget:
            return Reply(None, error=f"more than {self.budget} calls in one refresh; stopped")
        self.made += 1
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        secrets: list[str] = []
        if self.token and same_origin(url, self.token_origin or url):
            headers["Authorization"] = f"Bearer {self.token}"
            secrets.append(self.token)
        fetched = await self.context.fetcher.request(
            "GET", url, params=params, headers=headers, etag=etag, secrets=secrets
        )
        reset = rate_limit_reset(fetched.headers, now)
        if reset is not None:
            self.context.limits.park(host, reset)
            if self.parked_until is None or reset > self.parked_until:
                self.parked_until = reset
        if fetched.not_modified:
            return Reply(fetched)
        if fetched.error:
            retry_after = fetched.retry_after
            if retry_after is None and fetched.status in (403, 429) and reset is not None:
                retry_after = reset  # GitHub's primary limit: a 403 with Remaining: 0
            said = _explanation(fetched.body)
            for secret in secrets:  # a server may echo what it was sent
                said = said.replace(secret, "•••")
            error = fetched.error + (f" ({said})" if said and said not in fetched.error else "")
            return Reply(fetched, error=error, retry_after=retry_after)
        if not as_json:
            return Reply(fetched, fetched.body)
        try:
            data = json.loads(fetched.body)
        except (ValueError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            return Reply(fetched, error=f"the answer is not valid JSON ({clean_line(reason)})")
        return Reply(fetched, data)

    async def feed(self, url: str, etag: str = "", last_modified: str = "") -> Reply:
        """A feed (Atom or RSS) by conditional GET; ``data`` is its body."""
        now = self.context.now
        host = host_of(url)
        waiting = self.context.limits.until(host, now)
        if waiting is not None:
            return Reply(None, error=f"{host.split(':')[0]} asked us to wait", retry_after=waiting)
        if self.made >= self.budget:
            return Reply(None, error=f"more than {self.budget} calls in one refresh; stopped")
        self.made += 1
        fetched = await self.context.fetcher.fetch(url, etag=etag, last_modified=last_modified)
        if fetched.error:
            return Reply(fetched, error=fetched.error, retry_after=fetched.retry_after)
        return Reply(fetched, fetched.body)


async def parse_feed_body(body: bytes, url: str, content_type: str = "") -> Any:
    """A feed body parsed off the event loop, as the refresher parses feeds."""
    import asyncio

    from tui.core.ingest.parse import parse_feed

    return await asyncio.to_thread(parse_feed, body, url, content_type)


def recent_cutoff(context: AdapterContext) -> dt.datetime:
    """Posts older than this are not read again for their counts."""
    return context.now - dt.timedelta(days=context.settings.apis.recent_days)


def load_cursor(text: str) -> dict[str, Any]:
    """An adapter's stored state (JSON); anything unreadable is a fresh start."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def dump_cursor(value: Mapping[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
