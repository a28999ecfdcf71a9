"""What ``folio add`` and the Add dialog do with an address before the feed path: refuse
what cannot be followed (Reddit, LinkedIn) in words, or recognise an API's address, read
it once to check it, and hand back the source with what it gave.

Addresses the APIs do not know are left to feed discovery (``net.fetch.discover_feed``),
as is an address that only looks like one (``https://host/@user`` on a host that turns out
not to be a Mastodon instance, such as a Medium profile).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui.core.models import Source, SourceState, utcnow
from tui.core.sources.base import (
    AdapterContext,
    AdapterResult,
    Recognised,
    adapter_for,
    recognise,
)

if TYPE_CHECKING:
    import httpx

    from tui.core.config import Settings
    from tui.core.credentials import Credentials

__all__ = [
    "ApiCheck",
    "CannotFollow",
    "check_api_address",
    "read_once",
    "recognise_address",
    "refusal",
]

_REDDIT = ("reddit.com", "redd.it")
_LINKEDIN = ("linkedin.com", "lnkd.in")
KIND_OF_API = {"youtube": "video"}
"""The kind an API's sources get when added; "social" for the others."""


class CannotFollow(Exception):
    """The address cannot be followed; ``str()`` says why and what to do instead."""


def _host(address: str) -> str:
    address = address.strip()
    if "://" not in address:
        address = "https://" + address
    try:
        return (urlsplit(address).hostname or "").lower()
    except ValueError:
        return ""


def _on(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def refusal(address: str) -> str:
    """Why ``address`` cannot be followed at all, or '' when it may be tried."""
    host = _host(address)
    path = urlsplit(address if "://" in address else "https://" + address).path
    if _on(host, _REDDIT) and not path.endswith((".rss", ".rss/")):
        return (
            "Reddit's API answers 403 to apps without an approved key, so folio cannot read"
            " reddit.com pages; a subreddit's own feed may still work: add"
            " https://www.reddit.com/r/NAME/.rss"
        )
    if _on(host, _LINKEDIN):
        return (
            "LinkedIn offers no feed, and its API only to approved partners, so folio cannot"
            " follow LinkedIn profiles or pages; follow the person's blog, newsletter or"
            " Mastodon account instead"
        )
    return ""


@dataclass
class ApiCheck:
    """An API source found at an address and read once."""

    source: Source
    label: str
    """Which API it uses, for the user: "Mastodon API (@ana@social.example)"."""
    result: AdapterResult
    state: SourceState
    """Its state after the first read (the cursor the next refresh starts from)."""


def _credentials() -> Credentials:
    from tui.core.credentials import Credentials, CredentialsError, load_credentials

    try:
        return load_credentials()
    except CredentialsError as exc:
        # The adapters that need a token say so; reading without one may still work.
        return Credentials(problem=str(exc))


def recognise_address(address: str) -> Recognised | None:
    """The API that reads ``address`` (with or without ``https://``), or None for the feed
    path. Raises CannotFollow, in words, for an address nothing can follow."""
    why = refusal(address)
    if why:
        raise CannotFollow(why)
    address = address.strip()
    found = recognise(address)
    if found is None and "://" not in address:
        found = recognise("https://" + address)
    return found


async def read_once(
    found: Recognised,
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None = None,
    credentials: Credentials | None = None,
) -> ApiCheck | None:
    """Read the API source ``found`` once, to check it and keep what it gave; None when the
    address only looked like that API's (use the feed path). Raises CannotFollow."""
    adapter = adapter_for(found.api)
    if adapter is None:  # pragma: no cover - recognise only knows registered adapters
        return None
    if credentials is None:
        # A file read, off the event loop: the Add dialog runs this in the app's loop.
        credentials = await asyncio.to_thread(_credentials)
    from tui.core.net.fetch import Fetcher

    source = Source(found.url, kind=KIND_OF_API.get(found.api, "social"), api=found.api)
    state = SourceState(url=found.url)
    async with Fetcher(settings, transport) as fetcher:
        context = AdapterContext(fetcher, settings, credentials, utcnow())
        result = await adapter.refresh(source, state, context)
    if result.error and (result.feed is None or not result.feed.items):
        if found.tentative:
            return None  # not that API after all: the address may be a page with a feed
        raise CannotFollow(f"{found.label}: {result.error}")
    if result.feed is not None:
        source.name = result.feed.title
    now = utcnow()
    state.status = "ok"
    state.error = result.error or result.note
    state.http_status = result.http_status
    state.cursor = result.cursor
    state.fetches = 1
    state.last_fetched = now
    return ApiCheck(source, found.label, result, state)


async def check_api_address(
    address: str,
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None = None,
    credentials: Credentials | None = None,
) -> ApiCheck | None:
    """``recognise_address`` then ``read_once``: the API source at ``address``, or None."""
    found = recognise_address(address)
    if found is None:
        return None
    return await read_once(found, settings, transport, credentials)
