"""One sync with the server: sources merged three ways, the server's changes pulled in,
the local changes pushed out, and a report of what moved each way.

The app runs it on its own schedule (``[sync] interval``) and after each refresh; ``folio
refresh`` runs it after the refresh; ``folio sync`` runs it alone. Nothing here raises
for the server's failures: they end in ``SyncReport.error``, and what waits stays queued.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.core.models import Source, utcnow
from tui.core.sync import local
from tui.core.sync.common import (
    SERVICE,
    SUBSCRIBE,
    UNSUBSCRIBE,
    RemoteFeed,
    SyncClient,
    SyncError,
    feed_key,
    make_client,
    source_key,
)
from tui.core.sync.sender import SyncSender

if TYPE_CHECKING:
    from tui.core.config import Settings, SyncSettings
    from tui.core.credentials import Credentials
    from tui.core.net.fetch import Fetcher
    from tui.core.storage.store import Store

__all__ = [
    "FULL_EVERY",
    "SourcePlan",
    "SyncReport",
    "is_due",
    "keeps_later",
    "plan_sources",
    "sync_once",
]

FULL_EVERY = 6 * 3600.0
"""Seconds between complete id listings where deltas are the rule (Miniflux). The Google
Reader API lists unread and starred ids on every pull, as FreshRSS recommends."""
MAX_FETCH = 5000
"""Most unknown entries one sync downloads (the rest come with the next)."""

SourceEditor = Callable[[list[Source], list[str]], None]
"""Adds sources and removes others (by URL) in portfolio.toml; raises when it cannot."""

_KINDS = {
    "podcast": "podcast",
    "podcasts": "podcast",
    "video": "video",
    "videos": "video",
    "youtube": "video",
    "news": "news",
    "bookmarks": "bookmarks",
    "social": "social",
    "blog": "blog",
    "blogs": "blog",
}
"""A server category that names one of folio's kinds gives the source that kind."""


def keeps_later(settings: SyncSettings) -> bool:
    """Whether the server has a place for "save for later" (a Google Reader API label)."""
    return settings.service == "greader" and bool(settings.later_label)


def is_due(store: Store, settings: SyncSettings, now: dt.datetime | None = None) -> bool:
    """Whether the app's next pull is due (``[sync] interval`` after the last one)."""
    last = local.get_state(store, "last_sync")
    moment = (now or utcnow()).timestamp()
    return not isinstance(last, int | float) or moment - last >= settings.interval_seconds


@dataclass
class SyncReport:
    """What one sync moved each way, for ``folio sync`` and the app's notification."""

    service: str
    ok: bool = True
    error: str = ""
    received: dict[str, int] = field(default_factory=dict)
    """From the server: new items, and states changed here (read, unread, starred…)."""
    sent: dict[str, int] = field(default_factory=dict)
    """To the server: changes it took, by action (read, star, mark_feed_read…)."""
    sources_added: list[str] = field(default_factory=list)
    """Sources followed on the server and now here too."""
    sources_removed: list[str] = field(default_factory=list)
    """Sources the server no longer has, removed here."""
    subscribing: list[str] = field(default_factory=list)
    """Sources of folio's queued to be followed on the server."""
    unsubscribing: list[str] = field(default_factory=list)
    waiting: int = 0
    refused: int = 0
    notes: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    @property
    def moved(self) -> bool:
        return bool(
            any(self.received.values())
            or any(self.sent.values())
            or self.sources_added
            or self.sources_removed
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "ok": self.ok,
            "error": self.error,
            "received": {k: v for k, v in self.received.items() if v},
            "sent": {k: v for k, v in self.sent.items() if v},
            "sources_added": self.sources_added,
            "sources_removed": self.sources_removed,
            "subscribing": self.subscribing,
            "unsubscribing": self.unsubscribing,
            "waiting": self.waiting,
            "refused": self.refused,
            "notes": self.notes,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
        }

    def sent_words(self) -> str:
        """What the server took, in words: "5 read, 1 starred, 1 feed marked read"."""
        return ", ".join(
            f"{n} {_SENT_WORDS.get(action, action).replace('(s)', 's' * (n != 1))}"
            for action, n in self.sent.items()
            if n
        )

    def summary(self) -> str:
        """One line: "from Miniflux: 12 new, 3 read; to it: 5 read; 2 waiting"."""
        got = ", ".join(f"{n} {name}" for name, n in self.received.items() if n)
        gave = self.sent_words()
        parts = [f"from {self.service}: {got or 'nothing new'}", f"to it: {gave or 'nothing'}"]
        if self.sources_added:
            parts.append(f"{len(self.sources_added)} sources added")
        if self.sources_removed:
            parts.append(f"{len(self.sources_removed)} sources removed")
        if self.waiting:
            parts.append(f"{self.waiting} waiting")
        if self.refused:
            parts.append(f"{self.refused} refused")
        return "; ".join(parts)


_SENT_WORDS = {
    "read": "read",
    "unread": "unread",
    "star": "starred",
    "unstar": "unstarred",
    "later": "saved for later",
    "unlater": "no longer for later",
    "mark_feed_read": "feed(s) marked read",
    "subscribe": "source(s) followed",
    "unsubscribe": "source(s) unfollowed",
    "position": "podcast position(s)",
}


# -- sources, merged three ways ----------------------------------------------------------


@dataclass
class SourcePlan:
    """What the merge of folio's sources, the server's and the last sync's asks for."""

    mapped: list[tuple[RemoteFeed, str]] = field(default_factory=list)
    """Server feeds paired with folio's sources (kept or newly matched)."""
    add: list[tuple[RemoteFeed, Source]] = field(default_factory=list)
    """Followed on the server since the last sync (on another machine): add here."""
    remove: list[str] = field(default_factory=list)
    """Unfollowed on the server since the last sync: remove here."""
    dropped: list[str] = field(default_factory=list)
    """Feed ids to forget (gone from the server)."""
    subscribe: list[Source] = field(default_factory=list)
    """folio's sources the server does not have: follow them there."""
    unsubscribe: list[tuple[str, str]] = field(default_factory=list)
    """(feed id, source) removed in folio since the last sync: unfollow them there."""
    notes: list[str] = field(default_factory=list)


def _syncable(source: Source) -> bool:
    """A feed the server can follow (API sources are fetched directly, as before)."""
    return not source.api and source.url.startswith(("http://", "https://"))


def _new_source(feed: RemoteFeed) -> Source:
    kind = _KINDS.get(feed.category.strip().lower(), "blog")
    return Source(
        url=feed.url, name=feed.title, kind=kind, tags=[feed.category] if feed.category else []
    )


def plan_sources(
    sources: Sequence[Source],
    base: Sequence[local.BaseFeed],
    remote: Sequence[RemoteFeed],
    pending: dict[str, str],
) -> SourcePlan:
    """The three-way merge: ``base`` is the server's list as it stood at the last sync, so
    a difference tells who changed it. ``pending``: outbox keys with a change waiting."""
    from tui.core.interop.opml import normalise_url

    plan = SourcePlan()
    local_urls = {source.url for source in sources}
    by_key = {normalise_url(s.url): s for s in sources}
    base_by_id = {feed.feed_id: feed for feed in base}
    claimed: set[str] = set()
    remote_ids = {feed.id for feed in remote}
    for feed in remote:
        known = base_by_id.get(feed.id)
        if known is not None and known.source in local_urls:
            plan.mapped.append((feed, known.source))
            claimed.add(known.source)
        elif known is not None:
            if pending.get(feed_key(feed.id)) != UNSUBSCRIBE:
                plan.unsubscribe.append((feed.id, known.source))
        elif pending.get(feed_key(feed.id)) == UNSUBSCRIBE:
            continue  # unfollowed here, not sent yet
        else:
            match = by_key.get(normalise_url(feed.url))
            if match is not None and not _syncable(match):
                continue  # followed here through its API: fetched directly, as before
            if match is not None and match.url not in claimed:
                plan.mapped.append((feed, match.url))
                claimed.add(match.url)
            elif match is None:
                plan.add.append((feed, _new_source(feed)))
    for was in base:
        if was.feed_id in remote_ids:
            continue
        plan.dropped.append(was.feed_id)
        if was.source in local_urls and pending.get(source_key(was.source)) != SUBSCRIBE:
            plan.remove.append(was.source)
    if plan.remove and not remote:
        # A server listing nothing at all is more likely a wiped or wrong account than the
        # user unfollowing everything elsewhere: nothing is removed here.
        plan.notes.append(
            f"the server follows no feed at all, so folio removed none of its "
            f"{len(plan.remove)} synced sources"
        )
        plan.remove = []
    for source in sources:
        if not _syncable(source) or source.url in claimed:
            continue
        if pending.get(source_key(source.url)) == SUBSCRIBE:
            continue
        if source.url in plan.remove:
            continue
        plan.subscribe.append(source)
    return plan


# -- one sync -----------------------------------------------------------------------------


async def sync_once(
    store: Store,
    settings: Settings,
    credentials: Credentials,
    fetcher: Fetcher,
    sources: Sequence[Source],
    edit_sources: SourceEditor | None = None,
    *,
    now: dt.datetime | None = None,
) -> SyncReport:
    """Merge sources, pull what changed on the server, then send what waits here."""
    from tui.core.outbox.queue import Outbox
    from tui.core.outbox.sender import flush

    started = time.perf_counter()
    now = now or utcnow()
    sync = settings.sync
    report = SyncReport(sync.label)
    client, problem = make_client(sync, credentials, fetcher)
    if await asyncio.to_thread(local.adopt_account, store, sync):
        report.notes.append(
            "the sync server or user changed: folio matches its items with the new one afresh"
        )
    if client is None:
        report.ok, report.error = False, problem
    else:
        report.service = client.label if sync.service == "greader" else sync.label
        try:
            await _pull(store, client, sources, edit_sources, now, report, sync.interval_seconds)
        except SyncError as exc:
            report.ok, report.error = False, exc.message
            await asyncio.to_thread(_sources_failed, store, exc.message)
    sender = SyncSender(client, problem, store)
    outbox = Outbox(store)
    if report.ok:
        # The server just answered, with these credentials: whatever waits in back-off
        # (it was down, or refused an old token) goes now, not when its back-off ends.
        await asyncio.to_thread(outbox.due_now, SERVICE, now)
    flushed = await flush(outbox, sender, now)
    report.sent = dict(sender.sent)
    if flushed.errors and report.ok:
        report.ok, report.error = False, flushed.errors[0]
    for waiting in await asyncio.to_thread(outbox.waiting):
        if waiting.service == SERVICE:
            report.waiting, report.refused = waiting.waiting, waiting.failed
    requests = getattr(client, "requests", 0)
    report.requests = requests if isinstance(requests, int) else 0
    report.seconds = time.perf_counter() - started
    return report


async def _pull(
    store: Store,
    client: SyncClient,
    sources: Sequence[Source],
    edit_sources: SourceEditor | None,
    now: dt.datetime,
    report: SyncReport,
    interval: float,
) -> None:
    remote = await client.feeds()
    base = await asyncio.to_thread(local.base_feeds, store)
    pending = await asyncio.to_thread(local.pending_keys, store)
    plan = plan_sources(sources, base, remote, pending)
    report.notes += plan.notes
    # The new sources are known as synced before they are added, so that nothing fetches
    # them directly in between.
    mapped = plan.mapped + [(feed, source.url) for feed, source in plan.add]
    await asyncio.to_thread(local.write_feeds, store, mapped, plan.dropped)
    added = [source for _, source in plan.add]
    if added or plan.remove:
        try:
            if edit_sources is None:
                raise RuntimeError("nothing can edit portfolio.toml here")
            edit_sources(added, plan.remove)
        except Exception as exc:  # a read-only portfolio, a full disk: try again next time
            report.notes.append(f"sources not changed here: {exc}")
            await asyncio.to_thread(local.write_feeds, store, [], [feed.id for feed, _ in plan.add])
            mapped = plan.mapped
            plan.add, plan.remove, added = [], [], []
    report.sources_added = [source.title for source in added]
    report.sources_removed = list(plan.remove)
    for url in plan.remove:
        await asyncio.to_thread(store.remove_source, url)
    if plan.subscribe or plan.unsubscribe:
        await asyncio.to_thread(
            local.queue_source_changes, store, plan.subscribe, plan.unsubscribe, now
        )
    report.subscribing = [source.url for source in plan.subscribe]
    report.unsubscribing = [source for _, source in plan.unsubscribe]
    feeds = {feed.id: url for feed, url in mapped}

    cursor = await asyncio.to_thread(local.get_state, store, "cursor")
    last_full = await asyncio.to_thread(local.get_state, store, "last_full")
    full = not isinstance(last_full, int | float) or now.timestamp() - last_full >= FULL_EVERY
    pull = await client.pull(cursor if isinstance(cursor, dict) else {}, full=full)
    later = client.has_later
    applied = await asyncio.to_thread(
        local.apply_entries, store, pull.entries, feeds, later=later, now=now
    )
    if pull.unread is not None or pull.starred is not None or pull.later is not None:
        listing = await asyncio.to_thread(
            local.apply_listing, store, pull.unread, pull.starred, pull.later
        )
        applied.add(listing)
        unknown = sorted(listing.unknown, key=lambda i: int(i) if i.isdigit() else 0)
        if unknown:
            fetched = await client.entries(unknown[-MAX_FETCH:])
            applied.add(
                await asyncio.to_thread(
                    local.apply_entries, store, fetched, feeds, later=later, now=now
                )
            )
    state: dict[str, Any] = {"cursor": pull.cursor or cursor or {}, "last_sync": now.timestamp()}
    if full:
        state["last_full"] = now.timestamp()
    await asyncio.to_thread(local.set_state, store, state)
    titles = {url: feed.title for feed, url in mapped}
    await asyncio.to_thread(_sources_synced, store, titles, now, interval)
    report.received = applied.counts()
    if applied.matched:
        report.notes.append(f"{applied.matched} items folio had were matched to the server's")
    if applied.server_won:
        report.notes.append(
            f"{applied.server_won} changes made here were older than the server's and gave way"
        )
    report.item_ids = sorted(applied.item_ids)
    report.sources = sorted(applied.sources | set(titles))


def _sources_synced(
    store: Store, titles: dict[str, str], now: dt.datetime, interval: float
) -> None:
    """Synced sources' states say when the server last brought them, for the sources
    screen (the refresher leaves them alone)."""
    from tui.core.storage.store import SourceWrite

    writes = []
    for url, title in titles.items():
        state = store.state(url)
        state.status, state.error = "ok", ""
        state.last_fetched = now
        state.fetches += 1
        state.failures = 0
        state.next_due = now + dt.timedelta(seconds=interval)  # the next pull
        state.feed_title = title or state.feed_title
        writes.append(SourceWrite(state))
    if writes:
        store.write_batch(writes)


def _sources_failed(store: Store, error: str) -> None:
    from tui.core.storage.store import SourceWrite

    writes = []
    for url in local.synced_urls(store):
        state = store.state(url)
        state.status, state.error = "error", error
        state.failures += 1
        writes.append(SourceWrite(state))
    if writes:
        store.write_batch(writes)
