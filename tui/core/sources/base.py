"""The interface every source adapter implements, and the registry the refresher asks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    from tui.core.config import Settings
    from tui.core.credentials import Credentials
    from tui.core.models import ParsedFeed, Source, SourceState
    from tui.core.net.fetch import Fetcher

__all__ = [
    "AccountFigures",
    "Adapter",
    "AdapterContext",
    "AdapterResult",
    "Counts",
    "HostLimits",
    "Recognised",
    "adapter_for",
    "recognise",
    "register",
]


@dataclass
class Counts:
    """One post's engagement at one moment; None where the platform gives no such count."""

    replies: int | None = None
    reposts: int | None = None
    """Boosts, reblogs, reposts, shares."""
    likes: int | None = None
    """Favourites, likes, stars."""
    quotes: int | None = None
    points: int | None = None
    """Score or points (Hacker News, Lobsters)."""
    comments: int | None = None
    views: int | None = None
    downloads: int | None = None
    """A release's downloads (GitHub: the sum over its assets)."""


@dataclass
class AccountFigures:
    """An account's own figures at one moment."""

    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    stars: int | None = None
    """A repository's stars (GitHub)."""
    forks: int | None = None


@dataclass
class AdapterResult:
    """What one refresh of an API source gave."""

    feed: ParsedFeed | None = None
    """The items, sanitised like a feed's; None when nothing changed (every call a 304)."""
    counts: dict[str, Counts] = field(default_factory=dict)
    """Engagement by item guid, stored as a snapshot when the source is the user's own."""
    account: AccountFigures | None = None
    cursor: str = ""
    """The adapter's own state for next time (stored with the source; JSON is usual)."""
    error: str = ""
    """Why it failed, in words, never a token; items may still be partial."""
    http_status: int | None = None
    retry_after: dt.datetime | None = None
    """When the API asked us to come back (429, or its rate-limit headers)."""
    note: str = ""
    """Something the user should know that is not a failure, shown on the sources screen:
    "the API needs a token here: reading the account's RSS feed instead"."""
    bookmarks: bool = False
    """The items are the user's bookmarks (a bookmark service's): stored flagged
    ``bookmarked``."""
    complete: bool = False
    """The items are every one the source has: the others stored for it are removed."""
    backlog: bool = False
    """The items are a collection seen for the first time, not news: stored read, but for
    those marked to read."""


class HostLimits:
    """Hosts whose rate limit is used up, and until when: shared by every source of one
    refresher, so that when one GitHub source has seen ``X-RateLimit-Remaining: 0`` the
    others wait too instead of each spending a call to be refused."""

    def __init__(self) -> None:
        self._until: dict[str, dt.datetime] = {}

    def until(self, host: str, now: dt.datetime) -> dt.datetime | None:
        """When ``host`` may be asked again, or None when it may be asked now."""
        when = self._until.get(host)
        if when is None or when <= now:
            self._until.pop(host, None)
            return None
        return when

    def park(self, host: str, until: dt.datetime) -> None:
        current = self._until.get(host)
        if current is None or until > current:
            self._until[host] = until


@dataclass
class AdapterContext:
    """What an adapter may use: the shared HTTP client, settings, secrets and the time."""

    fetcher: Fetcher
    settings: Settings
    credentials: Credentials
    now: dt.datetime
    limits: HostLimits = field(default_factory=HostLimits)
    """Rate-limited hosts, shared by every source the same refresher reads."""


@dataclass(frozen=True)
class Recognised:
    """An address an adapter will read: its canonical form and the API it uses."""

    api: str
    url: str
    label: str
    """Said to the user: "Mastodon API (@ana@social.example)"."""
    tentative: bool = False
    """The address only looks like this API's (``https://host/@user`` on any host): when
    the API does not answer there, the address is read as a web page or feed instead."""


class Adapter(Protocol):
    """One kind of API source. Instances keep no state between refreshes but the cursor."""

    api: ClassVar[str]
    """Its name in portfolio.toml: ``api = "mastodon"``."""
    label: ClassVar[str]
    """Its name for people: "Mastodon API"."""

    def recognise(self, address: str) -> Recognised | None:
        """This adapter's reading of ``address``, or None when it is not one of its forms."""
        ...

    async def refresh(
        self, source: Source, state: SourceState, context: AdapterContext
    ) -> AdapterResult:
        """Fetch what is new. Never raises for the API's failures: say them in ``error``."""
        ...


_REGISTRY: dict[str, Adapter] = {}
_loaded = False


def register(adapter: Adapter) -> Adapter:
    """Make ``adapter`` known by its ``api`` name (modules call it when imported)."""
    _REGISTRY[adapter.api] = adapter
    return adapter


def _load() -> None:
    # The adapters' modules are imported when the first API source is met, not before:
    # a portfolio of feeds never pays for them.
    global _loaded
    if not _loaded:
        _loaded = True
        from tui.core.sources import registry  # noqa: F401 - registers every adapter


def adapter_for(api: str) -> Adapter | None:
    """The adapter named ``api`` (a source's ``api`` field), or None."""
    _load()
    return _REGISTRY.get(api)


def recognise(address: str) -> Recognised | None:
    """The first adapter that reads ``address`` as one of its forms, in registry order."""
    _load()
    for adapter in _REGISTRY.values():
        found = adapter.recognise(address)
        if found is not None:
            return found
    return None


def known_apis() -> list[str]:
    _load()
    return list(_REGISTRY)
