"""What every sync client shares: the server's feeds and entries as folio needs them, the
outbox's actions, failures in words, and the interface ``reconcile`` and ``sender`` use."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from tui.core.ingest.text import clean_line
from tui.core.models import Enclosure

if TYPE_CHECKING:
    from tui.core.config import SyncSettings
    from tui.core.credentials import Credentials
    from tui.core.net.fetch import Fetcher, FetchResult

__all__ = [
    "ACTIONS",
    "FLAG_ACTIONS",
    "SERVICE",
    "Pull",
    "RemoteEntry",
    "RemoteFeed",
    "SyncClient",
    "SyncError",
    "make_client",
]

SERVICE = "sync"
"""The outbox's name for the sync server's changes (the status bar says "N changes")."""

TOKEN_KEY = "sync_token"
"""The secret's key: FOLIO_SYNC_TOKEN, or sync_token in credentials.toml."""

# What the outbox asks of the server. An entry's state changes are states, not toggles:
# sending one twice, or only the last of several, leaves the server as the user left it.
READ, UNREAD, STAR, UNSTAR, LATER, UNLATER = "read", "unread", "star", "unstar", "later", "unlater"
MARK_FEED_READ = "mark_feed_read"
SUBSCRIBE, UNSUBSCRIBE = "subscribe", "unsubscribe"
POSITION = "position"

ACTIONS: dict[str, tuple[str, bool]] = {
    READ: ("read", True),
    UNREAD: ("read", False),
    STAR: ("starred", True),
    UNSTAR: ("starred", False),
    LATER: ("saved", True),
    UNLATER: ("saved", False),
}
"""An entry action's item flag and value."""
FLAG_ACTIONS: dict[tuple[str, bool], str] = {state: action for action, state in ACTIONS.items()}
"""The action that sends an item flag's new value."""

_MAX_MESSAGE = 240


def entry_key(entry_id: str) -> str:
    """The outbox key of a change to one entry: changes to one entry go in order."""
    return f"entry:{entry_id}"


def feed_key(feed_id: str) -> str:
    return f"feed:{feed_id}"


def source_key(url: str) -> str:
    return f"source:{url}"


@dataclass(frozen=True)
class RemoteFeed:
    """One subscription on the server."""

    id: str
    url: str
    """The feed's address as the server keeps it."""
    title: str = ""
    site_url: str = ""
    category: str = ""
    """The server's category (folder); it becomes the source's tag."""


@dataclass
class RemoteEntry:
    """One article on the server, its text already cleaned of control codes."""

    id: str
    """The server's id, as a decimal string."""
    feed_id: str
    url: str = ""
    title: str = ""
    author: str = ""
    content: str = ""
    published: dt.datetime | None = None
    crawled: int = 0
    """When the server first stored it, in microseconds (its id for FreshRSS)."""
    read: bool = False
    starred: bool = False
    later: bool | None = None
    """None where the server has no place for "later", or did not say."""
    changed: dt.datetime | None = None
    """When its state last changed on the server, where the server says (Miniflux)."""
    guid: str = ""
    enclosures: list[Enclosure] = field(default_factory=list)
    enclosure_id: str = ""
    """The server's id of its first enclosure (Miniflux keeps a podcast position on it)."""


@dataclass
class Pull:
    """What one pull brought: entries new or changed since the cursor, and, when the server
    listed them, every unread, starred and "later" id (the listing catches what a delta
    missed)."""

    entries: list[RemoteEntry] = field(default_factory=list)
    unread: set[str] | None = None
    starred: set[str] | None = None
    later: set[str] | None = None
    cursor: dict[str, Any] = field(default_factory=dict)
    """The client's state for the next pull (kept in ``sync_state``)."""
    requests: int = 0


class SyncError(Exception):
    """A call to the server failed; ``str()`` says why in words, never with the secret."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: dt.datetime | None = None,
        refused: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.refused = refused
        """The server refused this request itself (a 4xx other than 401/403/429): sending
        it again will not help."""
        self.status = status


class SyncClient(Protocol):
    """One feed server's API, as the sync needs it. Every method raises SyncError."""

    service: str
    label: str
    """For people: "Miniflux"."""
    has_later: bool
    """Whether the server keeps "save for later" (a FreshRSS label)."""

    async def feeds(self) -> list[RemoteFeed]:
        """Every subscription."""
        ...

    async def pull(self, cursor: dict[str, Any], *, full: bool) -> Pull:
        """What changed since ``cursor`` (everything unread and starred when it is empty);
        with ``full``, the unread, starred and later ids too."""
        ...

    async def entries(self, ids: Sequence[str]) -> list[RemoteEntry]:
        """The entries with these ids (those a listing named that folio does not have)."""
        ...

    async def mark(self, ids: Sequence[str], action: str) -> None:
        """Apply READ, UNREAD, STAR, UNSTAR, LATER or UNLATER to entries."""
        ...

    async def mark_feed_read(self, feed_id: str, newest_entry: str, before_usec: int) -> None:
        """Mark a feed read on the server up to its newest entry the user saw, including
        entries folio never downloaded."""
        ...

    async def subscribe(self, url: str, title: str) -> RemoteFeed | None:
        """Follow ``url`` (already followed is no failure); the new feed when known."""
        ...

    async def unsubscribe(self, feed_id: str) -> None:
        """Stop following (already gone is no failure)."""
        ...

    async def set_position(self, enclosure_id: str, seconds: int) -> None:
        """Keep a podcast's position (Miniflux's ``media_progression``)."""
        ...


def make_client(
    settings: SyncSettings, credentials: Credentials, fetcher: Fetcher
) -> tuple[SyncClient | None, str]:
    """The client the settings name, or None and why not in words (no secret set)."""
    if not settings.enabled:
        return None, "no sync server is set"
    secret = credentials.get(TOKEN_KEY)
    if not secret:
        problem = f" ({credentials.problem})" if credentials.problem else ""
        what = "password" if settings.service == "greader" else "API token"
        return None, (
            f"{settings.label}: no {what}{problem}: set FOLIO_SYNC_TOKEN, or sync_token in "
            "credentials.toml"
        )
    if settings.service == "miniflux":
        from tui.core.sync.miniflux import MinifluxClient

        return MinifluxClient(settings, secret, fetcher), ""
    from tui.core.sync.greader import GReaderClient

    return GReaderClient(settings, secret, fetcher), ""


# -- helpers for the clients -----------------------------------------------------------


def words(text: str, limit: int = _MAX_MESSAGE) -> str:
    """A server's text made safe to show in one line, and short."""
    line = clean_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def error_from(label: str, result: FetchResult, detail: str = "") -> SyncError:
    """A failed call as a SyncError: unreachable, refused the secret, busy, or refused the
    request; ``detail`` is what the server said about it (its error message)."""
    status = result.status
    said = f": {words(detail)}" if detail else ""
    if status is None:
        return SyncError(f"{label} unreachable: {result.error}")
    if status in (401, 403):
        return SyncError(
            f"{label} refused the credentials ({status}){said}; check FOLIO_SYNC_TOKEN or "
            "sync_token in credentials.toml",
            status=status,
        )
    if status in (429, 503):
        return SyncError(
            f"{label} is busy ({status}){said}", retry_after=result.retry_after, status=status
        )
    if status >= 500:
        return SyncError(f"{label} failed ({status}){said}", status=status)
    if 400 <= status < 500:
        return SyncError(f"{label} refused it ({status}){said}", refused=True, status=status)
    return SyncError(f"{label}: {result.error or f'unexpected answer {status}'}", status=status)


def parse_json(label: str, result: FetchResult) -> Any:
    """The body as JSON, or a SyncError saying the answer was not what the API gives."""
    try:
        return json.loads(result.body)
    except ValueError:
        raise SyncError(f"{label} answered something that is not JSON") from None


def parse_time(value: object) -> dt.datetime | None:
    """An RFC 3339 time (Miniflux) or seconds since the epoch (Google Reader), in UTC."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return dt.datetime.fromtimestamp(float(value), dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value:
        text = value.strip()
        if text.isdigit():
            return parse_time(int(text))
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        if moment.year < 1971:  # Go's zero time: "not set"
            return None
        return moment.astimezone(dt.UTC)
    return None


def server_time(result: FetchResult) -> dt.datetime | None:
    """The server's clock from an answer's Date header, so cursors never depend on ours."""
    from email.utils import parsedate_to_datetime

    header = result.headers.get("date", "")
    if not header:
        return None
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
