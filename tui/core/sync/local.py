"""The sync's side of the store: which source is which server feed, which item is which
server entry, what waits to be sent, and the server's items and states written in.

Everything here runs in a thread (never on the event loop) and inside one Store
transaction per call, so a crash leaves the store as it was before or after, never half.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.core.models import utcnow
from tui.core.outbox.queue import put_in
from tui.core.sync.common import (
    ACTIONS,
    FLAG_ACTIONS,
    MARK_FEED_READ,
    SERVICE,
    SUBSCRIBE,
    UNSUBSCRIBE,
    RemoteEntry,
    RemoteFeed,
    entry_key,
    feed_key,
)

if TYPE_CHECKING:
    from tui.core.config import SyncSettings
    from tui.core.models import Source
    from tui.core.storage.store import Store

__all__ = [
    "Applied",
    "BaseFeed",
    "apply_entries",
    "apply_listing",
    "queue_flag_changes",
    "queue_mark_feed_read",
    "synced_urls",
]

_FUTURE_SLACK = dt.timedelta(minutes=10)
_CHUNK = 900
"""Values per ``IN (…)``: under SQLite's oldest limit of 999 variables."""


@dataclass(frozen=True)
class BaseFeed:
    """A subscription as it stood at the last sync, and the source it is here."""

    feed_id: str
    source: str
    feed_url: str
    title: str = ""
    category: str = ""


@dataclass
class Applied:
    """What the server's data changed here."""

    new: int = 0
    read: int = 0
    unread: int = 0
    starred: int = 0
    unstarred: int = 0
    later: int = 0
    unlater: int = 0
    matched: int = 0
    """Items folio had fetched itself, now known as the server's entries."""
    server_won: int = 0
    """Local changes dropped because the server showed a later change."""
    item_ids: set[int] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)
    """Listed ids folio has no item for: to fetch."""

    def add(self, other: Applied) -> None:
        for name in ("new", "read", "unread", "starred", "unstarred", "later", "unlater"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.matched += other.matched
        self.server_won += other.server_won
        self.item_ids |= other.item_ids
        self.sources |= other.sources

    def counts(self) -> dict[str, int]:
        return {
            name: getattr(self, name)
            for name in ("new", "read", "unread", "starred", "unstarred", "later", "unlater")
        }


# -- state and mapping ------------------------------------------------------------------


def get_state(store: Store, key: str) -> Any:
    rows = store.query("SELECT value FROM sync_state WHERE key = ?", (key,))
    return json.loads(rows[0][0]) if rows else None


def set_state(store: Store, values: dict[str, Any]) -> None:
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO sync_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [(key, json.dumps(value)) for key, value in values.items()],
        )


def account_of(settings: SyncSettings) -> str:
    """Whose data the mapping is: a change of server or user starts it afresh."""
    return f"{settings.service} {settings.base_url} {settings.user}"


def adopt_account(store: Store, settings: SyncSettings) -> bool:
    """Make the store's sync data the account's; True when it was another's and was
    dropped (its feed and entry ids mean nothing to this server, nor do its waiting
    changes)."""
    account = account_of(settings)
    known = get_state(store, "account")
    if known == account:
        return False
    with store.transaction() as db:
        if known is not None:
            db.execute("DELETE FROM sync_feeds")
            db.execute("DELETE FROM sync_entries")
            db.execute("DELETE FROM sync_state")
            db.execute("DELETE FROM outbox WHERE service = ?", (SERVICE,))
        db.execute(
            "INSERT OR REPLACE INTO sync_state (key, value) VALUES ('account', ?)",
            (json.dumps(account),),
        )
    return known is not None


def synced_urls(store: Store) -> set[str]:
    """The sources whose items come from the sync server (the refresher leaves them)."""
    return {row[0] for row in store.query("SELECT source FROM sync_feeds")}


def base_feeds(store: Store) -> list[BaseFeed]:
    rows = store.query("SELECT feed_id, source, feed_url, title, category FROM sync_feeds")
    return [BaseFeed(*row) for row in rows]


def map_feed(db: sqlite3.Connection, feed: RemoteFeed, source: str) -> None:
    """Remember that ``source`` is the server's ``feed`` (replacing an older pairing of
    either)."""
    db.execute(
        "INSERT OR REPLACE INTO sync_feeds (feed_id, source, feed_url, title, category)"
        " VALUES (?, ?, ?, ?, ?)",
        (feed.id, source, feed.url, feed.title, feed.category),
    )


def write_feeds(
    store: Store, mapped: Sequence[tuple[RemoteFeed, str]], dropped: Iterable[str]
) -> None:
    with store.transaction() as db:
        db.executemany("DELETE FROM sync_feeds WHERE feed_id = ?", [(i,) for i in dropped])
        for feed, source in mapped:
            map_feed(db, feed, source)


def pending_keys(store: Store) -> dict[str, str]:
    """The newest action waiting (or refused) per outbox key of the sync."""
    rows = store.query("SELECT key, action FROM outbox WHERE service = ? ORDER BY id", (SERVICE,))
    return {key: action for key, action in rows}


# -- local changes into the outbox ------------------------------------------------------


def _entries_of(db: sqlite3.Connection, item_ids: Sequence[int]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for start in range(0, len(item_ids), _CHUNK):
        chunk = item_ids[start : start + _CHUNK]
        found += db.execute(
            "SELECT item_id, entry_id FROM sync_entries"
            f" WHERE item_id IN ({','.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
    return found


def queue_flag_changes(
    db: sqlite3.Connection,
    item_ids: Sequence[int],
    flag: str,
    value: bool,
    *,
    later: bool,
    now: dt.datetime | None = None,
) -> int:
    """Inside the flag's own transaction: an outbox row for each of ``item_ids`` that is a
    server entry. ``later``: whether the server keeps "save for later". Returns how many."""
    action = FLAG_ACTIONS.get((flag, value))
    if action is None or (flag == "saved" and not later):
        return 0
    pairs = _entries_of(db, list(item_ids))
    order = {item_id: n for n, item_id in enumerate(item_ids)}
    pairs.sort(key=lambda pair: order.get(pair[0], 0))
    put_in(db, SERVICE, [(action, entry_key(e), {"entry": e}) for _, e in pairs], now)
    return len(pairs)


def queue_mark_feed_read(
    db: sqlite3.Connection, source: str, now: dt.datetime | None = None
) -> bool:
    """Inside the flags' transaction: "mark this feed read" for the server, up to the newest
    entry folio has of it (so entries folio never downloaded are covered, and entries that
    arrive after are not). False when the source is not synced."""
    now = now or utcnow()
    row = db.execute("SELECT feed_id FROM sync_feeds WHERE source = ?", (source,)).fetchone()
    if row is None:
        return False
    feed_id = row[0]
    newest = db.execute(
        "SELECT entry_id, crawled FROM sync_entries WHERE feed_id = ?"
        " ORDER BY CAST(entry_id AS INTEGER) DESC LIMIT 1",
        (feed_id,),
    ).fetchone()
    payload = {
        "feed": feed_id,
        "newest_entry": newest[0] if newest else "",
        "before": int(newest[1]) if newest and newest[1] else int(now.timestamp() * 1_000_000),
    }
    put_in(db, SERVICE, [(MARK_FEED_READ, feed_key(feed_id), payload)], now)
    return True


def queue_position(store: Store, item_id: int, seconds: int) -> bool:
    """Queue a podcast episode's position for the server (Miniflux keeps it on the entry's
    enclosure as ``media_progression``); only the newest position waits, so a player that
    reports every few seconds queues one change, not hundreds. False when the item is no
    synced entry with an enclosure."""
    from tui.core.sync.common import POSITION

    with store.transaction() as db:
        row = db.execute(
            "SELECT enclosure_id FROM sync_entries WHERE item_id = ? AND enclosure_id != ''",
            (item_id,),
        ).fetchone()
        if row is None:
            return False
        key = f"enclosure:{row[0]}"
        db.execute(
            "DELETE FROM outbox WHERE service = ? AND key = ? AND action = ? AND attempts = 0",
            (SERVICE, key, POSITION),
        )
        put_in(db, SERVICE, [(POSITION, key, {"enclosure": row[0], "seconds": int(seconds)})])
    return True


def queue_source_changes(
    store: Store,
    subscribe: Sequence[Source],
    unsubscribe: Sequence[tuple[str, str]],
    now: dt.datetime | None = None,
) -> None:
    from tui.core.sync.common import source_key

    with store.transaction() as db:
        put_in(
            db,
            SERVICE,
            [
                *(
                    (SUBSCRIBE, source_key(s.url), {"url": s.url, "title": s.name})
                    for s in subscribe
                ),
                *((UNSUBSCRIBE, feed_key(f), {"feed": f, "source": u}) for f, u in unsubscribe),
            ],
            now,
        )
        db.executemany(
            "DELETE FROM sync_feeds WHERE feed_id = ?", [(feed_id,) for feed_id, _ in unsubscribe]
        )


# -- the server's data into the store ----------------------------------------------------


@dataclass
class _Holds:
    """What waits to be sent, which the server's older state must not overwrite."""

    entries: dict[tuple[str, str], float] = field(default_factory=dict)
    """(entry id, flag) → when the newest waiting change to it was made."""
    feeds: dict[str, int] = field(default_factory=dict)
    """feed id → the newest entry a waiting "mark feed read" covers."""


def _holds(db: sqlite3.Connection) -> _Holds:
    holds = _Holds()
    for action, key, payload, created in db.execute(
        "SELECT action, key, payload, created FROM outbox WHERE service = ? ORDER BY id",
        (SERVICE,),
    ):
        if action in ACTIONS and key.startswith("entry:"):
            holds.entries[(key[6:], ACTIONS[action][0])] = created
        elif action == MARK_FEED_READ:
            data = json.loads(payload)
            newest = str(data.get("newest_entry") or "")
            limit = int(newest) if newest.isdigit() else 1 << 62
            holds.feeds[str(data.get("feed"))] = max(
                holds.feeds.get(str(data.get("feed")), 0), limit
            )
    return holds


def _drop_waiting(db: sqlite3.Connection, entry_id: str, flag: str) -> None:
    """The server changed this after the waiting local change: the server wins."""
    actions = [action for action, state in ACTIONS.items() if state[0] == flag]
    db.execute(
        f"DELETE FROM outbox WHERE service = ? AND key = ? AND action IN"
        f" ({','.join('?' * len(actions))})",
        (SERVICE, entry_key(entry_id), *actions),
    )


_ITEM_INSERT = (
    "INSERT INTO items (source, key, guid, title, link, author, summary, content,"
    " published, dated, first_seen, read, starred, saved, enclosure_url, enclosure_type,"
    " enclosure_length) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class _Matcher:
    """Finds the item an entry is: by its mapping, else (once) an item of its source that
    folio fetched itself, by link or guid."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._unmapped: dict[str, dict[str, tuple[int, bool, bool, bool]]] = {}

    def mapped(self, entry_id: str) -> int | None:
        row = self.db.execute(
            "SELECT item_id FROM sync_entries WHERE entry_id = ?", (entry_id,)
        ).fetchone()
        return int(row[0]) if row else None

    def unmapped(self, source: str) -> dict[str, tuple[int, bool, bool, bool]]:
        found = self._unmapped.get(source)
        if found is None:
            found = {}
            for item_id, link, guid, read, starred, saved in self.db.execute(
                "SELECT id, link, guid, read, starred, saved FROM items WHERE source = ?"
                " AND id NOT IN (SELECT item_id FROM sync_entries)",
                (source,),
            ):
                state = (item_id, bool(read), bool(starred), bool(saved))
                for name in (guid, link):
                    if name:
                        found.setdefault(name, state)
            self._unmapped[source] = found
        return found

    def take(self, source: str, entry: RemoteEntry) -> tuple[int, bool, bool, bool] | None:
        candidates = self.unmapped(source)
        for name in (entry.guid, entry.url):
            if name and name in candidates:
                found = candidates[name]
                for key in [k for k, v in candidates.items() if v[0] == found[0]]:
                    del candidates[key]
                return found
        return None


def apply_entries(
    store: Store,
    entries: Sequence[RemoteEntry],
    feeds: dict[str, str],
    *,
    later: bool,
    now: dt.datetime | None = None,
) -> Applied:
    """Write the server's entries (new or changed) into the store, as items of their
    sources (``feeds``: feed id → source URL), with their states, except where a local
    change waits to be sent and the server shows no later change. Entries of feeds that
    are not synced here are left out."""
    now = now or utcnow()
    applied = Applied()
    with store.transaction() as db:
        holds = _holds(db)
        matcher = _Matcher(db)
        for entry in entries:
            source = feeds.get(entry.feed_id)
            if source is None:
                continue
            _apply_one(db, matcher, holds, entry, source, later, now, applied)
    return applied


def _apply_one(
    db: sqlite3.Connection,
    matcher: _Matcher,
    holds: _Holds,
    entry: RemoteEntry,
    source: str,
    later: bool,
    now: dt.datetime,
    applied: Applied,
) -> None:
    enclosure = entry.enclosures[0] if entry.enclosures else None
    server = {"read": entry.read, "starred": entry.starred}
    if later and entry.later is not None:
        server["saved"] = entry.later
    item_id = matcher.mapped(entry.id)
    first_match = False
    if item_id is None:
        found = matcher.take(source, entry)
        if found is None:
            covered = holds.feeds.get(entry.feed_id)
            if covered is not None and entry.id.isdigit() and int(entry.id) <= covered:
                server["read"] = True  # a waiting "mark feed read" covers it
            _insert(db, entry, source, enclosure, server, now, applied)
            return
        item_id = found[0]
        first_match = True
        applied.matched += 1
    db.execute(
        "INSERT OR REPLACE INTO sync_entries (entry_id, item_id, feed_id, crawled,"
        " enclosure_id) VALUES (?, ?, ?, ?, ?)",
        (entry.id, item_id, entry.feed_id, entry.crawled, entry.enclosure_id),
    )
    row = db.execute(
        "SELECT read, starred, saved, title, link, author, content FROM items WHERE id = ?",
        (item_id,),
    ).fetchone()
    local = {"read": bool(row[0]), "starred": bool(row[1]), "saved": bool(row[2])}
    # The server's text where it has some (an edited article); what folio had, where not.
    text = {"title": entry.title, "link": entry.url, "author": entry.author}
    text["content"] = entry.content
    changed = {
        name: value
        for (name, value), old in zip(text.items(), row[3:], strict=True)
        if value and value != old
    }
    if changed:
        db.execute(
            f"UPDATE items SET {', '.join(f'{name} = ?' for name in changed)} WHERE id = ?",
            (*changed.values(), item_id),
        )
    for flag, value in server.items():
        if local[flag] == value:
            continue
        if first_match and local[flag] and not value:
            # Merging two histories: what was read or starred here stays so, and the
            # server is told.
            action = FLAG_ACTIONS[(flag, True)]
            put_in(db, SERVICE, [(action, entry_key(entry.id), {"entry": entry.id})], now)
            continue
        waiting = holds.entries.get((entry.id, flag))
        if waiting is not None:
            if not _server_changed_it(entry, flag, waiting, local, server, holds):
                continue  # the local change, not sent yet, wins
            _drop_waiting(db, entry.id, flag)
            holds.entries.pop((entry.id, flag), None)
            applied.server_won += 1
        if flag == "read" and not value and entry.id.isdigit():
            covered = holds.feeds.get(entry.feed_id)
            if covered is not None and int(entry.id) <= covered:
                continue  # a waiting "mark feed read" covers it
        db.execute(f"UPDATE items SET {flag} = ? WHERE id = ?", (value, item_id))
        _count(applied, flag, value)
        applied.item_ids.add(item_id)
        applied.sources.add(source)


def _server_changed_it(
    entry: RemoteEntry,
    flag: str,
    waiting: float,
    local: dict[str, bool],
    server: dict[str, bool],
    holds: _Holds,
) -> bool:
    """Whether the server changed ``flag`` after the local change waiting for it (made at
    ``waiting``). Only Miniflux tells when an entry changed, and only per entry: a later
    change counts as this flag's only when no other flag changed on the server (those
    other flags still read as folio last knew them), so a star made here is not undone
    because someone else read the article meanwhile."""
    if entry.changed is None or entry.changed.timestamp() <= waiting:
        return False
    for other, value in server.items():
        if other == flag:
            continue
        # What folio last knew of the other flag on the server: its value here, or, while
        # a change to it waits to go, the value before that change.
        known = local[other] if (entry.id, other) not in holds.entries else not local[other]
        if value != known:
            return False  # that other flag's change explains the later time
    return True


def _insert(
    db: sqlite3.Connection,
    entry: RemoteEntry,
    source: str,
    enclosure: Any,
    server: dict[str, bool],
    now: dt.datetime,
    applied: Applied,
) -> None:
    guid = entry.guid or entry.url
    key = f"g:{guid}" if guid else f"s:{entry.id}"
    taken = db.execute("SELECT 1 FROM items WHERE source = ? AND key = ?", (source, key)).fetchone()
    if taken:
        key = f"s:{entry.id}"
    published = entry.published
    dated = published is not None and published <= now + _FUTURE_SLACK
    stamp = published.timestamp() if dated and published else now.timestamp()
    cursor = db.execute(
        _ITEM_INSERT,
        (
            source,
            key,
            guid,
            entry.title,
            entry.url,
            entry.author,
            entry.content,
            stamp,
            dated,
            now.timestamp(),
            server["read"],
            server["starred"],
            server.get("saved", False),
            enclosure.url if enclosure else "",
            enclosure.type if enclosure else "",
            enclosure.length if enclosure else None,
        ),
    )
    item_id = int(cursor.lastrowid or 0)
    db.execute(
        "INSERT OR REPLACE INTO sync_entries (entry_id, item_id, feed_id, crawled,"
        " enclosure_id) VALUES (?, ?, ?, ?, ?)",
        (entry.id, item_id, entry.feed_id, entry.crawled, entry.enclosure_id),
    )
    applied.new += 1
    applied.item_ids.add(item_id)
    applied.sources.add(source)


def _count(applied: Applied, flag: str, value: bool) -> None:
    name = {
        ("read", True): "read",
        ("read", False): "unread",
        ("starred", True): "starred",
        ("starred", False): "unstarred",
        ("saved", True): "later",
        ("saved", False): "unlater",
    }[(flag, value)]
    setattr(applied, name, getattr(applied, name) + 1)


def apply_listing(
    store: Store,
    unread: set[str] | None,
    starred: set[str] | None,
    later: set[str] | None,
) -> Applied:
    """Bring every mapped item's states in line with the server's complete listings of
    unread, starred and later ids (what deltas missed), except where a local change waits
    to be sent. Listed ids folio has no item for are returned in ``unknown``."""
    applied = Applied()
    with store.transaction() as db:
        holds = _holds(db)
        db.execute("CREATE TEMP TABLE IF NOT EXISTS sync_listed (entry_id TEXT PRIMARY KEY)")
        db.execute("CREATE TEMP TABLE IF NOT EXISTS sync_held (entry_id TEXT PRIMARY KEY)")
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS sync_covered (feed_id TEXT PRIMARY KEY, upto INTEGER)"
        )
        db.execute("DELETE FROM sync_covered")
        db.executemany("INSERT INTO sync_covered VALUES (?, ?)", list(holds.feeds.items()))
        for flag, listed, present in (
            ("read", unread, False),
            ("starred", starred, True),
            ("saved", later, True),
        ):
            if listed is None:
                continue
            db.execute("DELETE FROM sync_listed")
            db.executemany("INSERT OR IGNORE INTO sync_listed VALUES (?)", [(i,) for i in listed])
            db.execute("DELETE FROM sync_held")
            db.executemany(
                "INSERT OR IGNORE INTO sync_held VALUES (?)",
                [(entry,) for (entry, held_flag) in holds.entries if held_flag == flag],
            )
            # A listed id means the flag is ``present`` on the server (unread: read = 0).
            for value, where in ((present, "IN"), (not present, "NOT IN")):
                cover = ""
                if flag == "read" and not value:
                    cover = (
                        " AND NOT EXISTS (SELECT 1 FROM sync_covered c WHERE"
                        " c.feed_id = e.feed_id AND CAST(e.entry_id AS INTEGER) <= c.upto)"
                    )
                rows = db.execute(
                    f"SELECT e.item_id, i.source FROM sync_entries e JOIN items i"
                    f" ON i.id = e.item_id WHERE i.{flag} != ?"
                    f" AND e.entry_id {where} (SELECT entry_id FROM sync_listed)"
                    f" AND e.entry_id NOT IN (SELECT entry_id FROM sync_held){cover}",
                    (value,),
                ).fetchall()
                db.executemany(
                    f"UPDATE items SET {flag} = ? WHERE id = ?", [(value, r[0]) for r in rows]
                )
                for item_id, source in rows:
                    _count(applied, flag, value)
                    applied.item_ids.add(item_id)
                    applied.sources.add(source)
            applied.unknown |= {
                row[0]
                for row in db.execute(
                    "SELECT entry_id FROM sync_listed"
                    " WHERE entry_id NOT IN (SELECT entry_id FROM sync_entries)"
                )
            }
    return applied
