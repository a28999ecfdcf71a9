"""folio.db: items, their read/star/saved state, and fetch state, in SQLite (WAL).

One connection, guarded by a lock, so the refresh engine can write from a worker thread
while the UI reads. Schema changes go through the numbered ``MIGRATIONS``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core.dates import plausible
from tui.core.models import Item, ParsedFeed, ParsedItem, SourceState, utcnow
from tui.core.storage.connect import BUSY_SECONDS, migration_statements, use_wal
from tui.core.storage.engagement_sql import ENGAGEMENT_LATEST
from tui.core.storage.episodes_schema import EPISODES_SCHEMA
from tui.core.storage.errors import (
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreFull,
    StoreUnwritable,
    damaged,
    store_problem,
)
from tui.core.storage.item_queries import (
    CHUNK,
    FLAGS,
    ItemQueries,
    ItemQuery,
    query_filters,
)
from tui.core.storage.rows import ITEM_COLUMNS as _ITEM_COLUMNS
from tui.core.storage.rows import ROW_COLUMNS as _ROW_COLUMNS
from tui.core.storage.rows import STATE_COLUMNS as _STATE_COLUMNS
from tui.core.storage.rows import UPSERT_STATE as _UPSERT_STATE
from tui.core.storage.rows import dt_of as _dt
from tui.core.storage.rows import row_to_item as _row_to_item
from tui.core.storage.rows import row_to_state as _row_to_state
from tui.core.storage.rows import tags_text as _tags_text
from tui.core.storage.rows import ts as _ts
from tui.core.storage.search import (
    MARK_END,
    MARK_START,
    SearchHit,
    literal_filter,
    parse_search,
)
from tui.core.storage.sync_schema import SYNC_SCHEMA

__all__ = [
    "FLAGS",
    "MIGRATIONS",
    "SourceWrite",
    "Store",
    "StoreBusy",
    "StoreDamaged",
    "StoreError",
    "StoreFull",
    "StoreUnwritable",
    "distinct_keys",
    "item_key",
    "migration_statements",
]


MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE sources (
        url TEXT PRIMARY KEY,
        status TEXT NOT NULL DEFAULT 'new',
        error TEXT NOT NULL DEFAULT '',
        http_status INTEGER,
        etag TEXT NOT NULL DEFAULT '',
        last_modified TEXT NOT NULL DEFAULT '',
        content_hash TEXT NOT NULL DEFAULT '',
        last_fetched REAL,
        next_due REAL,
        failures INTEGER NOT NULL DEFAULT 0,
        retry_after REAL,
        fetches INTEGER NOT NULL DEFAULT 0,
        not_modified INTEGER NOT NULL DEFAULT 0,
        feed_title TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        key TEXT NOT NULL,
        guid TEXT NOT NULL,
        title TEXT NOT NULL,
        link TEXT NOT NULL,
        author TEXT NOT NULL,
        summary TEXT NOT NULL,
        content TEXT NOT NULL,
        published REAL NOT NULL,
        dated INTEGER NOT NULL,
        first_seen REAL NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        saved INTEGER NOT NULL DEFAULT 0,
        bookmarked INTEGER NOT NULL DEFAULT 0,
        enclosure_url TEXT NOT NULL DEFAULT '',
        enclosure_type TEXT NOT NULL DEFAULT '',
        enclosure_length INTEGER,
        duration TEXT NOT NULL DEFAULT '',
        UNIQUE (source, key)
    );
    CREATE INDEX items_by_source ON items (source, published DESC);
    CREATE INDEX items_unread ON items (read, published DESC);
    CREATE VIRTUAL TABLE items_fts USING fts5 (title, author, body);
    """,
    # 2: per-source unread counts; without it SQLite scans every unread row (330 ms at
    # 100,000 items) for each pane the dashboard draws.
    """
    CREATE INDEX items_source_read ON items (source, read);
    """,
    # 3: the Inbox's id list (unread, newest first) read from the index alone: 0.35 s to
    # 0.055 s at 100,000 items.
    """
    CREATE INDEX items_inbox ON items (read, published DESC, id DESC, source);
    """,
    # 4: the search index is brought up to date when it is needed (Store.index_pending),
    # not while a refresh stores items: indexing took 0.15 of the 0.21 s that storing the
    # 50 real feeds took, and a refresh should not wait for a search nobody has asked for.
    # Items with an id above ``indexed_upto`` are not in items_fts yet.
    """
    CREATE TABLE search_index (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_upto INTEGER NOT NULL
    );
    INSERT INTO search_index VALUES (1, (SELECT coalesce(max(id), 0) FROM items));
    """,
    # 5: an item already in the search index whose words change (a feed that edits a
    # post) is queued for re-indexing, so a search finds its new words and not its old
    # ones. The trigger fires only when an indexed column really changed: a changed feed
    # rewrites all its items, most of them as they were.
    """
    CREATE TABLE search_stale (id INTEGER PRIMARY KEY);
    CREATE TRIGGER items_words_changed AFTER UPDATE OF title, author, summary, content ON items
    WHEN (old.title IS NOT new.title OR old.author IS NOT new.author
          OR old.summary IS NOT new.summary OR old.content IS NOT new.content)
         AND new.id <= (SELECT indexed_upto FROM search_index)
    BEGIN
        INSERT OR IGNORE INTO search_stale VALUES (new.id);
    END;
    """,
    # 6: what the next features share (DESIGN.md, "Sources, services and what goes out"):
    # an API source's own state between refreshes (``cursor``: account id, newest post,
    # per-endpoint ETags, as its adapter likes); the outbox of changes waiting to be sent
    # to a service; and engagement history: a snapshot of an own post's counts at each
    # refresh, and of an own account's figures.
    """
    ALTER TABLE sources ADD COLUMN cursor TEXT NOT NULL DEFAULT '';
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        service TEXT NOT NULL,
        action TEXT NOT NULL,
        key TEXT NOT NULL,
        payload TEXT NOT NULL,
        created REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try REAL NOT NULL,
        last_error TEXT NOT NULL DEFAULT '',
        failed INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX outbox_due ON outbox (service, failed, id);
    CREATE TABLE engagement (
        source TEXT NOT NULL,
        guid TEXT NOT NULL,
        taken REAL NOT NULL,
        replies INTEGER,
        reposts INTEGER,
        likes INTEGER,
        quotes INTEGER,
        points INTEGER,
        comments INTEGER,
        views INTEGER,
        PRIMARY KEY (source, guid, taken)
    );
    CREATE TABLE account_figures (
        source TEXT NOT NULL,
        taken REAL NOT NULL,
        followers INTEGER,
        following INTEGER,
        posts INTEGER,
        PRIMARY KEY (source, taken)
    );
    """,
    # 7: bookmarks (issue 15): an item's own tags (a bookmark's, as a JSON list) and its
    # private and to-read marks, sent with it to a bookmark service and written to bookmark
    # files; and the outbox looked up by
    # key (an item's link), to show whether its bookmark is saved, waiting or failed.
    """
    ALTER TABLE items ADD COLUMN tags TEXT NOT NULL DEFAULT '';
    ALTER TABLE items ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE items ADD COLUMN toread INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX outbox_by_key ON outbox (key, id);
    """,
    # 8: what the API adapters measure beyond posts' replies, reposts and likes: a
    # release's downloads (GitHub), and a repository's stars and forks beside an account's
    # followers.
    """
    ALTER TABLE engagement ADD COLUMN downloads INTEGER;
    ALTER TABLE account_figures ADD COLUMN stars INTEGER;
    ALTER TABLE account_figures ADD COLUMN forks INTEGER;
    """,
    # 9: a placeholder date (0001-01-01, .NET's DateTime.MinValue; anything before 1970) is no
    # date: such items are dated by when they were first seen, as a future date is. Shown in
    # a time zone west of UTC, year 1 fell out of the calendar and crashed the listing.
    """
    UPDATE items SET published = first_seen, dated = 0 WHERE published < 0;
    """,
    # 10: sync with a feed server (issue 17): its tables, in sync_schema.py.
    SYNC_SCHEMA,
    # 11: podcast episodes (issue 16): their table, in episodes_schema.py.
    EPISODES_SCHEMA,
    # 12: each own post's latest two snapshots, kept by triggers (see engagement_sql).
    ENGAGEMENT_LATEST,
    # 13: the lists of flagged items (Starred, Later, Bookmarked) read from small partial
    # indexes instead of scanning every item; All items' first screenful from an index in
    # time order (10 ms to 0.05 ms at 100,000 items), and what is new since a moment from
    # one on first_seen (28 ms to 1 ms when a few are new); ``marks`` keeps named moments
    # (when the user last looked at what is new); ``attention`` records what the user did
    # with items and when (opened in the reader or the browser, flagged, marked read
    # unopened), for the matrix's figures; ``seconds``: how long an item stayed open in
    # the reader.
    """
    CREATE INDEX items_starred ON items (published DESC, id DESC) WHERE starred = 1;
    CREATE INDEX items_saved ON items (published DESC, id DESC) WHERE saved = 1;
    CREATE INDEX items_bookmarked ON items (published DESC, id DESC) WHERE bookmarked = 1;
    CREATE TABLE marks (name TEXT PRIMARY KEY, at REAL NOT NULL);
    CREATE TABLE attention (
        id INTEGER PRIMARY KEY,
        item INTEGER NOT NULL,
        source TEXT NOT NULL,
        action TEXT NOT NULL,
        at REAL NOT NULL,
        seconds REAL
    );
    CREATE INDEX attention_by_time ON attention (at, source);
    CREATE INDEX items_by_time ON items (published DESC, id DESC);
    CREATE INDEX items_first_seen ON items (first_seen, published, id);
    """,
]

_INDEX_ROWS = (
    "INSERT INTO items_fts (rowid, title, author, body) SELECT id, title, author,"
    " folio_plain(CASE WHEN content != '' THEN content ELSE summary END) FROM items WHERE "
)

_TAGS = re.compile(r"<[^>]*>")
# Future dates are clamped to first-seen, with a little slack for clocks that disagree.
_FUTURE_SLACK = dt.timedelta(minutes=10)


@dataclass
class RemovedSource:
    """What ``Store.remove_source`` took out, so an undo can put it back as it was."""

    url: str
    state: tuple[Any, ...] | None
    items: list[tuple[Any, ...]]
    history: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    """Rows of ``_HISTORY_TABLES`` (engagement snapshots, account figures) by table."""


_HISTORY_TABLES = ("engagement", "account_figures")
"""Tables of a source's own history, kept with its items when it is deleted and undone."""


@dataclass
class SourceWrite:
    """One source's outcome for ``Store.write_batch``: its fetch state, plus the feed when
    a new or changed document was parsed (None: only the state is written)."""

    state: SourceState
    feed: ParsedFeed | None = None
    now: dt.datetime | None = None
    engagement: Engagement | None = None
    """Counts to keep as a snapshot taken at ``now`` (the user's own API sources)."""
    bookmarks: bool = False
    """The feed's items are the user's bookmarks (a bookmark service's listing, an
    imported file): they are flagged ``bookmarked``, unless a removal waits in the outbox."""
    complete: bool = False
    """The feed lists every item the source has: the source's other items are removed,
    except those whose link waits in the outbox to be added."""
    backlog: bool = False
    """The items are a collection seen for the first time (a bookmark service's first
    listing, an imported file), not news: the new ones are stored read, but for those
    marked to read, so they do not flood the Inbox."""


@dataclass
class Engagement:
    """A snapshot of an own source's engagement: each post's counts (by guid) and the
    account's figures. The fields are those of ``sources.base.Counts`` and
    ``sources.base.AccountFigures``; the store needs only their names."""

    posts: dict[str, Any]
    account: Any = None


_COUNT_FIELDS = (
    "replies", "reposts", "likes", "quotes", "points", "comments", "views", "downloads",
)  # fmt: skip
_ACCOUNT_FIELDS = ("followers", "following", "posts", "stars", "forks")


def _plain(html: str) -> str:
    """Cheap tag strip for the search index; the reader does the careful conversion.
    Runs of spaces are left in: the FTS tokenizer skips them at no cost."""
    return _TAGS.sub(" ", html)


def item_key(item: ParsedItem) -> str:
    """The identity of an item within its source: guid, else link, else title plus date."""
    if item.guid:
        return "g:" + item.guid
    if item.link:
        return "l:" + item.link
    date = item.published.isoformat() if item.published else ""
    return f"t:{item.title}|{date}"


def distinct_keys(items: Sequence[ParsedItem]) -> list[str]:
    """Keys for one feed document; a key repeated within it gets ``#2``, ``#3``...

    Some feeds reuse one guid for different entries. Numbering by position keeps them
    apart, and the numbering is the same on every refresh of the same document.
    """
    seen: dict[str, int] = {}
    keys = []
    for item in items:
        key = item_key(item)
        count = seen.get(key, 0) + 1
        seen[key] = count
        keys.append(key if count == 1 else f"{key}#{count}")
    return keys


def _tuple(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values is not None else None


class Store(ItemQueries):
    """The item store. Every public method is safe to call from any thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._background: sqlite3.Connection | None = None
        self._background_lock = threading.Lock()
        self.problem_listeners: list[Callable[[StoreError], None]] = []
        """Told of every problem of the file or the disk as it is raised, from whichever
        thread met it: the app stops on a damaged file even when the code that met it (a
        worker) drops the exception."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS
            )
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}", self.path) from exc
        try:
            # Only a new, empty file takes a page size (an existing one keeps its own). Feed
            # items are a kilobyte or more of text: with 16 KB pages, storing 500 feeds of 20
            # items took 0.17-0.20 s instead of 0.31-0.34 s (fewer pages and WAL frames).
            self._db.execute("PRAGMA page_size=16384")
            use_wal(self._db, self.path)
            self._db.execute("PRAGMA synchronous=NORMAL")
            # Checkpoint less often than every few MB: a cold refresh writes tens of MB, and
            # each checkpoint is a sync to disk. (Pages: 2048 × 16 KB = 32 MB.)
            self._db.execute("PRAGMA wal_autocheckpoint=2048")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.create_function("folio_plain", 1, _plain, deterministic=True)
            self._migrate()
            self._check_schema()
        except (sqlite3.Error, StoreError) as exc:
            self._db.close()
            if isinstance(exc, StoreError):
                raise
            problem = store_problem(exc, self.path)
            raise problem or StoreError(
                f"cannot open the database {self.path}: {exc}", self.path, str(exc)
            ) from exc

    # -- plumbing ---------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()
        with self._background_lock:
            if self._background is not None:
                self._background.close()
                self._background = None

    def _background_query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A read on a second connection, for long reads made in a worker thread (a list
        of 100,000 ids): in WAL mode it reads beside the main connection instead of holding
        its lock, so the screen's own small reads (the rows it draws) never wait for it."""
        with self._background_lock, self._problems():
            if self._background is None:
                self._background = sqlite3.connect(
                    self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS
                )
                self._background.execute("PRAGMA query_only=ON")
            return self._background.execute(sql, params).fetchall()

    def checkpoint(self) -> None:
        """Copy what the write-ahead log holds into the database file, without waiting for
        (or blocking) other connections: whatever they still commit stays in the log."""
        # A busy database is no failure: the last connection to close checkpoints anyway.
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE), for the engine's other tables (the
        outbox, engagement); committed at the end of the block, rolled back on an error."""
        return self._transaction()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read, for the engine's other tables."""
        return self._query(sql, params)

    @contextmanager
    def _problems(self) -> Iterator[None]:
        """Turn SQLite's errors about the file or the disk into a StoreError in words
        (StoreDamaged, StoreFull...); any other error is a bug and stays as it is."""
        try:
            yield
        except sqlite3.Error as exc:
            problem = store_problem(exc, self.path)
            if problem is None:
                raise
            for listener in list(self.problem_listeners):
                with contextlib.suppress(Exception):
                    listener(problem)
            raise problem from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._problems():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (a full disk) may leave the transaction open, or SQLite
                # may have rolled it back already: either way none of it stays.
                if self._db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock, self._problems():
            return self._db.execute(sql, params).fetchall()

    @property
    def schema_version(self) -> int:
        return int(self._query("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        """Bring the schema up to date, safely when several processes open a new store at
        once: the version is read again under the write lock, so only the first to take it
        migrates, and the others find the work done."""
        if self.schema_version >= len(MIGRATIONS):
            return
        with self._transaction() as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                # Statement by statement: executescript would commit, and so give up the lock.
                for statement in migration_statements(script):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={number}")

    def _check_schema(self) -> None:
        """A cheap check that the file is a folio store: reading the schema finds a damaged
        first page or schema table at once (a full integrity check reads every page, too
        slow for each start; damage further in is reported when it is met)."""
        tables = {row[0] for row in self._query("SELECT name FROM sqlite_master")}
        missing = {"sources", "items", "search_index"} - tables
        if missing:
            raise damaged(self.path, f"its tables {', '.join(sorted(missing))} are missing")

    # -- fetch state ------------------------------------------------------------------

    def state(self, url: str) -> SourceState:
        rows = self._query(f"SELECT {_STATE_COLUMNS} FROM sources WHERE url = ?", (url,))
        return _row_to_state(rows[0]) if rows else SourceState(url=url)

    def states(self, *, counts: bool = True) -> dict[str, SourceState]:
        """Every known source's fetch state, with its item and unread counts filled in
        unless ``counts`` is False (a refresh needs none: 5 ms saved at 10,000 items)."""
        states = {
            row[0]: _row_to_state(row)
            for row in self._query(f"SELECT {_STATE_COLUMNS} FROM sources")
        }
        if not counts:
            return states
        for url, total, unread in self._query(
            "SELECT source, count(*), sum(read = 0) FROM items GROUP BY source"
        ):
            state = states.setdefault(url, SourceState(url=url))
            state.items = total
            state.unread = unread or 0
        return states

    def _write_state(self, db: sqlite3.Connection, state: SourceState) -> None:
        # An upsert updates the row in place; INSERT OR REPLACE deleted and re-inserted it,
        # index entry and all: 500 sources' states took 4.2 ms that way, 1.6 ms this way.
        db.execute(
            _UPSERT_STATE,
            (
                state.url,
                state.status,
                state.error,
                state.http_status,
                state.etag,
                state.last_modified,
                state.content_hash,
                _ts(state.last_fetched),
                _ts(state.next_due),
                state.failures,
                _ts(state.retry_after),
                state.fetches,
                state.not_modified,
                state.feed_title,
                state.cursor,
            ),
        )

    def save_state(self, state: SourceState) -> None:
        with self._transaction() as db:
            self._write_state(db, state)

    def store_feed(
        self, state: SourceState, feed: ParsedFeed, now: dt.datetime | None = None
    ) -> int:
        """Store a parsed feed and the fetch state in one transaction; return new items."""
        with self._transaction() as db:
            return self._store_feed(db, state, feed, now or utcnow())

    def write_batch(self, writes: Sequence[SourceWrite]) -> list[int | Exception]:
        """Store several sources' outcomes with one commit; per write, new items or the error.

        A source is stored whole or not at all, and one that fails leaves the others in
        place: should any write fail, the batch is rolled back and its writes are stored
        again one transaction each. A refresh finishing many sources at once commits them
        together: 500 generated feeds took 0.71 s of SQLite time with a commit each and
        0.45 s in batches of 20 (each commit rewrites the index pages every source
        touches). A savepoint per source would keep the batch after a failure too, but it
        copies every page it touches to a statement journal first: 15,000 page writes
        (245 MB) in a cold refresh of 500 feeds.
        """
        # A StoreError (a damaged file, a full disk) is no one source's fault: it goes up
        # as it is. Other errors (a constraint a source's data broke) are per source.
        try:
            with self._transaction() as db:
                return [self._write(db, write) for write in writes]
        except sqlite3.Error as exc:
            if len(writes) == 1:
                return [exc]
        results: list[int | Exception] = []
        for write in writes:
            try:
                with self._transaction() as db:
                    results.append(self._write(db, write))
            except sqlite3.Error as exc:
                results.append(exc)
        return results

    def _write(self, db: sqlite3.Connection, write: SourceWrite) -> int:
        if write.engagement is not None:
            self._write_engagement(db, write.state.url, write.engagement, write.now or utcnow())
        if write.feed is None:
            self._write_state(db, write.state)
            return 0
        now = write.now or utcnow()
        new = self._store_feed(db, write.state, write.feed, now)
        if write.backlog and new:
            db.execute(
                "UPDATE items SET read = 1 WHERE source = ? AND first_seen = ? AND toread = 0",
                (write.state.url, now.timestamp()),
            )
        if write.bookmarks or write.complete:
            keys = distinct_keys(write.feed.items)
            if write.bookmarks:
                self._flag_bookmarks(db, write.state.url, keys)
            if write.complete:
                self._remove_unlisted(db, write.state.url, keys)
        return new

    @staticmethod
    def _flag_bookmarks(db: sqlite3.Connection, source: str, keys: Sequence[str]) -> None:
        """Flag the listed items ``bookmarked``, but for those the user has just unbookmarked
        (their removal still waits in the outbox)."""
        db.execute("CREATE TEMP TABLE IF NOT EXISTS listed_keys (key TEXT PRIMARY KEY)")
        db.execute("DELETE FROM listed_keys")
        db.executemany("INSERT OR IGNORE INTO listed_keys VALUES (?)", [(k,) for k in keys])
        db.execute(
            "UPDATE items SET bookmarked = 1 WHERE source = ? AND bookmarked = 0"
            " AND key IN (SELECT key FROM listed_keys)"
            " AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.key = items.link"
            "  AND outbox.id = (SELECT max(id) FROM outbox o2 WHERE o2.key = items.link)"
            "  AND outbox.action = 'delete')",
            (source,),
        )

    @staticmethod
    def _remove_unlisted(db: sqlite3.Connection, source: str, keys: Sequence[str]) -> None:
        """Remove ``source``'s items that a complete listing no longer has (deleted on the
        service), keeping those whose link waits in the outbox to be added there."""
        db.execute("CREATE TEMP TABLE IF NOT EXISTS listed_keys (key TEXT PRIMARY KEY)")
        db.execute("DELETE FROM listed_keys")
        db.executemany("INSERT OR IGNORE INTO listed_keys VALUES (?)", [(k,) for k in keys])
        gone = [
            row[0]
            for row in db.execute(
                "SELECT id FROM items WHERE source = ? AND key NOT IN (SELECT key FROM listed_keys)"
                " AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.key = items.link"
                "  AND outbox.action = 'add')",
                (source,),
            )
        ]
        if not gone:
            return
        marks = [(i,) for i in gone]
        db.executemany("DELETE FROM items_fts WHERE rowid = ?", marks)
        db.executemany("DELETE FROM search_stale WHERE id = ?", marks)
        db.executemany("DELETE FROM items WHERE id = ?", marks)
        db.execute(
            "UPDATE search_index SET indexed_upto ="
            " min(indexed_upto, (SELECT coalesce(max(id), 0) FROM items))"
        )

    @staticmethod
    def _write_engagement(
        db: sqlite3.Connection, source: str, engagement: Engagement, now: dt.datetime
    ) -> None:
        taken = now.timestamp()
        db.executemany(
            f"INSERT OR REPLACE INTO engagement (source, guid, taken, {', '.join(_COUNT_FIELDS)})"
            f" VALUES (?, ?, ?{', ?' * len(_COUNT_FIELDS)})",
            [
                (source, guid, taken, *(getattr(counts, name) for name in _COUNT_FIELDS))
                for guid, counts in engagement.posts.items()
            ],
        )
        if engagement.account is not None:
            db.execute(
                f"INSERT OR REPLACE INTO account_figures (source, taken,"
                f" {', '.join(_ACCOUNT_FIELDS)}) VALUES (?, ?{', ?' * len(_ACCOUNT_FIELDS)})",
                (source, taken, *(getattr(engagement.account, n) for n in _ACCOUNT_FIELDS)),
            )

    def add_engagement(
        self, source: str, engagement: Engagement, taken: dt.datetime | None = None
    ) -> None:
        """Store one snapshot of ``source``'s engagement taken at ``taken`` (the offline
        demo writes the weeks of history a newcomer would otherwise not have)."""
        with self._transaction() as db:
            self._write_engagement(db, source, engagement, taken or utcnow())

    def engagement_history(self, source: str, guid: str | None = None) -> list[dict[str, Any]]:
        """Every stored snapshot of ``source``'s posts (or one post), oldest first."""
        where, params = (
            ("source = ?", [source])
            if guid is None
            else (
                "source = ? AND guid = ?",
                [source, guid],
            )
        )
        rows = self._query(
            f"SELECT guid, taken, {', '.join(_COUNT_FIELDS)} FROM engagement WHERE {where}"
            " ORDER BY taken, guid",
            params,
        )
        return [
            {"guid": row[0], "taken": _dt(row[1]), **dict(zip(_COUNT_FIELDS, row[2:], strict=True))}
            for row in rows
        ]

    def account_history(self, source: str) -> list[dict[str, Any]]:
        """Every stored snapshot of ``source``'s account figures, oldest first."""
        rows = self._query(
            f"SELECT taken, {', '.join(_ACCOUNT_FIELDS)} FROM account_figures WHERE source = ?"
            " ORDER BY taken",
            (source,),
        )
        return [
            {"taken": _dt(row[0]), **dict(zip(_ACCOUNT_FIELDS, row[1:], strict=True))}
            for row in rows
        ]

    def _store_feed(
        self, db: sqlite3.Connection, state: SourceState, feed: ParsedFeed, now: dt.datetime
    ) -> int:
        keys = distinct_keys(feed.items)
        existing = dict(
            db.execute("SELECT key, id FROM items WHERE source = ?", (state.url,)).fetchall()
        )
        new_rows = []
        updates = []
        for key, item in zip(keys, feed.items, strict=True):
            enclosure = item.enclosures[0] if item.enclosures else None
            text = (
                item.title,
                item.link,
                item.author,
                item.summary,
                item.content,
                enclosure.url if enclosure else "",
                enclosure.type if enclosure else "",
                enclosure.length if enclosure else None,
                item.duration,
                _tags_text(item.tags),
                item.private,
                item.toread,
            )
            if key in existing:
                updates.append((*text, existing[key]))
                continue
            published = item.published
            # A date in the future, or a placeholder such as 0001-01-01, is no date.
            dated = (
                published is not None and plausible(published) and published <= now + _FUTURE_SLACK
            )
            stamp = published.timestamp() if dated and published else now.timestamp()
            new_rows.append((state.url, key, item.guid, *text, stamp, dated, now.timestamp()))
        if updates:
            db.executemany(
                "UPDATE items SET title=?, link=?, author=?, summary=?, content=?,"
                " enclosure_url=?, enclosure_type=?, enclosure_length=?, duration=?, tags=?,"
                " private=?, toread=? WHERE id=?",
                updates,
            )
        if new_rows:
            # New rows reach the search index later, in one go (index_pending).
            db.executemany(
                "INSERT INTO items (source, key, guid, title, link, author, summary, content,"
                " enclosure_url, enclosure_type, enclosure_length, duration, tags, private,"
                " toread, published, dated, first_seen)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                new_rows,
            )
        if feed.title:
            state.feed_title = feed.title
        self._write_state(db, state)
        return len(new_rows)

    # -- items ------------------------------------------------------------------------

    def items(
        self,
        *,
        sources: Sequence[str] | None = None,
        unread: bool = False,
        flag: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Item]:
        """Items newest first, optionally only from ``sources``, only unread, or flagged."""
        flags = (flag,) if flag is not None else ()
        query = ItemQuery(sources=_tuple(sources), unread=unread, flags=flags)
        return self.query_items(query, limit=limit, offset=offset)

    def count(
        self, *, sources: Sequence[str] | None = None, unread: bool = False, flag: str | None = None
    ) -> int:
        flags = (flag,) if flag is not None else ()
        return self.query_count(ItemQuery(sources=_tuple(sources), unread=unread, flags=flags))

    def query_items(
        self, query: ItemQuery, limit: int | None = None, offset: int = 0
    ) -> list[Item]:
        where, params = query_filters(query)
        sql = f"SELECT {_ITEM_COLUMNS} FROM items{where} ORDER BY published DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [_row_to_item(row) for row in self._query(sql, params)]

    def item(self, item_id: int) -> Item | None:
        rows = self._query(f"SELECT {_ITEM_COLUMNS} FROM items WHERE id = ?", (item_id,))
        return _row_to_item(rows[0]) if rows else None

    def items_by_id(self, ids: Iterable[int]) -> list[Item]:
        ids = list(ids)
        if not ids:
            return []
        by_id: dict[int, Item] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = self._query(
                f"SELECT {_ITEM_COLUMNS} FROM items WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            by_id.update((row[0], _row_to_item(row)) for row in rows)
        return [by_id[i] for i in ids if i in by_id]

    def unread_counts(self) -> dict[str, int]:
        return dict(
            self._query("SELECT source, count(*) FROM items WHERE read = 0 GROUP BY source")
        )

    def set_flag(
        self,
        ids: Iterable[int],
        flag: str,
        value: bool,
        *,
        then: Callable[[sqlite3.Connection], object] | None = None,
    ) -> None:
        """Set ``flag`` on items; ``then`` runs in the same transaction (a bookmark's change
        queued in the outbox with the flag, so neither is ever kept without the other)."""
        if flag not in FLAGS:
            raise ValueError(f"unknown flag {flag!r}")
        with self._transaction() as db:
            db.executemany(f"UPDATE items SET {flag} = ? WHERE id = ?", [(value, i) for i in ids])
            if then is not None:
                then(db)

    def bookmarked_ids(self) -> list[int]:
        """Every bookmarked item, newest first, one per link: a link bookmarked in folio and
        listed by the bookmark service is shown once (the oldest item: the one bookmarked
        from a feed, rather than the service's copy of it)."""
        rows = self._query(
            "SELECT id FROM items WHERE bookmarked = 1 AND (link = '' OR id IN"
            " (SELECT min(id) FROM items WHERE bookmarked = 1 AND link != '' GROUP BY link))"
            " ORDER BY published DESC, id DESC"
        )
        return [row[0] for row in rows]

    def unread_ids(self, source: str) -> list[int]:
        return [
            row[0]
            for row in self._query("SELECT id FROM items WHERE source = ? AND read = 0", (source,))
        ]

    def index_pending(self) -> int:
        """Add the items stored since the last call to the search index, and index again
        those whose words changed since (migration 5); returns how many were indexed.

        The app calls it after each refresh, and ``search`` before it looks, so a search
        always sees every item as it is now. 10,000 new items take about 0.2 s, in one
        statement.
        """
        with self._transaction() as db:
            upto = db.execute("SELECT indexed_upto FROM search_index").fetchone()[0]
            newest = db.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0]
            stale = db.execute("SELECT EXISTS (SELECT 1 FROM search_stale)").fetchone()[0]
            if newest <= upto and not stale:
                return 0
            added = 0
            if stale:
                # Items whose words changed since they were indexed: out with the old words.
                db.execute("DELETE FROM items_fts WHERE rowid IN (SELECT id FROM search_stale)")
                added += db.execute(_INDEX_ROWS + "id IN (SELECT id FROM search_stale)").rowcount
                db.execute("DELETE FROM search_stale")
            if newest > upto:
                added += db.execute(_INDEX_ROWS + "id > ?", (upto,)).rowcount
                db.execute("UPDATE search_index SET indexed_upto = ?", (newest,))
        return int(added)

    def search(self, query: str, limit: int = 200) -> list[Item]:
        """Full-text search over titles, authors and content (see ``search_hits``)."""
        return [hit.item for hit in self.search_hits(query, limit)]

    def search_hits(self, query: str, limit: int = 200) -> list[SearchHit]:
        """Items matching ``query`` (words as prefixes, ``OR``, "phrases", and terms such
        as ``C++`` as typed: see ``search.parse_search``), best first, each with a snippet
        of where it matched."""
        parsed = parse_search(query)
        if parsed.empty:
            return []
        # When the index cannot be brought up to date now (a full disk), search what it holds.
        with contextlib.suppress(StoreFull, StoreUnwritable, StoreBusy):
            self.index_pending()
        narrow, params = literal_filter(parsed)
        columns = ", ".join("items." + c.strip() for c in _ITEM_COLUMNS.split(","))
        rows = self._query(
            f"SELECT {columns}, snippet(items_fts, -1, ?, ?, '…', 12)"
            " FROM items_fts JOIN items ON items.id = items_fts.rowid"
            f" WHERE items_fts MATCH ?{narrow} ORDER BY rank LIMIT ?",
            (MARK_START, MARK_END, parsed.match, *params, limit),
        )
        return [SearchHit(_row_to_item(row[:-1]), row[-1] or "") for row in rows]

    def remove_source(self, url: str) -> RemovedSource:
        """Delete a source's items and fetch state; returns them for ``restore_source``."""
        with self._transaction() as db:
            state = db.execute(
                f"SELECT {_STATE_COLUMNS} FROM sources WHERE url = ?", (url,)
            ).fetchone()
            items = db.execute(
                f"SELECT {_ROW_COLUMNS} FROM items WHERE source = ? ORDER BY id", (url,)
            ).fetchall()
            history = {
                table: db.execute(f"SELECT * FROM {table} WHERE source = ?", (url,)).fetchall()
                for table in _HISTORY_TABLES
            }
            db.execute(
                "DELETE FROM items_fts WHERE rowid IN (SELECT id FROM items WHERE source = ?)",
                (url,),
            )
            db.execute(
                "DELETE FROM search_stale WHERE id IN (SELECT id FROM items WHERE source = ?)",
                (url,),
            )
            db.execute("DELETE FROM items WHERE source = ?", (url,))
            db.execute("DELETE FROM sources WHERE url = ?", (url,))
            db.execute("DELETE FROM engagement WHERE source = ?", (url,))
            db.execute("DELETE FROM account_figures WHERE source = ?", (url,))
            # SQLite hands out max(id) + 1: when the newest items went, their ids come back
            # for the next ones stored, which must then still count as not indexed.
            db.execute(
                "UPDATE search_index SET indexed_upto ="
                " min(indexed_upto, (SELECT coalesce(max(id), 0) FROM items))"
            )
        return RemovedSource(url, state, items, history)

    def restore_source(self, removed: RemovedSource) -> int:
        """Put back what ``remove_source`` took, flags and all (undo of a deletion).

        The items get new ids (the old ones may have been handed out since), so they
        reach the search index with the next ``index_pending``. Items the source has
        stored again in the meantime are kept, and the old copy is dropped.
        """
        with self._transaction() as db:
            if removed.state is not None:
                db.execute(_UPSERT_STATE, removed.state)
            placeholders = ", ".join("?" * len(_ROW_COLUMNS.split(", ")))
            cursor = db.executemany(
                f"INSERT OR IGNORE INTO items ({_ROW_COLUMNS}) VALUES ({placeholders})",
                removed.items,
            )
            for table, rows in removed.history.items():
                if rows:
                    marks = ", ".join("?" * len(rows[0]))
                    db.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", rows)
            return int(cursor.rowcount)

    def activity(
        self, sources: Sequence[str], weeks: int = 12, now: dt.datetime | None = None
    ) -> list[int]:
        """Items per week from ``sources`` over the last ``weeks`` weeks, oldest first."""
        if not sources:
            return [0] * weeks
        now = now or utcnow()
        start = (now - dt.timedelta(weeks=weeks)).timestamp()
        counts = [0] * weeks
        rows = self._query(
            f"SELECT published FROM items WHERE dated = 1 AND published >= ? AND published <= ?"
            f" AND source IN ({','.join('?' * len(sources))})",
            [start, now.timestamp(), *sources],
        )
        week = dt.timedelta(weeks=1).total_seconds()
        for (published,) in rows:
            index = min(int((published - start) // week), weeks - 1)
            counts[index] += 1
        return counts

    def published_since(self, sources: Sequence[str], since: dt.datetime) -> int:
        """How many dated items ``sources`` published since ``since``: posting cadence."""
        if not sources:
            return 0
        rows = self._query(
            f"SELECT count(*) FROM items WHERE dated = 1 AND published >= ?"
            f" AND source IN ({','.join('?' * len(sources))})",
            [since.timestamp(), *sources],
        )
        return int(rows[0][0])
