"""The refresh engine: fetch sources concurrently, parse what changed, store, reschedule.

Per source: a conditional GET (fetch.Fetcher); a 304, or a 200 whose body hashes to the
stored ``content_hash``, only updates the fetch state. A changed body is parsed off the
event loop, then stored with the new state, the whole source or nothing of it
(``Store.write_batch``, in a thread; sources that finish together share a commit). Every
outcome, failures included, ends as words in ``SourceState.error`` and a ``SourceResult``:
nothing one source does can make ``refresh()`` raise.

Where a body is parsed was measured (2 cores, loopback server, 500 feeds of 20 items):

* In the app, most feeds (under ``POOL_MIN_BYTES``) are parsed in a thread: a millisecond
  or two each, sharing the GIL. Bodies of ``POOL_MIN_BYTES`` and more go to a process pool,
  where a long parse (a big feed, or an ill-formed one that falls back to feedparser at
  ~1 ms per item) runs on the other core instead of holding the GIL the UI needs. The pool
  starts at the first such body and is kept until ``close()``. It uses the forkserver
  start method with ``tui.core.ingest.parse`` preloaded: the app has threads running (to_thread,
  Textual), and forking a process that has threads can deadlock the child (Python 3.12
  warns about it; 3.14 made forkserver the default). Forkserver takes about 320 ms to
  start, in a thread, so the event loop never waits for it.
* ``folio refresh`` runs this same engine in one process. On Linux it forks its pool (about
  10 ms) before any thread exists and passes it in with ``pool_min_bytes=0``, so every body
  is parsed in the workers (one per core) while this process keeps to HTTP and the store: the
  cold refresh of 500 feeds went from 2.0 s to 1.4 s. (Pickling a parsed feed back costs about
  a tenth of parsing it.) Elsewhere fork is unsafe, and the forkserver pool is used as in the
  app.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from tui.core.config import RefreshSettings, Settings
from tui.core.models import ParsedFeed, Source, SourceState, utcnow
from tui.core.net.fetch import Fetcher, FetchResult
from tui.core.refresh.schedule import is_due, next_due, source_interval
from tui.core.storage.store import Engagement, SourceWrite, Store, StoreError

if TYPE_CHECKING:
    # Imported where a pool is started: a refresh that needs none does not pay for them.
    from concurrent.futures import ProcessPoolExecutor

    from tui.core.credentials import Credentials
    from tui.core.sources.base import HostLimits

__all__ = [
    "ERROR",
    "NOT_MODIFIED",
    "OK",
    "ProgressEvent",
    "RefreshSummary",
    "Refresher",
    "SourceResult",
    "start_parse_pool",
    "usable_cores",
]

OK = "ok"
NOT_MODIFIED = "not-modified"
ERROR = "error"


def usable_cores() -> int:
    """The cores this process may run on (its affinity), at least 1."""
    import os

    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


POOL_MIN_BYTES = 64 * 1024
"""Bodies this large or larger are parsed in the process pool, smaller ones in a thread."""


@dataclass(frozen=True)
class SourceResult:
    """What happened to one source in one refresh."""

    url: str
    outcome: str
    """``"ok"``, ``"not-modified"`` or ``"error"``."""
    new_items: int = 0
    error: str = ""
    """Why it failed, or what was wrong with a feed that still gave items."""
    http_status: int | None = None
    parsed: bool = False
    """True when the body was parsed (it was new or changed)."""
    seconds: float = 0.0


@dataclass(frozen=True)
class ProgressEvent:
    """Sent after each source finishes; ``done`` counts up to ``total``."""

    done: int
    total: int
    url: str
    outcome: str
    new_items: int = 0
    error: str = ""


@dataclass
class RefreshSummary:
    """The outcome of one refresh: counts, time taken and each source's result."""

    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    new_items: int = 0
    seconds: float = 0.0
    results: list[SourceResult] = field(default_factory=list)

    @classmethod
    def of(cls, results: list[SourceResult], seconds: float = 0.0) -> RefreshSummary:
        """The counts of ``results``."""
        summary = cls(results=results, seconds=seconds)
        for result in results:
            if result.outcome == OK:
                summary.ok += 1
            elif result.outcome == NOT_MODIFIED:
                summary.not_modified += 1
            else:
                summary.failed += 1
            summary.new_items += result.new_items
        return summary

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def parsed(self) -> int:
        return sum(result.parsed for result in self.results)


ProgressCallback = Callable[[ProgressEvent], None]


def parse_feed(body: bytes, url: str = "", content_type: str = "") -> ParsedFeed:
    """``tui.core.parse.parse_feed``, imported when the first feed is parsed: a refresh in
    which every answer is 304 never pays for importing the parsers (about 20 ms)."""
    from tui.core.ingest.parse import parse_feed as parse

    return parse(body, url, content_type)


def _load_parsers() -> None:
    import tui.core.ingest.parse  # noqa: F401 - imported for its side effect: ready to parse


def _ignore_interrupts() -> None:
    """Runs first in each parser process: ctrl+c is for the refresh to handle, once, in the
    main process; a worker that took it too would print a traceback of its own."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_parse_pool(workers: int | None = None, method: str = "forkserver") -> ProcessPoolExecutor:
    """A pool of parser processes (None: one per core), started and ready; blocking.

    ``"fork"`` starts in about 10 ms but is only safe on Linux while this process has no other
    thread (the command line calls it before its event loop starts); ``"forkserver"``
    (about 320 ms) is safe at any time.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # The forkserver imports the parser once; each worker is then a cheap fork of it.
        context.set_forkserver_preload(["tui.core.ingest.parse"])
    pool = ProcessPoolExecutor(
        max_workers=workers or usable_cores(),
        mp_context=context,
        initializer=_ignore_interrupts,
    )
    pool.submit(int).result()  # a builtin: starting it imports nothing more
    return pool


class _BatchWriter:
    """Stores sources' outcomes from one thread, a batch per commit (``Store.write_batch``).

    Whatever finishes while a batch is being written waits for the next one, so a refresh
    of many sources commits a few dozen times, not once per source, and the event loop
    hands work to a thread once per batch rather than once per source (35-80 µs each).
    """

    MAX_BATCH = 64

    def __init__(self, store: Store) -> None:
        self.store = store
        self._pending: list[tuple[SourceWrite, asyncio.Future[int | Exception]]] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, write: SourceWrite) -> int:
        """Store ``write``; returns its new items, or raises what storing it raised."""
        future: asyncio.Future[int | Exception] = asyncio.get_running_loop().create_future()
        self._pending.append((write, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        result = await future
        if isinstance(result, Exception):
            raise result
        return result

    async def _drain(self) -> None:
        batch: list[tuple[SourceWrite, asyncio.Future[int | Exception]]] = []
        try:
            while self._pending:
                batch = self._pending[: self.MAX_BATCH]
                del self._pending[: self.MAX_BATCH]
                writes = [write for write, _ in batch]
                try:
                    results = await asyncio.to_thread(self.store.write_batch, writes)
                except Exception as exc:  # the whole commit failed: every write in it did
                    results = [exc] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
                batch = []
        finally:
            # Cancelled (the app is quitting): nobody may wait forever on a write.
            for _, future in (*batch, *self._pending):
                if not future.done():
                    future.cancel()


class Refresher:
    """Refreshes sources into a store. Use one Refresher from one event loop, then ``close()``.

    ``parse_workers`` is the size of the parser process pool (default: one per usable
    core); 0 parses every body in a thread of this process. ``pool_min_bytes`` is the body
    size from which the pool is used (0: every body).
    """

    def __init__(
        self,
        store: Store,
        settings: Settings | RefreshSettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        parse_workers: int | None = None,
        rng: random.Random | None = None,
        pool_min_bytes: int = POOL_MIN_BYTES,
        pool: ProcessPoolExecutor | None = None,
    ) -> None:
        self.store = store
        if settings is None:
            settings = RefreshSettings()
        self.settings = settings.refresh if isinstance(settings, Settings) else settings
        # API sources' adapters read their own sections (base URLs); feeds need only these.
        full = settings if isinstance(settings, Settings) else Settings(refresh=settings)
        self.all_settings = full
        self._credentials: Credentials | None = None
        self._host_limits: HostLimits | None = None
        """Rate-limited API hosts, kept across refreshes (made when an API source is met)."""
        self.fetcher = Fetcher(self.settings, transport)
        self.parse_workers = usable_cores() if parse_workers is None else parse_workers
        self.pool_min_bytes = pool_min_bytes
        self.rng = rng or random.Random()
        self._pool: ProcessPoolExecutor | None = pool
        self._pool_task: asyncio.Task[ProcessPoolExecutor] | None = None
        self._in_flight: set[str] = set()
        self._closed = False
        self._writer = _BatchWriter(store)

    # -- the pool ---------------------------------------------------------------------------

    def _start_pool(self) -> ProcessPoolExecutor:
        return start_parse_pool(self.parse_workers)

    async def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is not None:
            return self._pool
        if self._pool_task is None:
            # Several parses may wait on one start-up; the task makes it happen once.
            self._pool_task = asyncio.create_task(asyncio.to_thread(self._start_pool))
        task = self._pool_task
        pool = await asyncio.shield(task)
        if self._pool_task is task:
            self._pool, self._pool_task = pool, None
        return pool

    def _drop_pool(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:
            self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def _in_pool(self, body: bytes) -> bool:
        return self.parse_workers > 0 and len(body) >= self.pool_min_bytes

    async def _parse_in_pool(self, body: bytes, url: str, content_type: str) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            try:
                pool = await self._get_pool()
            except Exception:
                # No worker processes to be had (a sandbox without them, say): parse here.
                self.parse_workers = 0
                self._pool_task = None
                return await asyncio.to_thread(parse_feed, body, url, content_type)
            # The worker is given the parser itself, which the forkserver has imported.
            from concurrent.futures.process import BrokenProcessPool

            from tui.core.ingest.parse import parse_feed as parse

            try:
                return await loop.run_in_executor(pool, parse, body, url, content_type)
            except BrokenProcessPool:
                # A worker died (a crash in a C parser, or killed for memory). Every job in
                # the pool fails with it, so each gets one more try in a fresh pool.
                self._drop_pool(pool)
                if attempt == 2:
                    break
        return ParsedFeed(error="the feed parser crashed on this feed")

    # -- refreshing -------------------------------------------------------------------------

    async def refresh_due(
        self, sources: Sequence[Source], *, on_progress: ProgressCallback | None = None
    ) -> RefreshSummary:
        """Refresh only the sources whose time has come."""
        return await self.refresh(sources, only_due=True, on_progress=on_progress)

    async def refresh(
        self,
        sources: Sequence[Source],
        *,
        only_due: bool = False,
        on_progress: ProgressCallback | None = None,
        states: Mapping[str, SourceState] | None = None,
    ) -> RefreshSummary:
        """Fetch, parse and store ``sources``; never raises for a source's failure.

        A source already being refreshed by an earlier call still running is left out. Only a
        problem of the database itself (``StoreError``: a damaged file, a full disk) stops
        the whole refresh, and is raised.
        ``states``: the sources' states as just read from the store (else they are read
        here); the refresh updates them in place.
        """
        started = time.perf_counter()
        summary = RefreshSummary()
        if self._closed:
            return summary
        if states is None:
            states = await asyncio.to_thread(self.store.states, counts=False)
        now = utcnow()
        todo: list[tuple[Source, SourceState]] = []
        seen: set[str] = set()
        for source in sources:
            if source.url in seen or source.url in self._in_flight:
                continue
            seen.add(source.url)
            state = states.get(source.url) or SourceState(url=source.url)
            if only_due and not is_due(state, now):
                continue
            todo.append((source, state))
        if not todo:
            summary.seconds = time.perf_counter() - started
            return summary
        urls = [source.url for source, _ in todo]
        self._in_flight.update(urls)
        done = 0
        loading: asyncio.Future[None] | None = None
        parses_here = self.parse_workers == 0 or self.pool_min_bytes > 0
        if parses_here and any(not state.content_hash for _, state in todo):
            # A source never read before will be parsed here: import the parsers (22 ms)
            # while the first answers are on their way, not once the first body is in.
            loading = asyncio.ensure_future(asyncio.to_thread(_load_parsers))

        async def one(source: Source, state: SourceState) -> None:
            nonlocal done
            result = await self._refresh_one(source, state)
            done += 1
            summary.results.append(result)
            if on_progress is not None:
                event = ProgressEvent(
                    done, len(todo), result.url, result.outcome, result.new_items, result.error
                )
                # A broken progress display must not stop the refresh.
                with contextlib.suppress(Exception):
                    on_progress(event)

        tasks = [asyncio.ensure_future(one(source, state)) for source, state in todo]
        try:
            await asyncio.gather(*tasks)
        except StoreError:
            # A damaged database or a full disk: no source can be stored, so stop them all.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        finally:
            self._in_flight.difference_update(urls)
            if loading is not None:
                with contextlib.suppress(Exception):  # a parse would have said why
                    await loading
        return RefreshSummary.of(summary.results, time.perf_counter() - started)

    async def _refresh_one(self, source: Source, state: SourceState) -> SourceResult:
        started = time.perf_counter()
        try:
            result = await self._fetch_parse_store(source, state)
        except StoreError:
            raise  # the store's problem, not this source's: refresh() stops and says so
        except Exception as exc:
            # A bug or a store failure; say so for this source and go on with the others.
            message = f"internal error: {type(exc).__name__}: {exc}"
            try:
                state.status, state.error = ERROR, message[:300]
                await self._writer.write(SourceWrite(state))
            except Exception:
                pass
            result = SourceResult(source.url, ERROR, error=message[:300])
        return SourceResult(
            result.url,
            result.outcome,
            result.new_items,
            result.error,
            result.http_status,
            result.parsed,
            time.perf_counter() - started,
        )

    def credentials(self) -> Credentials:
        """The user's secrets, read once; a credentials.toml folio must refuse reads as none,
        and the adapters that need a token say so."""
        if self._credentials is None:
            from tui.core.credentials import Credentials, CredentialsError, load_credentials

            try:
                self._credentials = load_credentials()
            except CredentialsError as exc:
                self._credentials = Credentials(problem=str(exc))
        return self._credentials

    async def _refresh_api(
        self, source: Source, state: SourceState, interval: float
    ) -> SourceResult:
        from tui.core.sources.base import AdapterContext, HostLimits, adapter_for

        adapter = adapter_for(source.api)
        if adapter is None:
            return await self._failed(state, f"folio has no {source.api!r} API", interval, None)
        if self._host_limits is None:
            self._host_limits = HostLimits()
        now = utcnow()
        context = AdapterContext(
            self.fetcher, self.all_settings, self.credentials(), now, self._host_limits
        )
        result = await adapter.refresh(source, state, context)
        state.http_status = result.http_status
        got_something = (
            (result.feed is not None and bool(result.feed.items))
            or bool(result.counts)
            or result.account is not None
        )
        if result.error and not got_something:
            return await self._failed(state, result.error, interval, result.retry_after)
        state.cursor = result.cursor or state.cursor
        engagement = None
        if source.mine and (result.counts or result.account is not None):
            engagement = Engagement(dict(result.counts), result.account)
        state.failures = 0
        # It worked, but the API may have said its limit is used up until then (its
        # rate-limit headers): the next refresh waits for it rather than being refused.
        state.retry_after = result.retry_after
        state.next_due = next_due(state, interval, now, self.rng)
        if result.feed is None:
            # Nothing new; a partial failure (counts came, a later page did not) is said.
            state.status, state.error = NOT_MODIFIED, result.error or result.note
            state.not_modified += 1
            await self._writer.write(SourceWrite(state, None, now, engagement))
            return SourceResult(state.url, NOT_MODIFIED, http_status=result.http_status)
        state.status = OK
        state.error = result.error or result.note
        write = SourceWrite(
            state,
            result.feed,
            now,
            engagement,
            bookmarks=result.bookmarks,
            complete=result.complete,
            backlog=result.backlog,
        )
        new_items = await self._writer.write(write)
        return SourceResult(state.url, OK, new_items, state.error, result.http_status, parsed=True)

    async def _fetch_parse_store(self, source: Source, state: SourceState) -> SourceResult:
        if source.api:
            state.fetches += 1
            state.last_fetched = utcnow()
            interval = source_interval(source, self.settings.interval_seconds)
            return await self._refresh_api(source, state, interval)
        fetched = await self.fetcher.fetch(
            source.url, etag=state.etag, last_modified=state.last_modified
        )
        now = utcnow()
        state.fetches += 1
        state.last_fetched = now
        state.http_status = fetched.status
        interval = source_interval(source, self.settings.interval_seconds)

        if fetched.error:
            return await self._failed(state, fetched.error, interval, fetched.retry_after)
        if fetched.not_modified:
            return await self._unchanged(state, fetched, interval)

        digest = hashlib.sha256(fetched.body).hexdigest()
        if digest == state.content_hash:
            return await self._unchanged(state, fetched, interval)

        body, url, content_type = fetched.body, fetched.final_url, fetched.content_type
        if self._in_pool(body):
            feed = await self._parse_in_pool(body, url, content_type)
        else:
            feed = await asyncio.to_thread(parse_feed, body, url, content_type)
        return await self._keep(state, fetched, digest, feed, interval)

    async def _keep(
        self,
        state: SourceState,
        fetched: FetchResult,
        digest: str,
        feed: ParsedFeed,
        interval: float,
    ) -> SourceResult:
        """Store a parsed feed with its new state, or the failure."""
        now = utcnow()
        if feed.error and not feed.items:
            error = feed.error
            from tui.core.ingest.discover import looks_like_html  # only for a failed feed

            if looks_like_html(fetched.body, fetched.content_type):
                error = "the address gives a web page, not a feed"
            # The hash is not kept, so a broken feed is parsed (and reported) again next time.
            self._mark_failed(state, error, interval, None, now)
            await self._writer.write(SourceWrite(state))
            return SourceResult(state.url, ERROR, 0, error, fetched.status, parsed=True)
        state.status = OK
        state.error = feed.error or ""
        state.failures = 0
        state.retry_after = None
        state.etag = fetched.etag
        state.last_modified = fetched.last_modified
        state.content_hash = digest
        state.next_due = next_due(state, interval, now, self.rng)
        new_items = await self._writer.write(SourceWrite(state, feed, now))
        return SourceResult(state.url, OK, new_items, state.error, fetched.status, parsed=True)

    async def _unchanged(
        self, state: SourceState, fetched: FetchResult, interval: float
    ) -> SourceResult:
        state.status = NOT_MODIFIED
        state.error = ""
        state.failures = 0
        state.retry_after = None
        state.not_modified += 1
        # A 304 need not repeat the validators; keep the old ones unless new ones came.
        state.etag = fetched.etag or state.etag
        state.last_modified = fetched.last_modified or state.last_modified
        state.next_due = next_due(state, interval, utcnow(), self.rng)
        await self._writer.write(SourceWrite(state))
        return SourceResult(state.url, NOT_MODIFIED, http_status=fetched.status)

    def _mark_failed(
        self,
        state: SourceState,
        error: str,
        interval: float,
        retry_after: dt.datetime | None,
        now: dt.datetime,
    ) -> None:
        state.status = ERROR
        state.error = error
        state.failures += 1
        state.retry_after = retry_after
        state.next_due = next_due(state, interval, now, self.rng)

    async def _failed(
        self, state: SourceState, error: str, interval: float, retry_after: dt.datetime | None
    ) -> SourceResult:
        self._mark_failed(state, error, interval, retry_after, utcnow())
        await self._writer.write(SourceWrite(state))
        return SourceResult(state.url, ERROR, error=error, http_status=state.http_status)

    async def close(self) -> None:
        """Close the HTTP client and stop the parser processes."""
        self._closed = True
        await self.fetcher.aclose()
        pools: list[ProcessPoolExecutor] = []
        if self._pool_task is not None:
            with contextlib.suppress(Exception):
                pools.append(await self._pool_task)
            self._pool_task = None
        if self._pool is not None:
            pools.append(self._pool)
            self._pool = None
        for pool in pools:
            await asyncio.to_thread(pool.shutdown, True, cancel_futures=True)
