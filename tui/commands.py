"""The headless sub-commands. Each turns user errors into one line and an exit status:
0 done, 1 the command failed (a bad file to import, a page with no feed), 2 folio
could not run at all (a broken settings.toml or portfolio.toml, an unwritable folder).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import gc
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .core.config import ConfigError
from .core.dates import local_text
from .core.models import Item, Source, SourceState, utcnow
from .core.storage.portfolio import source_name
from .core.storage.store import StoreError
from .core.storage.workspace import Workspace, demo_workspace, user_workspace

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from .core.refresh.refresher import RefreshSummary
    from .core.sources.adding import ApiCheck
    from .core.storage.portfolio import Portfolio


class CommandError(Exception):
    """A command could not do what was asked; the message is for the user."""


def run(args: argparse.Namespace) -> int:
    try:
        if args.command is None:
            from .app import run_app

            return run_app(demo=args.demo)
        workspace = demo_workspace() if args.demo else user_workspace()
        handler = _COMMANDS[args.command]
        return handler(workspace, args)
    except ConfigError as exc:
        _error(str(exc))
        return 2
    except StoreError as exc:
        _error(str(exc))
        return 2
    except CommandError as exc:
        _error(str(exc))
        return 1
    except BrokenPipeError:
        raise
    except OSError as exc:
        # An unwritable config or data folder, a full disk: folio cannot run.
        _error(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        return 2


def _error(message: str) -> None:
    print(f"folio: {message}", file=sys.stderr)


# -- import, add, export ----------------------------------------------------------------


def cmd_import(workspace: Workspace, args: argparse.Namespace) -> int:
    """OPML, a newsboat urls file, or a Netscape bookmark file, told apart by content."""
    from .core.bookmarks.netscape import looks_like_netscape

    path = Path(args.file)
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if looks_like_netscape(head):
        return _import_bookmarks(workspace, path)
    return _import_sources(workspace, args)


def _import_bookmarks(workspace: Workspace, path: Path) -> int:
    """Bookmarks, not feeds to follow: kept bookmarked in folio and, when a service is set,
    queued for it and sent now."""
    from .core.bookmarks.local import import_bookmarks
    from .core.bookmarks.netscape import read_bookmarks

    try:
        found = read_bookmarks(path.read_bytes())
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise CommandError(f"{path}: {reason}") from None
    settings = workspace.settings.bookmarks
    with workspace.open_store() as store:
        new, known, queued = import_bookmarks(store, settings, found.bookmarks)
        for note in found.skipped:
            print(f"  note: {note}")
        where = f" for {settings.label}" if settings.enabled else ""
        print(
            f"Imported {len(found.bookmarks)} bookmark{'s' * (len(found.bookmarks) != 1)} "
            f"({new} new, {known} already bookmarked); {queued} queued{where}."
        )
        if queued:
            _send_now(workspace, store)
        elif not settings.enabled:
            print(
                "They are kept in folio. Set [bookmarks] in settings.toml to send bookmarks "
                "to linkding, Shaarli or Pinboard.",
                file=sys.stderr,
            )
    return 0


def _send_now(workspace: Workspace, store: Any) -> None:
    """Send the outbox now, as ``folio refresh`` does; what the service does not take waits
    for the next refresh or the app."""
    from .core.credentials import Credentials, CredentialsError, load_credentials
    from .core.net.fetch import Fetcher
    from .core.services import send_outbox

    try:
        credentials = load_credentials()
    except CredentialsError as exc:
        credentials = Credentials(problem=str(exc))

    async def go() -> list[Any]:
        async with Fetcher(workspace.settings, workspace.transport) as fetcher:
            return await send_outbox(store, workspace.settings, credentials, fetcher)

    for report in asyncio.run(go()):
        line = f"Sent {report.sent}"
        if report.waiting:
            line += f"; {report.waiting} waiting"
        if report.failed:
            line += f"; {report.failed} refused"
        if report.errors:
            line += f": {report.errors[0]}"
        print(line + ".", file=sys.stderr)


def _import_sources(workspace: Workspace, args: argparse.Namespace) -> int:
    from .core.interop.opml import ImportFormatError, normalise_url, read_sources_file
    from .core.storage.portfolio_edit import AddSources

    workspace.load_portfolio()  # a broken portfolio.toml is reported before any work
    try:
        found = read_sources_file(Path(args.file))
    except ImportFormatError as exc:
        raise CommandError(str(exc)) from None
    # Names and tags come from another tool's file: one clean line each, of a sane size.
    incoming = [
        dataclasses.replace(
            source,
            name=source_name(source.name),
            tags=[tag for tag in (source_name(t) for t in source.tags) if tag],
        )
        for source in found
    ]
    # Judged against the file as it is when written, under its lock: a source added
    # meanwhile (by the app, another command) is kept, and counted as a duplicate.
    adding = AddSources(incoming, same=normalise_url)
    workspace.apply_edits([adding])
    added, duplicates = adding.added, adding.duplicates
    for source in added:
        tags = f"  [{', '.join(source.tags)}]" if source.tags else ""
        print(f"+ {source.title}  ({source.kind})  {source.url}{tags}")
    for note in (*found.skipped, *found.repaired):
        print(f"  note: {note}")
    print(
        f"Added {len(added)} source{'s' * (len(added) != 1)}, "
        f"skipped {duplicates} duplicate{'s' * (duplicates != 1)}."
    )
    return 0


MAX_URL = 2048
"""Longest feed address ``folio add`` writes into portfolio.toml (a page can name any)."""


def cmd_add(workspace: Workspace, args: argparse.Namespace) -> int:
    from .core.config import format_duration, parse_interval
    from .core.ingest.discover import guess_kind
    from .core.interop.opml import normalise_url
    from .core.net.fetch import FetchError, discover_feed
    from .core.sources.adding import CannotFollow, read_once, recognise_address
    from .core.storage.portfolio_edit import AddSources

    try:
        # A Mastodon, Bluesky, Hacker News... address is read through its API first.
        api_address = recognise_address(args.url)
        checked = None
        if api_address is not None:
            known = {normalise_url(s.url) for s in workspace.load_portfolio().sources}
            if normalise_url(api_address.url) in known:
                print(f"Already following {api_address.url}.")
                return 0
            checked = asyncio.run(read_once(api_address, workspace.settings, workspace.transport))
    except CannotFollow as exc:
        raise CommandError(
            workspace.fetch_failed(
                f"{args.url.strip()}: {exc}", "leave out --demo to add it to your own portfolio."
            )
        ) from None
    if checked is not None:
        return _add_api(workspace, args, checked)

    interval = None
    if args.interval:
        try:
            interval = format_duration(parse_interval(args.interval))
        except ValueError as exc:
            raise CommandError(f"--interval: {exc}") from None
    url = args.url.strip()
    if "://" not in url:
        url = "https://" + url
    if not url.startswith(("http://", "https://")):
        raise CommandError(f"{args.url}: only http:// and https:// URLs can be followed")
    portfolio = workspace.load_portfolio()
    try:
        found = asyncio.run(discover_feed(url, workspace.settings, transport=workspace.transport))
    except FetchError as exc:
        raise CommandError(
            workspace.fetch_failed(
                f"{url}: {exc}", "leave out --demo to add it to your own portfolio."
            )
        ) from None
    feed_url, feed = found.url, found.feed
    known = {normalise_url(s.url) for s in portfolio.sources}
    if normalise_url(feed_url) in known:
        print(f"Already following {feed_url}.")
        return 0
    if len(feed_url) > MAX_URL:
        raise CommandError(
            f"{url}: the feed's address is {len(feed_url):,} characters long; "
            f"folio follows addresses of up to {MAX_URL:,}"
        )
    source = Source(
        url=feed_url,
        name=args.name or source_name(feed.title) or feed_url,
        kind=args.kind or guess_kind(feed_url, feed),
        tags=list(args.tag),
        mine=getattr(args, "mine", False),
        interval=interval,
    )
    # Added to the file as it is now, under its lock: what the app or another command
    # wrote while the feed was being fetched is kept.
    adding = AddSources([source], same=normalise_url)
    workspace.apply_edits([adding])
    if not adding.added:
        print(f"Already following {feed_url}.")
        return 0
    with workspace.open_store() as store:
        # The validators and the body's hash, as the refresh engine keeps them, so that the
        # first refresh asks conditionally and never parses this same document again.
        state = SourceState(
            url=feed_url,
            status="ok",
            last_fetched=utcnow(),
            fetches=1,
            etag=found.etag,
            last_modified=found.last_modified,
            content_hash=hashlib.sha256(found.body).hexdigest(),
        )
        new = store.store_feed(state, feed)
    via = f" (found on {url})" if feed_url != url else ""
    print(f"Added {source.name} ({source.kind}) {feed_url}{via} with {new} items.")
    return 0


def _add_api(workspace: Workspace, args: argparse.Namespace, checked: ApiCheck) -> int:
    """Keep an API source read once by ``cmd_add``: its items, cursor and, when it is the
    user's own, its first counts."""
    from .core.storage.store import Engagement, SourceWrite

    source = checked.source
    source.kind = args.kind or source.kind
    source.tags = list(args.tag)
    source.mine = getattr(args, "mine", False)
    if args.name:
        source.name = args.name
    else:
        source.name = source_name(source.name) or source.url
    # Added to the file as it is now, under its lock, as a feed is (see cmd_add).
    from .core.interop.opml import normalise_url
    from .core.storage.portfolio_edit import AddSources

    adding = AddSources([source], same=normalise_url)
    workspace.apply_edits([adding])
    if not adding.added:
        print(f"Already following {source.url}.")
        return 0
    result = checked.result
    engagement = None
    if source.mine and (result.counts or result.account is not None):
        engagement = Engagement(dict(result.counts), result.account)
    with workspace.open_store() as store:
        [written] = store.write_batch(
            [SourceWrite(checked.state, result.feed, utcnow(), engagement)]
        )
    if isinstance(written, Exception):
        raise written
    print(
        f"Added {source.name} ({source.kind}) {source.url} through the {checked.label}"
        f" with {written} items."
    )
    if checked.state.error:
        print(f"  note: {checked.state.error}")
    return 0


def cmd_export(workspace: Workspace, args: argparse.Namespace) -> int:
    from .core.storage.atomic import write_atomic

    if getattr(args, "bookmarks", False):
        from .core.bookmarks.local import bookmark_sources, export_bookmarks
        from .core.bookmarks.netscape import write_bookmarks

        sources = workspace.load_portfolio().sources
        with workspace.open_store() as store:
            sources = [*sources, *bookmark_sources(workspace.settings.bookmarks, sources, True)]
            found = export_bookmarks(store, sources)
        text = write_bookmarks(found)
        print(f"{len(found)} bookmark{'s' * (len(found) != 1)}.", file=sys.stderr)
    else:
        from .core.interop.opml import write_opml

        text = write_opml(workspace.load_portfolio().sources)
    if args.output:
        write_atomic(Path(args.output), text.encode("utf-8"))
        print(f"Wrote {args.output}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


# -- refresh ----------------------------------------------------------------------------


def cmd_refresh(workspace: Workspace, args: argparse.Namespace) -> int:
    """One process and one event loop, as in the app; parsing in a pool of processes."""
    from .core.refresh.refresher import POOL_MIN_BYTES, ProgressEvent, Refresher

    portfolio = workspace.load_portfolio()
    show_progress = sys.stderr.isatty()

    def progress(event: ProgressEvent) -> None:
        sys.stderr.write(f"\rRefreshing {event.done}/{event.total} sources…")
        sys.stderr.flush()

    _start_collecting()
    workers = workspace.settings.refresh.processes or None
    pool = _parse_pool(len(portfolio.sources), workers)

    async def go() -> Any:
        with workspace.open_store() as store:
            refresher = Refresher(
                store,
                workspace.settings,
                transport=workspace.transport,
                pool=pool,
                parse_workers=workers,
                # With the pool ready, the event loop's own thread is kept for HTTP and
                # the store: 500 feeds of 20 items cost it 0.5 s less parsing.
                pool_min_bytes=0 if pool is not None else POOL_MIN_BYTES,
            )
            try:
                sources = portfolio.sources
                if workspace.settings.sync.enabled:
                    # Synced sources' items come from the sync server, below.
                    from .core.sync.local import synced_urls

                    synced = synced_urls(store)
                    sources = [s for s in sources if s.url not in synced]
                summary = await refresher.refresh(
                    _with_service(workspace, sources),
                    only_due=args.due,
                    on_progress=progress if show_progress else None,
                )
                if workspace.settings.sync.enabled:
                    from .commands_sync import run_sync

                    synced_report.append(
                        await run_sync(workspace, store, refresher.credentials(), refresher.fetcher)
                    )
                # What waits in the outbox (bookmarks, read states) goes out on every refresh;
                # asked for by hand (not --due), at once, whatever its back-off.
                from .core.services import send_outbox

                await send_outbox(
                    store,
                    workspace.settings,
                    refresher.credentials(),
                    refresher.fetcher,
                    now_for_all=not args.due,
                )
                return summary
            finally:
                await refresher.close()

    synced_report: list[Any] = []
    status = _refreshed(workspace, portfolio, asyncio.run(go()), show_progress)
    for report in synced_report:
        print(f"Sync: {report.summary()}." if report.ok else f"Sync: {report.error}.")
    return status


def _with_service(workspace: Workspace, sources: list[Source], local: bool = False) -> list[Source]:
    """The portfolio's sources and the bookmark service's own bookmarks, which
    settings.toml names (and, with ``local``, folio's imported ones)."""
    from .core.bookmarks.local import bookmark_sources

    return [*sources, *bookmark_sources(workspace.settings.bookmarks, sources, local)]


def _refreshed(
    workspace: Workspace, portfolio: Portfolio, summary: RefreshSummary, show_progress: bool
) -> int:
    from .core.storage.portfolio_edit import Edit, NameSources, UpdateEntry

    if show_progress:
        sys.stderr.write("\r\x1b[K")
    unnamed = not all(source.name for source in portfolio.sources)
    podcasts: list[str] = []
    titles: dict[str, str] = {}
    if unnamed or summary.new_items:
        from .core.refresh.kinds import learn_kinds

        with workspace.open_store() as store:
            states = store.states(counts=False)
            # A first fetch that brought items may show what a source is (audio: a podcast).
            podcasts = learn_kinds(store, portfolio.sources, states) if summary.new_items else []
        titles = {url: state.feed_title for url, state in states.items()}
        # Applied to the file as it is now, not to the copy read when the refresh began:
        # a source added or named meanwhile is kept as it is.
        edits: list[Edit] = [NameSources(titles)] if unnamed else []
        edits += [
            UpdateEntry("sources", url, {"kind": "podcast"}, {"kind": "blog"}) for url in podcasts
        ]
        if edits:
            workspace.apply_edits(edits)
    total = summary.ok + summary.not_modified + summary.failed
    print(
        f"Refreshed {total} source{'s' * (total != 1)} in {summary.seconds:.2f} s: "
        f"{summary.ok} ok, {summary.not_modified} not modified, {summary.failed} failed; "
        f"{summary.new_items} new item{'s' * (summary.new_items != 1)}."
    )
    if podcasts:
        names = ", ".join(
            s.name or titles.get(s.url) or s.url for s in portfolio.sources if s.url in podcasts
        )
        print(f"Their feeds carry audio, so these are podcasts now: {names}.")
    return 0


def _start_collecting() -> None:
    """Turn the garbage collector back on, if ``console_main`` turned it off for start-up.

    What exists by now lives until the process ends, so it is frozen first: the collector
    never walks it again, and forked processes do not copy its pages by touching them.
    Measured on the refresh of 500 unchanged feeds: 2-3 ms of collecting per process,
    against 13-17 ms with the collector on from the start.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


PARSE_POOL_MIN_SOURCES = 8
"""Fewer sources than this are parsed in a thread: the pool would cost more than it saves."""


def _parse_pool(sources: int, workers: int | None) -> ProcessPoolExecutor | None:
    """Parser processes (``workers``, None: one per core) started now by fork, while this
    process has no other thread; or None when there are few sources, or fork is not safe
    here (the refresh then starts a forkserver pool when a large body needs it)."""
    import multiprocessing
    import threading

    from .core.refresh.refresher import start_parse_pool

    if sources < PARSE_POOL_MIN_SOURCES or sys.platform != "linux":
        return None  # fork is unsafe on macOS (its system libraries start threads)
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return None  # run from a program with threads (a test): fork is not safe there
    try:
        return start_parse_pool(workers, method="fork")
    except OSError:
        return None  # no processes to be had (a sandbox): parse in threads


# -- podcasts ---------------------------------------------------------------------------


def cmd_download(workspace: Workspace, args: argparse.Namespace) -> int:
    """Queue new episodes, then download the queue; a download cut short (ctrl+c, kill)
    resumes at the next run. Exit status 1 when any download failed."""
    from .core.ingest.text import clean_line
    from .core.podcasts.service import Podcasts

    portfolio = workspace.load_portfolio()
    if args.source:
        source = portfolio.source(args.source)
        if source is None:
            raise CommandError(f"{args.source} is not one of your sources ('folio sources')")
        sources = [source]
    elif args.new:
        sources = [s for s in portfolio.sources if s.kind == "podcast"]
    else:
        sources = [s for s in portfolio.sources if s.downloads_new]
    _start_collecting()
    with workspace.open_store() as store:
        podcasts = Podcasts(
            store, workspace.settings, workspace.podcast_folder, transport=workspace.transport
        )
        podcasts.episodes.recover()
        removed = podcasts.remove_played()
        if removed:
            print(f"Removed the files of {removed} played episode{'s' * (removed != 1)}.")
        podcasts.queue_new(sources)
        waiting = store.items_by_id(e.item_id for e in podcasts.episodes.with_status("queued"))
        if args.source:
            waiting = [item for item in waiting if item.source == args.source]
        if not waiting:
            hint = "" if args.new or args.source else " (--new queues the new ones)"
            print(f"Nothing to download: no episode is queued{hint}.")
            return 0
        titles = {item.id: clean_line(item.title or item.enclosure_url) for item in waiting}
        print(f"Downloading {len(titles)} episode{'s' * (len(titles) != 1)} to {podcasts.folder}")
        podcasts.on_change = _DownloadReport(podcasts, titles, sys.stderr.isatty())

        async def go() -> None:
            try:
                await podcasts.queue.run_until_idle(only=set(titles))
            finally:
                await podcasts.queue.aclose()

        asyncio.run(go())
    done, failed = len(podcasts.queue.finished), len(podcasts.queue.failed)
    print(
        f"Downloaded {done} episode{'s' * (done != 1)}" + (f", {failed} failed." if failed else ".")
    )
    return 1 if failed else 0


class _DownloadReport:
    """``folio download``'s output: a line per episode done or failed, and on a terminal
    a progress line on stderr that each of those lines replaces."""

    def __init__(self, podcasts: Any, titles: dict[int, str], progress: bool) -> None:
        self.podcasts = podcasts
        self.titles = titles
        self.progress = progress

    def __call__(self, item_ids: list[int]) -> None:
        from .core.ingest.text import clean_line
        from .core.podcasts.episodes import human_bytes

        for item_id in item_ids:
            episode = self.podcasts.episode(item_id)
            if episode is None or item_id not in self.titles:
                continue
            if episode.status in ("downloaded", "failed") and self.progress:
                sys.stderr.write("\r\x1b[K")
            if episode.status == "downloaded":
                size = human_bytes(episode.bytes)
                print(f"✓ {self.titles.pop(item_id)}  {size}  {clean_line(episode.file)}")
            elif episode.status == "failed":
                print(f"✗ {self.titles.pop(item_id)}: {clean_line(episode.error)}")
            elif self.progress and episode.status == "downloading":
                done = "" if episode.percent is None else f"{episode.percent}% "
                title = self.titles[item_id][:40]
                sys.stderr.write(
                    f"\r\x1b[K{len(self.titles)} to go · {title} {done}"
                    f"{human_bytes(episode.speed)}/s"
                )
                sys.stderr.flush()


# -- listings ---------------------------------------------------------------------------


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _print_json(rows: list[dict[str, Any]], out: TextIO) -> None:
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def item_record(item: Item) -> dict[str, Any]:
    return {
        "source": item.source,
        "guid": item.guid,
        "title": item.title,
        "link": item.link,
        "author": item.author,
        "published": _iso(item.published) if item.dated else None,
        "first_seen": _iso(item.first_seen),
        "read": item.read,
        "starred": item.starred,
        "saved": item.saved,
        "bookmarked": item.bookmarked,
        "enclosure": item.enclosure_url or None,
    }


def cmd_items(workspace: Workspace, args: argparse.Namespace) -> int:
    from .core.lists import match_sources, parse_since
    from .core.storage.item_queries import ItemQuery

    portfolio = workspace.load_portfolio()
    names = {s.url: s.title for s in _with_service(workspace, portfolio.sources, local=True)}
    sources: tuple[str, ...] | None = None
    if args.source:
        found = match_sources(portfolio.sources, args.source)
        if not found and args.source.startswith(("http://", "https://")):
            found = [Source(args.source)]  # a URL no longer followed may still have items
        if not found:
            raise CommandError(
                f"no source is named {args.source!r} or has it in its name or URL; "
                "'folio sources' lists them"
            )
        sources = tuple(source.url for source in found)
        if len(found) > 1:
            listed = ", ".join(source.title for source in found)
            print(f"{len(found)} sources match {args.source!r}: {listed}", file=sys.stderr)
    since = None
    if args.since:
        try:
            since = parse_since(args.since, utcnow())
        except ValueError as exc:
            raise CommandError(f"--since: {exc}") from None
    flags = tuple(flag for flag in ("starred", "saved", "bookmarked") if getattr(args, flag, False))
    query = ItemQuery(sources=sources, unread=args.unread, flags=flags, published_since=since)
    with workspace.open_store() as store:
        items = store.query_items(query, limit=args.limit)
    if args.json:
        _print_json([item_record(i) for i in items], sys.stdout)
        return 0
    for item in items:
        mark = "*" if item.starred else ("N" if not item.read else " ")
        when = local_text(item.published, "%Y-%m-%d %H:%M")
        source = names.get(item.source, item.source)[:24]
        print(f"{mark} {when}  {source:<24}  {item.title or item.link or '(untitled)'}")
    if not items:
        print(_no_items(args, sources), file=sys.stderr)
    return 0


def _no_items(args: argparse.Namespace, sources: tuple[str, ...] | None) -> str:
    """Why ``folio items`` printed nothing, in words."""
    asked = [
        word
        for word, on in (
            ("unread", args.unread),
            ("starred", args.starred),
            ("saved for later", args.saved),
            ("bookmarked", args.bookmarked),
        )
        if on
    ]
    if sources is not None and len(sources) > 1:
        asked.append(f"from the {len(sources)} sources matching {args.source!r}")
    elif sources is not None:
        asked.append(f"from {sources[0]}")
    if args.since:
        asked.append(f"since {args.since}")
    if asked:
        return "No items " + " ".join(asked) + "."
    return "No items. Run 'folio refresh' to fetch your sources."


def _ago(when: dt.datetime | None, now: dt.datetime) -> str:
    if when is None:
        return "never"
    seconds = (when - now).total_seconds()
    span = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if span >= size:
            text = f"{int(span // size)}{unit}"
            break
    else:
        text = f"{int(span)}s"
    return f"in {text}" if seconds > 0 else f"{text} ago"


def source_record(source: Source, state: SourceState) -> dict[str, Any]:
    return {
        "url": source.url,
        "name": source.name,
        "kind": source.kind,
        "tags": source.tags,
        "mine": source.mine,
        "api": source.api or None,
        "target": source.target or None,
        "status": state.status,
        "error": state.error or None,
        "http_status": state.http_status,
        "items": state.items,
        "unread": state.unread,
        "last_fetched": _iso(state.last_fetched),
        "next_due": _iso(state.next_due),
        "retry_after": _iso(state.retry_after),
        "fetches": state.fetches,
        "not_modified": state.not_modified,
    }


def cmd_sources(workspace: Workspace, args: argparse.Namespace) -> int:
    portfolio = workspace.load_portfolio()
    with workspace.open_store() as store:
        states = store.states()
    sources = _with_service(workspace, portfolio.sources)
    rows = [(s, states.get(s.url) or SourceState(url=s.url)) for s in sources]
    if args.json:
        _print_json([source_record(s, st) for s, st in rows], sys.stdout)
        return 0
    now = utcnow()
    for source, state in rows:
        status = state.status if not state.error else f"error: {state.error}"
        print(
            f"{source.title[:28]:<28} {source.kind:<9} {state.items:>5} items "
            f"{state.unread:>5} unread  fetched {_ago(state.last_fetched, now):<9} "
            f"next {_ago(state.next_due, now):<9} {status}"
        )
    if not rows:
        print(
            "No sources yet. Add one with 'folio add URL' or 'folio import FILE'.", file=sys.stderr
        )
    return 0


def cmd_matrix(workspace: Workspace, args: argparse.Namespace) -> int:
    from .core.planning.output_measures import add_output
    from .core.planning.rules import matrix_records

    portfolio = workspace.load_portfolio()
    with workspace.open_store() as store:
        records = matrix_records(portfolio, store)
        add_output(records, portfolio, store, utcnow(), _output_window(workspace, None))
    if args.json:
        _print_json(records, sys.stdout)
        return 0
    for row in records:
        opened = row["attention"]["opened"][-1]
        print(
            f"{row['quadrant']:<11} v{row['value']} e{row['effort']}  {row['name']:<24} "
            f"{row['unread']:>4} unread {opened:>4} opened this week  {row['notes']}"
        )
    return 0


def cmd_roadmap(workspace: Workspace, args: argparse.Namespace) -> int:
    from .core.planning.output_measures import add_measures, measure_text
    from .core.planning.rules import roadmap_records

    portfolio = workspace.load_portfolio()
    with workspace.open_store() as store:
        records = roadmap_records(portfolio, store, today=dt.date.today(), due_only=args.due)
        add_measures(records, portfolio, store, utcnow())
    if args.json:
        _print_json(records, sys.stdout)
        return 0
    if portfolio.vision and not args.due:
        print(f"Vision: {portfolio.vision.strip()}\n")
    for row in records:
        due = "  REVIEW DUE" if row["review_due"] else ""
        print(
            f"{row['lane']:<6} {row['status']:<8} {row['title']:<40} "
            f"review {row['review'] or '-'}{due}"
        )
        if row["measured"]:
            print(f"{'':16}{measure_text(row['measured'])}")
    if args.due and not records:
        print("No reviews are due.", file=sys.stderr)
    return 0


def _output_window(workspace: Workspace, text: str | None) -> dt.timedelta:
    """``--window`` when given, else the ``[output] window`` setting."""
    from .core.config import parse_window

    if text is None:
        return dt.timedelta(seconds=workspace.settings.output.window_seconds)
    try:
        return dt.timedelta(seconds=parse_window(text))
    except ValueError as exc:
        raise CommandError(f"--window: {exc}") from None


def cmd_output(workspace: Workspace, args: argparse.Namespace) -> int:
    from .core.planning.output import output_record, output_rows
    from .core.planning.output_text import output_table

    portfolio = workspace.load_portfolio()
    window = _output_window(workspace, args.window)
    with workspace.open_store() as store:
        rows = output_rows(portfolio, store, utcnow(), window)
    if args.json:
        _print_json([output_record(row) for row in rows], sys.stdout)
        return 0
    if not rows:
        print(
            "None of your sources is marked as yours. Add mine = true to a source of yours"
            " in portfolio.toml (a feed, or an API account such as"
            " https://mastodon.social/@you), then run 'folio refresh'.",
            file=sys.stderr,
        )
        return 0
    for line in output_table(rows):
        print(line)
    return 0


# -- repair -----------------------------------------------------------------------------


def cmd_repair(workspace: Workspace, args: argparse.Namespace) -> int:
    from .core.storage.repair import check_store, repair_store

    path = workspace.db_path
    if not path.exists():
        print(f"There is no database at {path} yet: nothing to repair.")
        return 0
    problems = check_store(path)
    if not problems:
        print(f"No damage found in {path}; nothing was changed.")
        return 0
    lines = [line for problem in problems for line in problem.splitlines()]
    found = [line for line in lines if not line.startswith("***")] or lines
    more = f" (and {len(found) - 1} more problems)" if len(found) > 1 else ""
    print(f"Damage found in {path}: {found[0]}{more}")
    report = repair_store(path)
    if report.header_rebuilt:
        print("Its first page was damaged; it was read with a rebuilt header.")
    if report.unreadable:
        print(f"Nothing could be read from it: {report.unreadable}. The new database is empty.")
    for table in report.tables.values():
        if not (table.kept or table.lost or table.damaged_parts or table.refused):
            continue  # an empty table, read whole
        line = f"  {table.name}: kept {table.kept:,}"
        if table.lost:
            line += f" of {table.expected:,}; {table.lost:,} could not be read"
        elif table.damaged_parts and table.lost is None:
            line += f"; {table.damaged_parts} damaged part(s) could not be read"
        if table.refused:
            line += f"; {table.refused:,} damaged beyond use"
        print(line)
    print(f"Repaired {path}. The damaged file is kept as {report.backup}.")
    print("Run 'folio refresh' to fetch your sources again; items still in their feeds return.")
    return 0


_COMMANDS: dict[str, Callable[[Workspace, argparse.Namespace], int]] = {
    "import": cmd_import,
    "add": cmd_add,
    "export": cmd_export,
    "refresh": cmd_refresh,
    "download": cmd_download,
    "items": cmd_items,
    "sources": cmd_sources,
    "matrix": cmd_matrix,
    "roadmap": cmd_roadmap,
    "output": cmd_output,
    "sync": lambda workspace, args: _sync_command(workspace, args),
    "repair": cmd_repair,
}


def _sync_command(workspace: Workspace, args: argparse.Namespace) -> int:
    from .commands_sync import cmd_sync

    return cmd_sync(workspace, args)
