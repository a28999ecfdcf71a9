"""The headless sub-commands. Each turns user errors into one line and an exit status:
0 done, 1 the command failed (a bad file to import, a page with no feed), 2 folio
could not run at all (a broken settings.toml or portfolio.toml, an unwritable folder).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .core.config import ConfigError
from .core.models import Item, Source, SourceState, utcnow
from .core.storage.portfolio import name_from_feeds
from .core.storage.store import StoreError
from .core.storage.workspace import Workspace, demo_workspace, user_workspace

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from .core.refresh.refresher import RefreshSummary
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
    from .core.interop.opml import ImportFormatError, merge_sources, read_sources_file

    portfolio = workspace.load_portfolio()
    try:
        found = read_sources_file(Path(args.file))
    except ImportFormatError as exc:
        raise CommandError(str(exc)) from None
    merged, added, duplicates = merge_sources(portfolio.sources, found)
    portfolio.sources = merged
    if added:
        workspace.save_portfolio(portfolio)
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


def cmd_add(workspace: Workspace, args: argparse.Namespace) -> int:
    from .core.ingest.discover import guess_kind
    from .core.interop.opml import normalise_url
    from .core.net.fetch import FetchError, discover_feed

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
    source = Source(
        url=feed_url,
        name=args.name or feed.title or feed_url,
        kind=args.kind or guess_kind(feed_url, feed),
        tags=list(args.tag),
    )
    portfolio.sources.append(source)
    workspace.save_portfolio(portfolio)
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


def cmd_export(workspace: Workspace, args: argparse.Namespace) -> int:
    from .core.interop.opml import write_opml
    from .core.storage.atomic import write_atomic

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
                summary = await refresher.refresh(
                    portfolio.sources,
                    only_due=args.due,
                    on_progress=progress if show_progress else None,
                )
                # What waits in the outbox (bookmarks, read states) goes out on every refresh.
                from .core.services import send_outbox

                await send_outbox(
                    store, workspace.settings, refresher.credentials(), refresher.fetcher
                )
                return summary
            finally:
                await refresher.close()

    return _refreshed(workspace, portfolio, asyncio.run(go()), show_progress)


def _refreshed(
    workspace: Workspace, portfolio: Portfolio, summary: RefreshSummary, show_progress: bool
) -> int:
    if show_progress:
        sys.stderr.write("\r\x1b[K")
    if not all(source.name for source in portfolio.sources):
        with workspace.open_store() as store:
            titles = {url: state.feed_title for url, state in store.states(counts=False).items()}
        if name_from_feeds(portfolio, titles):
            workspace.save_portfolio(portfolio)
    total = summary.ok + summary.not_modified + summary.failed
    print(
        f"Refreshed {total} source{'s' * (total != 1)} in {summary.seconds:.2f} s: "
        f"{summary.ok} ok, {summary.not_modified} not modified, {summary.failed} failed; "
        f"{summary.new_items} new item{'s' * (summary.new_items != 1)}."
    )
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
    portfolio = workspace.load_portfolio()
    names = {s.url: s.title for s in portfolio.sources}
    with workspace.open_store() as store:
        items = store.items(
            sources=[args.source] if args.source else None, unread=args.unread, limit=args.limit
        )
    if args.json:
        _print_json([item_record(i) for i in items], sys.stdout)
        return 0
    for item in items:
        mark = "*" if item.starred else ("N" if not item.read else " ")
        when = item.published.astimezone().strftime("%Y-%m-%d %H:%M")
        source = names.get(item.source, item.source)[:24]
        print(f"{mark} {when}  {source:<24}  {item.title or item.link or '(untitled)'}")
    if not items:
        print("No items. Run 'folio refresh' to fetch your sources.", file=sys.stderr)
    return 0


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
    rows = [(s, states.get(s.url) or SourceState(url=s.url)) for s in portfolio.sources]
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
        print(
            f"{row['quadrant']:<11} v{row['value']} e{row['effort']}  {row['name']:<24} "
            f"{row['unread']:>4} unread  {row['notes']}"
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
    from .core.config import parse_duration

    if text is None:
        return dt.timedelta(seconds=workspace.settings.output.window_seconds)
    try:
        return dt.timedelta(seconds=parse_duration(text))
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


_COMMANDS: dict[str, Callable[[Workspace, argparse.Namespace], int]] = {
    "import": cmd_import,
    "add": cmd_add,
    "export": cmd_export,
    "refresh": cmd_refresh,
    "items": cmd_items,
    "sources": cmd_sources,
    "matrix": cmd_matrix,
    "roadmap": cmd_roadmap,
    "output": cmd_output,
}
