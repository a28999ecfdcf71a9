"""What every bookmark service shares: the bookmark, the client interface, failures in
words, pacing, and the outbox's sender for the service."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from tui.core.ingest.text import clean, clean_line
from tui.core.outbox.sender import FAILED, RETRY, SENT, Outcome
from tui.core.sources.common import text_of

if TYPE_CHECKING:
    from tui.core.net.fetch import Fetcher, FetchResult
    from tui.core.outbox.queue import OutboxEntry

__all__ = [
    "SERVICE",
    "Bookmark",
    "BookmarkClient",
    "BookmarkSender",
    "Listing",
    "Pacer",
    "ServiceFailure",
    "failure_from",
    "is_web_url",
    "parse_time",
]

SERVICE = "bookmarks"
"""The outbox's name for the bookmark service, whichever it is."""

MAX_TAGS = 100
MAX_TITLE = 500
MAX_DESCRIPTION = 10_000


def is_web_url(url: str) -> bool:
    """True for an http(s) address with a host: the only kind folio ever sends."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Tags as every service takes them: one word each (spaces and commas split tags on
    Pinboard and in bookmark files), no controls, no repeats, at most ``MAX_TAGS``."""
    kept: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        for part in clean_line(tag).replace(",", " ").split():
            if part.lower() not in seen:
                seen.add(part.lower())
                kept.append(part)
                if len(kept) == MAX_TAGS:
                    return kept
    return kept


@dataclass
class Bookmark:
    """One bookmark, as folio sends it and as a service lists it."""

    url: str
    title: str = ""
    description: str = ""
    """Plain text."""
    tags: list[str] = field(default_factory=list)
    private: bool | None = None
    """None: the service's own default for new bookmarks (linkding: not shared)."""
    toread: bool = False
    added: dt.datetime | None = None
    modified: dt.datetime | None = None

    def payload(self) -> dict[str, Any]:
        """The outbox's copy: JSON-ready, dates left out (the service keeps its own)."""
        data = asdict(self)
        data.pop("added")
        data.pop("modified")
        return data

    @classmethod
    def from_payload(cls, url: str, data: dict[str, Any]) -> Bookmark:
        """A bookmark from an outbox row; anything missing or of the wrong type is left
        at its default, so a row written by another version still goes out."""

        tags = data.get("tags")
        return cls(
            url=url,
            title=clean_line(text_of(data, "title"))[:MAX_TITLE],
            description=clean(text_of(data, "description"))[:MAX_DESCRIPTION],
            tags=clean_tags([t for t in tags if isinstance(t, str)])
            if isinstance(tags, list)
            else [],
            private=data["private"] if isinstance(data.get("private"), bool) else None,
            toread=data.get("toread") is True,
        )

    def cleaned(self) -> Bookmark:
        """The bookmark with every field sanitised as ingest does (a service's answer)."""
        return Bookmark(
            url=clean_line(self.url),
            title=clean_line(self.title)[:MAX_TITLE],
            description=clean(self.description)[:MAX_DESCRIPTION],
            tags=clean_tags(self.tags),
            private=self.private,
            toread=self.toread,
            added=self.added,
            modified=self.modified,
        )


@dataclass
class Listing:
    """What one look at the service's bookmarks gave."""

    bookmarks: list[Bookmark] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    """Where to go on from next time (the service's own clock, the last full listing)."""
    complete: bool = False
    """Every bookmark the service has: those not listed were deleted there."""
    changed: bool = True
    """False when the service said nothing changed (then ``bookmarks`` is empty)."""
    note: str = ""


class ServiceFailure(Exception):
    """A call the service did not take. ``str()`` is for the user and never holds a token."""

    def __init__(
        self,
        message: str,
        *,
        temporary: bool = True,
        retry_after: dt.datetime | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.temporary = temporary
        """True: try again later (down, slow, limited, token refused). False: the service
        refuses this change itself, and sending it again would not help."""
        self.retry_after = retry_after
        self.status = status


def _body_words(result: FetchResult, limit: int = 160) -> str:
    """The useful part of an error answer: a JSON API's message, else its first line."""
    body = result.body[:4096]
    if not body:
        return ""
    try:
        data = json.loads(body)
    except ValueError:
        text = body.decode("utf-8", "replace")
    else:
        if isinstance(data, dict):
            parts = []
            for key, value in list(data.items())[:4]:
                if isinstance(value, list):
                    value = "; ".join(str(v) for v in value[:3])
                parts.append(f"{key}: {value}")
            text = ", ".join(parts)
        else:
            text = str(data)
    if "<html" in text.lower():
        return ""  # an error page: its markup says nothing useful
    words = clean_line(text)
    return words if len(words) <= limit else words[: limit - 1] + "…"


def failure_from(result: FetchResult, label: str, what: str = "") -> ServiceFailure:
    """A failed answer in words, and whether trying again later can help."""
    status = result.status
    doing = f" {what}" if what else ""
    if status is None:
        return ServiceFailure(f"{label}{doing}: {result.error}", status=None)
    if status in (401, 403):
        return ServiceFailure(
            f"{label} refused the token ({status}): set FOLIO_BOOKMARKS_TOKEN, or "
            "bookmarks_token in credentials.toml",
            status=status,
        )
    if status == 429:
        return ServiceFailure(
            f"{label} asks folio to slow down (429 Too Many Requests)",
            retry_after=result.retry_after,
            status=status,
        )
    if status in (408, 425) or status >= 500:
        return ServiceFailure(
            f"{label}{doing}: {result.error}", retry_after=result.retry_after, status=status
        )
    detail = _body_words(result)
    message = f"{label} refused{doing}: {result.error}" + (f" ({detail})" if detail else "")
    return ServiceFailure(message, temporary=False, status=status)


def parse_time(value: object) -> dt.datetime | None:
    """An ISO 8601 time from an API (``Z`` or an offset); None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


class Pacer:
    """At most one call per ``interval`` seconds (Pinboard: one per user every 3 s).

    Shared by every client of one account in a process (``Pacer.of``), so the refresh's
    listing and the outbox's sending never go faster together than the service allows.
    """

    _shared: ClassVar[dict[str, Pacer]] = {}

    def __init__(
        self,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0

    @classmethod
    def of(cls, key: str, interval: float) -> Pacer:
        pacer = cls._shared.get(key)
        if pacer is None:
            pacer = cls._shared[key] = cls(interval)
        pacer.interval = interval
        return pacer

    async def wait(self) -> None:
        """Wait for this call's turn. The turn is taken before waiting, so calls that wait
        together are spaced one after another."""
        now = self.clock()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await self.sleep(slot - now)

    def hold(self, seconds: float) -> None:
        """No call for ``seconds`` (the service said 429)."""
        self._next = max(self._next, self.clock() + seconds)


class BookmarkClient:
    """One account on a bookmark service. Subclasses implement the three calls; each
    raises ``ServiceFailure`` for anything the service did not take."""

    service: ClassVar[str] = ""
    """Its name in settings.toml."""
    label: ClassVar[str] = ""
    batch_size: ClassVar[int] = 20

    def __init__(self, fetcher: Fetcher, base_url: str, token: str | None, user: str = "") -> None:
        self.fetcher = fetcher
        self.base_url = base_url.rstrip("/") + "/"
        self.token = token or ""
        self.user = user
        self.token_problem = ""
        """Why credentials.toml could not be read, when it could not."""

    def need_token(self) -> None:
        if not self.token:
            if self.token_problem:
                raise ServiceFailure(f"no {self.label} token: {self.token_problem}")
            raise ServiceFailure(
                f"no {self.label} token: set FOLIO_BOOKMARKS_TOKEN, or bookmarks_token in "
                "credentials.toml (readable by you alone)"
            )

    async def save(self, bookmark: Bookmark) -> None:
        """Create the bookmark, or update the one the service has for its URL."""
        raise NotImplementedError

    async def remove(self, url: str) -> None:
        """Delete the service's bookmark of ``url``; one that is not there is no failure."""
        raise NotImplementedError

    async def listing(self, cursor: dict[str, Any], now: dt.datetime) -> Listing:
        """What changed since ``cursor`` (everything when it is empty)."""
        raise NotImplementedError


class BookmarkSender:
    """The outbox's sender for the bookmark service: "add" and "delete", one by one, in
    order. Sending twice does no harm: each client's save updates the bookmark its URL
    already has, and a removal of a bookmark that is gone counts as done."""

    service = SERVICE

    def __init__(self, client: BookmarkClient) -> None:
        self.client = client
        self.batch_size = client.batch_size

    async def send(self, entries: Sequence[OutboxEntry]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for entry in entries:
            if not is_web_url(entry.key):
                outcomes.append(Outcome(entry.id, FAILED, "only http and https addresses are sent"))
                continue
            try:
                if entry.action == "add":
                    await self.client.save(Bookmark.from_payload(entry.key, entry.payload))
                elif entry.action == "delete":
                    await self.client.remove(entry.key)
                else:
                    outcomes.append(Outcome(entry.id, FAILED, f"unknown change {entry.action!r}"))
                    continue
            except ServiceFailure as failure:
                if failure.temporary:
                    # The later changes wait behind this one, so their order is kept.
                    outcomes.append(Outcome(entry.id, RETRY, failure.message, failure.retry_after))
                    break
                outcomes.append(Outcome(entry.id, FAILED, failure.message))
                continue
            outcomes.append(Outcome(entry.id, SENT))
        return outcomes
